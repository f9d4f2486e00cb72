// The TTL CoreDNS's cache writes into a reply on a miss (plugin/cache WriteMsg): the smallest TTL of the reply's
// records (OPT aside; 5 s when there are none), clamped to [MINTTL, TTL] of its class (success or denial),
// SERVFAIL's `servfail` duration, set on every record of every section. For records (cluster answers) and for raw
// replies (forwarded), walked in place on a copy: linear in the message, no decoding of names.
import type { Answer, RR } from '../../dns/records.js';

export interface TtlCaps {
  success: { max: number; min: number };
  denial: { max: number; min: number };
  servfail: number;
}

const MINIMAL_DEFAULT = 5;
const MAXIMUM_DEFAULT = 3600;

function capFor(caps: TtlCaps, rcode: number, answers: number, minimal: number): number {
  if (rcode === 2) return caps.servfail;
  const c = rcode === 3 || (rcode === 0 && answers === 0) ? caps.denial : caps.success;
  return Math.min(Math.max(minimal, c.min), c.max);
}

/** The answer with CoreDNS's capped TTL, or the same object when nothing changes. */
export function capAnswer(a: Answer, caps: TtlCaps): Answer {
  const all = [a.answer, a.authority, a.additional];
  const n = a.answer.length + a.authority.length + a.additional.length;
  let minimal = n === 0 ? MINIMAL_DEFAULT : MAXIMUM_DEFAULT;
  for (const s of all) for (const rr of s) if (rr.ttl < minimal) minimal = rr.ttl;
  const ttl = capFor(caps, a.rcode, a.answer.length, minimal);
  if (all.every((s) => s.every((rr) => rr.ttl === ttl))) return a;
  const set = (s: RR[]) => s.map((rr) => (rr.ttl === ttl ? rr : { ...rr, ttl }));
  return { ...a, answer: set(a.answer), authority: set(a.authority), additional: set(a.additional) };
}

/** Offset past a name at `off`, or -1 when the message ends first. */
function skipName(b: Buffer, off: number): number {
  while (off < b.length) {
    const len = b[off]!;
    if (len === 0) return off + 1;
    if ((len & 0xc0) === 0xc0) return off + 2;
    off += 1 + len;
  }
  return -1;
}

/** A copy of the raw reply with CoreDNS's capped TTL; the bytes as they are when they are no well-formed message. */
export function capRaw(msg: Buffer, caps: TtlCaps): Buffer {
  if (msg.length < 12) return msg;
  const qd = msg.readUInt16BE(4);
  const count = msg.readUInt16BE(6) + msg.readUInt16BE(8) + msg.readUInt16BE(10);
  let off = 12;
  for (let i = 0; i < qd; i++) {
    off = skipName(msg, off);
    if (off < 0 || off + 4 > msg.length) return msg;
    off += 4;
  }
  const ttlAt: number[] = [];
  let minimal = MAXIMUM_DEFAULT;
  for (let i = 0; i < count; i++) {
    off = skipName(msg, off);
    if (off < 0 || off + 10 > msg.length) return msg;
    const type = msg.readUInt16BE(off);
    const rdlen = msg.readUInt16BE(off + 8);
    if (type !== 41) {
      ttlAt.push(off + 4);
      minimal = Math.min(minimal, msg.readUInt32BE(off + 4));
    }
    off += 10 + rdlen;
    if (off > msg.length) return msg;
  }
  if (ttlAt.length === 0) minimal = MINIMAL_DEFAULT;
  const ttl = capFor(caps, msg[3]! & 0x0f, msg.readUInt16BE(6), minimal);
  if (ttlAt.every((at) => msg.readUInt32BE(at) === ttl)) return msg;
  const out = Buffer.from(msg);
  for (const at of ttlAt) out.writeUInt32BE(ttl, at);
  return out;
}
