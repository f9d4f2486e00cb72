// The last line of defence behind object validation (lib/cluster/validate.ts): a record that cannot be put on the
// wire (a label over 63 bytes, a name over 255, an address that is not one, a port past 65535) is left out of
// the answer rather than failing it, so one bad object never turns a good answer (another Service's PTR, a
// headless Service's other endpoints) into SERVFAIL. The checks mirror what lib/wire/encoder.ts refuses.
import { isIPv4 } from 'node:net';
import { ipv6Words } from './names.js';
import { QTYPE, type MxData, type RR, type SoaData, type SrvData } from './records.js';

/** A presentation-form name (no trailing dot needed) that encodes: labels of 1-63 bytes, 255 bytes in all. */
export function encodableName(name: string): boolean {
  if (name === '' || name === '.') return true;
  const end = name.charCodeAt(name.length - 1) === 46 && name.charCodeAt(name.length - 2) !== 92 ? name.length - 1 : name.length;
  let wire = 1;
  let label = 0;
  for (let i = 0; i < end; i++) {
    const c = name.charCodeAt(i);
    if (c === 46) {
      if (label === 0 || label > 63) return false;
      wire += label + 1;
      label = 0;
      continue;
    }
    // \DDD is one byte, \X is X.
    if (c === 92 && i + 1 < end) i += /^\d{3}$/.test(name.slice(i + 1, i + 4)) ? 3 : 1;
    label++;
  }
  if (label === 0 || label > 63) return false;
  wire += label + 1;
  return wire <= 255;
}

const u16 = (n: unknown) => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 65535;
const u32 = (n: unknown) => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xffffffff;

export function encodable(rr: RR): boolean {
  if (!encodableName(rr.name) || !u32(rr.ttl)) return false;
  if (rr.data === undefined) return true;
  switch (rr.type) {
    case QTYPE.A: return isIPv4(rr.data as string);
    case QTYPE.AAAA: return ipv6Words(rr.data as string) !== undefined;
    case QTYPE.CNAME: case QTYPE.PTR: case QTYPE.NS: return encodableName(rr.data as string);
    case QTYPE.SRV: {
      const d = rr.data as SrvData;
      return u16(d.priority) && u16(d.weight) && u16(d.port) && encodableName(d.target);
    }
    case QTYPE.MX: {
      const d = rr.data as MxData;
      return u16(d.preference) && encodableName(d.exchange);
    }
    case QTYPE.SOA: {
      const d = rr.data as SoaData;
      return encodableName(d.mname) && encodableName(d.rname);
    }
    case QTYPE.TXT: return (rr.data as string[]).every((t) => Buffer.byteLength(t) <= 255);
    default: return false;
  }
}

/** `records` without those that cannot be encoded (the same array when all can: the common case allocates nothing). */
export function keepEncodable(records: RR[]): RR[] {
  for (let i = 0; i < records.length; i++) {
    if (!encodable(records[i])) return records.filter(encodable);
  }
  return records;
}
