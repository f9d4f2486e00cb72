// GET /api/v1/records at scale: the listing is built in slices (zone-listing.ts) so DNS keeps answering, shared by
// requests that arrive while it is built, kept a short while for the next page, paged with `limit` and `continue`
// as the Kubernetes API pages lists, and written out in slices that follow the client's pace.
import { Readable } from 'node:stream';
import type { ClusterStore } from '../cluster/store.js';
import { formatRR, type RR } from '../dns/records.js';
import type { ResolverConfig } from '../dns/resolver-config.js';
import { listRecordsSliced, orderKey, runInSlices, type Steps } from '../dns/zone-listing.js';

/** How long a built listing is kept for the next page or request once nobody reads it. */
export const LISTING_KEEP_MS = 30_000;
/** The largest page a client may ask for. */
export const MAX_PAGE = 100_000;
/** Records per written chunk: a chunk is formatted in one go, and a slow client holds at most a few. */
const CHUNK = 256;

export class ContinueError extends Error {}

interface Built {
  /** the store's generation and the static table's */
  generation: string;
  cfg: ResolverConfig;
  records: RR[];
  /** orderKey of each record, for finding where a `continue` token resumes */
  keys: string[];
}

/** Where the next page starts: after the n-th record of the group (owner, type) of the last page's last record. */
interface Cursor {
  k: string;
  t: number;
  n: number;
}

export interface Page {
  records: RR[];
  /** token for the next page; absent on the last */
  continue?: string;
  remaining?: number;
}

export class RecordListing {
  private built?: Built;
  private building?: Promise<Built>;
  private dropTimer?: NodeJS.Timeout;

  /** `extra`: records outside the cluster zones (external names), merged into the sorted listing */
  constructor(private store: ClusterStore, private cfg: () => ResolverConfig, private extra?: () => RR[]) {}

  /** The listing of the store as it is now: the kept one while the store has not changed, else a new one. */
  private async current(): Promise<Built> {
    const cfg = this.cfg();
    const b = this.built;
    if (b && b.generation === this.generation(cfg) && b.cfg === cfg) {
      this.keep();
      return b;
    }
    // One build at a time, shared: a burst of requests (or clients) costs one listing, not one each. What it returns
    // is served even if the store changed meanwhile (it is the listing of when it began): under steady churn,
    // waiting for a listing nothing changed during might never end.
    if (!this.building) {
      this.building = this.build(cfg).finally(() => { this.building = undefined; });
    }
    return this.building;
  }

  private async build(cfg: ResolverConfig): Promise<Built> {
    const generation = this.generation(cfg);
    let records = await listRecordsSliced(this.store, cfg);
    if (this.extra) records = mergeSorted(records, this.extra());
    const keys = await runInSlices(mapSteps(records, orderKey));
    const built: Built = { generation, cfg, records, keys };
    // A listing that straddled a change is served once but not kept.
    if (generation === this.generation(cfg)) {
      this.built = built;
      this.keep();
    }
    return built;
  }

  private generation(cfg: ResolverConfig): string {
    return `${this.store.generation}:${cfg.statics?.generation ?? 0}`;
  }

  private keep(): void {
    if (this.dropTimer) clearTimeout(this.dropTimer);
    this.dropTimer = setTimeout(() => { this.built = undefined; }, LISTING_KEEP_MS);
    this.dropTimer.unref();
  }

  /** The records matching the filter, from the cursor on, at most `limit` of them. */
  async page(filter: { name?: string; type?: number }, limit?: number, token?: string): Promise<Page> {
    const cursor = token !== undefined ? decodeCursor(token) : undefined;
    const b = await this.current();
    let start = 0;
    if (cursor) {
      start = lowerBound(b, cursor.k, cursor.t);
      for (let n = 0; n < cursor.n && start < b.records.length && b.keys[start] === cursor.k && b.records[start].type === cursor.t; n++) start++;
    }
    const lname = filter.name?.toLowerCase().replace(/\.$/, '');
    const wanted = (rr: RR) => (filter.type === undefined || rr.type === filter.type) && (lname === undefined || rr.name.toLowerCase() === lname);
    const { picked, next } = await runInSlices(pickSteps(b.records, start, wanted, limit ?? Infinity));
    const remaining = limit === undefined ? 0 : await runInSlices(countSteps(b.records, next, wanted));
    if (remaining === 0) return { records: picked };
    const lastAt = next - 1;
    const k = b.keys[lastAt];
    const t = b.records[lastAt].type;
    // The cursor names the last record by its (owner, type) group and its place in it, so a page after a change
    // of the store still resumes at the same place in the sorted order.
    const n = lastAt - lowerBound(b, k, t) + 1;
    return { records: picked, continue: encodeCursor({ k, t, n }), remaining };
  }
}

