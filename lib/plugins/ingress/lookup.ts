// Which Ingresses a hostname belongs to, and the addresses it answers with. A name matches the Ingresses that
// list it exactly; only when none does, those listing the wildcard one label up (`*.dev.test` stands for exactly
// one label, as in Ingress and k8s_gateway): the more specific name wins. Among several Ingresses the addresses
// of each, in namespace/name order, without repeats.
// Services' external-dns hostname annotations (cluster/hostname-annotations.ts) come after the Ingresses at each
// step: an exact Ingress host, then an exact annotation host, then a wildcard Ingress host, then a wildcard
// annotation host (k8s_gateway also looks at Ingresses before Services). They answer with the Service's external
// addresses and are not filtered by ingress class.
import { isIP } from 'node:net';
import type { ClusterView } from '../../cluster/store.js';
import type { Ingress, Service } from '../../cluster/model.js';

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

export interface IngressMatch {
  ingresses: readonly Ingress[];
  /** Services whose hostname annotations gave the name (only when no Ingress did) */
  services: readonly Service[];
  /** IPs and hostnames (a hostname is a CNAME target), deduplicated */
  addresses: string[];
  /** which rule gave the name: the host as written (`*.dev.test` for a wildcard) */
  host: string;
}

export interface MatchOptions {
  className?: string;
  /** used when an Ingress has no status and no known controller in the cluster has an address */
  lbAddress?: string;
}

/** at most this many Ingresses are read for one name (a name listed by thousands answers from the first) */
const MAX_INGRESSES_PER_NAME = 64;

export function matchIngress(view: ClusterView, lname: string, opts: MatchOptions): IngressMatch | undefined {
  const pick = (host: string) => {
    const all = view.ingressesForHost(host);
    const list = opts.className === undefined ? all : all.filter((i) => i.className === opts.className);
    return list.length > 0 ? { host, ingresses: list.slice(0, MAX_INGRESSES_PER_NAME), services: [] as Service[] } : undefined;
  };
  const pickService = (host: string) => {
    const list = view.servicesForHost(host);
    return list.length > 0 ? { host, ingresses: [] as Ingress[], services: list.slice(0, MAX_INGRESSES_PER_NAME) } : undefined;
  };
  const dot = lname.indexOf('.');
  const wild = dot > 0 ? `*.${lname.slice(dot + 1)}` : undefined;
  const found = pick(lname) ?? pickService(lname) ?? (wild !== undefined ? pick(wild) ?? pickService(wild) : undefined);
  if (!found) return undefined;
  const addresses: string[] = [];
  for (const ing of found.ingresses) {
    for (const a of ing.addresses.length > 0 ? ing.addresses : synthesised(view, ing, opts)) if (!addresses.includes(a)) addresses.push(a);
  }
  for (const svc of found.services) for (const a of svc.external ?? []) if (!addresses.includes(a)) addresses.push(a);
  return { ...found, addresses };
}

/** What a local cluster's controller would publish for an Ingress with no status (see KNOWN_CONTROLLERS). */
function synthesised(view: ClusterView, ing: Ingress, opts: MatchOptions): readonly string[] {
  for (const c of KNOWN_CONTROLLERS) {
    if (ing.className !== '' && !c.classes.includes(ing.className)) continue;
    const svc = view.service(c.namespace, c.name);
    if (svc && svc.type === 'LoadBalancer' && svc.external && svc.external.length > 0) return svc.external;
  }
  return opts.lbAddress !== undefined ? [opts.lbAddress] : [];
}

export const isAddress = (a: string) => isIP(a) !== 0;
