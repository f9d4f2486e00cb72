// Reading a query. The hot path parses the header, the one question and an OPT by hand, without allocating a
// decoded message; anything unusual (compression in the question, extra records) goes to dns2's decoder, which
// reports malformed input instead of throwing.
import dns2 from 'dns2';
import { QTYPE } from '../dns/records.js';

export interface ParsedQuery {
  id: number;
  opcode: number;
  rd: boolean;
  cd: boolean;
  /** question name in presentation form (escaped), no trailing dot */
  name: string;
  type: number;
  class: number;
  /** byte offset just past the question (the raw question bytes are [12, questionEnd)) */
  questionEnd: number;
  edns?: { udpSize: number; do: boolean; version: number };
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
  let s = '';
  for (let i = start; i < start + len; i++) {
    const c = buf[i];
    if (c === 46 || c === 92) s += `\\${String.fromCharCode(c)}`;
    else if (c <= 32 || c >= 127) s += `\\${String(c).padStart(3, '0')}`;
    else s += String.fromCharCode(c);
  }
  return s;
}

/** Reads an uncompressed name at `off`; returns [name, end] or undefined when it needs the slow path. */
function readPlainName(buf: Buffer, off: number): [string, number] | undefined {
  let name = '';
  let total = 0;
  for (;;) {
    if (off >= buf.length) return undefined;
    const len = buf[off];
    if (len === 0) return [name, off + 1];
    if (len > 63) return undefined;
    if (off + 1 + len > buf.length) return undefined;
    total += len + 1;
    if (total > 255) return undefined;
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
  const q = readPlainName(buf, 12);
  if (q && an === 0 && ns === 0 && ar <= 1 && q[1] + 4 <= buf.length) {
    const [name, end] = q;
    const query: ParsedQuery = {
      id, opcode, rd, cd: (buf[3] & 0x10) !== 0, name,
      type: buf.readUInt16BE(end), class: buf.readUInt16BE(end + 2), questionEnd: end + 4,
    };
    let off = end + 4;
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
  const query: ParsedQuery = {
    id, opcode, rd, cd: (buf[3] & 0x10) !== 0, name: question.name, type: question.type, class: question.class,
    questionEnd: -1,
  };
  const opt = (pkt.additionals ?? []).find((r: any) => r?.type === QTYPE.OPT);
  if (opt) {
    const ttl = Number(opt.ttl ?? 0);
    query.edns = { udpSize: Number(opt.class ?? 512), version: Number(opt.version ?? (ttl >>> 16) & 0xff), do: opt.doFlag === true || (ttl & 0x8000) !== 0 };
  }
  return { ok: true, query };
}
