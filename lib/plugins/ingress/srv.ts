// SRV for the hostnames Services publish through external-dns annotations: `_port._proto.<host>` answers the
// Service's named ports that match (named ports only, as CoreDNS's kubernetes and k8s_external plugins do), and
// `<host>` itself every port; the target is the host as asked, its addresses in the additional section. Only when
// the annotation is what answers the host (an Ingress or route naming it wins, and has no ports to publish).
import { isIP } from 'node:net';
import type { Service } from '../../cluster/model.js';
import type { ClusterView } from '../../cluster/store.js';
import { stripUnderscore } from '../../dns/names.js';
import { QTYPE, type RR } from '../../dns/records.js';
import { matches } from '../../dns/request.js';
import type { HostMatch } from './gateway-lookup.js';
import { annotationField, serviceAddresses, wildcardPrefix } from './provenance.js';

/** SRV records per answer at most (64 Services × their ports could be thousands; a message holds ~3,000). */
export const MAX_SRV = 256;

export interface SrvQuestion {
  /** the owner name as asked, and the host (lower case) the SRV is about */
  qname: string;
  target: string;
  /** '' = every port (SRV at the host itself) */
  port: string;
  protocol: string;
}

/** `_http._tcp.grafana.dev.test` → port http, protocol tcp, target grafana.dev.test; else undefined. */
export function splitSrvName(qname: string, lname: string): SrvQuestion | undefined {
  const labels = lname.split('.');
  if (labels.length < 3 || !labels[0]!.startsWith('_') || !labels[1]!.startsWith('_')) return undefined;
  return { qname, target: labels.slice(2).join('.'), port: stripUnderscore(labels[0]!), protocol: stripUnderscore(labels[1]!) };
}

/**
 * The SRV answer for `q` when `found` (the match for q.target) is an annotation match: records and glue, or
 * undefined when the host is no annotation host; an empty list when no port matches (NXDOMAIN, as CoreDNS).
 */
export function annotationSrv(view: ClusterView, q: SrvQuestion, found: HostMatch, ttl: number): { records: RR[]; extra: RR[] } | undefined {
  if (!found.sources.every((s) => s.startsWith('Service/'))) return undefined;
  const services = view.servicesForHost(found.host).filter((s: Service) => (s.external?.length ?? 0) > 0).slice(0, 64);
  const picked: { svc: Service; port: number }[] = [];
  for (const svc of services) {
    for (const p of svc.ports) {
      if (p.port < 0) continue;
      if (q.port !== '' && (p.name === '' || !matches(q.port, p.name) || !matches(q.protocol, p.protocol))) continue;
      if (picked.length < MAX_SRV) picked.push({ svc, port: p.port });
    }
  }
  const weight = Math.max(1, Math.floor(100 / Math.max(1, picked.length)));
  const records: RR[] = [];
  const extra: RR[] = [];
  const seen = new Set<string>();
  for (const { svc, port } of picked) {
    const source = `Service/${svc.namespace}/${svc.name}`;
    const rule = `${wildcardPrefix(found.host)}${annotationField(svc, found.host)}, ${q.port === '' ? 'each port' : `its port named ${q.port} (${q.protocol})`} of spec.ports; addresses: ${serviceAddresses(svc)}`;
    const hostnames = (svc.external ?? []).filter((a) => isIP(a) === 0);
    // A hostname-only LoadBalancer (an AWS ELB): the SRV points at it, as k8s_external does.
    const target = hostnames.length > 0 && hostnames.length === svc.external!.length ? hostnames[0]! : q.target;
    const k = `${target} ${port}`;
    if (seen.has(k)) continue;
    seen.add(k);
    records.push({ name: q.qname, type: QTYPE.SRV, ttl, data: { priority: 0, weight, port, target }, source, rule });
    if (target !== q.target) continue;
    for (const ip of svc.external ?? []) {
      const g = `glue ${ip}`;
      if (isIP(ip) === 0 || seen.has(g)) continue;
      seen.add(g);
      extra.push({ name: target, type: ip.includes(':') ? QTYPE.AAAA : QTYPE.A, ttl, data: ip, source, rule });
    }
  }
  return { records, extra };
}

/**
 * Whether `lname` is a name the annotation SRV records make exist without an SRV of its own type being asked:
 * `_port._proto.<host>` with a matching named port, or `_proto.<host>` above such a name (an empty non-terminal).
 * Other types there are NODATA, not NXDOMAIN (an NXDOMAIN denies the SRV record too).
 */
export function annotationSrvNameExists(view: ClusterView, lname: string, match: (host: string) => HostMatch | undefined): boolean {
  const q = splitSrvName(lname, lname);
  if (q) {
    const found = match(q.target);
    return found !== undefined && (annotationSrv(view, q, found, 0)?.records.length ?? 0) > 0;
  }
  const dot = lname.indexOf('.');
  if (dot <= 1 || !lname.startsWith('_')) return false;
  const found = match(lname.slice(dot + 1));
  if (!found || !found.sources.every((s) => s.startsWith('Service/'))) return false;
  const protocol = stripUnderscore(lname.slice(0, dot));
  return view.servicesForHost(found.host).slice(0, 64).some((s) => (s.external?.length ?? 0) > 0 && s.ports.some((p) => p.port >= 0 && p.name !== '' && matches(protocol, p.protocol)));
}
