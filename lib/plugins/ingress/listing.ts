// The names of the ingress plugin's zones, as `clusterdns records` and /api/v1/records list them: each host an
// Ingress names (a wildcard as `*.x`), each Gateway API route and listener hostname, and each Service hostname
// annotation and each DNSEndpoint name, with the A/AAAA (or CNAME) records a query for it gets (a host no source
// answers is left out; a DNSEndpoint's name also its TXT, SRV and MX records); the SRV records of annotation hosts
// (each named port); and the PTRs of the addresses they answer with. Every record carries its source and rule.
// Sorted by name.
import { isIP } from 'node:net';
import type { ClusterStore } from '../../cluster/store.js';
import { reverseName } from '../../dns/zone-listing.js';
import { QTYPE, type RR } from '../../dns/records.js';
import type { ResolverConfig } from '../../dns/resolver-config.js';
import { IngressPlugin, type IngressOptions } from './handler.js';
import { externalHosts } from './hosts.js';
import { inZone } from '../../dns/names.js';

const HOST_TYPES = [QTYPE.A, QTYPE.AAAA, QTYPE.SRV];
const DNSENDPOINT_TYPES = [QTYPE.A, QTYPE.AAAA, QTYPE.CNAME, QTYPE.TXT, QTYPE.SRV, QTYPE.MX];


export function listIngressRecords(store: ClusterStore, opts: IngressOptions, cfg: ResolverConfig): RR[] {
  const plugin = new IngressPlugin(opts, store, () => cfg);
  const zones = [...opts.zones].sort((a, b) => b.length - a.length);
  const out: RR[] = [];
  const ips = new Set<string>();
  for (const host of [...externalHosts(store, opts)].sort()) {
    const zone = zones.find((z) => inZone(host, z))!;
    const seen = new Set<string>();
    // a DNSEndpoint's name may carry every type it publishes
    const types = store.dnsEndpoints.forName(host).length > 0 ? DNSENDPOINT_TYPES : HOST_TYPES;
    for (const qtype of types) {
      // A wildcard's records are what any one label in its place gets: asked with the `*` label itself.
      for (const rr of plugin.answer(host, host, qtype, zone).answer) {
        const k = `${rr.type} ${JSON.stringify(rr.data)}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(rr);
        if ((rr.type === QTYPE.A || rr.type === QTYPE.AAAA) && !host.startsWith('*.') && typeof rr.data === 'string') ips.add(rr.data);
        // Each named port of an annotation host is an SRV name of its own.
        if (rr.type === QTYPE.SRV) {
          for (const svc of store.servicesForHost(host)) {
            for (const p of svc.ports) {
              if (p.name === '') continue;
              const name = `_${p.name.toLowerCase()}._${p.protocol.toLowerCase()}.${host}`;
              const k2 = `SRV ${name}`;
              if (seen.has(k2)) continue;
              seen.add(k2);
              out.push(...plugin.answer(name, name, QTYPE.SRV, zone).answer);
            }
          }
        }
      }
    }
  }
  for (const ip of [...ips].sort()) {
    if (isIP(ip) === 0) continue;
    const name = reverseName(ip);
    out.push(...(plugin.ptrAnswer(name, name)?.answer ?? []));
  }
  plugin.close();
  return out;
}
