// One static record from its parts (owner, type, TTL, rdata tokens), checked as a serious server checks a zone file:
// shared by the master-file parser and the admin API / in-process specs, so a record means the same from all three.
// Every error message says what to fix; the caller adds where (file:line:column, or the body's index).
import { isIPv4, isIPv6 } from 'node:net';
import { ipv6Words } from '../dns/names.js';
import { QTYPE, type RR } from '../dns/records.js';

export class RecordError extends Error {
  /** 0-based index of the rdata token at fault (the parser turns it into a column); -1 = the record as a whole */
  constructor(message: string, readonly token = -1) {
    super(message);
  }
}

export const STATIC_TYPES = ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV', 'PTR'] as const;
export type StaticType = (typeof STATIC_TYPES)[number];
/** RFC 2181 §8 */
export const MAX_TTL = 2_147_483_647;
/** one TXT record's rdata, all strings together: a message must still hold it beside its question (RFC 1035: 65535) */
export const MAX_TXT_BYTES = 65_000;

const LABEL = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$/i;

/**
 * An absolute domain name (one trailing dot allowed) in its checked form, no trailing dot. `*` is allowed as a
 * whole first label where `wildcard` is set (owners); escapes are not taken (no static name needs them).
 */
export function checkName(raw: string, what: string, wildcard = false): string {
  const name = raw.endsWith('.') ? raw.slice(0, -1) : raw;
  if (name === '') throw new RecordError(`${what} is empty: give a domain name such as api.example.test`);
  if (name.length > 253) throw new RecordError(`${what} "${short(raw)}" is ${name.length} characters: a domain name has at most 253 (255 bytes on the wire)`);
  const labels = name.split('.');
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l === '') throw new RecordError(`${what} "${short(raw)}" has an empty label (two dots in a row, or a leading dot)`);
    if (l.length > 63) throw new RecordError(`${what} "${short(raw)}": label "${short(l)}" is ${l.length} characters, over the 63 a label may have`);
    if (l === '*') {
      if (wildcard && i === 0) continue;
      throw new RecordError(`${what} "${short(raw)}": "*" is a wildcard only as the whole first label of an owner name (*.example.test)`);
    }
    if (!LABEL.test(l)) throw new RecordError(`${what} "${short(raw)}": label "${short(l)}" may hold only letters, digits, "-" and "_" (not at its ends for "-")`);
  }
  return name;
}

function short(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function u16(s: string, what: string, token: number): number {
  if (!/^\d{1,5}$/.test(s) || Number(s) > 65535) throw new RecordError(`${what} "${short(s)}" is not a whole number from 0 to 65535`, token);
  return Number(s);
}

/** TTL as a number or with BIND's units (1h30m, 2d); undefined when `s` is not a TTL at all. */
export function parseTtl(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s);
  if (!/^(\d+[smhdw])+$/i.test(s)) return undefined;
  const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  for (const m of s.toLowerCase().matchAll(/(\d+)([smhdw])/g)) total += Number(m[1]) * unit[m[2]];
  return total;
}

export function checkTtl(ttl: number, raw: string): number {
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL) throw new RecordError(`TTL ${short(raw)} is out of range: use 0 to ${MAX_TTL} seconds`);
  return ttl;
}

export function staticType(s: string): StaticType | undefined {
  const u = s.toUpperCase();
  return (STATIC_TYPES as readonly string[]).includes(u) ? (u as StaticType) : undefined;
}

/**
 * The record for owner/type/ttl and its rdata tokens (TXT: its strings, already unquoted). `origin` completes
 * relative names in rdata (undefined: every name must be absolute).
 */
export function buildRecord(owner: string, type: StaticType, ttl: number, rdata: readonly string[], source: string,
  relative: (name: string, what: string, token: number) => string = (n, what) => checkName(n, what)): RR {
  const want = (n: number, shape: string) => {
    if (rdata.length !== n) throw new RecordError(`${type} takes ${shape}; got ${rdata.length} field${rdata.length === 1 ? '' : 's'}`, rdata.length > n ? n : -1);
  };
  const base = { name: owner, ttl, source };
  switch (type) {
    case 'A':
      want(1, 'one IPv4 address (127.0.0.1)');
      if (!isIPv4(rdata[0])) throw new RecordError(`"${short(rdata[0])}" is not an IPv4 address (dotted quad such as 127.0.0.1)`, 0);
      return { ...base, type: QTYPE.A, data: rdata[0] };
    case 'AAAA': {
      want(1, 'one IPv6 address (::1)');
      const ip = rdata[0].toLowerCase();
      if (!isIPv6(ip) || ip.includes('%') || ipv6Words(ip) === undefined) throw new RecordError(`"${short(rdata[0])}" is not an IPv6 address (such as ::1 or fd00::10)`, 0);
      return { ...base, type: QTYPE.AAAA, data: ip };
    }
    case 'CNAME': case 'PTR':
      want(1, 'one domain name');
      return { ...base, type: type === 'CNAME' ? QTYPE.CNAME : QTYPE.PTR, data: relative(rdata[0], `${type} target`, 0) };
    case 'MX':
      want(2, 'a preference and a mail exchanger (10 mail.example.test.)');
      return { ...base, type: QTYPE.MX, data: { preference: u16(rdata[0], 'MX preference', 0), exchange: relative(rdata[1], 'MX exchange', 1) } };
    case 'SRV':
      want(4, 'priority weight port target (0 5 443 api.example.test.)');
      return {
        ...base, type: QTYPE.SRV,
        data: { priority: u16(rdata[0], 'SRV priority', 0), weight: u16(rdata[1], 'SRV weight', 1), port: u16(rdata[2], 'SRV port', 2), target: relative(rdata[3], 'SRV target', 3) },
      };
    case 'TXT': {
      if (rdata.length === 0) throw new RecordError('TXT takes one or more strings ("v=spf1 -all")');
      let total = 0;
      for (let i = 0; i < rdata.length; i++) {
        const n = Buffer.byteLength(rdata[i]);
        if (n > 255) throw new RecordError(`TXT string ${i + 1} is ${n} bytes: a character-string holds at most 255 (split it into several strings)`, i);
        total += n + 1;
      }
      if (total > MAX_TXT_BYTES) throw new RecordError(`TXT record is ${total} bytes: at most ${MAX_TXT_BYTES} fit a DNS message`);
      return { ...base, type: QTYPE.TXT, data: [...rdata] };
    }
  }
}
