// A forwarded reply (bytes from an upstream) read into records so the rewrite plugin can revert its names and
// write it again with the client's question: CoreDNS's ResponseReverter does the same on the unpacked message.
// Names in rdata are read for the types whose rdata names may be compressed and that clusterdns writes (CNAME, NS,
// PTR, MX, SRV, SOA); any other type is kept as its rdata bytes, which RFC 3597 says hold no compression pointers.
// A reply with one of the rarer compressible types (MINFO, RP, AFSDB, RT, KX, NAPTR...) is not read (null).
import { QTYPE, type RR } from '../../dns/records.js';
import type { Edns } from '../../wire/encoder.js';

export interface RawMessage {
  /** the header's flags word (QR, opcode, AA, TC, RD, RA, AD, CD, rcode) */
  flags: number;
  answer: RR[];
  authority: RR[];
  additional: RR[];
  edns?: Edns;
}

const OTHER_COMPRESSED = new Set([3, 4, 7, 8, 9, 14, 17, 18, 21, 26, 35, 36]);

/** A name at `o` in presentation form (no trailing dot, escapes as RFC 1035) and where it ends; null if malformed. */
function readName(b: Buffer, o: number): { name: string; end: number } | null {
  let name = '';
  let end = -1;
  let total = 0;
  for (let hops = 0; hops < 128; hops++) {
    if (o >= b.length) return null;
    const len = b[o]!;
    if (len === 0) return { name, end: end < 0 ? o + 1 : end };
    if ((len & 0xc0) === 0xc0) {
      if (o + 1 >= b.length) return null;
      if (end < 0) end = o + 2;
      const to = ((len & 0x3f) << 8) | b[o + 1]!;
      // Backward only: a loop or a forward pointer is no message an encoder writes.
      if (to >= o) return null;
      o = to;
      continue;
    }
    if (len > 63 || o + 1 + len > b.length) return null;
    total += len + 1;
    if (total > 254) return null;
    if (name !== '') name += '.';
    for (let k = o + 1; k <= o + len; k++) {
      const c = b[k]!;
      if (c === 0x2e || c === 0x5c) name += `\\${String.fromCharCode(c)}`;
      else if (c < 0x21 || c > 0x7e) name += `\\${String(c).padStart(3, '0')}`;
      else name += String.fromCharCode(c);
    }
    o += 1 + len;
  }
  return null;
}

/** The reply's records, or null when it is malformed, not class IN, or holds a type it does not read. */
export function readMessage(b: Buffer): RawMessage | null {
  if (b.length < 12) return null;
  const qd = b.readUInt16BE(4);
  if (qd > 1) return null;
  let o = 12;
  if (qd === 1) {
    const q = readName(b, o);
    if (!q) return null;
    o = q.end + 4;
  }
  const out: RawMessage = { flags: b.readUInt16BE(2), answer: [], authority: [], additional: [] };
  const sections = [out.answer, out.authority, out.additional];
  for (let s = 0; s < 3; s++) {
    const count = b.readUInt16BE(6 + 2 * s);
    for (let i = 0; i < count; i++) {
      const owner = readName(b, o);
      if (!owner || owner.end + 10 > b.length) return null;
      const h = owner.end;
      const type = b.readUInt16BE(h);
      const cls = b.readUInt16BE(h + 2);
      const ttl = b.readUInt32BE(h + 4);
      const rd = h + 10;
      const end = rd + b.readUInt16BE(h + 8);
      if (end > b.length) return null;
      o = end;
      if (type === QTYPE.OPT) {
        out.edns = { udpSize: cls, do: (b.readUInt16BE(h + 6) & 0x8000) !== 0 };
        continue;
      }
      if (cls !== 1 || OTHER_COMPRESSED.has(type)) return null;
      const rr = record(b, owner.name, type, ttl, rd, end);
      if (!rr) return null;
      sections[s]!.push(rr);
    }
  }
  return out;
}

function record(b: Buffer, name: string, type: number, ttl: number, rd: number, end: number): RR | null {
  const nameIn = (at: number) => {
    const n = readName(b, at);
    return n && n.end <= end ? n : null;
  };
  switch (type) {
    case QTYPE.CNAME: case QTYPE.NS: case QTYPE.PTR: {
      const n = nameIn(rd);
      return n && n.end === end ? { name, type, ttl, data: n.name } : null;
    }
    case QTYPE.MX: {
      const n = rd + 2 <= end ? nameIn(rd + 2) : null;
      return n && n.end === end ? { name, type, ttl, data: { preference: b.readUInt16BE(rd), exchange: n.name } } : null;
    }
    case QTYPE.SRV: {
      const n = rd + 6 <= end ? nameIn(rd + 6) : null;
      return n && n.end === end
        ? { name, type, ttl, data: { priority: b.readUInt16BE(rd), weight: b.readUInt16BE(rd + 2), port: b.readUInt16BE(rd + 4), target: n.name } }
        : null;
    }
    case QTYPE.SOA: {
      const m = nameIn(rd);
      const r = m ? nameIn(m.end) : null;
      if (!m || !r || r.end + 20 !== end) return null;
      const at = r.end;
      return { name, type, ttl, data: { mname: m.name, rname: r.name, serial: b.readUInt32BE(at), refresh: b.readUInt32BE(at + 4),
        retry: b.readUInt32BE(at + 8), expire: b.readUInt32BE(at + 12), minimum: b.readUInt32BE(at + 16) } };
    }
    default:
      return { name, type, ttl, raw: Buffer.from(b.subarray(rd, end)) };
  }
}
