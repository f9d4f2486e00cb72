// Our own compressing DNS message encoder (dns2's is quadratic and bit-array based; dns-packet never compresses:
// see shared/reference/dns2.md). Writes into one reused scratch buffer and copies out the used bytes.
// Truncation happens at RR boundaries, which is safe because compression pointers only ever point backwards.
import { isIPv4 } from 'node:net';
import { ipv6Words } from '../dns/names.js';
import { QTYPE, type MxData, type RR, type SoaData, type SrvData } from '../dns/records.js';

export class EncodeError extends Error {}

const MAX_MESSAGE = 65535;
const scratch = Buffer.allocUnsafe(MAX_MESSAGE + 512);

export interface ResponseHeader {
  id: number;
  /** opcode (0 for QUERY) */
  opcode: number;
  aa: boolean;
  rd: boolean;
  cd: boolean;
  rcode: number;
}

export interface Edns {
  /** the UDP payload size we advertise */
  udpSize: number;
  do: boolean;
}

export interface Question {
  name: string;
  type: number;
  class: number;
}

class Writer {
  o = 0;
  private names = new Map<string, number>();
  constructor(private buf: Buffer) {}

  u8(v: number) { this.buf[this.o++] = v; }
  u16(v: number) { this.buf.writeUInt16BE(v & 0xffff, this.o); this.o += 2; }
  u32(v: number) { this.buf.writeUInt32BE(v >>> 0, this.o); this.o += 4; }

  /** Writes a presentation-form name, compressing against earlier names unless `compress` is false. */
  name(name: string, compress = true) {
    if (name === '' || name === '.') { this.u8(0); return; }
    if (name.includes('\\')) { this.escapedName(name, compress); return; }
    // A name without escapes is its own label bytes: written straight from the string, nothing allocated but
    // the compression keys. (Label buffers cached per name cost ~50 MB of heap once a large cluster's names had
    // all been answered, and the cache thrashed at its cap.)
    const end = name.charCodeAt(name.length - 1) === 46 ? name.length - 1 : name.length;
    if (end + 2 > 255) throw new EncodeError(`name too long: ${name}`);
    for (let start = 0; ;) {
      let dot = name.indexOf('.', start);
      if (dot === -1 || dot > end) dot = end;
      const len = dot - start;
      if (len === 0) throw new EncodeError(`empty label in ${JSON.stringify(name)}`);
      if (len > 63) throw new EncodeError(`label over 63 bytes in ${JSON.stringify(name)}`);
      if (this.compressed(start === 0 ? name : name.slice(start), compress)) return;
      this.u8(len);
      for (let j = 0; j < len; j++) this.buf[this.o + j] = name.charCodeAt(start + j) & 0xff;
      this.o += len;
      if (dot === end) break;
      start = dot + 1;
    }
    this.u8(0);
  }

  /**
   * Exact spelling, as miekg/dns compresses: a pointer must not change the case of what it stands for. The key is
   * the name's own text from a label on: the same text is the same bytes, and another spelling of the same bytes
   * (\DDD) only misses a compression. True when a pointer was written.
   */
  private compressed(key: string, compress: boolean): boolean {
    if (compress) {
      const ptr = this.names.get(key);
      if (ptr !== undefined) { this.u16(0xc000 | ptr); return true; }
    }
    // First spelling wins, so owners that echo the question point at the question's own bytes.
    if (this.o < 0x4000 && !this.names.has(key)) this.names.set(key, this.o);
    return false;
  }

  /** A name with \. or \DDD escapes: decoded to label bytes first. */
  private escapedName(name: string, compress: boolean) {
    const { labels, starts } = labelInfo(name);
    let total = 1;
    for (const l of labels) total += l.length + 1;
    if (total > 255) throw new EncodeError(`name too long: ${name}`);
    for (let i = 0; i < labels.length; i++) {
      if (this.compressed(i === 0 ? name : name.slice(starts[i]), compress)) return;
      const l = labels[i];
      this.u8(l.length);
      for (let j = 0; j < l.length; j++) this.buf[this.o + j] = l[j];
      this.o += l.length;
    }
    this.u8(0);
  }

  rr(rr: RR) {
    this.name(rr.name);
    this.u16(rr.type);
    this.u16(1);
    this.u32(rr.ttl);
    const lenAt = this.o;
    this.o += 2;
    const start = this.o;
    if (rr.data === undefined) {
      rr.raw.copy(this.buf, this.o);
      this.o += rr.raw.length;
    } else {
      switch (rr.type) {
        case QTYPE.A: this.ipv4(rr.data as string); break;
        case QTYPE.AAAA: this.ipv6(rr.data as string); break;
        case QTYPE.CNAME: case QTYPE.PTR: case QTYPE.NS: this.name(rr.data as string); break;
        case QTYPE.SRV: {
          const d = rr.data as SrvData;
          this.u16(d.priority); this.u16(d.weight); this.u16(d.port);
          // RFC 2782: the target is not compressed.
          this.name(d.target, false);
          break;
        }
        case QTYPE.MX: {
          const d = rr.data as MxData;
          // RFC 1035 lets the exchange be compressed (unlike SRV's target).
          this.u16(d.preference); this.name(d.exchange);
          break;
        }
        case QTYPE.SOA: {
          const d = rr.data as SoaData;
          this.name(d.mname); this.name(d.rname);
          this.u32(d.serial); this.u32(d.refresh); this.u32(d.retry); this.u32(d.expire); this.u32(d.minimum);
          break;
        }
        case QTYPE.TXT:
          for (const t of rr.data as string[]) {
            const n = Buffer.byteLength(t);
            if (n > 255) throw new EncodeError('TXT string over 255 bytes');
            this.u8(n);
            this.o += this.buf.write(t, this.o);
          }
          break;
        default:
          throw new EncodeError(`cannot encode type ${(rr as RR).type}`);
      }
    }
    this.buf.writeUInt16BE(this.o - start, lenAt);
  }

