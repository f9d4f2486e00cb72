// The loadbalance plugin: CoreDNS shuffles A, AAAA and MX records in a ResponseWriter wrapped around the rest of the
// chain; here the same reordering runs on the encoded reply after the answer cache (Plugin.finish), so cached
// answers stay cached as bytes and every reply, cache hit, miss or forwarded, is shuffled anew.
import { randomInt } from 'node:crypto';
import { QTYPE, type RR } from '../../dns/records.js';
import { then } from '../../plugin/chain.js';
import type { AnswerReply, Next, Plugin, Reply, Request } from '../../plugin/handler.js';
import { EncodeError, encodeResponse } from '../../wire/encoder.js';
import { balance, type Cidr, type Rand16 } from './permute.js';
import { arrangeRecords } from './records.js';

/** what the server advertises in its OPT (lib/wire/responder.ts EDNS_UDP_SIZE) */
const EDNS_UDP_SIZE = 1232;

/** xorshift32: cheap, and with a seed the same sequence every run (tests) */
export function random16(seed?: number): Rand16 {
  let x = (seed ?? randomInt(1, 0x100000000)) >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x >>> 16;
  };
}

/** at least as many bytes as the records take in a message, uncompressed (a presentation name + 2 ≥ its wire form) */
function sizeBound(rrs: readonly RR[]): number {
  let n = 0;
  for (const rr of rrs) {
    n += rr.name.length + 2 + 10;
    if (rr.data === undefined) { n += rr.raw.length; continue; }
    switch (rr.type) {
      case QTYPE.A: n += 4; break;
      case QTYPE.AAAA: n += 16; break;
      case QTYPE.CNAME: case QTYPE.NS: case QTYPE.PTR: n += rr.data.length + 2; break;
      case QTYPE.MX: n += 2 + rr.data.exchange.length + 2; break;
      case QTYPE.SRV: n += 6 + rr.data.target.length + 2; break;
      case QTYPE.SOA: n += rr.data.mname.length + rr.data.rname.length + 4 + 20; break;
      case QTYPE.TXT: for (const t of rr.data) n += 1 + 3 * t.length; break;
      default: n += 65535;
    }
  }
  return n;
}

export class LoadBalancePlugin implements Plugin {
  readonly name = 'loadbalance';
  private readonly rand: Rand16;
  private readonly prefer: readonly Cidr[] | null;

  constructor(prefer: readonly Cidr[], seed?: number) {
    this.rand = random16(seed);
    this.prefer = prefer.length > 0 ? prefer : null;
  }

  serveDNS(req: Request, next: Next): Reply | Promise<Reply> {
    if (req.transport !== 'udp' || req.type === QTYPE.AXFR || req.type === QTYPE.IXFR) return next(req);
    return then(next(req), (r) => (r && r.kind === 'answer' && r.answer.rcode === 0 ? this.beforeTruncation(req, r) : r));
  }

  /**
   * A UDP answer that will not fit the client's size is shuffled here, before the encoder truncates it, as CoreDNS
   * shuffles before it truncates: every reply then keeps a different subset. Such replies are not cached (varies).
   * Answers that fit are left to finish(), which shuffles the cached bytes.
   */
  private beforeTruncation(req: Request, r: AnswerReply): Reply {
    const a = r.answer;
    if (a.answer.length + a.authority.length + a.additional.length < 2) return r;
    // Most answers fit even uncompressed: decided from string lengths, without encoding anything.
    const question = req.asked.name.length + 6;
    if (12 + question + 11 + sizeBound(a.answer) + sizeBound(a.authority) + sizeBound(a.additional) <= req.limit) return r;
    let encoded: Buffer;
    try {
      encoded = encodeResponse({
        header: { id: 0, opcode: 0, aa: a.aa, rd: false, cd: false, rcode: a.rcode },
        question: { name: req.asked.name, type: req.asked.type, class: 1 },
        answer: a.answer, authority: a.authority, additional: a.additional,
        ...(req.edns ? { edns: { udpSize: EDNS_UDP_SIZE, do: req.do } } : {}),
      }, req.limit);
    } catch (err) {
      if (err instanceof EncodeError) return r;
      throw err;
    }
    if ((encoded[2]! & 0x02) === 0) return r;
    req.varies = true;
    return { ...r, answer: { ...a,
      answer: arrangeRecords(a.answer, this.rand, this.prefer),
      authority: arrangeRecords(a.authority, this.rand, null),
      additional: arrangeRecords(a.additional, this.rand, this.prefer) } };
  }

  finish(out: Buffer, req: { type: number }): Buffer {
    // As CoreDNS: only NOERROR replies, and never a zone transfer.
    if (req.type === QTYPE.AXFR || req.type === QTYPE.IXFR || out.length < 12 || (out[3]! & 0x0f) !== 0) return out;
    return balance(out, this.rand, this.prefer);
  }
}
