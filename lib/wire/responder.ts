// Query bytes in, response bytes out: the server in front of the plugin chains (lib/plugin/chain.ts). It parses the
// query, answers what is malformed, applies faults, keeps the answer cache, and encodes what the chain answers.
// Answers are cached as encoded bytes per (question, EDNS, size limit), bounded
// in bytes (answer-cache.ts) and dropped wholesale when the cluster's generation moves, so a repeated question costs
// one copy and a patch of the ID, flags and spelling: no resolve, no encode, no per-query objects beyond the reply
// buffer and the key string.
import type { ClusterView } from '../cluster/store.js';
import { QTYPE, RCODE, type Answer, type RR } from '../dns/records.js';
import { resolve } from '../dns/resolver.js';
import type { ResolverConfig } from '../dns/resolver-config.js';
import { then, type ServerBlocks } from '../plugin/chain.js';
import type { QueryEvent, QuestionRef, Reply, Request, Transport, Upstream } from '../plugin/handler.js';
import { EncodeError, encodeResponse, type Edns, type Question } from './encoder.js';
import { encodeAnswer, encodeMessage, encodeOrNull, patch, questionOf } from './reply-encoding.js';
import { alternateCase, AnswerCache, casePatch, DEFAULT_CACHE_BYTES, flipCase, patchHit, type Found } from './answer-cache.js';
import { parseQuery, type ParsedQuery } from './query.js';
import { faultAnswer, type WrongData } from './fault-answer.js';
import type { MessageStream } from './message-stream.js';

export type { Transport, QuestionRef, QueryEvent, Upstream };
export { encodeAnswer };

/** What the server advertises and the most it sends over UDP (DNS Flag Day 2020). */
export const EDNS_UDP_SIZE = 1232;

/** A fault a test suite injected for a name: see lib/admin faults. */
export type FaultAction =
  | { action: 'rcode'; rcode: number }
  | { action: 'delay'; ms: number }
  | { action: 'drop' }
  | { action: 'truncate' }
  | WrongData;

export interface ResponderHooks {
  onQuery?(e: QueryEvent): void;
  /**
   * consulted before the cache; undefined = answer normally. Must not read the name unless a fault could apply.
   * `client` (the source address) and `transport` select faults; `client` also lets a look that is not DNS
   * traffic (the admin resolve route) see a fault without using it up.
   */
  fault?(q: QuestionRef, client: string, transport: Transport): FaultAction | undefined;
}

export interface ResponderOptions {
  /** the answer cache's size in bytes (0 = no cache) */
  cacheBytes?: number;
}

/** queries a delay fault may hold at once, and the request bytes they may hold */
const MAX_DELAYED = 10_000;
const MAX_DELAYED_BYTES = 16 * 1024 * 1024;

/** One reply, several (a zone transfer over TCP), or none. */
export type HandleResult = Buffer | Buffer[] | MessageStream | null | Promise<Buffer | Buffer[] | MessageStream | null>;

type Sent = Buffer | Buffer[] | MessageStream | null;

export class Responder {
  private readonly cache: AnswerCache;
  private readonly found: Found = { variantOf: undefined, exactOnly: false, first: undefined };

  /**
   * `blocks`: the listener's server blocks (read per query, so a reloaded Corefile takes effect at once).
   * `view`/`cfg`: the cluster zones, which faults consult to shape their answers like real ones.
   */
  constructor(
    private blocks: () => ServerBlocks,
    private view: ClusterView,
    private cfg: () => ResolverConfig,
    public hooks: ResponderHooks = {},
    opts: ResponderOptions = {},
  ) {
    this.cache = new AnswerCache(opts.cacheBytes ?? DEFAULT_CACHE_BYTES);
  }

  /** queries a delay fault holds now */
  delayedQueries(): number {
    return this.delayed;
  }

  /** bytes and questions the answer cache holds now */
  cacheStats(): { bytes: number; questions: number; maxBytes: number } {
    return { bytes: this.cache.bytes, questions: this.cache.size, maxBytes: this.cache.maxBytes };
  }

