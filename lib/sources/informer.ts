// A client-node informer (ListWatch: list, then watch) that never goes quietly stale, and whose cache holds slim
// objects only.
//
// client-node 1.4.0's ListWatch re-watches by itself after a clean end of the stream and relists after 410 Gone, but
// after any other failure (connection reset or refused, a non-410 status, a failed list) it reports 'error' once and
// stops for good, and it has no client-side watch timeout (../shared/reference/k8s-api-and-spec.md §2.3, §3.3). So:
// - every end of a watch is observed through a Watch subclass handed to ListWatch (what makeInformer does, with an
//   instrumented Watch), logged once with its cause and counted; failures restart the informer with capped
//   exponential backoff, and repeated quick clean ends are slowed down the same way (client-node 1.4.0 would
//   re-watch in a tight loop, issue #1933);
// - watches ask for bookmarks and a server-side timeout (5-10 min, as client-go's reflector does), and a watch still
//   open well past that timeout is taken for a half-open connection and restarted;
// - the objects ListWatch caches are skeletons (name, namespace, resourceVersion, and the slim model object), not
//   the API objects: list items and watch objects are converted before ListWatch sees them.
import {
  ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject,
} from '@kubernetes/client-node';
import { PermissionError } from './source-errors.js';

/** What ListWatch caches per object: enough for its resourceVersion checks and relist diff, plus our slim copy. */
export interface Skeleton<S> extends KubernetesObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  /** undefined when the object is filtered out or could not be converted */
  slim: S | undefined;
}

export interface InformerChange<S> {
  type: 'upsert' | 'delete';
  slim: S;
}

export interface InformerLogger {
  info(o: object | string, msg?: string): void;
  warn(o: object | string, msg?: string): void;
  error(o: object | string, msg?: string): void;
  debug(o: object | string, msg?: string): void;
}

export interface RestartingInformerOptions<S> {
  kc: KubeConfig;
  /** plural resource name, for logs and hooks: 'services' */
  resource: string;
  /** API group, for permission messages: '' or 'discovery.k8s.io' */
  group: string;
  /** collection path: '/api/v1/services' */
  path: string;
  /** one page of the collection (the generated client's list call, e.g. core.listServiceForAllNamespaces) */
  list: (page: ListPage) => Promise<KubernetesListObject<KubernetesObject>>;
  /** objects per list page (default 500, as client-go's reflector); 0 = no paging */
  listPageSize?: number;
  labelSelector?: string;
  fieldSelector?: string;
  /** raw object → slim object (undefined = not kept); may throw for malformed objects, which are then skipped */
  convert: (raw: Record<string, any>) => S | undefined;
  /**
   * Changes, in order. `phase` 'list' delivers a whole (re)list at once, so the caller can apply it as one batch;
   * 'watch' delivers one event.
   */
  onChanges: (changes: InformerChange<S>[], phase: 'list' | 'watch') => void;
  /** called once per restart, with a one-line cause */
  onRestart?: (cause: string) => void;
  onError?: (err: unknown) => void;
  logger: InformerLogger;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** lower bound of the server-side watch timeout asked for; the actual one is 1-2x this (default 300) */
  watchTimeoutSeconds?: number;
}

export { PermissionError };

type Verb = 'list' | 'watch';

export interface ListPage {
  limit?: number;
  _continue?: string;
}

function statusCodeOf(err: unknown): number | undefined {
  const e = err as { statusCode?: unknown; code?: unknown } | undefined;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  if (typeof e?.code === 'number') return e.code;
  return undefined;
}

function isAbort(err: unknown): boolean {
  const e = err as { name?: string; type?: string } | undefined;
  return e?.name === 'AbortError' || e?.type === 'aborted';
}

/** The API server's own message from an ApiException body (a Status, as JSON text) when there is one. */
function serverMessage(err: unknown): string | undefined {
  const body = (err as { body?: unknown } | undefined)?.body;
  try {
    const status = typeof body === 'string' ? JSON.parse(body) : body;
    if (status && typeof status === 'object' && typeof (status as { message?: unknown }).message === 'string') {
      return (status as { message: string }).message;
    }
  } catch { /* not JSON */ }
  return undefined;
}

