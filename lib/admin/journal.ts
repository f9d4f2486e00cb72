// A bounded journal of recent queries for test suites: what was asked, over what, and what we said.
// It shows a pod's ndots:5 search-path fan-out plainly.
import { rcodeName, typeName } from '../dns/records.js';
import { decodePlainName } from '../wire/query.js';
import type { QueryEvent } from '../wire/responder.js';
import { compileQueryMatch, lowerName, type JournalEntry, type QueryMatcher } from './query-match.js';
import { QueryWaiters, type QueryWaitOptions } from './query-waiters.js';

export type { JournalEntry, QueryMatch, QueryMatcher } from './query-match.js';

/** Room per entry for a name in wire form (255 bytes at most). */
const NAME_SLOT = 256;

export class QueryJournal {
  // A ring of parallel arrays: recording a query stores numbers and copies the question's name bytes (at most 255)
  // into a slab, it allocates nothing and keeps no reference to the request: keeping the question object kept its
  // whole request buffer (60 KB of EDNS padding a query pinned 60 MB at 1,000 entries). The name is decoded only
  // when somebody reads the journal. Memory: capacity × (256 + ~40) bytes.
  private names: Buffer;
  /** name length in the slab; 0 = the name is in `textNames` (a question the query's bytes did not hold) */
  private nameLens: Uint16Array;
  private textNames: (string | undefined)[];
  private types: Uint16Array;
  private used: Uint8Array;
  private times: Float64Array;
  private clients: string[];
  private rcodes: Int16Array;
  private answers: Uint16Array;
  private tcp: Uint8Array;
  /** each slot's sequence number (1, 2, ...: the stream's event ids, so a reconnect resumes where it stopped) */
  private seqs: Float64Array;
  private next = 0;
  private total = 0;
  /** the sequence number of the last query before the last clear(): those up to it are no longer held */
  private clearedAt = 0;
  /** the live stream's hook (queries-stream.ts): set only while a stream is open */
  private tap: ((e: QueryEvent, entry: JournalEntry, seq: number) => void) | undefined;
  private readonly waiters = new QueryWaiters(this);

  constructor(readonly capacity: number) {
    // Unpooled and untouched: pages count towards RSS only once entries are written.
    this.names = Buffer.allocUnsafeSlow(capacity * NAME_SLOT);
    this.nameLens = new Uint16Array(capacity);
    this.textNames = new Array(capacity);
    this.types = new Uint16Array(capacity);
    this.used = new Uint8Array(capacity);
    this.times = new Float64Array(capacity);
    this.clients = new Array(capacity);
    this.rcodes = new Int16Array(capacity);
    this.answers = new Uint16Array(capacity);
    this.tcp = new Uint8Array(capacity);
    this.seqs = new Float64Array(capacity);
  }

  record(e: QueryEvent): void {
    if (this.capacity === 0) return;
    const i = this.next;
    const q = e.question;
    const n = q.copyName ? q.copyName(this.names, i * NAME_SLOT) : -1;
    if (n > 0 && n <= NAME_SLOT) {
      this.nameLens[i] = n;
      this.textNames[i] = undefined;
    } else {
      this.nameLens[i] = 0;
      this.textNames[i] = q.name;
    }
    this.types[i] = q.type;
    this.used[i] = 1;
    this.times[i] = Date.now();
    this.clients[i] = e.client;
    this.rcodes[i] = e.rcode;
    this.answers[i] = Math.min(e.answers, 0xffff);
    this.tcp[i] = e.transport === 'tcp' ? 1 : 0;
    this.seqs[i] = ++this.total;
    this.next = (i + 1) % this.capacity;
    // The only cost on the DNS path while nobody waits or watches: a length check and a field check.
    if (this.waiters.size > 0) this.waiters.offer(this.entryAt(i)!);
    if (this.tap !== undefined) this.tap(e, this.entryAt(i)!, this.total);
  }

  /** The sequence number of the last query recorded (0: none yet). */
  get lastSeq(): number {
    return this.total;
  }

  /** Hooks the live stream in (or out, with undefined). One at a time: the stream hub fans out. */
  setTap(fn: ((e: QueryEvent, entry: JournalEntry, seq: number) => void) | undefined): void {
    this.tap = fn;
  }

  /**
   * Entries recorded after sequence number `after` that match, oldest first with their numbers: the newest `limit`
   * of them, found by reading back from the newest entry, at most `maxScan` entries (a 1,000,000-entry journal and
   * a filter that matches nothing must not stall DNS). `notReplayed`: entries after `after` not returned or not
   * read (matching or not); `lost`: entries after `after` no longer in the journal (overwritten).
   */
  since(after: number, filter: QueryMatcher | undefined, limit: number, maxScan = 50_000): { rows: { seq: number; entry: JournalEntry }[]; notReplayed: number; lost: number } {
    const { test } = compileQueryMatch(filter);
    const rows: { seq: number; entry: JournalEntry }[] = [];
    // Emptied entries are not held: counting them as held would call them "not replayed" rather than gone.
    const held = Math.min(this.total - this.clearedAt, this.capacity);
    let k = 0;
    for (; k < held && k < maxScan && rows.length < limit; k++) {
      const i = (this.next - 1 - k + this.capacity) % this.capacity;
      if (!this.used[i] || this.seqs[i] <= after) break;
      const e = this.entryAt(i)!;
      if (test(e, lowerName(e.name))) rows.push({ seq: this.seqs[i], entry: e });
    }
    rows.reverse();
    const oldestRead = this.total - k + 1;
    const oldestHeld = this.total - held + 1;
    const notReplayed = Math.max(0, oldestRead - Math.max(after + 1, oldestHeld));
    const lost = Math.max(0, oldestHeld - (after + 1));
    return { rows, notReplayed, lost };
  }

  private entryAt(i: number): JournalEntry | undefined {
    if (!this.used[i]) return undefined;
    const rc = this.rcodes[i];
    const name = this.nameLens[i] > 0 ? decodePlainName(this.names, i * NAME_SLOT) : this.textNames[i] ?? '';
    return {
      time: this.times[i], name, type: typeName(this.types[i]), transport: this.tcp[i] ? 'tcp' : 'udp',
      client: this.clients[i], rcode: rc < 0 ? 'DROPPED' : rcodeName(rc), answers: this.answers[i],
    };
  }

  /** Oldest first; the last `limit` that match. Throws a QueryMatchError (a TypeError) for a match that cannot match. */
  entries(filter?: QueryMatcher, limit = this.capacity): JournalEntry[] {
    const { test } = compileQueryMatch(filter);
    const out: JournalEntry[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const e = this.entryAt((this.next + i) % this.capacity);
      if (e && test(e, lowerName(e.name))) out.push(e);
    }
    return out.slice(-limit);
  }

  clear(): void {
    this.used.fill(0);
    this.clearedAt = this.total;
    this.textNames = new Array(this.capacity);
    this.clients = new Array(this.capacity);
    this.next = 0;
  }

  /**
   * Resolves with the first matching query that arrives after the call (with includePast, the oldest matching one
   * already recorded if there is one). Rejects on timeout with the recent queries in the message, with the signal's
   * reason on abort, and at once for a bad match, past MAX_QUERY_WAITERS, or after close().
   */
  waitFor(m: QueryMatcher, options?: QueryWaitOptions | number): Promise<JournalEntry> {
    return this.waiters.wait(m, options);
  }

  /** Pending waits reject with `reason`; new ones too. Recording and reading go on (a test reads after close). */
  close(reason: string): void {
    this.waiters.close(reason);
  }

  get waiting(): number {
    return this.waiters.size;
  }
}