  handle(msg: Buffer, transport: Transport, client = '', port = 0): HandleResult {
    const start = this.hooks.onQuery ? performance.now() : 0;
    const p = parseQuery(msg);
    if (!p.ok) {
      if (p.drop) return null;
      const header = { id: p.id, opcode: p.opcode, aa: false, rd: p.rd, cd: false, rcode: p.rcode };
      let out: Buffer;
      try {
        out = encodeResponse({ header, ...(p.question ? { question: p.question } : {}), answer: [], authority: [], additional: [] });
      } catch (err) {
        // A question that cannot be written back still gets its FORMERR, header only.
        if (!(err instanceof EncodeError)) throw err;
        out = encodeResponse({ header, answer: [], authority: [], additional: [] });
      }
      this.emit(start, p.question ?? { name: '', type: 0 }, transport, client, p.rcode, 0, msg.length, out.length, '', false, false, port, out);
      return out;
    }
    const q = p.query;
    const limit = transport === 'tcp' ? 65535 : q.edns ? Math.min(Math.max(q.edns.udpSize, 512), EDNS_UDP_SIZE) : 512;
    const edns: Edns | undefined = q.edns ? { udpSize: EDNS_UDP_SIZE, do: q.edns.do } : undefined;

    if (q.edns && q.edns.version > 0) {
      return this.errorReply(start, q, questionOf(q), edns, RCODE.BADVERS, transport, client, msg.length, port);
    }
    if (q.class !== 1) return this.errorReply(start, q, questionOf(q), edns, RCODE.REFUSED, transport, client, msg.length, port);

    if (this.hooks.fault) {
      const f = this.hooks.fault(q, client, transport);
      if (f) return this.applyFault(f, start, q, questionOf(q), edns, limit, transport, client, msg, port);
    }

    const blocks = this.blocks();
    const cacheable = q.questionEnd > 0 && this.cache.maxBytes > 0;
    let key = '';
    const variant = limit * 4 + (edns ? (edns.do ? 2 : 1) : 0);
    if (cacheable) {
      this.cache.sync(blocks.generation());
      key = this.cache.key(msg, q.questionEnd);
      const hit = this.cache.lookup(key, variant, msg, q.questionEnd);
      if (hit) {
        let out = patchHit(hit, msg, q.questionEnd - 4, q.id, q.rd, q.cd);
        if (blocks.finishes) out = blocks.finish(out, q, transport, client);
        this.emit(start, q, transport, client, hit.rcode, hit.answers, msg.length, out.length, hit.plugin, !!edns, !!edns?.do, port, out);
        return out;
      }
    }
    return this.serve(blocks, start, q, edns, limit, transport, client, msg, cacheable ? key : undefined, variant, port);
  }

  /** The chain's reply to a query, encoded; kept in the cache when `key` is given and the reply allows it. */
  private serve(blocks: ServerBlocks, start: number, q: ParsedQuery, edns: Edns | undefined, limit: number,
    transport: Transport, client: string, msg: Buffer, key: string | undefined, variant: number, port = 0): HandleResult {
    const req = requestOf(q, msg, transport, client, limit, edns, q.name, q.type, port);
    return then(blocks.serve(req), (r) => this.deliver(blocks, r, req, start, q, edns, limit, msg, key, variant));
  }

  private deliver(blocks: ServerBlocks, r: Reply, req: Request, start: number, q: ParsedQuery, edns: Edns | undefined,
    limit: number, msg: Buffer, key: string | undefined, variant: number): Sent {
    const { transport, client } = req;
    const port = req.port ?? 0;
    if (!r) {
      this.emit(start, q, transport, client, -1, 0, msg.length, 0, '', !!edns, !!edns?.do, port);
      return null;
    }
    if (r.kind === 'raw') {
      // A reply to a query of our own making (the question was rewritten) carries that query's ID: the client's goes in.
      let out = r.bytes;
      if (out.length >= 2) { out[0] = q.id >> 8; out[1] = q.id & 0xff; }
      if (blocks.finishes) out = blocks.finish(out, q, transport, client);
      this.emit(start, q, transport, client, out.length >= 4 ? out[3]! & 0xf : 0,
        out.length >= 8 ? out.readUInt16BE(6) : 0, msg.length, out.length, r.plugin, !!edns, !!edns?.do, port, out);
      return out;
    }
    const question = questionOf(q);
    if (r.kind === 'messages') return this.messages(r.messages, r.plugin, start, q, question, edns, transport, client, msg.length, port);
    const ans = r.answer;
    // Data that cannot be written (e.g. an ExternalName with a label over 63 bytes): SERVFAIL, not silence.
    const buf = encodeOrNull(ans, question, edns, limit);
    if (!buf) return this.errorReply(start, q, question, edns, RCODE.SERVFAIL, transport, client, msg.length, port);
    if (key !== undefined && !req.varies && r.plugin !== '') {
      this.remember(blocks, key, variant, buf, ans, r.plugin, q, question, edns, limit, msg, transport, client);
    }
    let out = patch(buf, q);
    if (blocks.finishes) out = blocks.finish(out, q, transport, client);
    this.emit(start, q, transport, client, ans.rcode, ans.answer.length, msg.length, out.length, r.plugin, !!edns, !!edns?.do, port, out);
    return out;
  }

