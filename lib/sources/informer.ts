// An informer (list, then watch from the list's resourceVersion) that never goes quietly stale, never believes an
// answer that is not the API server's, and keeps slim objects only.
//
// A reflector loop of our own, not client-node 1.4.0's ListWatch: that one stops for good after any failure but a
// 410, re-watches in a tight loop (issue #1933), ignores ERROR events and unparseable lines, has no client-side
// timeouts, and resumes a watch from a resourceVersion the server never reached (k8s-api-and-spec.md §2.3, §3.3).
// Here, as client-go's reflector does:
// - every restart is counted and logged (the same cause at most once a minute); every failure backs off
//   (capped exponential); clean ends re-watch from the last resourceVersion, quick empty ones back off too;
// - lists and watches are bounded in time and bytes (api-client.ts) and checked for shape (api-shape.ts);
// - whenever the server's history cannot be trusted, relist: 410 Gone, "too large resource version", an event or
//   bookmark older than what was seen (etcd restores give lower resourceVersions), an unparseable resourceVersion,
//   an ERROR event, an unparseable or malformed line (an event was lost). After a lost connection a one-object
//   list first asks where the server's resourceVersion is: lower than ours means relist;
// - watches ask for bookmarks and a server-side timeout (5-10 min); one open well past it is restarted.
import { ApiClient, DEFAULT_API_LIMITS } from './api-client.js';
import type { InformerLogger, RestartingInformerOptions } from './informer-options.js';
import {
  ApiResponseError, ApiStatusError, describeError, permissionMessage, statusCodeOf,
} from './api-errors.js';
import { checkEvent, checkList, isTooLargeRv, untrustedRv } from './api-shape.js';
import { SlimCache, type InformerChange } from './slim-cache.js';
import { PermissionError } from './source-errors.js';

export { describeError, permissionMessage, PermissionError, type InformerChange, type InformerLogger, type RestartingInformerOptions };

type Verb = 'list' | 'watch';

/** How a watch ended, when it did not throw. */
type WatchEnd =
  | { kind: 'closed'; lived: number; events: number }
  | { kind: 'stalled'; lived: number; timeoutSeconds: number }
  | { kind: 'relist'; cause: string; healthy: boolean };

/** Thrown from the event handler: the server's history cannot be trusted, relist. */
class Relist extends Error {
  constructor(override readonly cause: string, readonly healthy: boolean) {
    super(cause);
  }
}

/** A cause logged within this long of the same cause is logged at debug level only. */
const REPEAT_LOG_MS = 60_000;
/** A watch alive this long (or delivering an event) has recovered: backoff starts again from its minimum. */
const HEALTHY_AFTER_MS = 5_000;

export class RestartingInformer<S> {
  readonly resource: string;
  synced = false;
  restarts = 0;
  lastError: string | undefined;

  private readonly o: RestartingInformerOptions<S>;
  private readonly api: ApiClient;
  private readonly cache = new SlimCache<S>();
  /** the last resourceVersion seen; undefined = list first */
  private rv: string | undefined;
  /** the connection was lost: ask the server where its resourceVersion is before resuming */
  private probeFirst = false;
  private pageSize: number;
  private stopped = false;
  private failures = 0;
  private request: AbortController | undefined;
  private sleeping: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  private lastLog: { cause: string; at: number; repeats: number } | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly firstSync: Promise<void>;
  private resolveFirstSync!: () => void;
  private rejectFirstSync!: (err: Error) => void;

  constructor(o: RestartingInformerOptions<S>) {
    this.o = o;
    this.resource = o.resource;
    this.api = new ApiClient(o.access, { ...DEFAULT_API_LIMITS, ...(o.limits ?? {}) }, o.gate);
    this.pageSize = o.listPageSize ?? 500;
    this.firstSync = new Promise<void>((resolve, reject) => {
      this.resolveFirstSync = resolve;
      this.rejectFirstSync = reject;
    });
    // Nobody may await it when stop() comes first.
    this.firstSync.catch(() => undefined);
  }

  /** Starts listing and watching; resolves once the first list is delivered and its watch open, rejects on 401/403. */
  start(): Promise<void> {
    this.loopDone = this.loop();
    return this.firstSync;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.request?.abort();
    if (this.sleeping) {
      clearTimeout(this.sleeping.timer);
      this.sleeping.wake();
    }
    this.rejectFirstSync(new Error(`${this.resource}: stopped before the first sync`));
    await this.loopDone;
  }

