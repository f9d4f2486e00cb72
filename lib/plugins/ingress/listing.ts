// The hostnames of the ingress plugin's zones, as `clusterdns records` lists them: each host an Ingress names (a
// wildcard as `*.x`), each Gateway API route and listener hostname, each Service hostname annotation and each
// DNSEndpoint name, with the A/AAAA (or CNAME) records a query for it gets (a DNSEndpoint's name also its TXT, SRV
// and MX records; a host no source answers is left out), sorted by name.
import type { ClusterStore } from '../../cluster/store.js';
import { QTYPE, type RR } from '../../dns/records.js';
import type { ResolverConfig } from '../../dns/resolver-config.js';
import { IngressPlugin, type IngressOptions } from './handler.js';

import type { ClusterObject } from '../../cluster/model.js';
import { isRouteKind } from '../../cluster/gateway.js';

const DNSENDPOINT_TYPES = [QTYPE.A, QTYPE.AAAA, QTYPE.CNAME, QTYPE.TXT, QTYPE.SRV, QTYPE.MX];

function hostsOf(o: ClusterObject, opts: IngressOptions): readonly string[] {
  if (o.kind === 'Ingress') return opts.className === undefined || o.className === opts.className ? o.hosts : [];
  if (o.kind === 'Gateway') return opts.gatewayClass === undefined || o.className === opts.gatewayClass ? o.hosts : [];
  return isRouteKind(o.kind) && 'parents' in o ? o.hosts : [];
}

const inZone = (name: string, zone: string) => name === zone || name.endsWith(`.${zone}`);

export function listIngressRecords(store: ClusterStore, opts: IngressOptions, cfg: ResolverConfig): RR[] {
  const plugin = new IngressPlugin(opts, store, () => cfg);
  const hosts = new Set<string>();
  for (const o of store.all()) {
    if (o.kind === 'Service' && o.external && o.external.length > 0) {
      for (const h of o.hostnames ?? []) if (opts.zones.some((z) => inZone(h, z))) hosts.add(h);
    }
    for (const h of hostsOf(o, opts)) if (opts.zones.some((z) => inZone(h, z))) hosts.add(h);
  }
  for (const h of store.dnsEndpoints.names()) if (opts.zones.some((z) => inZone(h, z))) hosts.add(h);
  const out: RR[] = [];
  for (const host of [...hosts].sort()) {
    const zone = [...opts.zones].sort((a, b) => b.length - a.length).find((z) => inZone(host, z))!;
    const seen = new Set<string>();
    // a DNSEndpoint's name may carry every type it publishes
    const types = store.dnsEndpoints.forName(host).length > 0 ? DNSENDPOINT_TYPES : [QTYPE.A, QTYPE.AAAA];
    for (const qtype of types) {
      // A wildcard's records are what any one label in its place gets: asked with the `*` label itself.
      for (const rr of plugin.answer(host, host, qtype, zone).answer) {
        const k = `${rr.type} ${JSON.stringify(rr.data)}`;
        if (!seen.has(k)) { seen.add(k); out.push(rr); }
      }
    }
  }
  return out;
}
