// Reading a query. The hot path parses the header, the one question and an OPT by hand, without allocating a
// decoded message; anything unusual (extra records, a misplaced OPT) goes to a slower walk of the whole message.
// Both read the question the same way, so a name is the same name on either path, and whatever is malformed
// becomes FORMERR (never a throw: a throw is counted as a panic and leaves the client without an answer).
import { QTYPE } from '../dns/records.js';

/**
 * A query's header fields and its one question. The name is decoded only when something asks for it: a repeated
 * question is answered from the cache by its raw bytes, and most queries never need the string.
 */
export class ParsedQuery {
  id: number;
  opcode: number;
  rd: boolean;
  cd: boolean;
  type: number;
  class: number;
  /** byte offset just past the question (the raw question bytes are [12, questionEnd)); -1 when not known */
  questionEnd: number;
  edns: { udpSize: number; do: boolean; version: number } | undefined = undefined;
  private decoded: string | undefined;
  private readonly buf: Buffer | undefined;

  constructor(id: number, opcode: number, rd: boolean, cd: boolean, type: number, qclass: number, questionEnd: number,
    buf: Buffer | undefined, name: string | undefined) {
    this.id = id;
    this.opcode = opcode;
    this.rd = rd;
    this.cd = cd;
    this.type = type;
    this.class = qclass;
    this.questionEnd = questionEnd;
    this.buf = buf;
    this.decoded = name;
  }

  /**
   * Copies the question's name in wire form (terminating zero included) to `target` at `at` and returns its
   * length, or -1 when the query's bytes are not at hand. Lets a record of the query keep the name without
   * keeping the whole request.
   */
  copyName(target: Buffer, at: number): number {
    if (!this.buf || this.questionEnd < 0) return -1;
    return this.buf.copy(target, at, 12, this.questionEnd - 4);
  }

  /** question name in presentation form (escaped), no trailing dot */
  get name(): string {
    if (this.decoded === undefined) this.decoded = decodePlainName(this.buf!, 12);
    return this.decoded;
  }
}

export type QueryParse =
  | { ok: true; query: ParsedQuery }
  /** a response (QR=1) or shorter than a header: never answered */
  | { ok: false; drop: true }
  /** answer with this rcode; question present when it could be read */
  | { ok: false; drop: false; rcode: number; id: number; opcode: number; rd: boolean; question?: { name: string; type: number; class: number } };

const FORMERR = 1;
const NOTIMP = 4;

/** Presentation form of one label's bytes. */
export function labelText(buf: Buffer, start: number, len: number): string {
  let plain = true;
  for (let i = start; i < start + len; i++) {
    const c = buf[i];
    if (c <= 32 || c >= 127 || c === 46 || c === 92) { plain = false; break; }
  }
  if (plain) return buf.toString('latin1', start, start + len);
  let s = '';
  for (let i = start; i < start + len; i++) {
    const c = buf[i];
    if (c === 46 || c === 92) s += `\\${String.fromCharCode(c)}`;
    else if (c <= 32 || c >= 127) s += `\\${String(c).padStart(3, '0')}`;
    else s += String.fromCharCode(c);
  }
  return s;
}

/** End offset of an uncompressed, valid name at `off`, or -1 when it needs the slow path. */
function scanPlainName(buf: Buffer, off: number): number {
  let total = 0;
  for (;;) {
    if (off >= buf.length) return -1;
    const len = buf[off];
    if (len === 0) return off + 1;
    if (len > 63 || off + 1 + len > buf.length) return -1;
    total += len + 1;
    // 255 bytes on the wire, counting the root label's zero
    if (total > 254) return -1;
    off += 1 + len;
  }
}

/** The presentation form of a name already checked by scanPlainName. */
export function decodePlainName(buf: Buffer, off: number): string {
  let name = '';
  for (;;) {
    const len = buf[off];
    if (len === 0) return name;
    const text = labelText(buf, off + 1, len);
    name = name === '' ? text : `${name}.${text}`;
    off += 1 + len;
  }
}