export function describeError(err: unknown): string {
  const code = statusCodeOf(err);
  let msg = serverMessage(err) ?? String((err as Error | undefined)?.message ?? err).split('\n')[0];
  // node-fetch: "request to <long url> failed, reason: connect ECONNREFUSED 127.0.0.1:6443"
  const reason = /failed, reason: (.*)$/.exec(msg);
  if (reason) msg = reason[1];
  const errno = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'number' && code >= 100) return `HTTP ${code}: ${msg}`;
  return typeof errno === 'string' && !msg.includes(errno) ? `${errno}: ${msg}` : msg;
}

/** The message for a 401/403: which permission is missing, in RBAC terms. */
export function permissionMessage(resource: string, group: string, verb: Verb, err: unknown): string {
  const code = statusCodeOf(err);
  const server = serverMessage(err);
  if (code === 401) {
    return `the API server rejected our credentials (HTTP 401 Unauthorized) when trying to ${verb} ${resource}: `
      + 'check the kubeconfig user, or the service account token file when running in a cluster';
  }
  return `permission denied (HTTP 403 Forbidden) to ${verb} ${resource}${group ? `.${group}` : ''} cluster-wide: `
    + `grant a ClusterRole rule { apiGroups: ["${group}"], resources: ["${resource}"], verbs: ["list", "watch"] } `
    + 'bound to this identity with a ClusterRoleBinding'
    + (server ? ` (server said: ${server})` : '');
}

export class RestartingInformer<S> {
  readonly resource: string;
  synced = false;
  restarts = 0;
  lastError: string | undefined;

  private readonly o: RestartingInformerOptions<S>;
  private readonly informer: ListWatch<Skeleton<S>>;
  private stopped = false;
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;
  private listBuffer: InformerChange<S>[] | undefined;
  private lastVerb: Verb = 'list';
  private readonly firstSync: Promise<void>;
  private resolveFirstSync!: () => void;
  private rejectFirstSync!: (err: Error) => void;

  constructor(o: RestartingInformerOptions<S>) {
    this.o = o;
    this.resource = o.resource;
    this.firstSync = new Promise<void>((resolve, reject) => {
      this.resolveFirstSync = resolve;
      this.rejectFirstSync = reject;
    });
    // Nobody may await it when stop() comes first.
    this.firstSync.catch(() => undefined);
    const watch = new ObservedWatch(o.kc, this);
    this.informer = new ListWatch<Skeleton<S>>(o.path, watch, () => this.listSkeletons(), false, o.labelSelector, o.fieldSelector);
    this.informer.on('add', (s) => this.change('upsert', s));
    this.informer.on('update', (s) => this.change('upsert', s));
    this.informer.on('delete', (s) => this.change('delete', s));
    this.informer.on('error', (err) => this.failed(err));
  }

  /** Starts listing and watching; resolves once the first list is delivered and its watch open, rejects on 401/403. */
  start(): Promise<void> {
    void this.run();
    return this.firstSync;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.rejectFirstSync(new Error(`${this.resource}: stopped before the first sync`));
    await this.informer.stop();
  }

  // ---- called by ObservedWatch ----

  get isStopped(): boolean {
    return this.stopped;
  }

  get watchTimeoutSeconds(): number {
    return this.o.watchTimeoutSeconds ?? 300;
  }

  toSkeleton(raw: Record<string, any>): Skeleton<S> {
    const meta = raw.metadata ?? {};
    let slim: S | undefined;
    try {
      slim = this.o.convert(raw);
    } catch (err) {
      this.o.logger.warn({ resource: this.resource, name: meta.name, namespace: meta.namespace, err: describeError(err) },
        'skipping an object that cannot be converted');
    }
    const metadata: Skeleton<S>['metadata'] = { name: meta.name, resourceVersion: meta.resourceVersion };
    if (meta.namespace) metadata.namespace = meta.namespace;
    return { metadata, slim };
  }

  /** ListWatch calls watch() right after applying a list synchronously: the buffered list goes out as one batch. */
  beforeWatch(): void {
    this.lastVerb = 'watch';
    const listed = this.listBuffer;
    this.listBuffer = undefined;
    if (listed) this.o.onChanges(listed, 'list');
  }

