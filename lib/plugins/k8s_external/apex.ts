// The records a k8s_external zone needs to be a zone (CoreDNS's plugin/k8s_external/apex.go): the SOA every
// negative answer carries, the NS at the apex, and the name server's addresses at ns1.<apex>.<zone>. As in CoreDNS
// the README's SOA numbers (serial 12345, refresh 14400, ...) are not what it serves: the code's are.
import type { ClusterView } from '../../cluster/store.js';
import { isIPv4 } from 'node:net';
import { QTYPE, type RR } from '../../dns/records.js';
import type { ResolverConfig } from '../../dns/resolver-config.js';

const SOA_REFRESH = 7200;
const SOA_RETRY = 1800;
const SOA_EXPIRE = 86400;

export const join = (...labels: string[]) => labels.filter((l) => l !== '').join('.');

/** The SOA of `zone` (as configured, lower case: CoreDNS names it by state.Zone). Serial: the cluster's last change. */
export function externalSoa(zone: string, apex: string, ttl: number, view: ClusterView): RR {
  return {
    name: zone,
    type: QTYPE.SOA,
    ttl,
    data: {
      mname: join('ns1', apex, zone),
      rname: join('hostmaster', apex, zone),
      serial: view.serial >>> 0,
      refresh: SOA_REFRESH,
      retry: SOA_RETRY,
      expire: SOA_EXPIRE,
      minimum: ttl,
    },
    source: 'k8s_external',
  };
}

export function externalNs(zone: string, apex: string, ttl: number): RR {
  return { name: zone, type: QTYPE.NS, ttl, data: join('ns1', apex, zone), source: 'k8s_external' };
}

/**
 * The name server's addresses, CoreDNS's nsAddrs(external): when this server's own addresses are endpoints of
 * Services (in a cluster: kube-dns), those Services' external addresses (or, with `headless`, a headless one's
 * endpoint addresses); otherwise the server's own addresses. Hostnames (LB ingress) are no address: left out.
 */
export function externalNameServerIPs(view: ClusterView, cfg: ResolverConfig, headless: boolean): string[] {
  const out: string[] = [];
  let found = false;
  for (const local of cfg.localIPs) {
    for (const key of view.servicesByEndpointIP(local)) {
      found = true;
      const [ns, name] = key.split('/') as [string, string];
      const svc = view.service(ns, name);
      if (!svc) continue;
      if (headless && svc.headless) {
        for (const slice of view.readyEndpoints(ns, name)) for (const ep of slice.endpoints) out.push(...ep.addresses);
      } else {
        for (const ip of svc.external ?? []) if (ip.includes(':') || isIPv4(ip)) out.push(ip);
      }
    }
  }
  return found ? out : [...cfg.localIPs];
}

/** A/AAAA records named `owner` for those of `ips` that match `qtype` (both for NS glue: qtype 0). */
export function addressRecords(owner: string, ips: readonly string[], qtype: number, ttl: number): RR[] {
  const out: RR[] = [];
  for (const ip of ips) {
    const type = ip.includes(':') ? QTYPE.AAAA : QTYPE.A;
    if (qtype === 0 || qtype === type) out.push({ name: owner, type, ttl, data: ip, source: 'k8s_external' });
  }
  return out;
}