  // ---- the loop ----

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let verb: Verb = 'list';
      try {
        if (this.rv === undefined) await this.list();
        else if (this.probeFirst) await this.probe();
        if (this.rv === undefined || this.stopped) continue;
        verb = 'watch';
        const end = await this.watchOnce();
        if (!this.stopped) await this.ended(end);
      } catch (err) {
        if (this.stopped) return;
        if (!(await this.failed(err, verb))) return;
      }
    }
  }

  /** Lists page by page, each converted before the next is fetched, then delivers the difference as one batch. */
  private async list(): Promise<void> {
    const { o } = this;
    const seen = new Map<string, { rv: string; slim: S | undefined }>();
    let rv: string | undefined;
    let cont: string | undefined;
    let pages = 0;
    const skipped = { count: 0, first: undefined as string | undefined };
    do {
      const limit = this.pageSize > 0 ? this.pageSize : undefined;
      const url = this.api.url(o.path, {
        labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, limit, continue: cont,
      });
      const page = checkList(await this.get(url), url);
      // Every page of one list is served at the first page's resourceVersion.
      rv ??= page.resourceVersion;
      if (cont !== undefined && page.continue === cont) throw new ApiResponseError(`the same continue token twice from ${url}`, 'shape');
      cont = page.continue;
      for (const raw of page.items) {
        const entry = this.toCached(raw as Record<string, any>, page.resourceVersion, skipped);
        if (entry) seen.set(entry.key, entry.value);
      }
      if (seen.size > this.api.limits.listObjects) {
        throw new ApiResponseError(`a list of ${o.resource} over ${this.api.limits.listObjects} objects from ${url}`, 'too-large');
      }
      pages++;
    } while (cont && !this.stopped);
    if (this.stopped) return;
    if (skipped.count > 0) {
      o.logger.warn({ resource: o.resource, skipped: skipped.count },
        `${o.resource}: skipping ${skipped.first}${skipped.count > 1 ? ` (and ${skipped.count - 1} more listed objects)` : ''}`);
    }
    const changes = this.cache.replace(seen);
    this.rv = rv;
    this.probeFirst = false;
    o.logger.debug({ resource: o.resource, objects: seen.size, pages, resourceVersion: rv }, `${o.resource}: listed`);
    o.onChanges(changes, 'list');
  }

  /**
   * After a lost connection: a one-object list says where the server's resourceVersion is now. When it cannot be
   * had, the watch goes ahead and fails (or not) by itself, and the next restart asks again.
   */
  private async probe(): Promise<void> {
    const url = this.api.url(this.o.path, { limit: 1 });
    let page;
    try {
      page = checkList(await this.get(url), url);
    } catch (err) {
      this.o.logger.debug({ resource: this.resource, err: describeError(err) }, `${this.resource}: resourceVersion probe failed`);
      return;
    }
    this.probeFirst = false;
    const why = untrustedRv(page.resourceVersion, this.rv!);
    if (why) {
      this.restarts++;
      const cause = `${why}: relisting`;
      this.o.onRestart?.(cause);
      this.report('warn', cause, `${this.resource}: ${cause}; restart #${this.restarts}`, 0);
      this.rv = undefined;
    }
  }

  private async get(url: URL): Promise<unknown> {
    const ctl = new AbortController();
    this.request = ctl;
    try {
      return await this.api.getJson(url, ctl.signal);
    } finally {
      if (this.request === ctl) this.request = undefined;
    }
  }

  private async watchOnce(): Promise<WatchEnd> {
    const { o } = this;
    const minTimeout = o.watchTimeoutSeconds ?? 300;
    const timeoutSeconds = Math.round(minTimeout * (1 + Math.random()));
    const url = this.api.url(o.path, {
      labelSelector: o.labelSelector, fieldSelector: o.fieldSelector,
      watch: true, resourceVersion: this.rv, allowWatchBookmarks: true, timeoutSeconds,
    });
    const ctl = new AbortController();
    this.request = ctl;
    const startedAt = Date.now();
    let events = 0;
    let stalled = false;
    let stallTimer: NodeJS.Timeout | undefined;
    let healthyTimer: NodeJS.Timeout | undefined;
    const connected = () => {
      this.lastError = undefined;
      if (!this.synced) {
        // Synced means listed and watching: a watch refused at start-up (403 on watch only) is a start-up failure.
        this.synced = true;
        this.resolveFirstSync();
      }
      healthyTimer = setTimeout(() => { this.failures = 0; }, HEALTHY_AFTER_MS);
      stallTimer = setTimeout(() => {
        stalled = true;
        ctl.abort();
      }, (timeoutSeconds + Math.max(5, Math.min(60, timeoutSeconds))) * 1000);
      healthyTimer.unref();
      stallTimer.unref();
    };
    try {
      await this.api.watch(url, ctl.signal, connected, (raw) => {
        this.event(raw, url);
        events++;
      });
      return { kind: 'closed', lived: Math.round((Date.now() - startedAt) / 1000), events };
    } catch (err) {
      if (err instanceof Relist) return { kind: 'relist', cause: err.cause, healthy: err.healthy };
      if (stalled) return { kind: 'stalled', lived: Math.round((Date.now() - startedAt) / 1000), timeoutSeconds };
      throw err;
    } finally {
      clearTimeout(stallTimer);
      clearTimeout(healthyTimer);
      if (this.request === ctl) this.request = undefined;
    }
  }

  /** One watch event: checked, its resourceVersion trusted or not, then applied. Throws Relist or a shape error. */
  private event(raw: unknown, url: URL): void {
    const ev = checkEvent(raw, url);
    if (ev.type === 'ERROR') {
      const status = ev.object;
      if (status.code === 410) throw new Relist('resourceVersion expired (ERROR event 410 Gone), relisting', true);
      if (isTooLargeRv(status)) throw new Relist(`the server has not reached resourceVersion ${this.rv} (${String(status.message)}), relisting`, false);
      throw new Relist(`watch ERROR event ${String(status.code ?? '')}: ${String(status.message ?? JSON.stringify(status)).slice(0, 200)}, relisting`, false);
    }
    const rv: string = ev.object.metadata.resourceVersion;
    const why = untrustedRv(rv, this.rv!);
    if (why) throw new Relist(`${why} in a watch event, relisting`, false);
    this.rv = rv;
    if (ev.type === 'BOOKMARK') return;
    const entry = this.toCached(ev.object, rv);
    if (!entry) return;
    const changes = ev.type === 'DELETED' ? this.cache.delete(entry.key, entry.value.slim) : this.cache.upsert(entry.key, entry.value);
    if (changes.length > 0) this.o.onChanges(changes, 'watch');
  }

  /**
   * The cache entry for an object; a malformed one is skipped with a warning, or counted in `skipped` (a list
   * reports its skipped objects in one line: a list of a million broken objects must not be a million lines).
   */
  private toCached(
    raw: Record<string, any>, fallbackRv: string, skipped?: { count: number; first?: string },
  ): { key: string; value: { rv: string; slim: S | undefined } } | undefined {
    const skip = (why: string) => {
      if (!skipped) this.o.logger.warn({ resource: this.resource }, `${this.resource}: skipping ${why}`);
      else if (skipped.count++ === 0) skipped.first = why;
    };
    const meta = raw?.metadata;
    if (typeof meta?.name !== 'string' || meta.name === '') {
      skip('an object without metadata.name');
      return undefined;
    }
    let slim: S | undefined;
    try {
      slim = this.o.convert(raw);
    } catch (err) {
      skip(`${meta.namespace ? `${meta.namespace}/` : ''}${meta.name}, which cannot be converted: ${describeError(err)}`);
    }
    const rv = typeof meta.resourceVersion === 'string' ? meta.resourceVersion : fallbackRv;
    return { key: SlimCache.key(meta.namespace, meta.name), value: { rv, slim } };
  }

  // ---- ends, failures, backoff ----

  /** A watch that ended without an error: restart it, slowing down the ones that keep ending quickly. */
  private async ended(end: WatchEnd): Promise<void> {
    let cause: string;
    let healthy: boolean;
    if (end.kind === 'closed') {
      cause = `watch closed by the server after ${end.lived}s`;
      // Events alone do not make it healthy: a server that sends one event and hangs up would be re-watched in a
      // tight loop. Only a watch that lived (its timeout, or 10 s) resets the backoff.
      healthy = end.lived >= Math.min(10, this.o.watchTimeoutSeconds ?? 300);
    } else if (end.kind === 'stalled') {
      cause = `watch still open ${end.lived}s after its ${end.timeoutSeconds}s timeout (half-open connection?)`;
      healthy = false;
      this.probeFirst = true;
    } else {
      cause = end.cause;
      healthy = end.healthy;
      this.rv = undefined;
      if (!healthy) {
        this.lastError = cause;
        this.o.onError?.(new Error(cause));
      }
    }
    this.restarts++;
    this.o.onRestart?.(cause);
    if (healthy) this.failures = 0;
    else this.failures++;
    const delay = this.failures === 0 ? 0 : this.backoff();
    this.report(healthy ? 'info' : 'warn', cause, `${this.resource}: ${cause}; restart #${this.restarts}${delay ? ` in ${delay} ms` : ''}`, delay);
    if (delay > 0) await this.sleep(delay);
  }

  /** A list or watch failed. Returns false when the loop must end (a missing permission at start-up). */
  private async failed(err: unknown, verb: Verb): Promise<boolean> {
    const { o } = this;
    const code = statusCodeOf(err);
    if (code !== 410) o.onError?.(err);
    if (code === 401 || code === 403) {
      const msg = permissionMessage(this.resource, o.group, verb, err);
      this.lastError = msg;
      if (!this.synced) {
        // At start-up a missing permission is a deployment error: say so (an optional resource's caller warns).
        if (!o.optional) o.logger.error({ resource: this.resource, verb, status: code }, msg);
        this.rejectFirstSync(new PermissionError(msg, code));
        return false;
      }
      this.failures++;
      const delay = o.maxBackoffMs ?? 30_000;
      this.restarts++;
      o.onRestart?.(`${verb} failed: HTTP ${code}`);
      this.report('error', msg, msg, delay);
      await this.sleep(delay);
      return true;
    }
    if (code === 410) {
      // HTTP 410 on a watch (or on a list's continue token): the history is gone, relist.
      this.rv = undefined;
      this.restarts++;
      const cause = `resourceVersion expired (HTTP 410 Gone), relisting`;
      o.onRestart?.(cause);
      this.report('info', cause, `${this.resource}: ${cause}; restart #${this.restarts}`, 0);
      return true;
    }
    if (err instanceof ApiResponseError) {
      // Not the API server's answer, or past a bound: whatever the watch delivered since may be lost too.
      if (verb === 'watch') this.rv = undefined;
      if (err.kind === 'too-large' && verb === 'list' && this.pageSize > 50) this.pageSize = Math.max(50, this.pageSize >> 1);
    } else if (err instanceof ApiStatusError && code === 504 && isTooLargeRv(safeJson(err.body))) {
      this.rv = undefined;
    } else if (verb === 'watch' && this.rv !== undefined) {
      // The connection was lost or refused: the server may have restarted from older state.
      this.probeFirst = true;
    }
    this.failures++;
    const cause = `${verb} failed: ${describeError(err)}`;
    this.lastError = cause;
    const delay = this.backoff();
    this.restarts++;
    o.onRestart?.(cause);
    this.report('warn', cause, `${this.resource}: ${cause}; restart #${this.restarts} in ${delay} ms`, delay);
    await this.sleep(delay);
    return true;
  }

  /** Logs a restart; the same cause again within a minute goes to debug, so a flapping API cannot flood the log. */
  private report(level: 'info' | 'warn' | 'error', cause: string, msg: string, delayMs: number): void {
    const now = Date.now();
    const last = this.lastLog;
    const fields = { resource: this.resource, cause, restart: this.restarts, delayMs };
    if (last && last.cause === cause && now - last.at < REPEAT_LOG_MS) {
      last.repeats++;
      this.o.logger.debug(fields, msg);
      return;
    }
    const repeats = last && last.cause === cause ? last.repeats : 0;
    this.lastLog = { cause, at: now, repeats: 0 };
    this.o.logger[level](repeats > 0 ? { ...fields, repeatedSinceLastLine: repeats } : fields, msg);
  }

  private backoff(): number {
    const min = this.o.minBackoffMs ?? 500;
    const max = this.o.maxBackoffMs ?? 30_000;
    const base = Math.min(max, min * 2 ** Math.max(0, this.failures - 1));
    // +-20% jitter, so informers failing together do not retry in lockstep; never outside [min, max].
    return Math.round(Math.min(max, Math.max(min, base * (0.8 + Math.random() * 0.4))));
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.sleeping = undefined;
        resolve();
      };
      this.sleeping = { timer: setTimeout(wake, ms), wake };
    });
  }
}

function safeJson(text: string): Record<string, any> | undefined {
  try {
    const v = JSON.parse(text);
    return typeof v === 'object' && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}