  /** An ERROR event other than 410: ListWatch ignores it and the stream goes on or ends; it is still worth a line. */
  errorEvent(status: { code?: number; message?: string } | undefined): void {
    this.o.logger.warn({ resource: this.resource, status: status?.code, message: status?.message },
      `${this.resource}: watch ERROR event: ${status?.message ?? JSON.stringify(status)}`);
  }

  /** Synced means listed and watching: a watch refused at start-up (403 on watch only) is a start-up failure. */
  watchConnected(): void {
    this.failures = 0;
    this.lastError = undefined;
    if (!this.synced) {
      this.synced = true;
      this.resolveFirstSync();
    }
  }

  /**
   * A watch ended in a way ListWatch handles by itself (clean end, 410, our stall timeout): log and count it, and
   * slow down re-watches that keep ending quickly.
   */
  watchEnded(cause: string, healthy: boolean, forward: () => void): void {
    this.restarts++;
    this.o.onRestart?.(cause);
    if (healthy) this.failures = 0;
    else this.failures++;
    const delay = this.failures === 0 ? 0 : this.backoff();
    const level = healthy ? 'info' : 'warn';
    this.o.logger[level]({ resource: this.resource, cause, restart: this.restarts, delayMs: delay }, `${this.resource}: ${cause}; restart #${this.restarts}${delay ? ` in ${delay} ms` : ''}`);
    if (delay === 0) forward();
    else this.schedule(delay, forward);
  }

  // ---- internals ----

  private async listSkeletons(): Promise<KubernetesListObject<Skeleton<S>>> {
    this.lastVerb = 'list';
    // Page by page, each converted before the next is fetched: a 150,000-pod list is never in memory whole.
    const limit = this.o.listPageSize ?? 500;
    const items: Skeleton<S>[] = [];
    let resourceVersion: string | undefined;
    let cont: string | undefined;
    let first: KubernetesListObject<KubernetesObject> | undefined;
    do {
      const page = await this.o.list(limit > 0 ? { limit, ...(cont ? { _continue: cont } : {}) } : {});
      first ??= page;
      // Every page of one list is served at the first page's resourceVersion.
      resourceVersion ??= page.metadata?.resourceVersion;
      for (const raw of page.items ?? []) items.push(this.toSkeleton(raw as Record<string, any>));
      cont = page.metadata?._continue || undefined;
    } while (cont);
    // ListWatch turns the list into add/update/delete calls right after this promise resolves; collect them.
    this.listBuffer = [];
    return { apiVersion: first.apiVersion, kind: first.kind, metadata: { resourceVersion }, items };
  }

  private change(type: 'upsert' | 'delete', s: Skeleton<S>): void {
    if (s.slim === undefined) return;
    const c: InformerChange<S> = { type, slim: s.slim };
    if (this.listBuffer) this.listBuffer.push(c);
    else this.o.onChanges([c], 'watch');
  }

  private backoff(): number {
    const min = this.o.minBackoffMs ?? 500;
    const max = this.o.maxBackoffMs ?? 30_000;
    const base = Math.min(max, min * 2 ** Math.max(0, this.failures - 1));
    return Math.round(base / 2 + Math.random() * (base / 2));
  }

