// Reading a query. The hot path parses the header, the one question and an OPT by hand, without allocating a
// decoded message; anything unusual (compression in the question, extra records) goes to dns2's decoder, which
// reports malformed input instead of throwing.
import dns2 from 'dns2';
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
function labelText(buf: Buffer, start: number, len: number): string {
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
    if (total > 255) return -1;
    off += 1 + len;
  }
}

/** The presentation form of a name already checked by scanPlainName. */
function decodePlainName(buf: Buffer, off: number): string {
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

/** dns2's decoder for everything the hand parser does not take: it collects errors instead of throwing. */
function slowParse(buf: Buffer, id: number, opcode: number, rd: boolean): QueryParse {
  let pkt: any;
  try {
    pkt = (dns2 as any).Packet.parse(buf);
  } catch {
    return { ok: false, drop: false, rcode: FORMERR, id, opcode, rd };
  }
  const errors: unknown[] = Array.isArray(pkt?.errors) ? pkt.errors : [];
  const q = pkt?.questions?.[0];
  const question = q && typeof q.name === 'string'
    ? { name: q.name.replace(/\.$/, ''), type: Number(q.type), class: Number(q.class) } : undefined;
  // miekg/dns (CoreDNS) rejects more than one answer or authority record, or more than two additional, in a query.
  const an = buf.readUInt16BE(6);
  const ns = buf.readUInt16BE(8);
  const ar = buf.readUInt16BE(10);
  if (errors.length > 0 || !question || an > 1 || ns > 1 || ar > 2 || !/^[\x21-\x7e]*$/.test(question.name)) {
    return { ok: false, drop: false, rcode: FORMERR, id, opcode, rd, ...(question && /^[\x21-\x7e]*$/.test(question.name) ? { question } : {}) };
  }
  const query = new ParsedQuery(id, opcode, rd, (buf[3] & 0x10) !== 0, question.type, question.class, -1, undefined, question.name);
  const opt = (pkt.additionals ?? []).find((r: any) => r?.type === QTYPE.OPT);
  if (opt) {
    const ttl = Number(opt.ttl ?? 0);
    query.edns = { udpSize: Number(opt.class ?? 512), version: Number(opt.version ?? (ttl >>> 16) & 0xff), do: opt.doFlag === true || (ttl & 0x8000) !== 0 };
  }
  return { ok: true, query };
}
