// Which Ingresses, Gateway API objects (gateway-lookup.ts) or Services' external-dns hostname annotations
// (cluster/hostname-annotations.ts) a hostname belongs to, and the addresses it answers with. A name matches the
// objects that list it exactly; only when none does, those listing the wildcard one label up (`*.dev.test` stands
// for exactly one label, as in Ingress and k8s_gateway): the more specific name wins. At one level Gateway API
// routes come first, then Ingresses, then annotation hosts (k8s_gateway's resource order). Annotation hosts answer
// with the Service's external addresses and are not filtered by ingress class.
import { isIP } from 'node:net';
import type { ClusterView } from '../../cluster/store.js';
import type { Ingress } from '../../cluster/model.js';
import { matchGatewayHost, type GatewayMatchOptions, type HostMatch } from './gateway-lookup.js';
import { annotationField, hostField, serviceAddresses } from './provenance.js';

/**
 * The LoadBalancer Services of known ingress controllers, by the class names they serve. An Ingress without a
 * status (offline, no controller writes one) is answered with its controller's LB address, as the controller would
 * publish it. Class '' (no ingressClassName) matches every controller, in this order.
 */
export const KNOWN_CONTROLLERS: readonly { classes: readonly string[]; namespace: string; name: string }[] = [
  { classes: ['nginx'], namespace: 'ingress-nginx', name: 'ingress-nginx-controller' },
  { classes: ['traefik'], namespace: 'traefik', name: 'traefik' },
  { classes: ['traefik'], namespace: 'kube-system', name: 'traefik' }, // k3s
  { classes: ['nginx'], namespace: 'kube-system', name: 'rke2-ingress-nginx-controller' },
];

export interface MatchOptions extends GatewayMatchOptions {
  className?: string;
  /** used when an Ingress has no status and no known controller in the cluster has an address */
  lbAddress?: string;
}

/** at most this many Ingresses are read for one name (a name listed by thousands answers from the first) */
const MAX_INGRESSES_PER_NAME = 64;

/**
 * The exact name first, then the wildcard one label up, whatever the kind (exact beats wildcard). At one level the
 * Gateway API routes (then Gateway listeners) win over Ingresses naming the same host, as in k8s_gateway's default
 * resource order (HTTPRoute, TLSRoute, GRPCRoute before Ingress): the first kind with an address answers alone.
 */
export function matchName(view: ClusterView, lname: string, opts: MatchOptions): HostMatch | undefined {
  const dot = lname.indexOf('.');
  for (const host of dot > 0 ? [lname, `*.${lname.slice(dot + 1)}`] : [lname]) {
    const found = matchGatewayHost(view, host, opts) ?? matchIngressHost(view, host, opts) ?? matchServiceHost(view, host);
    if (found) return found;
  }
  return undefined;
}

function matchIngressHost(view: ClusterView, host: string, opts: MatchOptions): HostMatch | undefined {
  const all = view.ingressesForHost(host);
  const list = (opts.className === undefined ? all : all.filter((i) => i.className === opts.className)).slice(0, MAX_INGRESSES_PER_NAME);
  if (list.length === 0) return undefined;
  const addresses: string[] = [];
  const rules: string[] = [];
  for (const ing of list) {
    const own = ing.addresses.length > 0;
    const got = own ? { addresses: ing.addresses, from: 'its status.loadBalancer.ingress' } : synthesised(view, ing, opts);
    for (const a of got.addresses) if (!addresses.includes(a)) addresses.push(a);
    rules.push(`${hostField(ing, host)}; addresses: ${got.from}`);
  }
  return { sources: list.map((i) => `Ingress/${i.namespace}/${i.name}`), addresses, host, rules };
}

/** Services whose external-dns hostname annotations name `host`: their external addresses. */
function matchServiceHost(view: ClusterView, host: string): HostMatch | undefined {
  const list = view.servicesForHost(host).slice(0, MAX_INGRESSES_PER_NAME);
  const addresses: string[] = [];
  for (const svc of list) for (const a of svc.external ?? []) if (!addresses.includes(a)) addresses.push(a);
  if (addresses.length === 0) return undefined;
  const rules = list.map((s) => `${annotationField(s, host)}; addresses: ${serviceAddresses(s)}`);
  return { sources: list.map((s) => `Service/${s.namespace}/${s.name}`), addresses, host, rules };
}

/** What a local cluster's controller would publish for an Ingress with no status (see KNOWN_CONTROLLERS). */
function synthesised(view: ClusterView, ing: Ingress, opts: MatchOptions): { addresses: readonly string[]; from: string } {
  for (const c of KNOWN_CONTROLLERS) {
    if (ing.className !== '' && !c.classes.includes(ing.className)) continue;
    const svc = view.service(c.namespace, c.name);
    if (svc && svc.type === 'LoadBalancer' && svc.external && svc.external.length > 0) {
      return { addresses: svc.external, from: `no status, so its controller's ${serviceAddresses(svc)}` };
    }
  }
  return opts.lbAddress !== undefined
    ? { addresses: [opts.lbAddress], from: 'no status and no known controller: the --lb-address' }
    : { addresses: [], from: 'no status and no known controller: none' };
}

export const isAddress = (a: string) => isIP(a) !== 0;
