// A server block's plugins in execution order, and the server blocks of one listener. A request enters the block
// whose zone is the longest match of its name (CoreDNS's server selection), then runs its plugins in order: each
// answers or calls next. Past the last plugin the block answers SERVFAIL, as CoreDNS's NextOrFailure does; a name no
// block serves is REFUSED.
//
// An answer that names an out-of-zone target to look up (Answer.chase: an ExternalName's CNAME) is completed as it
// leaves the plugin that made it, by a lookup from the top (the listener's blocks), as CoreDNS's plugin/pkg/upstream
// re-enters its own server from inside the kubernetes plugin: the plugins before it (cache's TTL, rewrite,
// loadbalance) see the CNAME and its target as one answer, as they do in CoreDNS.
import { RCODE, type Answer } from '../dns/records.js';
import { rawAnswerRecords, queryFor } from './raw-records.js';
import type { Next, Plugin, QueryEvent, Reply, Request } from './handler.js';
import { inZone } from '../dns/names.js';

/** CoreDNS gives up on a chain of CNAMEs through its own lookups after this many */
const MAX_DEPTH = 8;

const refusal = (rcode: number): Answer => ({ rcode, aa: false, answer: [], authority: [], additional: [] });

/** f applied to r now, or when r settles: the chain stays synchronous while every plugin is. */
export function then<T, U>(r: T | Promise<T>, f: (v: T) => U | Promise<U>): U | Promise<U> {
  return r instanceof Promise ? r.then(f) : f(r);
}

export class Chain {
  private readonly run: Next;
  private readonly finishers: Plugin[];
  private readonly generations: Plugin[];
  readonly watchers: Plugin[];
  /** the listener's blocks, from the top: where a chase is looked up (set by ServerBlocks) */
  lookup: ((req: Request) => Reply | Promise<Reply>) | undefined;

  /**
   * `plugins` in execution order. `endRcode`: what the end of the chain answers (SERVFAIL in a Corefile block, as
   * CoreDNS; REFUSED for the command line's implicit block, where "not ours" has always meant REFUSED).
   */
  constructor(readonly plugins: readonly Plugin[], readonly endRcode: number = RCODE.SERVFAIL) {
    const end = { kind: 'answer' as const, answer: refusal(endRcode), plugin: '' };
    let next: Next = () => end;
    for (let i = plugins.length - 1; i >= 0; i--) {
      const p = plugins[i]!;
      const after = next;
      next = (req) => {
        const r = p.serveDNS(req, after);
        // the common case decided by two property reads; only a chase (or a promise) takes the slower path
        if (r && !(r instanceof Promise) && (r.kind !== 'answer' || !r.answer.chase)) return r;
        return then(r, (v) => this.complete(req, v));
      };
    }
    this.run = next;
    this.finishers = plugins.filter((p) => p.finish);
    this.generations = plugins.filter((p) => p.generation);
    this.watchers = plugins.filter((p) => p.onQuery);
  }

  /** the plugin called `name`, if the chain has one */
  plugin<T extends Plugin = Plugin>(name: string): T | undefined {
    return this.plugins.find((p) => p.name === name) as T | undefined;
  }

  /** changes whenever any plugin's answers may have */
  generation(): number {
    let g = 0;
    for (const p of this.generations) g = (g * 31 + p.generation!()) % 0x1fffffffffffff;
    return g;
  }

  get finishes(): boolean {
    return this.finishers.length > 0;
  }

  finish(out: Buffer, req: { type: number; transport: Request['transport']; client: string }): Buffer {
    let b = out;
    for (const p of this.finishers) b = p.finish!(b, req);
    return b;
  }

  serve(req: Request): Reply | Promise<Reply> {
    return this.run(req);
  }

