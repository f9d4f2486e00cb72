// The order plugins run in, whatever order the Corefile lists them in: CoreDNS's plugin.cfg (1.14), restricted to
// the directives clusterdns knows. A plugin sees the effects of every plugin after it, never of those before it.
// `records` is ours (--records static names): after the cluster zones, before the upstreams. `shortnames` is ours
// too: right before kubernetes, so a short name sees what rewrite/autopath/hosts made of it; `ingress` also (Ingress
// hostnames, where k8s_gateway sits in CoreDNS's external plugins: before kubernetes).
export const PLUGIN_ORDER: readonly string[] = [
  'errors', 'log', 'loadbalance', 'cache', 'rewrite', 'autopath', 'template', 'transfer', 'hosts', 'k8s_external',
  'ingress', 'shortnames', 'kubernetes', 'records', 'loop', 'forward',
];

/** Sorts directives into execution order (unknown names last, in their given order). */
export function inExecutionOrder<T extends { name: string }>(items: readonly T[]): T[] {
  const rank = (n: string) => {
    const i = PLUGIN_ORDER.indexOf(n);
    return i < 0 ? PLUGIN_ORDER.length : i;
  };
  return items.map((it, i) => ({ it, i })).sort((a, b) => rank(a.it.name) - rank(b.it.name) || a.i - b.i).map((x) => x.it);
}
