// The records of a cluster zone in the order CoreDNS's plugin/kubernetes/xfr.go sends them (1.14.7): the SOA; an NS
// per name server name, then their A/AAAA glue; then the Services sorted by name:
//   - ClusterIP, NodePort, LoadBalancer: an A/AAAA per ClusterIP at svc.ns.svc.zone, then per port an SRV at that
//     bare name (weight 100, "peer-finder" compatibility) and, for a named port, one at _port._proto.svc.ns.svc.zone;
//   - headless: per ready address of each EndpointSlice, an A/AAAA at the Service name and at the endpoint's name,
//     then for each named port an SRV at _port._proto.svc.ns.svc.zone to the endpoint's name, weighted
//     100 / (addresses in that slice);
//   - ExternalName: a CNAME to the external name (when it is a name, not an IP);
// and the SOA again. Pods, PTRs and dns-version are not part of it. Namespaces the plugin does not expose are left
// out, as their names are NXDOMAIN to queries.
//
// CoreDNS sorts by Service name alone, with Go's unstable sort over the informer's list: Services of one name in
// several namespaces come in no fixed order. Here they come by namespace, so that two transfers of one state match.
import { isIP } from 'node:net';
import type { Service } from '../../cluster/model.js';
import type { ClusterView } from '../../cluster/store.js';
import { nameServers } from '../../dns/apex.js';
import { encodable } from '../../dns/encodable.js';
import { endpointLabel } from '../../dns/names.js';
import { QTYPE, type RR } from '../../dns/records.js';
import type { ResolverConfig } from '../../dns/resolver-config.js';

/** The Services a transfer covers, in its order: every Service the view exposes, by name, then namespace. */
export function transferServices(all: Iterable<Service>, view: ClusterView): Service[] {
  const out: Service[] = [];
  for (const s of all) {
    if (view.namespaceExists(s.namespace) && view.service(s.namespace, s.name)) out.push(s);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
}

/** CoreDNS's calcSRVWeight: 100 shared by n records of priority 0, at least 1. */
export function srvWeight(n: number): number {
  return Math.max(1, Math.floor((100 / (100 * n)) * 100));
}

const address = (name: string, ip: string, ttl: number, source: string): RR =>
  ({ name, type: ip.includes(':') ? QTYPE.AAAA : QTYPE.A, ttl, data: ip, source });

const srv = (name: string, port: number, weight: number, target: string, ttl: number, source: string): RR =>
  ({ name, type: QTYPE.SRV, ttl, data: { priority: 0, weight, port, target }, source });

const portName = (name: string, protocol: string, base: string) => `_${name.toLowerCase()}._${protocol.toLowerCase()}.${base}`;

/** One Service's records, in xfr.go's order. */
export function* serviceRecords(view: ClusterView, cfg: ResolverConfig, svc: Service, zone: string): Generator<RR, void, void> {
  const base = `${svc.name}.${svc.namespace}.svc.${zone}`;
  const source = `Service/${svc.namespace}/${svc.name}`;
  const ttl = cfg.ttl;
  if (svc.type === 'ExternalName') {
    const target = svc.externalName.replace(/\.+$/, '');
    if (target && !isIP(target)) yield { name: base, type: QTYPE.CNAME, ttl, data: target, source };
    return;
  }
  if (!svc.headless) {
    // No ClusterIP (none allocated): queries find nothing at the name, so neither does the transfer.
    if (svc.clusterIPs.length === 0) return;
    for (const ip of svc.clusterIPs) yield address(base, ip, ttl, source);
    for (const p of svc.ports) {
      yield srv(base, p.port, 100, base, ttl, source);
      if (p.name) yield srv(portName(p.name, p.protocol, base), p.port, 100, base, ttl, source);
    }
    return;
  }
  for (const slice of view.readyEndpoints(svc.namespace, svc.name)) {
    let n = 0;
    for (const ep of slice.endpoints) n += ep.addresses.length;
    const weight = srvWeight(n);
    for (const ep of slice.endpoints) {
      for (const a of ep.addresses) {
        const host = `${endpointLabel(ep, a, cfg.endpointPodNames)}.${base}`;
        yield address(base, a, ttl, source);
        yield address(host, a, ttl, source);
        for (const p of slice.ports) {
          if (p.name) yield srv(portName(p.name, p.protocol, base), p.port, weight, host, ttl, source);
        }
      }
    }
  }
}

/**
 * The whole transfer of `zone` (lower case, one of the cluster zones): `soa` first and last, as queries see it
 * (lib/dns/apex.ts). Records that cannot be put on the wire are left out, as the resolver leaves them out of answers.
 */
export function* zoneTransfer(view: ClusterView, cfg: ResolverConfig, zone: string, soa: RR, services: readonly Service[]): Generator<RR, void, void> {
  yield soa;
  const servers = nameServers(view, cfg, zone);
  const names = new Set<string>();
  for (const ns of servers) {
    if (names.has(ns.name)) continue;
    names.add(ns.name);
    const rr: RR = { name: zone, type: QTYPE.NS, ttl: cfg.ttl, data: ns.name, source: ns.source };
    if (encodable(rr)) yield rr;
  }
  for (const ns of servers) {
    const rr = address(ns.name, ns.ip, cfg.ttl, ns.source);
    if (encodable(rr)) yield rr;
  }
  for (const svc of services) {
    for (const rr of serviceRecords(view, cfg, svc, zone)) if (encodable(rr)) yield rr;
  }
  yield soa;
}
