// What a reloaded Corefile changes that the running server cannot take without a restart: the cluster source and
// zones (the store and its watches are built for them), the HTTP listeners, the main listener's address. Each is
// named the way the Corefile writes it.
import type { ClusterDnsConfig } from '../config.js';

const RESTART: [keyof ClusterDnsConfig, string][] = [
  ['zones', 'the kubernetes zones'],
  ['reverseZones', 'the kubernetes reverse zones'],
  ['pods', 'kubernetes pods'],
  ['endpointPodNames', 'kubernetes endpoint_pod_names'],
  ['namespaces', 'kubernetes namespaces'],
  ['labels', 'kubernetes labels'],
  ['kubeconfig', 'kubernetes kubeconfig'],
  ['context', 'the kubeconfig context'],
  ['apiEndpoint', 'kubernetes endpoint/tls'],
  ['health', 'the health address'],
  ['lameduck', 'health lameduck'],
  ['ready', 'the ready address'],
  ['metrics', 'the prometheus address'],
];

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function corefileRestartNeeds(next: Partial<ClusterDnsConfig>, prev: Partial<ClusterDnsConfig>): string[] {
  const out = RESTART.filter(([k]) => !same(next[k], prev[k])).map(([, name]) => name);
  const main = (c: Partial<ClusterDnsConfig>) => c.servers?.find((s) => s.main);
  if (main(next)?.port !== main(prev)?.port || !same(next.listen?.host, prev.listen?.host)) out.push('the kubernetes server block\'s address (the main listener)');
  const r = (c: Partial<ClusterDnsConfig>) => (c.reload ? [c.reload.interval, c.reload.jitter] : null);
  if (!same(r(next), r(prev))) out.push('the reload interval');
  return out;
}