  /** An answer that wants its CNAME target looked up gets it from a lookup of ours, from the top. */
  private complete(req: Request, r: Reply): Reply | Promise<Reply> {
    if (!r || r.kind !== 'answer' || !r.answer.chase) return r;
    const { chase, ...rest } = r.answer;
    if (req.depth >= MAX_DEPTH || !this.lookup) return { ...r, answer: rest };
    const sub: Request = {
      name: chase.name, type: chase.type, msg: queryFor(chase.name, chase.type, req.rd), asked: chase, transport: req.transport,
      client: '', rd: req.rd, cd: req.cd, edns: false, do: false, limit: 65535, varies: false, depth: req.depth + 1,
      ...(req.probe ? { probe: true } : {}),
    };
    return then(this.lookup(sub), (s) => {
      // What came from elsewhere can change without our generation moving: not cached.
      if (sub.varies || s?.kind === 'raw') req.varies = true;
      const found = !s ? undefined : s.kind === 'answer' ? { records: s.answer.answer, tc: !!s.answer.tc }
        : s.kind === 'raw' ? rawAnswerRecords(s.bytes) : undefined;
      if (!found) return { ...r, answer: rest };
      // A CNAME loop (a → b → a) comes back from each level with the records above it again: each RR once
      // (RFC 2181 §5), not the loop unrolled to MAX_DEPTH.
      const key = (rr: Answer['answer'][number]) => `${rr.name.toLowerCase()} ${rr.type} ${JSON.stringify(rr.data)}`;
      const have = new Set(rest.answer.map(key));
      const added = found.records.filter((rr) => { const k = key(rr); if (have.has(k)) return false; have.add(k); return true; });
      const answer: Answer = { ...rest, answer: [...rest.answer, ...added] };
      if (found.tc || rest.tc) answer.tc = true;
      return { ...r, answer };
    });
  }
}

/** generations handed out by every ServerBlocks: a new set (a reloaded Corefile) starts from its own, emptying the answer cache */
let made = 0;

/** One listener's server blocks. */
export class ServerBlocks {
  /** the plugins with a generation(), and what each said last time */
  private readonly sources: Plugin[];
  private readonly seen: number[] = [];
  private current = ++made;
  private readonly blocks: { zone: string; chain: Chain }[];
  private readonly finishing: boolean;
  private readonly single: Chain | undefined;
  /** whether some block has a plugin that sees every answered query (log, errors) */
  readonly watching: boolean;

  /** `zones` lower case without the trailing dot; '' is the root ("."). */
  constructor(blocks: { zones: readonly string[]; chain: Chain }[]) {
    this.blocks = blocks.flatMap((b) => b.zones.map((zone) => ({ zone, chain: b.chain })))
      .sort((a, b) => b.zone.length - a.zone.length);
    const chains = this.chains;
    this.sources = chains.flatMap((c) => c.plugins.filter((p) => p.generation));
    this.finishing = chains.some((c) => c.finishes);
    this.single = chains.length === 1 ? chains[0] : undefined;
    this.watching = chains.some((c) => c.watchers.length > 0);
    for (const c of chains) c.lookup = (req) => this.serve(req);
  }

  /** Tells the plugins of the block that served `e` about it (decodes the name only when blocks differ). */
  notify(e: QueryEvent): void {
    if (!this.watching) return;
    const chain = this.single ?? this.select(e.question.name);
    if (chain) for (const p of chain.watchers) p.onQuery!(e);
  }

  /** the chains, each once */
  get chains(): Chain[] {
    return [...new Set(this.blocks.map((b) => b.chain))];
  }

  /** The block serving `name` (any case): its longest zone that contains it. */
  select(name: string): Chain | undefined {
    if (this.blocks.length === 1 && this.blocks[0]!.zone === '') return this.blocks[0]!.chain;
    const lname = name.toLowerCase();
    for (const b of this.blocks) {
      if (inZone(lname, b.zone)) return b.chain;
    }
    return undefined;
  }

  /** whether some block rewrites replies on the way out (Plugin.finish) */
  get finishes(): boolean {
    return this.finishing;
  }

  /** The finishing touches of the block that serves `q`'s name (decoded only when blocks differ in them). */
  finish(out: Buffer, q: { readonly name: string; readonly type: number }, transport: Request['transport'], client: string): Buffer {
    const chain = this.single ?? this.select(q.name);
    return chain && chain.finishes ? chain.finish(out, { type: q.type, transport, client }) : out;
  }

  /**
   * A number that changes whenever any plugin's generation does, and that no other state of any ServerBlocks has had:
   * a new value is taken from the count shared by every ServerBlocks. (A hash of the plugins' generations could come
   * back to an old value: a reload's new epoch and a new hosts plugin's generation, back to 1, cancelled out.)
   */
  generation(): number {
    const seen = this.seen;
    let changed = false;
    for (let i = 0; i < this.sources.length; i++) {
      const g = this.sources[i]!.generation!();
      if (seen[i] !== g) { seen[i] = g; changed = true; }
    }
    if (changed) this.current = ++made;
    return this.current;
  }

  serve(req: Request): Reply | Promise<Reply> {
    const chain = this.select(req.name);
    if (!chain) return { kind: 'answer', answer: refusal(RCODE.REFUSED), plugin: '' };
    return chain.serve(req);
  }
}
