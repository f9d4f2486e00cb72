// DNS constants and the record shapes the resolver produces and the encoder writes.

export const QTYPE = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, HINFO: 13, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41,
  DS: 43, RRSIG: 46, NSEC: 47, DNSKEY: 48, NSEC3: 50, SVCB: 64, HTTPS: 65, IXFR: 251, AXFR: 252, ANY: 255, CAA: 257,
} as const;

export const RCODE = {
  NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16,
} as const;

export const CLASS_IN = 1;

const TYPE_NAMES = new Map<number, string>(Object.entries(QTYPE).map(([k, v]) => [v, k]));
const RCODE_NAMES = new Map<number, string>(Object.entries(RCODE).map(([k, v]) => [v, k]));

export function typeName(t: number): string {
  return TYPE_NAMES.get(t) ?? `TYPE${t}`;
}

export function rcodeName(r: number): string {
  return RCODE_NAMES.get(r) ?? `RCODE${r}`;
}

/** "A", "aaaa", "TYPE65" or "65" → number, or undefined. */
export function parseType(s: string): number | undefined {
  const u = s.toUpperCase();
  if (u in QTYPE) return QTYPE[u as keyof typeof QTYPE];
  const m = /^(?:TYPE)?(\d+)$/.exec(u);
  if (m && Number(m[1]) < 65536) return Number(m[1]);
  return undefined;
}

export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

/** MX rdata (static records: lib/static) */
export interface MxData {
  preference: number;
  exchange: string;
}

export interface SrvData {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

interface RRBase {
  /** owner name, presentation form, no trailing dot */
  name: string;
  ttl: number;
  /** the object the record came from ("Service/ns/name", ...), for the admin API's explanations */
  source?: string;
  /** which rule of that object gave the record, in words (external names: "Ingress shop/web spec.rules[0].host; ...") */
  rule?: string;
}

export type RR =
  | (RRBase & { type: typeof QTYPE.A | typeof QTYPE.AAAA; data: string })
  | (RRBase & { type: typeof QTYPE.CNAME | typeof QTYPE.PTR | typeof QTYPE.NS; data: string })
  | (RRBase & { type: typeof QTYPE.SRV; data: SrvData })
  | (RRBase & { type: typeof QTYPE.MX; data: MxData })
  | (RRBase & { type: typeof QTYPE.SOA; data: SoaData })
  | (RRBase & { type: typeof QTYPE.TXT; data: string[] })
  /** a record copied from an upstream answer, kept as wire rdata */
  | (RRBase & { type: number; raw: Buffer; data?: undefined });

export interface Answer {
  rcode: number;
  /** authoritative: set on every answer the cluster zones give */
  aa: boolean;
  answer: RR[];
  authority: RR[];
  additional: RR[];
  /** truncated before encoding (e.g. an upstream answer had TC) */
  tc?: boolean;
  /** an ExternalName pointing outside our zones: the server may look the target up upstream and append it */
  chase?: { name: string; type: number };
  /** an NXDOMAIN in a fallthrough zone (lib/dns/fallthrough.ts): the query goes on down the plugin chain */
  fallthrough?: boolean;
  /** no zone of ours matches: the server forwards (or answers REFUSED) */
  outOfZone?: boolean;
  /** records built but left out because they cannot be encoded (an object that slipped past validation) */
  leftOut?: number;
}

/** Presentation text of a record, zone-file style. */
export function formatRR(rr: RR): string {
  const head = `${rr.name}.\t${rr.ttl}\tIN\t${typeName(rr.type)}\t`;
  if (rr.data === undefined) return `${head}\\# ${rr.raw.length} ${rr.raw.toString('hex')}`;
  switch (rr.type) {
    case QTYPE.A: case QTYPE.AAAA: return head + rr.data;
    case QTYPE.CNAME: case QTYPE.PTR: case QTYPE.NS: return `${head}${rr.data}.`;
    case QTYPE.SRV: {
      const d = rr.data as SrvData;
      return `${head}${d.priority} ${d.weight} ${d.port} ${d.target}.`;
    }
    case QTYPE.MX: {
      const d = rr.data as MxData;
      return `${head}${d.preference} ${d.exchange}.`;
    }
    case QTYPE.SOA: {
      const d = rr.data as SoaData;
      return `${head}${d.mname}. ${d.rname}. ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
    }
    case QTYPE.TXT: return head + (rr.data as string[]).map((t) => JSON.stringify(t)).join(' ');
    default: return head;
  }
}
