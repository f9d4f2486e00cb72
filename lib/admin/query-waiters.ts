// Waits for the next query that matches, for waitForQuery() and GET /api/v1/queries/wait. Bounded: at most
// MAX_QUERY_WAITERS at once (a harness polling in a loop without awaiting, or HTTP clients that never come back, cannot
// grow it), each with one timer that is cleared when it settles. The journal offers each query only while somebody
// waits; with nobody waiting the DNS path pays one length check.
import { compileQueryMatch, describeEntry, describeMatch, lowerName, type JournalEntry, type QueryMatcher } from './query-match.js';

export const MAX_QUERY_WAITERS = 1000;
/**
 * Of which with a name pattern of two or more `*` (matching reads the whole name): each query is tried against every
 * wait, so 1000 of those at 255 characters each would cost every query ~0.5 M character steps. The fault table's
 * rule (lib/admin/faults.ts): at most 100.
 */
export const MAX_SCANNING_WAITERS = 100;
/** An hour: past it a test has hung, and a timer that long is a leak rather than a wait. */
export const MAX_WAIT_MS = 3_600_000;
export const DEFAULT_WAIT_MS = 5000;
/** How many recent queries a timeout's message lists. */
export const RECENT_SHOWN = 10;

export interface QueryWaitOptions {
  /** reject after this long [5000 ms] */
  timeoutMs?: number;
  /** reject with signal.reason when it aborts */
  signal?: AbortSignal;
  /** also take a matching query already in the journal (the oldest), not only one that arrives after the call */
  includePast?: boolean;
}

/** No matching query arrived in time. `recent` holds the last queries the server received, oldest first. */
export class QueryWaitTimeoutError extends Error {
  override readonly name = 'QueryWaitTimeoutError';
  constructor(message: string, readonly recent: JournalEntry[], readonly received: number) {
    super(message);
  }
}

/** Too many waits at once. statusCode: the admin API answers 429. */
export class QueryWaitLimitError extends Error {
  readonly statusCode = 429;
}

/** The server stopped (or its journal is off): nothing will ever match. statusCode: the admin API answers 503/409. */
export class QueryWaitClosedError extends Error {
  constructor(message: string, readonly statusCode: number) {
    super(message);
  }
}

interface Waiter {
  test: (e: JournalEntry, lname: string) => boolean;
  resolve: (e: JournalEntry) => void;
  reject: (err: unknown) => void;
}

export interface JournalView {
  readonly capacity: number;
  /** entries oldest first, the last `limit` */
  entries(filter?: QueryMatcher, limit?: number): JournalEntry[];
}

export class QueryWaiters {
  private readonly waiters = new Set<Waiter>();
  private scanning = 0;
  private closedBecause: string | undefined;
  /** queries offered since start: a timeout says how many arrived while it waited */
  private offered = 0;

  constructor(private readonly journal: JournalView) {}

  get size(): number {
    return this.waiters.size;
  }

  /** Called by the journal for each query while size > 0. */
  offer(e: JournalEntry): void {
    this.offered++;
    const lname = lowerName(e.name);
    for (const w of this.waiters) {
      let hit: boolean;
      try {
        hit = w.test(e, lname);
      } catch (err) {
        // A predicate that throws fails its own wait, never the DNS path that offered the query.
        w.reject(err);
        continue;
      }
      if (hit) w.resolve(e);
    }
  }

