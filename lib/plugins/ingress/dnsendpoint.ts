// external-dns DNSEndpoint records under the ingress plugin's zones. A name is looked up as every external name is:
// the exact name, then the one-label wildcard above it, the more specific level winning whatever the kind. At one
// level, a route, Gateway listener, Ingress or annotation host answers A/AAAA (and its CNAME) before a DNSEndpoint,
// as k8s_gateway orders its resources (DNSEndpoint last) and as external-dns would keep one owner per name; the
// DNSEndpoint's TXT, SRV and MX records still answer beside it (they are what such a name usually carries:
// verification TXT, mail). Where no other source names the level, the DNSEndpoint answers every type it has, a
// CNAME for the others (chased by the server like any CNAME).
import type { ClusterView } from '../../cluster/store.js';
import type { DnsEndpointRecord, DnsRecordType } from '../../cluster/model.js';
import { QTYPE, type RR } from '../../dns/records.js';
import { matchName, type MatchOptions } from './lookup.js';

const TYPES: Record<DnsRecordType, number> = { A: QTYPE.A, AAAA: QTYPE.AAAA, CNAME: QTYPE.CNAME, TXT: QTYPE.TXT, SRV: QTYPE.SRV, MX: QTYPE.MX };
/** the types another source answers at a name (a DNSEndpoint's are then not served) */
const ADDRESS_TYPES: readonly number[] = [QTYPE.A, QTYPE.AAAA, QTYPE.CNAME];
/** at most this many records in one answer (64 targets × a few DNSEndpoints naming the same host) */
const MAX_RECORDS = 100;
/**
 * and about this many bytes of them: a DNS message is at most 65,535 bytes even over TCP, and 64 TXT targets of
 * 4 KiB would be 256 KiB (the answer is then cut here, not refused whole)
 */
const MAX_ANSWER_BYTES = 32_768;

/** the record's wire size, near enough: owner (a compression pointer), type, class, TTL, length, rdata */
function wireSize(rr: RR): number {
  const d = rr.data;
  const rdata = typeof d === 'string' ? d.length + 2 : Array.isArray(d) ? d.reduce((n, s) => n + Buffer.byteLength(s) + 1, 0) : 8 + 255;
  return 12 + rdata;
}

export type DnsEndpointAnswer =
  | { kind: 'records'; records: RR[]; chase?: { name: string; type: number } }
  | { kind: 'nodata' };

/** TXT text as character-strings of at most 255 bytes each, never splitting a UTF-8 character. */
export function txtStrings(text: string): string[] {
  if (Buffer.byteLength(text) <= 255) return [text];
  const out: string[] = [];
  let cur = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > 255) { out.push(cur); cur = ''; bytes = 0; }
    cur += ch;
    bytes += n;
  }
  if (cur !== '') out.push(cur);
  return out;
}

function toRR(qname: string, rec: DnsEndpointRecord, target: string, ttl: number, source: string): RR {
  switch (rec.type) {
    case 'A': return { name: qname, type: QTYPE.A, ttl, data: target, source };
    case 'AAAA': return { name: qname, type: QTYPE.AAAA, ttl, data: target, source };
    case 'CNAME': return { name: qname, type: QTYPE.CNAME, ttl, data: target, source };
    case 'TXT': return { name: qname, type: QTYPE.TXT, ttl, data: txtStrings(target), source };
    case 'MX': {
      const [pref, host] = target.split(' ');
      return { name: qname, type: QTYPE.MX, ttl, data: { preference: Number(pref), exchange: host! }, source };
    }
    case 'SRV': {
      const [priority, weight, port, host] = target.split(' ');
      return { name: qname, type: QTYPE.SRV, ttl, data: { priority: Number(priority), weight: Number(weight), port: Number(port), target: host === '.' ? '' : host! }, source };
    }
  }
}

/**
 * One RRset, one TTL (RFC 2181 §5.2): two DNSEndpoints publishing the same name and type with different recordTTLs
 * give the smallest, as a resolver would treat the set.
 */
function oneTtl(records: RR[]): RR[] {
  let ttl = records[0]!.ttl;
  for (const r of records) if (r.ttl < ttl) ttl = r.ttl;
  return records.every((r) => r.ttl === ttl) ? records : records.map((r) => (r.ttl === ttl ? r : { ...r, ttl }));
}

/**
 * The DNSEndpoint answer for `lname`, or undefined when DNSEndpoints have nothing to say (the rest of the ingress
 * plugin answers). `ttl` is the plugin's, used when an endpoint sets no recordTTL.
 */
export function dnsEndpointAnswer(view: ClusterView, opts: MatchOptions, qname: string, lname: string, qtype: number, ttl: number): DnsEndpointAnswer | undefined {
  const index = view.dnsEndpoints;
  const dot = lname.indexOf('.');
  const levels = dot > 0 ? [lname, `*.${lname.slice(dot + 1)}`] : [lname];
  let other: string | undefined;
  for (const host of levels) {
    const sets = index.forName(host);
    if (sets.length === 0) {
      // nothing of ours here; another source at this level answers alone
      if ((other ??= matchName(view, lname, opts)?.host ?? '') === host) return undefined;
      continue;
    }
    if (ADDRESS_TYPES.includes(qtype) && (other ??= matchName(view, lname, opts)?.host ?? '') === host) return undefined;
    const records: RR[] = [];
    const seen = new Set<string>();
    let bytes = 0;
    const take = (want: number) => {
      for (const { record, source } of sets) {
        if (TYPES[record.type] !== want) continue;
        for (const t of record.targets) {
          if (records.length >= MAX_RECORDS || seen.has(t)) continue;
          const rr = toRR(qname, record, t, record.ttl ?? ttl, `DNSEndpoint/${source.namespace}/${source.name}`);
          bytes += wireSize(rr);
          if (bytes > MAX_ANSWER_BYTES && records.length > 0) return;
          seen.add(t);
          records.push(rr);
          // a name has one CNAME
          if (want === QTYPE.CNAME) return;
        }
      }
    };
    take(qtype);
    if (records.length > 0) return { kind: 'records', records: oneTtl(records) };
    // another source names this level too: it answers the types it serves (an annotated Service's SRV), NODATA the rest
    if ((other ?? matchName(view, lname, opts)?.host) === host) return undefined;
    take(QTYPE.CNAME);
    if (records.length > 0 && records[0]!.type === QTYPE.CNAME) return { kind: 'records', records, chase: { name: String(records[0]!.data), type: qtype } };
    return { kind: 'nodata' };
  }
  return undefined;
}
