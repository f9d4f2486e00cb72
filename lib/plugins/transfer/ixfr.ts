// An IXFR query carries the client's SOA in its authority section (RFC 1995 §3): its serial says which version the
// client holds. CoreDNS's transfer plugin wants exactly one authority record, an SOA; anything else is SERVFAIL.
import { QTYPE } from '../../dns/records.js';

/** End offset of a (possibly compressed) name at `off`, or -1. Pointers are not followed: only the length matters. */
function skipName(buf: Buffer, off: number): number {
  for (let labels = 0; labels < 128; labels++) {
    if (off >= buf.length) return -1;
    const len = buf[off]!;
    if (len === 0) return off + 1;
    if ((len & 0xc0) === 0xc0) return off + 2 <= buf.length ? off + 2 : -1;
    if (len > 63) return -1;
    off += 1 + len;
  }
  return -1;
}

/** The serial of the one SOA in the query's authority section, or undefined when there is not exactly one SOA. */
export function clientSerial(msg: Buffer): number | undefined {
  if (msg.length < 12) return undefined;
  const qd = msg.readUInt16BE(4);
  const an = msg.readUInt16BE(6);
  const ns = msg.readUInt16BE(8);
  if (qd !== 1 || ns !== 1 || an > 1) return undefined;
  let off = skipName(msg, 12);
  if (off < 0 || off + 4 > msg.length) return undefined;
  off += 4;
  // Walk past the answer records (a query has none, but miekg/dns allows one) to the authority record.
  for (let i = 0; i <= an; i++) {
    off = skipName(msg, off);
    if (off < 0 || off + 10 > msg.length) return undefined;
    const type = msg.readUInt16BE(off);
    const rdStart = off + 10;
    const rdEnd = rdStart + msg.readUInt16BE(off + 8);
    if (rdEnd > msg.length) return undefined;
    if (i < an) { off = rdEnd; continue; }
    if (type !== QTYPE.SOA) return undefined;
    let p = skipName(msg, rdStart);
    if (p >= 0) p = skipName(msg, p);
    if (p < 0 || p + 20 > rdEnd) return undefined;
    return msg.readUInt32BE(p);
  }
  return undefined;
}
