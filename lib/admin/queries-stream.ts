// The live query stream behind GET /api/v1/queries/stream (Server-Sent Events): one hub per server fans each
// query out to the open streams. While no stream is open the hub is unhooked from the journal, so the DNS path
// pays one field check (journal.ts) and nothing else: no decoding, no walk tracking, no JSON.
//
// With streams open, each query is turned into one event (its answers decoded from the reply bytes, its latency,
// its search-walk mark), serialized once, and queued on every stream whose filter takes it, up to
// MAX_EVENTS_PER_SECOND a stream (past it the event is not built: the CPU a watcher costs has a ceiling whatever
// the query rate). The queues are written in batches, every FLUSH_MS or FLUSH_BYTES. A stream whose socket holds
// more than MAX_BUFFERED_BYTES unsent (a client that stopped reading) is closed: the server's memory does not
// depend on how fast a browser reads.
import type { QueryEvent } from '../plugin/handler.js';
import { typeName } from '../dns/records.js';
import type { QueryJournal } from './journal.js';
import { compileQueryMatch, lowerName, type CompiledMatch, type JournalEntry, type QueryMatch } from './query-match.js';
import { decodeAnswers } from './resolve.js';
import { SearchWalks, type WalkMark } from './search-walk.js';

export const MAX_STREAMS = 16;
/**
 * Events a stream gets per second at most. Nobody reads 5,000 rows a second; past it the events are not even
 * built, so one open console costs the DNS path a bounded ~5,000 × (a few µs) a second under any flood.
 */
export const MAX_EVENTS_PER_SECOND = 5000;
/** Unsent bytes a stream may hold (in its queue and its socket) before it is dropped. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
export const HEARTBEAT_MS = 15_000;
/** Events are written at most this often per stream: a live view needs no lower latency than a screen refresh. */
export const FLUSH_MS = 50;
/** ...or as soon as this much is queued. */
const FLUSH_BYTES = 64 * 1024;
export const DEFAULT_REPLAY = 100;
export const MAX_REPLAY = 1000;
/** Answers shown per query: a 400-record reply is not a row. */
export const MAX_ANSWERS_SHOWN = 8;
/** Recent events kept with their decoded answers and latency, so a reconnect replays them whole. */
const RICH_KEPT = 1024;

/** One event's data: the journal's entry plus what the console shows. */
export interface StreamEntry extends JournalEntry, Partial<WalkMark> {
  seq: number;
  /** the time as ISO 8601 */
  at: string;
  /** the answer section as short strings ("A 10.96.0.10", "CNAME web.example.com"); absent when not known */
  answerData?: string[];
  /** ms from receipt to reply (absent for events replayed from before a stream was open) */
  latencyMs?: number;
  /** who answered: kubernetes, forward, fault, ... ('' the server itself) */
  plugin?: string;
}

/** What a stream writes to: the HTTP response's raw socket side. */
export interface StreamSink {
  write(chunk: string): boolean;
  /** bytes accepted by write but not yet sent */
  readonly writableLength: number;
  destroy(): void;
}

interface Stream {
  sink: StreamSink;
  match: CompiledMatch;
  queue: string[];
  queued: number;
  onDrop: (why: string) => void;
  /** events this second, those left out for the rate, the first one left out; whether the current query goes here */
  sent: number;
  skipped: number;
  skippedFrom: number;
  take: boolean;
}

export class StreamLimitError extends Error {
  readonly statusCode = 503;
}