  private ipv4(ip: string) {
    if (!isIPv4(ip)) throw new EncodeError(`not an IPv4 address: ${ip}`);
    let n = 0;
    let acc = 0;
    for (let i = 0; i <= ip.length; i++) {
      const c = i < ip.length ? ip.charCodeAt(i) : 46;
      if (c === 46) { this.buf[this.o + n++] = acc; acc = 0; } else acc = acc * 10 + (c - 48);
    }
    this.o += 4;
  }

  private ipv6(ip: string) {
    const w = ipv6Words(ip);
    if (!w) throw new EncodeError(`not an IPv6 address: ${ip}`);
    for (const x of w) this.u16(x);
  }
}

interface LabelInfo {
  labels: Buffer[];
  /** where each label starts in the presentation name */
  starts: number[];
}

/** Only names with escapes come here: few, so a small cap. */
const labelCache = new Map<string, LabelInfo>();

/** Labels of a presentation name as bytes, honouring \. and \DDD escapes; rejects empty and >63-byte labels. */
function labelInfo(name: string): LabelInfo {
  const cached = labelCache.get(name);
  if (cached) return cached;
  const labels: Buffer[] = [];
  const starts: number[] = [0];
  const n = name.endsWith('.') && !name.endsWith('\\.') ? name.slice(0, -1) : name;
  let cur: number[] = [];
  const push = () => {
    if (cur.length === 0) throw new EncodeError(`empty label in ${JSON.stringify(name)}`);
    if (cur.length > 63) throw new EncodeError(`label over 63 bytes in ${JSON.stringify(name)}`);
    labels.push(Buffer.from(cur));
    cur = [];
  };
  for (let i = 0; i < n.length; i++) {
    const c = n.charCodeAt(i);
    if (c === 92 /* \ */ && i + 1 < n.length) {
      const d = n.slice(i + 1, i + 4);
      if (/^\d{3}$/.test(d)) { cur.push(Number(d) & 0xff); i += 3; } else { cur.push(n.charCodeAt(i + 1) & 0xff); i++; }
    } else if (c === 46 /* . */) {
      push();
      starts.push(i + 1);
    } else {
      cur.push(c & 0xff);
    }
  }
  push();
  const info = { labels, starts };
  if (labelCache.size > 10_000) labelCache.clear();
  labelCache.set(name, info);
  return info;
}

const OPT_LEN = 11;

export interface EncodeInput {
  header: ResponseHeader;
  question?: Question;
  answer: readonly RR[];
  authority: readonly RR[];
  additional: readonly RR[];
  edns?: Edns;
  /** extended rcode bits above 4 go into the OPT (BADVERS) */
  tc?: boolean;
}

/**
 * Encodes a response no larger than `limit` bytes: when it does not fit, whole records are kept in order as far
 * as they fit and TC is set (the OPT is always kept), as miekg/dns's Truncate does for CoreDNS.
 */
export function encodeResponse(msg: EncodeInput, limit = MAX_MESSAGE): Buffer {
  const w = new Writer(scratch);
  const h = msg.header;
  w.u16(h.id);
  w.u16(0);
  w.u16(msg.question ? 1 : 0);
  w.u16(0); w.u16(0); w.u16(0);
  if (msg.question) {
    w.name(msg.question.name, false);
    w.u16(msg.question.type);
    w.u16(msg.question.class);
  }
  const optLen = msg.edns ? OPT_LEN : 0;
  const sections = [msg.answer, msg.authority, msg.additional];
  const counts = [0, 0, 0];
  let tc = msg.tc === true;
  const max = Math.min(limit, MAX_MESSAGE);
  outer: for (let s = 0; s < 3; s++) {
    for (const rr of sections[s]) {
      const before = w.o;
      w.rr(rr);
      if (w.o + optLen > max) {
        w.o = before;
        tc = true;
        break outer;
      }
      counts[s]++;
    }
  }
  let arcount = counts[2];
  if (msg.edns) {
    w.u8(0);
    w.u16(QTYPE.OPT);
    w.u16(msg.edns.udpSize);
    w.u8(h.rcode >> 4);
    w.u8(0);
    w.u16(msg.edns.do ? 0x8000 : 0);
    w.u16(0);
    arcount++;
  }
  const flags = 0x8000 | ((h.opcode & 0xf) << 11) | (h.aa ? 0x0400 : 0) | (tc ? 0x0200 : 0) | (h.rd ? 0x0100 : 0)
    | (h.cd ? 0x0010 : 0) | (h.rcode & 0xf);
  scratch.writeUInt16BE(flags, 2);
  scratch.writeUInt16BE(counts[0], 6);
  scratch.writeUInt16BE(counts[1], 8);
  scratch.writeUInt16BE(arcount, 10);
  return Buffer.from(scratch.subarray(0, w.o));
}