  /**
   * Each message encoded as it is taken, without OPT (miekg/dns's Transfer.Out, which CoreDNS's transfer plugin
   * writes with, adds none). The query is counted once, when the last message went or the connection closed.
   */
  private *messages(messages: Iterable<Answer>, plugin: string, start: number, q: ParsedQuery, question: Question,
    edns: Edns | undefined, transport: Transport, client: string, reqSize: number, port = 0): MessageStream {
    let answers = 0;
    let bytes = 0;
    let rcode = -1;
    try {
      for (const m of messages) {
        const buf = encodeMessage(m, question, q);
        if (!buf) {
          // Nothing sent yet: the client gets a SERVFAIL. Midway, a transfer can only be cut off.
          if (rcode >= 0) throw new EncodeError('a zone transfer message could not be encoded');
          const out = encodeResponse({ header: { id: q.id, opcode: 0, aa: false, rd: q.rd, cd: q.cd, rcode: RCODE.SERVFAIL }, question, answer: [], authority: [], additional: [], ...(edns ? { edns } : {}) });
          rcode = RCODE.SERVFAIL;
          bytes += out.length;
          yield out;
          return;
        }
        if (rcode < 0) rcode = m.rcode;
        answers += m.answer.length;
        bytes += buf.length;
        yield buf;
      }
    } finally {
      this.emit(start, q, transport, client, rcode, answers, reqSize, bytes, plugin, !!edns, !!edns?.do, port);
    }
  }

  /**
   * Keeps a fresh reply. The first other spelling of a cached question decides, once, whether one reply can serve
   * every spelling: the replies for two spellings with every letter's case flipped between them are made and
   * compared (casePatch). Only replies the chain gives at once can be compared: others are kept per spelling.
   */
  private remember(blocks: ServerBlocks, key: string, variant: number, buf: Buffer, ans: Answer, plugin: string,
    q: ParsedQuery, question: Question, edns: Edns | undefined, limit: number, msg: Buffer, transport: Transport, client: string): void {
    const found = this.found;
    this.cache.missInfo(key, variant, found);
    const other = found.variantOf;
    if (!other) {
      this.cache.addExact(key, found.first, variant, buf, ans.rcode, ans.answer.length, plugin, msg, q.questionEnd, found.exactOnly);
      return;
    }
    let segments: Uint16Array | null | undefined;
    let shared: Buffer | undefined;
    try {
      // Two spellings with every letter flipped between them and an upper-case letter in each label of both, so
      // that neither spelling compresses against the (lower-case) names from the API objects where the other
      // does not: the lower-case spelling would, and its reply would differ in its pointers alone.
      const one = alternateCase(q.name);
      const two = flipCase(one);
      const a = this.answerNow(blocks, q, msg, transport, client, limit, edns, one);
      const b = a && this.answerNow(blocks, q, msg, transport, client, limit, edns, two);
      if (a && b) {
        shared = encodeAnswer(a, { ...question, name: one }, edns, limit);
        segments = casePatch(shared, encodeAnswer(b, { ...question, name: two }, edns, limit), q.questionEnd - 4);
      }
    } catch (err) {
      if (!(err instanceof EncodeError)) throw err;
    }
    if (segments !== undefined && shared) {
      this.cache.addAnyCase(key, found.first, other, shared, segments);
    } else {
      this.cache.markExactOnly(other);
      this.cache.addExact(key, found.first, variant, buf, ans.rcode, ans.answer.length, plugin, msg, q.questionEnd, true);
    }
  }

  /** The chain's answer for another spelling of the question, when it gives one at once that may be cached. */
  private answerNow(blocks: ServerBlocks, q: ParsedQuery, msg: Buffer, transport: Transport, client: string,
    limit: number, edns: Edns | undefined, name: string): Answer | undefined {
    const req: Request = { ...requestOf(q, msg, transport, client, limit, edns, name, q.type), probe: true };
    const r = blocks.serve(req);
    if (r instanceof Promise) {
      r.catch(() => undefined);
      return undefined;
    }
    return r && r.kind === 'answer' && !req.varies ? r.answer : undefined;
  }

  private errorReply(start: number, q: ParsedQuery, question: Question, edns: Edns | undefined, rcode: number,
    transport: Transport, client: string, reqSize: number, port = 0): Buffer {
    const out = encodeResponse({
      header: { id: q.id, opcode: 0, aa: false, rd: q.rd, cd: q.cd, rcode },
      question, answer: [], authority: [], additional: [], ...(edns ? { edns } : {}),
    });
    this.emit(start, q, transport, client, rcode, 0, reqSize, out.length, '', !!edns, !!edns?.do, port, out);
    return out;
  }

