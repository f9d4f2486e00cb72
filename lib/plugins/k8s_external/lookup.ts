// CoreDNS's Kubernetes.External (plugin/kubernetes/external.go): a name under a k8s_external zone → the "service
// items" every record type is built from. `svc.ns.<zone>` holds the Service's external addresses (spec.externalIPs,
// then status.loadBalancer.ingress: an IP, or a hostname answered as a CNAME), once per matching port;
// `_port._proto.svc.ns.<zone>` those of one port; with `headless`, a headless Service without external addresses
// (or any Service asked for by an endpoint label) answers with its ready endpoints instead.
import { isIP } from 'node:net';
import type { ClusterView } from '../../cluster/store.js';
import { endpointLabel, stripUnderscore } from '../../dns/names.js';
import { RCODE } from '../../dns/records.js';
import { matches } from '../../dns/request.js';

export interface ExtItem {
  /** an IP, or (hostname: true) the LB ingress hostname a CNAME points to */
  host: string;
  hostname: boolean;
  /** -1 when the Service/slice has no port (A/AAAA only) */
  port: number;
  /** the name the item stands for (SRV target): svc.ns.<zone>, or endpoint.svc.ns.<zone> */
  target: string;
  source: string;
}

export interface ExtLookup {
  items: ExtItem[];
  /** how many items there were, kept or not (the SRV weight splits 100 over all of them) */
  total: number;
  rcode: number;
}

export interface LookupLimits {
  /** one item per address (the first matching port): all an A/AAAA answer or an existence check needs */
  perAddress: boolean;
  /** items kept at most; the rest are only counted */
  max: number;
}

/**
 * The most SRV items worth building: a DNS message of 65,535 bytes holds at most ~3,270 SRV records (20 bytes each
 * with every name compressed), so more only cost time. Without the bound one SRV question for a headless Service of
 * 2,000 endpoints and 50 ports built 100,000 records and held the event loop for seconds.
 */
export const MAX_ITEMS = 4096;

const NO_PORT = [{ name: '', protocol: '', port: -1 }];

/**
 * `base`: the lower-case labels left of `zone` (the zone as configured, lower case: CoreDNS builds SRV targets
 * from it). Mirrors CoreDNS case by case, quirks included: a label left of svc.ns is read as an endpoint label
 * but only consulted in the headless case, so `anything.svc.ns.<zone>` answers the Service's external addresses.
 */
export function externalLookup(view: ClusterView, base: readonly string[], zone: string, headless: boolean,
  endpointPodNames: boolean, limits: LookupLimits): ExtLookup {
  const none = (rcode: number): ExtLookup => ({ items: [], total: 0, rcode });
  let last = base.length - 1;
  if (last < 0) return none(RCODE.SERVFAIL);
  const namespace = base[last]!;
  if (!view.namespaceExists(namespace)) return none(RCODE.NXDOMAIN);
  if (--last < 0) return none(RCODE.NOERROR);
  const service = base[last]!;
  last--;
  let endpoint = '';
  let port = '';
  let protocol = '';
  if (last === 0) {
    endpoint = stripUnderscore(base[0]!);
  } else if (last === 1) {
    port = stripUnderscore(base[0]!);
    protocol = stripUnderscore(base[1]!);
  } else if (last > 1) {
    return none(RCODE.NXDOMAIN);
  }

  const svc = view.service(namespace, service);
  if (!svc) return none(RCODE.NXDOMAIN);
  const source = `Service/${svc.namespace}/${svc.name}`;
  const svcName = zone === '' ? `${svc.name}.${svc.namespace}` : `${svc.name}.${svc.namespace}.${zone}`;
  const items: ExtItem[] = [];
  let total = 0;
  const add = (it: ExtItem) => {
    total++;
    if (items.length < limits.max) items.push(it);
  };
  const external = svc.external ?? [];

  if (headless && external.length === 0 && (svc.headless || endpoint !== '')) {
    for (const slice of view.readyEndpoints(svc.namespace, svc.name)) {
      const ports = slice.ports.length > 0 ? slice.ports : NO_PORT;
      for (const ep of slice.endpoints) {
        for (const addr of ep.addresses) {
          const label = endpointLabel(ep, addr, endpointPodNames);
          if (endpoint !== '' && endpoint !== label.toLowerCase()) continue;
          for (const p of ports) {
            if (!(matches(port, p.name) && matches(protocol, p.protocol))) continue;
            add({ host: addr, hostname: false, port: p.port, target: `${label}.${svcName}`, source });
            if (limits.perAddress) break;
          }
        }
      }
    }
  } else {
    const ports = svc.ports.length > 0 ? svc.ports : NO_PORT;
    for (const host of external) {
      const hostname = isIP(host) === 0;
      for (const p of ports) {
        if (!(matches(port, p.name) && matches(protocol, p.protocol))) continue;
        add({ host, hostname, port: p.port, target: svcName, source });
        if (limits.perAddress) break;
      }
    }
  }
  return { items, total, rcode: total > 0 ? RCODE.NOERROR : RCODE.NXDOMAIN };
}

/** CoreDNS's ExternalReverse: the Services holding external address `ip`, as `svc.ns` (the PTR target's left part). */
export function externalReverse(view: ClusterView, ip: string): { host: string; source: string }[] {
  return view.servicesByExternalIP(ip).map((key) => {
    const [ns, name] = key.split('/') as [string, string];
    return { host: `${name}.${ns}`, source: `Service/${ns}/${name}` };
  });
}
