// An upstream's whole reply, read into records so autopath can put its CNAME in front and the client's question
// back (CoreDNS's cnamer works on the unpacked message too). Names are decompressed: the question the reply is
// re-encoded with has another length, so every compression pointer of the old message would point elsewhere.
// Record data with no names in it is kept as the upstream's bytes; the upstream's OPT gives way to ours.
import { QTYPE, type RR } from '../../dns/records.js';
import { labelText } from '../../wire/query.js';

export interface RawMessage {
  rcode: number;
  aa: boolean;
  tc: boolean;
  ra: boolean;
  ad: boolean;
  answer: RR[];
  authority: RR[];
  additional: RR[];
}

class Malformed extends Error {}

/** record types whose data is one name (RFC 1035's compressible types, and DNAME) */
const ONE_NAME = new Set([3, 4, 7, 8, 9, 39]);
/** two names: MINFO, RP */
const TWO_NAMES = new Set([14, 17]);
/** a 16-bit value, then a name: AFSDB, RT, KX */
const NUMBER_NAME = new Set([18, 21, 36]);
const PX = 26;

/** a name at `off`, pointers followed (backwards only, so a loop ends): presentation form and plain wire bytes */
function readName(buf: Buffer, off: number): { name: string; wire: Buffer; end: number } {
  const labels: string[] = [];
  const parts: Buffer[] = [];
  let wireLen = 1;
  let end = -1;
  let at = off;
  for (;;) {
    if (at >= buf.length) throw new Malformed('name past the end');
    const len = buf[at]!;
    if (len === 0) { if (end < 0) end = at + 1; break; }
    if ((len & 0xc0) === 0xc0) {
      if (at + 1 >= buf.length) throw new Malformed('pointer past the end');
      const to = ((len & 0x3f) << 8) | buf[at + 1]!;
      if (end < 0) end = at + 2;
      if (to >= at) throw new Malformed('pointer forward');
      at = to;
      continue;
    }
    if (len > 63 || at + 1 + len > buf.length) throw new Malformed('bad label');
    wireLen += len + 1;
    if (wireLen > 255) throw new Malformed('name over 255 bytes');
    labels.push(labelText(buf, at + 1, len));
    parts.push(buf.subarray(at, at + 1 + len));
    at += 1 + len;
  }
  parts.push(Buffer.from([0]));
  return { name: labels.join('.'), wire: Buffer.concat(parts), end };
}

function readRR(buf: Buffer, off: number): { rr: RR | undefined; end: number } {
  const owner = readName(buf, off);
  let at = owner.end;
  if (at + 10 > buf.length) throw new Malformed('record header past the end');
  const type = buf.readUInt16BE(at);
  const klass = buf.readUInt16BE(at + 2);
  const ttl = buf.readUInt32BE(at + 4);
  const rdlen = buf.readUInt16BE(at + 8);
  at += 10;
  const end = at + rdlen;
  if (end > buf.length) throw new Malformed('record data past the end');
  // The upstream's OPT is replaced by ours; other classes than IN cannot be written back as they were.
  if (type === QTYPE.OPT || klass !== 1) return { rr: undefined, end };
  const name = owner.name;
  const u16 = (o: number) => { if (o + 2 > end) throw new Malformed('short data'); return buf.readUInt16BE(o); };
  const u32 = (o: number) => { if (o + 4 > end) throw new Malformed('short data'); return buf.readUInt32BE(o); };
  const nameIn = (o: number) => { const n = readName(buf, o); if (n.end > end) throw new Malformed('name past its data'); return n; };
  switch (type) {
    case QTYPE.CNAME: case QTYPE.NS: case QTYPE.PTR:
      return { rr: { name, type, ttl, data: nameIn(at).name }, end };
    case QTYPE.MX:
      return { rr: { name, type, ttl, data: { preference: u16(at), exchange: nameIn(at + 2).name } }, end };
    case QTYPE.SRV:
      return { rr: { name, type, ttl, data: { priority: u16(at), weight: u16(at + 2), port: u16(at + 4), target: nameIn(at + 6).name } }, end };
    case QTYPE.SOA: {
      const m = nameIn(at);
      const r = nameIn(m.end);
      const o = r.end;
      return {
        rr: { name, type, ttl, data: { mname: m.name, rname: r.name, serial: u32(o), refresh: u32(o + 4), retry: u32(o + 8), expire: u32(o + 12), minimum: u32(o + 16) } },
        end,
      };
    }
  }
  let raw: Buffer;
  if (ONE_NAME.has(type)) raw = nameIn(at).wire;
  else if (TWO_NAMES.has(type)) { const a = nameIn(at); raw = Buffer.concat([a.wire, nameIn(a.end).wire]); }
  else if (NUMBER_NAME.has(type)) raw = Buffer.concat([buf.subarray(at, at + 2), nameIn(at + 2).wire]);
  else if (type === PX) { const a = nameIn(at + 2); raw = Buffer.concat([buf.subarray(at, at + 2), a.wire, nameIn(a.end).wire]); }
  else raw = Buffer.from(buf.subarray(at, end));
  return { rr: { name, type, ttl, raw }, end };
}

/** The reply's records, or undefined when the bytes are no well-formed reply with one question. */
export function readRawMessage(buf: Buffer): RawMessage | undefined {
  try {
    if (buf.length < 12 || (buf[2]! & 0x80) === 0) return undefined;
    const counts = [buf.readUInt16BE(4), buf.readUInt16BE(6), buf.readUInt16BE(8), buf.readUInt16BE(10)];
    if (counts[0] !== 1) return undefined;
    let at = readName(buf, 12).end + 4;
    if (at > buf.length) return undefined;
    const sections: RR[][] = [[], [], []];
    for (let s = 0; s < 3; s++) {
      for (let i = 0; i < counts[s + 1]!; i++) {
        const { rr, end } = readRR(buf, at);
        if (rr) sections[s]!.push(rr);
        at = end;
      }
    }
    return {
      rcode: buf[3]! & 0x0f, aa: (buf[2]! & 0x04) !== 0, tc: (buf[2]! & 0x02) !== 0, ra: (buf[3]! & 0x80) !== 0,
      ad: (buf[3]! & 0x20) !== 0, answer: sections[0]!, authority: sections[1]!, additional: sections[2]!,
    };
  } catch (err) {
    if (err instanceof Malformed || err instanceof RangeError) return undefined;
    throw err;
  }
}