  private applyFault(f: FaultAction, start: number, q: ParsedQuery, question: Question, edns: Edns | undefined,
    limit: number, transport: Transport, client: string, msg: Buffer, port = 0): HandleResult {
    switch (f.action) {
      case 'drop':
        this.emit(start, q, transport, client, -1, 0, msg.length, 0, 'fault', !!edns, !!edns?.do, port);
        return null;
      case 'rcode': {
        // An injected NXDOMAIN looks like a real one: AA and the zone's SOA (an SOA query below the apex gives it).
        const soa = resolve(this.view, this.cfg(), q.name, QTYPE.SOA);
        const authority = f.rcode === RCODE.NXDOMAIN ? (soa.authority.length ? soa.authority : soa.answer) : [];
        const out = encodeResponse({
          header: { id: q.id, opcode: 0, aa: !soa.outOfZone && f.rcode === RCODE.NXDOMAIN, rd: q.rd, cd: q.cd, rcode: f.rcode },
          question, answer: [], authority, additional: [],
          ...(edns ? { edns } : {}),
        }, limit);
        this.emit(start, q, transport, client, f.rcode, 0, msg.length, out.length, 'fault', !!edns, !!edns?.do, port, out);
        return out;
      }
      case 'answer':
      case 'empty': {
        // Wrong data, as real-looking as the real thing: encoded like any answer, never cached.
        const ans = faultAnswer(f, this.view, this.cfg(), q.name, q.type);
        const buf = encodeOrNull(ans, question, edns, limit);
        if (!buf) return this.errorReply(start, q, question, edns, RCODE.SERVFAIL, transport, client, msg.length, port);
        const out = patch(buf, q);
        this.emit(start, q, transport, client, ans.rcode, ans.answer.length, msg.length, out.length, 'fault', !!edns, !!edns?.do, port, out);
        return out;
      }
      case 'truncate': {
        // TC over UDP makes the client retry over TCP, where the real answer is given.
        if (transport === 'tcp') return this.answerUncached(start, q, question, edns, limit, transport, client, msg);
        const out = encodeResponse({
          header: { id: q.id, opcode: 0, aa: true, rd: q.rd, cd: q.cd, rcode: 0 },
          question, answer: [], authority: [], additional: [], tc: true, ...(edns ? { edns } : {}),
        });
        this.emit(start, q, transport, client, 0, 0, msg.length, out.length, 'fault', !!edns, !!edns?.do, port, out);
        return out;
      }
      case 'delay': {
        // Each delayed query holds its request until answered: past the bounds a flood's excess is dropped, as a
        // server that is that slow would lose it, instead of growing the heap (TCP has its per-connection cap too).
        if (this.delayed >= MAX_DELAYED || this.delayedBytes + msg.length > MAX_DELAYED_BYTES) {
          this.emit(start, q, transport, client, -1, 0, msg.length, 0, 'fault', !!edns, !!edns?.do, port);
          return null;
        }
        this.delayed++;
        this.delayedBytes += msg.length;
        return new Promise((res) => {
          setTimeout(() => {
            this.delayed--;
            this.delayedBytes -= msg.length;
            res(this.answerUncached(start, q, question, edns, limit, transport, client, msg));
          }, f.ms).unref?.();
        });
      }
    }
  }

  private answerUncached(start: number, q: ParsedQuery, question: Question, edns: Edns | undefined, limit: number,
    transport: Transport, client: string, msg: Buffer): HandleResult {
    void question;
    return this.serve(this.blocks(), start, q, edns, limit, transport, client, msg, undefined, 0);
  }

  private delayed = 0;
  private delayedBytes = 0;

  private readonly event: QueryEvent = {
    question: { name: '', type: 0 }, transport: 'udp', client: '', rcode: 0, answers: 0, requestSize: 0,
    responseSize: 0, start: 0, plugin: '', edns: false, do: false, port: 0, id: 0, flags: -1, bufsize: 0, reply: undefined,
  };

  private emit(start: number, question: QuestionRef, transport: Transport, client: string, rcode: number,
    answers: number, requestSize: number, responseSize: number, plugin: string, edns: boolean, dobit: boolean,
    port = 0, out?: Buffer): void {
    const on = this.hooks.onQuery;
    if (!on) return;
    const e = this.event;
    e.port = port;
    e.id = out && out.length >= 4 ? out.readUInt16BE(0) : 0;
    e.flags = out && out.length >= 4 ? out.readUInt16BE(2) : -1;
    e.reply = out;
    e.bufsize = (question as Partial<ParsedQuery>).edns?.udpSize ?? 0;
    e.question = question; e.transport = transport; e.client = client; e.rcode = rcode; e.answers = answers;
    e.requestSize = requestSize; e.responseSize = responseSize; e.start = start; e.plugin = plugin; e.edns = edns; e.do = dobit;
    on(e);
  }
}

function requestOf(q: ParsedQuery, msg: Buffer, transport: Transport, client: string, limit: number,
  edns: Edns | undefined, name: string, type: number, port = 0): Request {
  return {
    name, type, msg, asked: q, transport, client, port, rd: q.rd, cd: q.cd, edns: !!edns, do: !!edns?.do, limit,
    varies: false, depth: 0,
  };
}

export type { RR };