/** `sorted` (zone-file order) with `more` merged in at their places; on a tie `sorted`'s record comes first. */
export function mergeSorted(sorted: RR[], more: RR[]): RR[] {
  if (more.length === 0) return sorted;
  const before = (a: RR, ka: string, b: RR, kb: string) => ka < kb || (ka === kb && a.type < b.type);
  const extra = more.map((rr) => ({ rr, k: orderKey(rr) }));
  extra.sort((a, b) => (before(a.rr, a.k, b.rr, b.k) ? -1 : before(b.rr, b.k, a.rr, a.k) ? 1 : 0));
  const out: RR[] = [];
  let j = 0;
  for (const rr of sorted) {
    const k = orderKey(rr);
    while (j < extra.length && before(extra[j]!.rr, extra[j]!.k, rr, k)) out.push(extra[j++]!.rr);
    out.push(rr);
  }
  while (j < extra.length) out.push(extra[j++]!.rr);
  return out;
}

function* mapSteps<T, U>(xs: T[], f: (x: T) => U): Steps<U[]> {
  const out: U[] = new Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    if (i % 1024 === 0) yield;
    out[i] = f(xs[i]);
  }
  return out;
}

/** Up to `most` wanted records from `from` on, and the index after the last one taken. */
function* pickSteps(xs: RR[], from: number, wanted: (rr: RR) => boolean, most: number): Steps<{ picked: RR[]; next: number }> {
  const picked: RR[] = [];
  let i = from;
  for (; i < xs.length && picked.length < most; i++) {
    if (i % 1024 === 0) yield;
    if (wanted(xs[i])) picked.push(xs[i]);
  }
  return { picked, next: i };
}

function* countSteps(xs: RR[], from: number, wanted: (rr: RR) => boolean): Steps<number> {
  let n = 0;
  for (let i = from; i < xs.length; i++) {
    if (i % 1024 === 0) yield;
    if (wanted(xs[i])) n++;
  }
  return n;
}

/** The first index whose (key, type) is not before (k, t). */
function lowerBound(b: Built, k: string, t: number): number {
  let lo = 0;
  let hi = b.records.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const mk = b.keys[mid];
    if (mk < k || (mk === k && b.records[mid].type < t)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.k, c.t, c.n])).toString('base64url');
}

function decodeCursor(token: string): Cursor {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 3 && typeof v[0] === 'string' && Number.isInteger(v[1]) && Number.isInteger(v[2]) && v[2] >= 0) {
      return { k: v[0], t: v[1], n: v[2] };
    }
  } catch { /* reported below */ }
  throw new ContinueError('"continue" is not a token this server gave: pass the "continue" value of the previous page unchanged, or leave it out to start again');
}

/** Writes records as JSON or zone-file text, a chunk at a time, each after a turn of the event loop. */
export function streamRecords(page: Page, format: 'json' | 'text', toJson: (rr: RR) => unknown): Readable {
  const records = page.records;
  async function* chunks(): AsyncGenerator<string> {
    if (format === 'json') yield `{"count":${records.length},"records":[`;
    for (let i = 0; i < records.length; i += CHUNK) {
      await new Promise((r) => setImmediate(r));
      const part = records.slice(i, i + CHUNK);
      yield format === 'json'
        ? `${i > 0 ? ',' : ''}${part.map((rr) => JSON.stringify(toJson(rr))).join(',')}`
        : part.map((rr) => `${formatRR(rr)}\n`).join('');
    }
    if (format === 'json') {
      yield `]${page.continue !== undefined ? `,"continue":${JSON.stringify(page.continue)},"remainingItemCount":${page.remaining ?? 0}` : ''}}`;
    }
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 64 * 1024 });
}
