// Records as presentation-format strings ("owner ttl TYPE rdata", owner without the trailing dot, case kept), so a
// whole section can be compared as a set against lines written the way CoreDNS's handler tests write them.
import type { DecodedMessage, DecodedRecord, Reply } from './dns-wire.js';

function txtOf(data: unknown): string {
  const parts = Array.isArray(data) ? data : [data];
  return parts.map((p) => `"${Buffer.isBuffer(p) ? p.toString('utf8') : String(p)}"`).join(' ');
}

export function rr(r: DecodedRecord): string {
  const head = `${r.name} ${r.ttl} ${r.type}`;
  const d = r.data;
  switch (r.type) {
    case 'SRV':
      return `${head} ${d.priority} ${d.weight} ${d.port} ${d.target}`;
    case 'TXT':
      return `${head} ${txtOf(d)}`;
    case 'SOA':
      return `${head} ${d.mname} ${d.rname} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
    case 'OPT':
      return `. OPT ${r.udpPayloadSize}`;
    default:
      return `${head} ${typeof d === 'string' ? d : JSON.stringify(d)}`;
  }
}

export function rrs(records: readonly DecodedRecord[]): string[] {
  return records.map(rr).sort();
}

/** A sorted copy, for order-independent comparison with `t.same`. */
export function sorted(lines: readonly string[]): string[] {
  return [...lines].sort();
}

export function answers(reply: Reply): string[] {
  return rrs(reply.msg.answers);
}

/** The additional section without the OPT pseudo-record. */
export function extras(reply: Reply): string[] {
  return rrs(reply.msg.additionals.filter((r) => r.type !== 'OPT'));
}

export function soaOf(msg: DecodedMessage): DecodedRecord | undefined {
  return msg.authorities.find((r) => r.type === 'SOA');
}

/** The SOA a negative answer must carry (CoreDNS plugin/backend_lookup.go SOA()). */
export interface ExpectedSoa {
  /** the zone as spelled in the query */
  zone: string;
  ttl?: number;
}

export function expectedSoaFields(e: ExpectedSoa): Record<string, unknown> {
  const ttl = e.ttl ?? 5;
  return {
    name: e.zone,
    type: 'SOA',
    ttl: Math.min(ttl, 300),
    data: {
      mname: `ns.dns.${e.zone}`,
      rname: `hostmaster.${e.zone}`,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: ttl,
    },
  };
}
