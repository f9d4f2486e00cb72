// /api/v1/resolve answers through DNS itself: the question becomes query bytes, the transport's own responder
// (answer cache, faults, forwarding, encoding) answers them, and the reply bytes are decoded. So the route shows
// exactly what dig sees, SERVFAIL from a record that cannot be encoded included. The resolver's own answer is only
// read to say which object each record came from.
import type { Answer, RR } from '../dns/records.js';
import { QTYPE, formatRR } from '../dns/records.js';
import type { HandleResult } from '../wire/responder.js';
import { firstReply } from '../wire/message-stream.js';

/** The client the responder sees for these queries: metrics and the query journal leave them out. */
export const ADMIN_CLIENT = 'admin-api';

export class NameError extends Error {}

/** Labels of a presentation-form name as bytes (\. and \DDD escapes), or a NameError saying why not. */
function nameBytes(name: string): Buffer {
  const n = name.endsWith('.') && !name.endsWith('\\.') ? name.slice(0, -1) : name;
  const out: number[] = [];
  if (n !== '') {
    let label: number[] = [];
    const push = () => {
      if (label.length === 0) throw new NameError(`"${name}" has an empty label`);
      if (label.length > 63) throw new NameError(`"${name}" has a label over 63 bytes`);
      out.push(label.length, ...label);
      label = [];
    };
    for (let i = 0; i < n.length; i++) {
      const c = n.charCodeAt(i);
      if (c === 92 && i + 1 < n.length) {
        const d = n.slice(i + 1, i + 4);
        if (/^\d{3}$/.test(d) && Number(d) < 256) { label.push(Number(d)); i += 3; } else { label.push(n.charCodeAt(i + 1) & 0xff); i++; }
      } else if (c === 46) push();
      else if (c > 255) throw new NameError(`"${name}" is not ASCII: write IDN names in their xn-- form`);
      else label.push(c);
    }
    push();
  }
  out.push(0);
  if (out.length > 255) throw new NameError(`"${name}" is over 255 bytes on the wire`);
  return Buffer.from(out);
}

/** A query as dig sends it: RD set, EDNS0 with a 1232-byte UDP size. */
export function buildQuery(name: string, type: number, id: number): Buffer {
  const qname = nameBytes(name);
  const buf = Buffer.alloc(12 + qname.length + 4 + 11);
  buf.writeUInt16BE(id, 0);
  buf.writeUInt16BE(0x0100, 2);
  buf.writeUInt16BE(1, 4);
  buf.writeUInt16BE(1, 10);
  qname.copy(buf, 12);
  let o = 12 + qname.length;
  buf.writeUInt16BE(type, o); buf.writeUInt16BE(1, o + 2); o += 4;
  buf[o] = 0; buf.writeUInt16BE(QTYPE.OPT, o + 1); buf.writeUInt16BE(1232, o + 3);
  return buf;
}

export interface DecodedReply {
  id: number;
  rcode: number;
  aa: boolean;
  tc: boolean;
  answer: RR[];
  authority: RR[];
  additional: RR[];
}

class Reader {
  constructor(readonly buf: Buffer, public o = 0) {}

  need(n: number) {
    if (this.o + n > this.buf.length) throw new Error('reply ends early');
  }

  u16(): number { this.need(2); const v = this.buf.readUInt16BE(this.o); this.o += 2; return v; }
  u32(): number { this.need(4); const v = this.buf.readUInt32BE(this.o); this.o += 4; return v; }

  /** A name in presentation form without the trailing dot; a label holding '.' or odd bytes is escaped. */
  name(): string {
    const labels: string[] = [];
    let o = this.o;
    let end = -1;
    for (let hops = 0; ; hops++) {
      if (o >= this.buf.length || hops > 128) throw new Error('bad name in reply');
      const len = this.buf[o];
      if (len === 0) { o++; break; }
      if ((len & 0xc0) === 0xc0) {
        if (end < 0) end = o + 2;
        o = ((len & 0x3f) << 8) | this.buf[o + 1];
        continue;
      }
      if (o + 1 + len > this.buf.length) throw new Error('bad label in reply');
      let s = '';
      for (const b of this.buf.subarray(o + 1, o + 1 + len)) {
        if (b === 46 || b === 92) s += `\\${String.fromCharCode(b)}`;
        else if (b > 32 && b < 127) s += String.fromCharCode(b);
        else s += `\\${String(b).padStart(3, '0')}`;
      }
      labels.push(s);
      o += 1 + len;
    }
    this.o = end >= 0 ? end : o;
    return labels.join('.');
  }