export function parseQuery(buf: Buffer): QueryParse {
  if (buf.length < 12) return { ok: false, drop: true };
  const b2 = buf[2];
  if (b2 & 0x80) return { ok: false, drop: true };
  const id = buf.readUInt16BE(0);
  const opcode = (b2 >> 3) & 0xf;
  const rd = (b2 & 1) === 1;
  if (opcode !== 0) return { ok: false, drop: false, rcode: NOTIMP, id, opcode, rd };
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  const ns = buf.readUInt16BE(8);
  const ar = buf.readUInt16BE(10);
  if (qd !== 1) return { ok: false, drop: false, rcode: FORMERR, id, opcode, rd };
  const end = scanPlainName(buf, 12);
  if (end > 0 && an === 0 && ns === 0 && ar <= 1 && end + 4 <= buf.length) {
    const query = new ParsedQuery(id, opcode, rd, (buf[3] & 0x10) !== 0, buf.readUInt16BE(end), buf.readUInt16BE(end + 2),
      end + 4, buf, undefined);
    const off = end + 4;
    if (ar === 0) {
      if (off === buf.length) return { ok: true, query };
    } else if (off + 11 <= buf.length && buf[off] === 0 && buf.readUInt16BE(off + 1) === QTYPE.OPT) {
      const rdlen = buf.readUInt16BE(off + 9);
      if (off + 11 + rdlen === buf.length) {
        query.edns = { udpSize: buf.readUInt16BE(off + 3), version: buf[off + 6], do: (buf[off + 7] & 0x80) !== 0 };
        return { ok: true, query };
      }
    }
  }
  return slowParse(buf, id, opcode, rd);
}

/**
 * Everything the hand parser does not take: other sections present, an OPT not where or how the fast path expects
 * it, trailing bytes. The question is still read by hand (a first name cannot legitimately hold a pointer, and
 * dns2 mis-decodes a label holding a dot into an empty label), and the other records are only walked: a query's
 * records are never used beyond its one OPT.
 */
function slowParse(buf: Buffer, id: number, opcode: number, rd: boolean): QueryParse {
  const end = scanPlainName(buf, 12);
  if (end < 0 || end + 4 > buf.length) return { ok: false, drop: false, rcode: FORMERR, id, opcode, rd };
  const question = { name: decodePlainName(buf, 12), type: buf.readUInt16BE(end), class: buf.readUInt16BE(end + 2) };
  const formerr: QueryParse = { ok: false, drop: false, rcode: FORMERR, id, opcode, rd, question };
  // miekg/dns (CoreDNS) rejects more than one answer or authority record, or more than two additional, in a query.
  const an = buf.readUInt16BE(6);
  const ns = buf.readUInt16BE(8);
  const ar = buf.readUInt16BE(10);
  if (an > 1 || ns > 1 || ar > 2) return formerr;
  let off = end + 4;
  let opt = -1;
  for (let i = 0; i < an + ns + ar; i++) {
    const owner = off;
    off = skipName(buf, off);
    if (off < 0 || off + 10 > buf.length) return formerr;
    const rdEnd = off + 10 + buf.readUInt16BE(off + 8);
    if (rdEnd > buf.length) return formerr;
    if (buf.readUInt16BE(off) === QTYPE.OPT) {
      // RFC 6891 6.1.1: one OPT at most, in the additional section, owned by the root.
      if (opt >= 0 || i < an + ns || off !== owner + 1) return formerr;
      opt = off;
    }
    off = rdEnd;
  }
  // Bytes past the last record are ignored, as miekg/dns does.
  const query = new ParsedQuery(id, opcode, rd, (buf[3] & 0x10) !== 0, question.type, question.class, end + 4, buf, question.name);
  if (opt >= 0) query.edns = { udpSize: buf.readUInt16BE(opt + 2), version: buf[opt + 5], do: (buf[opt + 6] & 0x80) !== 0 };
  return { ok: true, query };
}

/** End offset of a possibly compressed name at `off` (pointers are not followed, only bounds-checked), or -1. */
function skipName(buf: Buffer, off: number): number {
  let total = 0;
  for (;;) {
    if (off >= buf.length) return -1;
    const len = buf[off];
    if (len === 0) return off + 1;
    if ((len & 0xc0) === 0xc0) {
      if (off + 2 > buf.length || (((len & 0x3f) << 8) | buf[off + 1]) >= off) return -1;
      return off + 2;
    }
    if (len > 63) return -1;
    total += len + 1;
    if (total > 254) return -1;
    off += 1 + len;
  }
}
