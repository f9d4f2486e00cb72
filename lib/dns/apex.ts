// Records at and near the zone apex: the SOA every negative answer carries, and the name server's own names
// (NS at the apex, ns.dns.<zone>), as CoreDNS's plugin/kubernetes/ns.go builds them.
import type { ClusterView } from '../cluster/store.js';
import { endpointLabel } from './names.js';
import { QTYPE, type RR } from './records.js';
import type { ResolverConfig } from './resolver-config.js';

export const SOA_REFRESH = 7200;
export const SOA_RETRY = 1800;
export const SOA_EXPIRE = 86400;

/** The SOA for `zone` (spelled as in the query): TTL min(ttl, 300), minimum = ttl, serial = last change. */
export function soaRecord(zone: string, cfg: ResolverConfig, view: ClusterView): RR {
  const join = (label: string) => (zone === '' ? label : `${label}.${zone}`);
  return {
    name: zone,
    type: QTYPE.SOA,
    ttl: Math.min(cfg.ttl, 300),
    data: {
      mname: join('ns.dns'),
      rname: join('hostmaster'),
      serial: view.serial >>> 0,
      refresh: SOA_REFRESH,
      retry: SOA_RETRY,
      expire: SOA_EXPIRE,
      minimum: cfg.ttl,
    },
  };
}

export interface NameServer {
  name: string;
  ip: string;
  source: string;
}

/**
 * The server's own names and addresses: the Services whose endpoints are this server's addresses (in a cluster,
 * kube-dns.kube-system.svc.<zone> and its ClusterIP), else ns.dns.<zone> with each local address.
 */
export function nameServers(view: ClusterView, cfg: ResolverConfig, zone: string): NameServer[] {
  const out: NameServer[] = [];
  for (const local of cfg.localIPs) {
    for (const key of view.servicesByEndpointIP(local)) {
      const [ns, name] = key.split('/');
      const svc = view.service(ns, name);
      if (!svc) continue;
      const source = `Service/${ns}/${name}`;
      const base = `${name}.${ns}.svc.${zone}`;
      if (svc.headless) {
        for (const slice of view.readyEndpoints(ns, name)) {
          for (const ep of slice.endpoints) {
            for (const a of ep.addresses) out.push({ name: `${endpointLabel(ep, a, cfg.endpointPodNames)}.${base}`, ip: a, source });
          }
        }
      } else {
        for (const ip of svc.clusterIPs) out.push({ name: base, ip, source });
      }
    }
  }
  if (out.length === 0) {
    for (const ip of cfg.localIPs) out.push({ name: `ns.dns.${zone}`, ip, source: 'server' });
  }
  return out;
}