  rr(): RR | undefined {
    const name = this.name();
    const type = this.u16();
    this.u16(); // class
    const ttl = this.u32();
    const len = this.u16();
    this.need(len);
    const start = this.o;
    const endAt = start + len;
    let rr: RR;
    switch (type) {
      case QTYPE.OPT: this.o = endAt; return undefined;
      case QTYPE.A: rr = { name, type, ttl, data: [...this.buf.subarray(start, endAt)].join('.') }; break;
      case QTYPE.AAAA: {
        const w: string[] = [];
        for (let i = 0; i < 16; i += 2) w.push(this.buf.readUInt16BE(start + i).toString(16));
        rr = { name, type, ttl, data: canonical(w) };
        break;
      }
      case QTYPE.CNAME: case QTYPE.PTR: case QTYPE.NS: rr = { name, type, ttl, data: this.name() }; break;
      case QTYPE.SRV: {
        const priority = this.u16(); const weight = this.u16(); const port = this.u16();
        rr = { name, type, ttl, data: { priority, weight, port, target: this.name() } };
        break;
      }
      case QTYPE.SOA: {
        const mname = this.name(); const rname = this.name();
        rr = { name, type, ttl, data: { mname, rname, serial: this.u32(), refresh: this.u32(), retry: this.u32(), expire: this.u32(), minimum: this.u32() } };
        break;
      }
      case QTYPE.TXT: {
        const parts: string[] = [];
        for (let o = start; o < endAt;) { const n = this.buf[o]; parts.push(this.buf.toString('utf8', o + 1, o + 1 + n)); o += 1 + n; }
        rr = { name, type, ttl, data: parts };
        break;
      }
      default: rr = { name, type, ttl, raw: Buffer.from(this.buf.subarray(start, endAt)) };
    }
    this.o = endAt;
    return rr;
  }
}

function canonical(words: string[]): string {
  // The longest run (2+) of zero words becomes "::" (RFC 5952), as the resolver writes addresses.
  let best = -1; let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== '0') { i++; continue; }
    let j = i; while (j < 8 && words[j] === '0') j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  return best < 0 ? words.join(':') : `${words.slice(0, best).join(':')}::${words.slice(best + bestLen).join(':')}`;
}

export function decodeReply(buf: Buffer): DecodedReply {
  const r = new Reader(buf);
  const id = r.u16(); const flags = r.u16();
  const qd = r.u16(); const an = r.u16(); const ns = r.u16(); const ar = r.u16();
  for (let i = 0; i < qd; i++) { r.name(); r.u16(); r.u16(); }
  const section = (n: number) => {
    const out: RR[] = [];
    for (let i = 0; i < n; i++) { const rr = r.rr(); if (rr) out.push(rr); }
    return out;
  };
  const answer = section(an); const authority = section(ns); const additional = section(ar);
  return { id, rcode: flags & 0xf, aa: (flags & 0x0400) !== 0, tc: (flags & 0x0200) !== 0, answer, authority, additional };
}

/** The first `most` records of a reply's answer section and how many it holds (the live query view's rows). */
export function decodeAnswers(buf: Buffer, most: number): { answer: RR[]; total: number } {
  const r = new Reader(buf);
  r.u16(); r.u16();
  const qd = r.u16(); const an = r.u16(); r.u16(); r.u16();
  for (let i = 0; i < qd; i++) { r.name(); r.u16(); r.u16(); }
  const answer: RR[] = [];
  for (let i = 0; i < an && answer.length < most; i++) { const rr = r.rr(); if (rr) answer.push(rr); }
  return { answer, total: an };
}

export interface ResolveThroughDns {
  /** the decoded reply; undefined when no reply was sent (a "drop" fault) */
  reply?: DecodedReply;
  /** the records the resolver built that the reply does not carry (left out because they cannot be encoded) */
  leftOut: number;
}

/**
 * Asks `handle` (the transport's responder) as a TCP client would, so nothing is cut for size, and decodes the
 * reply. `explain` is the resolver's own answer: each decoded record gets its `source` from there.
 */
export async function resolveThroughDns(
  handle: (msg: Buffer, transport: 'udp' | 'tcp', client: string) => HandleResult,
  name: string, type: number, explain: () => Answer,
): Promise<ResolveThroughDns> {
  const id = Math.floor(Math.random() * 65536);
  const sent = await handle(buildQuery(name, type, id), 'tcp', ADMIN_CLIENT);
  // A zone transfer shows its first message (the rest are never made).
  const out = sent ? firstReply(sent) : undefined;
  if (!out) return { leftOut: 0 };
  const reply = decodeReply(out);
  let ans: Answer | undefined;
  try {
    ans = explain();
  } catch {
    ans = undefined;
  }
  let leftOut = 0;
  if (ans) {
    const sources = new Map<string, string>();
    for (const rr of [...ans.answer, ...ans.authority, ...ans.additional]) {
      if (rr.source) sources.set(formatRR(rr).toLowerCase(), rr.source);
    }
    for (const rr of [...reply.answer, ...reply.authority, ...reply.additional]) {
      const s = sources.get(formatRR(rr).toLowerCase());
      if (s) rr.source = s;
    }
    leftOut = ans.leftOut ?? 0;
  }
  return { reply, leftOut };
}