/** `id:`/`event:`/`data:` lines of one event; JSON has no raw newline, so data is one line. */
export function sseEvent(event: string, id: number | undefined, data: unknown): string {
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class QueryStreamHub {
  private streams = new Set<Stream>();
  private rich: (StreamEntry | undefined)[] = new Array(RICH_KEPT);
  private walks: SearchWalks;
  private flushScheduled = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private second: NodeJS.Timeout | undefined;
  /** events built since start (the cost figure in tests), and streams dropped for not reading */
  built = 0;
  dropped = 0;

  constructor(private journal: QueryJournal, zones: () => readonly string[], podNamespace: (ip: string) => string | undefined) {
    this.walks = new SearchWalks(zones, podNamespace);
  }

  get size(): number {
    return this.streams.size;
  }

  /**
   * Opens a stream: replays what the journal holds (after `since`, or the last `limit`), then follows. Throws a
   * StreamLimitError past MAX_STREAMS, a QueryMatchError for a bad filter. Returns the function that closes it.
   */
  open(sink: StreamSink, filter: QueryMatch, opts: { since?: number; limit?: number; onDrop?: (why: string) => void } = {}): () => void {
    const match = compileQueryMatch(filter);
    if (this.streams.size >= MAX_STREAMS) {
      throw new StreamLimitError(`${MAX_STREAMS} query streams are open already: close one (another tab of the console?) and retry`);
    }
    const s: Stream = { sink, match, queue: [], queued: 0, onDrop: opts.onDrop ?? (() => {}), sent: 0, skipped: 0, skippedFrom: 0, take: false };
    const limit = Math.min(opts.limit ?? DEFAULT_REPLAY, MAX_REPLAY);
    // retry: how long EventSource waits before reconnecting; the first line also tells proxies data flows.
    let head = 'retry: 2000\n\n';
    // An id this server never gave (ahead of its last query): the client saw a server before a restart, whose
    // ids start again at 1. Resuming "after" it would replay nothing and say nothing: replay as for a new client.
    if (opts.since !== undefined && opts.since > this.journal.lastSeq) {
      head += sseEvent('gap', undefined, { reason: 'reset', skipped: 0, message: `event id ${opts.since} is ahead of this server's last query (${this.journal.lastSeq}): the server restarted, its ids started again` });
      opts = { ...opts, since: 0 };
    }
    const { rows, notReplayed, lost } = this.journal.since(opts.since ?? 0, filter, limit);
    if (opts.since !== undefined && lost > 0) {
      head += sseEvent('gap', undefined, { reason: 'journal', skipped: lost, message: `${lost} queries after ${opts.since} are no longer in the journal (it keeps the last ${this.journal.capacity})` });
    }
    if (opts.since !== undefined && notReplayed > 0) {
      head += sseEvent('gap', undefined, { reason: 'replay', skipped: notReplayed, message: `up to ${notReplayed} queries after ${opts.since} are not replayed (the newest ${limit} matching are)` });
    }
    sink.write(head);
    this.streams.add(s);
    if (this.streams.size === 1) this.attach();
    // Queued as live events are (and so under the same byte cap); nothing is recorded in between: this is synchronous.
    for (const r of rows) this.enqueue(s, sseEvent('query', r.seq, this.replayed(r.seq, r.entry)));
    this.scheduleFlush();
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      this.remove(s);
    };
  }

  private attach(): void {
    this.journal.setTap((e, entry, seq) => this.onQuery(e, entry, seq));
    this.heartbeat = setInterval(() => {
      for (const s of this.streams) this.enqueue(s, `: heartbeat ${new Date().toISOString()}\n\n`);
      this.scheduleFlush();
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
    this.second = setInterval(() => this.newSecond(), 1000);
    this.second.unref();
  }

  private detach(): void {
    // Nobody watches: the DNS path goes back to a field check.
    this.journal.setTap(undefined);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    if (this.second) clearInterval(this.second);
    this.second = undefined;
    this.walks.clear();
  }

  private remove(s: Stream): void {
    if (!this.streams.delete(s)) return;
    s.queue = [];
    if (this.streams.size === 0) this.detach();
  }

  private replayed(seq: number, entry: JournalEntry): StreamEntry {
    const kept = this.rich[seq % RICH_KEPT];
    if (kept && kept.seq === seq) return kept;
    return { ...entry, seq, at: new Date(entry.time).toISOString() };
  }

  /**
   * The journal's hook, on the DNS path while streams are open: build the event once, queue it, flush later. Past
   * MAX_EVENTS_PER_SECOND for every stream that wants it, the event is not built at all (the streams are told
   * how many they missed in an "event: gap", and the journal still has them): the cost of watching has a ceiling under a flood.
   */
  private onQuery(e: QueryEvent, entry: JournalEntry, seq: number): void {
    const lname = lowerName(entry.name);
    const mark = this.walks.mark({ client: entry.client, name: lname, type: entry.type, time: entry.time, rcode: entry.rcode, answers: entry.answers });
    let wanted = false;
    for (const s of this.streams) {
      let take: boolean;
      try {
        take = s.match.test(entry, lname);
      } catch {
        take = false;
      }
      s.take = false;
      if (!take) continue;
      if (s.sent >= MAX_EVENTS_PER_SECOND) {
        if (s.skipped++ === 0) s.skippedFrom = seq;
        continue;
      }
      s.sent++;
      s.take = true;
      wanted = true;
    }
    if (!wanted) return;
    this.built++;
    // One shape for every event (absent fields undefined, which JSON leaves out): V8 keeps one fast path for it.
    const out: StreamEntry = {
      time: entry.time, name: entry.name, type: entry.type, transport: entry.transport, client: entry.client,
      rcode: entry.rcode, answers: entry.answers, seq, at: this.iso(entry.time),
      answerData: e.reply && entry.answers > 0 ? answerStrings(e.reply) : undefined,
      latencyMs: Math.round((performance.now() - e.start) * 1000) / 1000, plugin: e.plugin,
      lookup: mark?.lookup, lookupName: mark?.lookupName, lookupDone: mark?.lookupDone,
    };
    this.rich[seq % RICH_KEPT] = out;
    const text = sseEvent('query', seq, out);
    for (const s of this.streams) if (s.take) this.enqueue(s, text);
    this.scheduleFlush();
  }

  /** Each second: the rate windows start again, and each stream hears how many queries it missed. */
  private newSecond(): void {
    for (const s of this.streams) {
      s.sent = 0;
      if (s.skipped > 0) {
        this.enqueue(s, sseEvent('gap', undefined, {
          reason: 'rate', skipped: s.skipped, fromSeq: s.skippedFrom, toSeq: this.journal.lastSeq,
          message: `${s.skipped} matching queries were not streamed (over ${MAX_EVENTS_PER_SECOND} a second); GET /api/v1/queries has them while the journal holds them`,
        }));
        s.skipped = 0;
      }
    }
    this.scheduleFlush();
  }

  private isoAt = -1;
  private isoText = '';

  /** Queries arrive many per millisecond under load: format each millisecond once. */
  private iso(ms: number): string {
    if (ms !== this.isoAt) {
      this.isoAt = ms;
      this.isoText = new Date(ms).toISOString();
    }
    return this.isoText;
  }

  private enqueue(s: Stream, text: string): void {
    s.queue.push(text);
    s.queued += text.length;
    // A burst within one flush period goes to the socket early rather than piling up here.
    if (s.queued >= FLUSH_BYTES) this.write(s);
    if (s.queued + s.sink.writableLength > MAX_BUFFERED_BYTES) this.drop(s);
  }

  private write(s: Stream): void {
    const chunk = s.queue.length === 1 ? s.queue[0] : s.queue.join('');
    s.queue = [];
    s.queued = 0;
    s.sink.write(chunk);
  }

  private drop(s: Stream): void {
    this.dropped++;
    this.remove(s);
    s.onDrop(`the client did not read: over ${MAX_BUFFERED_BYTES} bytes waited to be sent`);
    s.sink.destroy();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Coalesced for FLUSH_MS, not just one event-loop turn: under load a turn holds a handful of queries, and a
    // socket write per turn cost more than everything else the stream does per query.
    setTimeout(() => {
      this.flushScheduled = false;
      for (const s of this.streams) {
        if (s.queue.length === 0) continue;
        this.write(s);
        if (s.sink.writableLength > MAX_BUFFERED_BYTES) this.drop(s);
      }
    }, FLUSH_MS).unref();
  }
}

/** The answer section as "TYPE data" strings, at most MAX_ANSWERS_SHOWN (then "+N more"); undefined if unreadable. */
function answerStrings(reply: Buffer): string[] | undefined {
  let d;
  try {
    d = decodeAnswers(reply, MAX_ANSWERS_SHOWN);
  } catch {
    return undefined;
  }
  const out: string[] = [];
  for (const rr of d.answer) out.push(`${typeName(rr.type)} ${rdataText(rr.data, (rr as { raw?: Buffer }).raw)}`);
  if (d.total > d.answer.length) out.push(`+${d.total - d.answer.length} more`);
  return out;
}

function rdataText(data: unknown, raw: Buffer | undefined): string {
  if (typeof data === 'string') return data;
  if (Array.isArray(data)) return data.map((t) => JSON.stringify(String(t))).join(' ');
  if (data && typeof data === 'object') {
    const o = data as Record<string, unknown>;
    if ('target' in o) return `${o.priority} ${o.weight} ${o.port} ${o.target}`;
    if ('mname' in o) return `${o.mname} ${o.rname} ${o.serial}`;
    return JSON.stringify(o);
  }
  return raw ? `\\# ${raw.length} ${raw.toString('hex')}` : '';
}