  private schedule(delay: number, fn: () => void): void {
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (!this.stopped) fn();
    }, delay);
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.informer.start();
    } catch (err) {
      // e.g. "No currently active cluster": a configuration problem, no point in retrying.
      this.lastError = describeError(err);
      this.o.onError?.(err);
      this.o.logger.error({ resource: this.resource, err: this.lastError }, `${this.resource} informer cannot start`);
      this.rejectFirstSync(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** ListWatch gave up (it reports once and stops): restart it with backoff. */
  private failed(err: unknown): void {
    if (this.stopped || isAbort(err)) return;
    this.listBuffer = undefined;
    const verb = this.lastVerb;
    const code = statusCodeOf(err);
    this.o.onError?.(err);
    if (code === 401 || code === 403) {
      const msg = permissionMessage(this.resource, this.o.group, verb, err);
      this.lastError = msg;
      if (!this.synced) {
        // At start-up a missing permission is a deployment error: say so instead of retrying forever.
        this.o.logger.error({ resource: this.resource, verb, status: code }, msg);
        this.rejectFirstSync(new PermissionError(msg, code));
        return;
      }
      this.failures++;
      const delay = this.o.maxBackoffMs ?? 30_000;
      this.restarts++;
      this.o.onRestart?.(`${verb} failed: HTTP ${code}`);
      this.o.logger.error({ resource: this.resource, verb, status: code, restart: this.restarts, delayMs: delay }, msg);
      this.schedule(delay, () => void this.run());
      return;
    }
    this.failures++;
    const cause = `${verb} failed: ${describeError(err)}`;
    this.lastError = cause;
    const delay = this.backoff();
    this.restarts++;
    this.o.onRestart?.(cause);
    this.o.logger.warn({ resource: this.resource, cause, restart: this.restarts, delayMs: delay },
      `${this.resource}: ${cause}; restart #${this.restarts} in ${delay} ms`);
    this.schedule(delay, () => void this.run());
  }
}

/** The Watch that ListWatch uses, instrumented: it sees every event and every end of the stream first. */
class ObservedWatch<S> extends Watch {
  constructor(kc: KubeConfig, private readonly owner: RestartingInformer<S>) {
    super(kc);
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: any, watchObj?: any) => void,
    done: (err: any) => void,
  ): Promise<AbortController> {
    const owner = this.owner;
    if (owner.isStopped) {
      // stop() came while a list was in flight: ListWatch goes on to watch regardless, so refuse here.
      const idle = new AbortController();
      idle.abort();
      return idle;
    }
    owner.beforeWatch();
    const minTimeout = owner.watchTimeoutSeconds;
    const timeoutSeconds = Math.round(minTimeout * (1 + Math.random()));
    const params = { ...queryParams, allowWatchBookmarks: true, timeoutSeconds };
    const startedAt = Date.now();
    let events = 0;
    let expired = false;
    let stalled = false;
    let ended = false;
    let stallTimer: NodeJS.Timeout | undefined;

    const onDone = (err: unknown) => {
      ended = true;
      clearTimeout(stallTimer);
      // An abort comes from ListWatch itself (start() or stop() while watching) or from our stall timer. Forwarding
      // it would make ListWatch report a spurious error and abort whatever request it has started since.
      if (isAbort(err) && !stalled) return;
      if (owner.isStopped) return done(err);
      const lived = Math.round((Date.now() - startedAt) / 1000);
      if (stalled) {
        owner.watchEnded(`watch still open ${lived}s after its ${timeoutSeconds}s timeout (half-open connection?)`, false, () => done(null));
        return;
      }
      if (!err && expired) {
        owner.watchEnded('resourceVersion expired (ERROR event 410 Gone), relisting', true, () => done(null));
        return;
      }
      if (statusCodeOf(err) === 410) {
        owner.watchEnded('resourceVersion expired (HTTP 410 Gone), relisting', true, () => done(err));
        return;
      }
      if (!err) {
        const healthy = events > 0 || lived >= Math.min(10, timeoutSeconds);
        owner.watchEnded(`watch closed by the server after ${lived}s`, healthy, () => done(null));
        return;
      }
      done(err); // ListWatch reports it and stops; RestartingInformer restarts it with backoff
    };

    const ctl = await super.watch(path, params, (phase, obj, raw) => {
      if (phase === 'ERROR') {
        if (obj?.code === 410) expired = true;
        else owner.errorEvent(obj);
        callback(phase, obj, raw);
        return;
      }
      events++;
      callback(phase, phase === 'BOOKMARK' ? obj : owner.toSkeleton(obj ?? {}), raw);
    }, onDone);
    if (!ended) {
      owner.watchConnected();
      stallTimer = setTimeout(() => {
        stalled = true;
        ctl.abort();
      }, (timeoutSeconds + Math.max(5, Math.min(60, timeoutSeconds))) * 1000);
      stallTimer.unref();
    }
    return ctl;
  }
}
