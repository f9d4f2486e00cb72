// Records from k8s_external's service items, as CoreDNS's plugin/k8s_external/msg_to_dns.go writes them. TTLs
// follow it too: addresses, PTRs and SRV glue carry the plugin's ttl; CNAMEs and SRVs the kubernetes plugin's
// (they are built from the service entries the kubernetes plugin made).
import { QTYPE, type Answer, type RR } from '../../dns/records.js';
import type { ExtItem } from './lookup.js';

export interface Ttls {
  /** k8s_external's ttl */
  ttl: number;
  /** the kubernetes plugin's ttl */
  k8sTtl: number;
}

/**
 * A or AAAA at `qname`. A hostname item answers a CNAME whose target the server then looks up (Answer.chase, as
 * CoreDNS's upstream.Lookup re-enters the server); CoreDNS repeats the CNAME and the lookup once per port, which
 * no resolver can use: one CNAME per hostname here, and the first hostname's target is the one looked up.
 */
export function addressAnswer(qname: string, qtype: number, items: readonly ExtItem[], t: Ttls): { records: RR[]; chase?: Answer['chase'] } {
  const records: RR[] = [];
  const dup = new Set<string>();
  let chase: Answer['chase'];
  const want6 = qtype === QTYPE.AAAA;
  for (const it of items) {
    if (dup.has(it.host)) continue;
    if (it.hostname) {
      dup.add(it.host);
      records.push({ name: qname, type: QTYPE.CNAME, ttl: t.k8sTtl, data: it.host, source: it.source });
      chase ??= { name: it.host, type: qtype };
      continue;
    }
    if (it.host.includes(':') !== want6) continue;
    dup.add(it.host);
    records.push({ name: qname, type: want6 ? QTYPE.AAAA : QTYPE.A, ttl: t.ttl, data: it.host, source: it.source });
  }
  return chase ? { records, chase } : { records };
}

/**
 * SRV at `qname`: one per (target, port), weight 100 split over every item (port-less ones counted, as CoreDNS
 * does), glue A/AAAA for IP targets. A hostname target gets no glue here (CoreDNS looks it up upstream).
 */
export function srvAnswer(qname: string, items: readonly ExtItem[], total: number, t: Ttls): { records: RR[]; extra: RR[] } {
  const records: RR[] = [];
  const extra: RR[] = [];
  const weight = Math.max(1, Math.floor(100 / Math.max(1, total)));
  const dup = new Set<string>();
  for (const it of items) {
    if (it.port === -1) continue;
    const target = it.hostname ? it.host : it.target;
    const k = `${target}\u0000${it.port}`;
    if (!dup.has(k)) {
      dup.add(k);
      records.push({ name: qname, type: QTYPE.SRV, ttl: t.k8sTtl, data: { priority: 0, weight, port: it.port, target }, source: it.source });
    }
    if (it.hostname) continue;
    const g = `${target}\u0000\u0000${it.host}`;
    if (!dup.has(g)) {
      dup.add(g);
      extra.push({ name: target, type: it.host.includes(':') ? QTYPE.AAAA : QTYPE.A, ttl: t.ttl, data: it.host, source: it.source });
    }
  }
  return { records, extra };
}

/** PTR at `qname` for each Service holding the address: svc.ns.<first zone>. */
export function ptrAnswer(qname: string, found: readonly { host: string; source: string }[], firstZone: string, ttl: number): RR[] {
  const seen = new Set<string>();
  const out: RR[] = [];
  for (const f of found) {
    if (seen.has(f.host)) continue;
    seen.add(f.host);
    out.push({ name: qname, type: QTYPE.PTR, ttl, data: firstZone === '' ? f.host : `${f.host}.${firstZone}`, source: f.source });
  }
  return out;
}