  wait(match: QueryMatcher, options: QueryWaitOptions | number = {}): Promise<JournalEntry> {
    const opts = typeof options === 'number' ? { timeoutMs: options } : options;
    // Checked before anything waits: a wrong match or option fails at once, not after the timeout.
    const { test, scans } = compileQueryMatch(match);
    const timeoutMs = checkOptions(opts);
    if (this.closedBecause !== undefined) return Promise.reject(new QueryWaitClosedError(this.closedBecause, 503));
    if (this.journal.capacity === 0) {
      return Promise.reject(new QueryWaitClosedError('the query journal is off (journalSize: 0, or --journal 0): nothing is recorded to wait for', 409));
    }
    if (opts.signal?.aborted) return Promise.reject(opts.signal.reason);
    if (opts.includePast) {
      const past = this.journal.entries(match, this.journal.capacity);
      if (past.length > 0) return Promise.resolve(past[0]);
    }
    if (this.waiters.size >= MAX_QUERY_WAITERS) {
      return Promise.reject(new QueryWaitLimitError(`${MAX_QUERY_WAITERS} waits for queries are already pending: await (or abort) earlier ones before starting more`));
    }
    if (scans && this.scanning >= MAX_SCANNING_WAITERS) {
      return Promise.reject(new QueryWaitLimitError(`${MAX_SCANNING_WAITERS} waits with a name pattern of two or more "*" are already pending: await earlier ones, or use one "*" ("*.shop.svc.cluster.local") or an exact name`));
    }
    const startedAt = this.offered;
    return new Promise<JournalEntry>((resolve, reject) => {
      const signal = opts.signal;
      const settle = () => {
        if (this.waiters.delete(w) && scans) this.scanning--;
        clearTimeout(timer);
        if (signal) this.unlisten(signal, w);
      };
      const w: Waiter = {
        test,
        resolve: (e) => { settle(); resolve(e); },
        reject: (err) => { settle(); reject(err); },
      };
      const timer = setTimeout(() => {
        const recent = this.journal.entries(undefined, RECENT_SHOWN);
        w.reject(new QueryWaitTimeoutError(timeoutMessage(match, timeoutMs, recent, this.offered - startedAt), recent, this.offered - startedAt));
      }, timeoutMs);
      if (signal) this.listen(signal, w);
      this.waiters.add(w);
      if (scans) this.scanning++;
    });
  }

  // One abort listener per signal, however many waits share it (a test's one AbortController for all its waits):
  // a listener per wait set off Node's MaxListenersExceededWarning in the runner's output past 10.
  private readonly bySignal = new Map<AbortSignal, { waits: Set<Waiter>; onAbort: () => void }>();

  private listen(signal: AbortSignal, w: Waiter): void {
    let entry = this.bySignal.get(signal);
    if (!entry) {
      const waits = new Set<Waiter>();
      const onAbort = () => { for (const x of [...waits]) x.reject(signal.reason); };
      entry = { waits, onAbort };
      this.bySignal.set(signal, entry);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    entry.waits.add(w);
  }

  private unlisten(signal: AbortSignal, w: Waiter): void {
    const entry = this.bySignal.get(signal);
    if (!entry) return;
    entry.waits.delete(w);
    if (entry.waits.size === 0) {
      // A long-lived signal (a whole test's) used for many waits in turn keeps no listener of ours between them.
      signal.removeEventListener('abort', entry.onAbort);
      this.bySignal.delete(signal);
    }
  }

  /** Rejects every pending wait and refuses new ones: the server stops. */
  close(reason: string): void {
    this.closedBecause ??= reason;
    for (const w of [...this.waiters]) w.reject(new QueryWaitClosedError(reason, 503));
  }
}

function checkOptions(o: QueryWaitOptions): number {
  if (!o || typeof o !== 'object') throw new TypeError('waitForQuery: options is { timeoutMs, signal, includePast } (or a number of milliseconds)');
  const known = ['timeoutMs', 'signal', 'includePast'];
  const unknown = Object.keys(o).find((k) => !known.includes(k) && (o as Record<string, unknown>)[k] !== undefined);
  if (unknown !== undefined) throw new TypeError(`waitForQuery: unknown option "${unknown}": use ${known.join(', ')}`);
  const t = o.timeoutMs ?? DEFAULT_WAIT_MS;
  if (!Number.isInteger(t) || t < 1 || t > MAX_WAIT_MS) throw new TypeError(`waitForQuery: timeoutMs ${String(t)}: expected a whole number of milliseconds from 1 to ${MAX_WAIT_MS}`);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new TypeError('waitForQuery: signal: expected an AbortSignal (AbortController#signal, AbortSignal.timeout())');
  if (o.includePast !== undefined && typeof o.includePast !== 'boolean') throw new TypeError('waitForQuery: includePast: expected true or false');
  return t;
}

function timeoutMessage(match: QueryMatcher, timeoutMs: number, recent: JournalEntry[], received: number): string {
  const head = `no query matching ${describeMatch(match)} within ${timeoutMs} ms (${received} quer${received === 1 ? 'y' : 'ies'} arrived meanwhile)`;
  if (recent.length === 0) return `${head}; the journal is empty: did the client send to this server's address?`;
  return `${head}; the last ${recent.length} received, oldest first:\n${recent.map((e) => `  ${describeEntry(e)}`).join('\n')}`;
}
