// The live query stream behind GET /api/v1/queries/stream (Server-Sent Events): one hub per server fans each
// query out to the open streams. While no stream is open the hub is unhooked from the journal, so the DNS path
// pays one field check (journal.ts) and nothing else: no decoding, no walk tracking, no JSON.
//
// With streams open, each query is turned into one event (its answers decoded from the reply bytes, its latency,
// its search-walk mark), serialized once, and queued on every stream whose filter takes it; the queues are written
// once per turn of the event loop. A stream whose socket holds more than MAX_BUFFERED_BYTES unsent (a client that
// stopped reading) is closed: the server's memory does not depend on how fast a browser reads.
import type { QueryEvent } from '../plugin/handler.js';
import { typeName } from '../dns/records.js';
import type { QueryJournal } from './journal.js';
import { compileQueryMatch, lowerName, type CompiledMatch, type JournalEntry, type QueryMatch } from './query-match.js';
import { decodeReply } from './resolve.js';
import { SearchWalks, type WalkMark } from './search-walk.js';

export const MAX_STREAMS = 16;
/** Unsent bytes a stream may hold (in its queue and its socket) before it is dropped. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
export const HEARTBEAT_MS = 15_000;
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
    const s: Stream = { sink, match, queue: [], queued: 0, onDrop: opts.onDrop ?? (() => {}) };
    const limit = Math.min(opts.limit ?? DEFAULT_REPLAY, MAX_REPLAY);
    const { rows, skipped } = this.journal.since(opts.since ?? 0, filter, limit);
    // retry: how long EventSource waits before reconnecting; the first line also tells proxies data flows.
    let head = 'retry: 2000\n\n';
    if (opts.since !== undefined && skipped > 0) head += sseEvent('gap', undefined, { skipped, message: `${skipped} matching queries after ${opts.since} are not replayed (more than ${limit})` });
    sink.write(head);
    for (const r of rows) this.enqueue(s, sseEvent('query', r.seq, this.replayed(r.seq, r.entry)));
    this.streams.add(s);
    if (this.streams.size === 1) this.attach();
    this.scheduleFlush();
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      this.remove(s);
    };
  }

  /** Closes every stream (the server stops). */
  closeAll(): void {
    for (const s of [...this.streams]) {
      this.remove(s);
      s.sink.destroy();
    }
  }

  private attach(): void {
    this.journal.setTap((e, entry, seq) => this.onQuery(e, entry, seq));
    this.heartbeat = setInterval(() => {
      for (const s of this.streams) this.enqueue(s, `: heartbeat ${new Date().toISOString()}\n\n`);
      this.scheduleFlush();
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private detach(): void {
    // Nobody watches: the DNS path goes back to a field check.
    this.journal.setTap(undefined);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
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

  /** The journal's hook, on the DNS path while streams are open: build the event once, queue it, flush later. */
  private onQuery(e: QueryEvent, entry: JournalEntry, seq: number): void {
    this.built++;
    const lname = lowerName(entry.name);
    const out: StreamEntry = {
      ...entry, seq, at: new Date(entry.time).toISOString(), latencyMs: Math.round((performance.now() - e.start) * 1000) / 1000,
      plugin: e.plugin,
    };
    const answers = e.reply && entry.answers > 0 ? answerStrings(e.reply) : undefined;
    if (answers) out.answerData = answers;
    const mark = this.walks.mark({ client: entry.client, name: lname, time: entry.time, rcode: entry.rcode, answers: entry.answers });
    if (mark) Object.assign(out, mark);
    this.rich[seq % RICH_KEPT] = out;
    let text: string | undefined;
    for (const s of this.streams) {
      let take: boolean;
      try {
        take = s.match.test(entry, lname);
      } catch {
        take = false;
      }
      if (!take) continue;
      text ??= sseEvent('query', seq, out);
      this.enqueue(s, text);
    }
    if (text !== undefined) this.scheduleFlush();
  }

  private enqueue(s: Stream, text: string): void {
    s.queue.push(text);
    s.queued += text.length;
    if (s.queued + s.sink.writableLength > MAX_BUFFERED_BYTES) this.drop(s);
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
    setImmediate(() => {
      this.flushScheduled = false;
      for (const s of this.streams) {
        if (s.queue.length === 0) continue;
        const chunk = s.queue.length === 1 ? s.queue[0] : s.queue.join('');
        s.queue = [];
        s.queued = 0;
        s.sink.write(chunk);
        if (s.sink.writableLength > MAX_BUFFERED_BYTES) this.drop(s);
      }
    });
  }
}

/** The answer section as "TYPE data" strings, at most MAX_ANSWERS_SHOWN (then "+N more"); undefined if unreadable. */
function answerStrings(reply: Buffer): string[] | undefined {
  let d;
  try {
    d = decodeReply(reply);
  } catch {
    return undefined;
  }
  const out: string[] = [];
  for (const rr of d.answer) {
    if (out.length === MAX_ANSWERS_SHOWN) {
      out.push(`+${d.answer.length - MAX_ANSWERS_SHOWN} more`);
      break;
    }
    out.push(`${typeName(rr.type)} ${rdataText(rr.data, (rr as { raw?: Buffer }).raw)}`);
  }
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
