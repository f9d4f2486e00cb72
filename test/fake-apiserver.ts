// A fake kube-apiserver for tests and for trying live mode by hand: a real HTTP(S) server on loopback speaking the
// list/watch protocol the way kube-apiserver does (see ../shared/reference/k8s-api-and-spec.md §3.1), so the real
// @kubernetes/client-node runs against it unmodified. It also has the switches tests need to make the API misbehave
// the ways a real one does: watches cut mid-stream, the server away and back, expired resourceVersions, 401/403.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, type FieldRequirement, type LabelRequirement,
} from './fake-apiserver-selectors.js';

import { answerAsImpostor, type Impostor } from './fake-apiserver-impostor.js';
import { discovery } from './fake-apiserver-discovery.js';
import { allCrds, CRD_RESOURCES, CRDS, isCrdResource, servedCrds, type CrdResource, type InstalledCrds } from './fake-apiserver-crds.js';
import { openapiV3 } from './fake-apiserver-openapi.js';
import { TABLE_TYPE, toTable, wantsTable } from './fake-apiserver-table.js';
import { handleWrite, type WritableObjects } from './fake-apiserver-writes.js';

export { parseFieldSelector, parseLabelSelector };

type Raw = Record<string, any>;

export type ResourceName = 'namespaces' | 'services' | 'pods' | 'endpointslices' | 'endpoints' | 'serviceimports' | 'ingresses' | CrdResource;

interface ResourceInfo {
  kind: string;
  apiVersion: string;
  namespaced: boolean;
}

export const RESOURCES: Record<ResourceName, ResourceInfo> = {
  namespaces: { kind: 'Namespace', apiVersion: 'v1', namespaced: false },
  services: { kind: 'Service', apiVersion: 'v1', namespaced: true },
  pods: { kind: 'Pod', apiVersion: 'v1', namespaced: true },
  endpointslices: { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', namespaced: true },
  // legacy core/v1 Endpoints, for `kubectl get ep`; clusterdns itself reads EndpointSlices
  endpoints: { kind: 'Endpoints', apiVersion: 'v1', namespaced: true },
  // the MCS API's CRD (sigs.k8s.io/mcs-api), for CoreDNS's `multicluster`
  serviceimports: { kind: 'ServiceImport', apiVersion: 'multicluster.x-k8s.io/v1alpha1', namespaced: true },
  // for the ingress plugin in live mode (served by every fake server; a fixture-derived cluster fills it only when asked)
  ingresses: { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', namespaced: true },
  // CRDs (fake-apiserver-crds.ts): served only while installed, in the versions installed; this is the preferred one
  ...Object.fromEntries(CRD_RESOURCES.map((r) => [r, { kind: CRDS[r].kind, apiVersion: `${CRDS[r].group}/${CRDS[r].versions[0]}`, namespaced: true }])) as Record<CrdResource, ResourceInfo>,
};

const RESOURCE_BY_KIND: Record<string, ResourceName> = {
  Namespace: 'namespaces', Service: 'services', Pod: 'pods', EndpointSlice: 'endpointslices', Endpoints: 'endpoints',
  ServiceImport: 'serviceimports', Ingress: 'ingresses',
  ...Object.fromEntries(CRD_RESOURCES.map((r) => [CRDS[r].kind, r])),
};

export function resourceOfKind(kind: string): ResourceName {
  const r = RESOURCE_BY_KIND[kind];
  if (!r) throw new Error(`the fake API server does not serve kind ${kind}`);
  return r;
}

interface WatchEvent {
  rv: number;
  resource: ResourceName;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Raw;
  /** the object before a MODIFIED, so selector transitions can become ADDED/DELETED as the real server does */
  previous?: Raw;
}

interface OpenWatch {
  resource: ResourceName;
  namespace?: string;
  labelSelector: LabelRequirement[];
  fieldSelector: FieldRequirement[];
  /** highest resourceVersion delivered (or asked for) */
  sentRv: number;
  bookmarks: boolean;
  /** kubectl get -w asked for Tables: each event's object is a one-row Table (includeObject as asked) */
  table?: { includeObject: string | undefined };
  res: http.ServerResponse;
  timer?: NodeJS.Timeout;
}

export interface RequestRecord {
  method: string;
  path: string;
  resource?: ResourceName;
  watch: boolean;
  query: Record<string, string>;
  authorization?: string;
  /** when it arrived (performance.now()), for tests of client-side rate limits */
  at: number;
}

export interface FakeApiServerOptions {
  host?: string;
  /** 0 = any free port */
  port?: number;
  /** when set, every request must carry `Authorization: Bearer <token>` */
  token?: string;
  /** serve HTTPS with a self-signed certificate for 127.0.0.1/localhost (made with openssl) */
  tls?: boolean;
  /** more https.createServer options with `tls` (requestCert and a client CA, for client-certificate tests) */
  tlsOptions?: https.ServerOptions;
  /** replaces the `token` check: false answers 401 (tests of other credentials, rotated tokens) */
  authorize?: (req: http.IncomingMessage) => boolean;
  /** watch events kept per server; older resourceVersions are answered with 410 Gone */
  historyLimit?: number;
  /** how an expired resourceVersion is reported on a watch: an ERROR event (kube-apiserver's watch cache) or HTTP 410 */
  expiredAs?: 'event' | 'http';
  /** send BOOKMARKs this often to watches that asked for them (0 = only when sendBookmarks() is called) */
  bookmarkIntervalMs?: number;
  /** the CRDs installed, and which of their versions (default: all, as fixture mode serves them); {} = none */
  crds?: InstalledCrds;
}

// ---- the server ----

const key = (ns: string, name: string) => `${ns}/${name}`;

function status(code: number, reason: string, message: string, details?: Raw): Raw {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

export class FakeApiServer {
  readonly token: string | undefined;
  /** PEM of the self-signed certificate (its own CA) when serving TLS */
  readonly caPem: string | undefined;
  /** every request received, in order (for assertions on what the client did) */
  readonly requests: RequestRecord[] = [];
  /** keep watches open past their timeoutSeconds, as a half-open connection looks to the client */
  ignoreWatchTimeouts = false;
  /** answer list requests this much later (a slow or overloaded API server) */
  listDelayMs = 0;
  /** list responses sent so far */
  listsServed = 0;
  /**
   * Answer every list (and watch, for 'html' and 'wrong-json') as something that is not an API server, or not a
   * well-behaved one: 'html' an auth proxy's login page (200 text/html); 'wrong-json' a 200 with JSON of another
   * shape; 'endless-list' a list body that never ends (items as fast as the client reads); 'hang-list' a list that
   * never gets a response; 'hang-watch' a watch that never does. undefined = behave.
   */
  impostor: Impostor | undefined = undefined;
  /**
   * A watch from a resourceVersion this server has not reached (it restarted from older state): 'silent' waits
   * for it, as etcd does; 'too-large' answers as kube-apiserver's watch cache does, an ERROR event 504 "Too large
   * resource version" after `tooLargeWaitMs` (3 s in kube-apiserver).
   */
  futureRv: 'silent' | 'too-large' = 'silent';
  tooLargeWaitMs = 3000;
  /**
   * Where writes through the HTTP API (kubectl apply, create, patch, delete) go: by default straight to the
   * objects here; the fake-apiserver CLI routes them through its synthesising cluster (fake-apiserver-cluster.ts).
   */
  writable: WritableObjects = {
    get: (resource, namespace, name) => structuredClone(this.get(RESOURCES[resource as ResourceName].kind, namespace, name)),
    put: (_resource, obj) => this.apply(obj),
    remove: (resource, namespace, name) => {
      const kind = RESOURCES[resource as ResourceName].kind;
      const last = this.get(kind, namespace, name);
      return last && this.delete(kind, namespace, name) ? last : undefined;
    },
  };
  /** answer kubectl's aggregated discovery request (one request for all resources); false: only the legacy form */
  aggregatedDiscovery = true;

  private server: http.Server;
  private sockets = new Set<Socket>();
  private objects: Record<ResourceName, Map<string, Raw>> = {
    namespaces: new Map(), services: new Map(), pods: new Map(), endpointslices: new Map(), endpoints: new Map(),
    serviceimports: new Map(), ingresses: new Map(),
    ...Object.fromEntries(CRD_RESOURCES.map((r) => [r, new Map()])) as Record<CrdResource, Map<string, Raw>>,
  };
  /** the CRDs installed now (installCrd / removeCrd) */
  private crds: InstalledCrds;
  private log: WatchEvent[] = [];
  private rv = 100;
  /** resourceVersions at or below this are gone (410) */
  private compactedRv = 0;
  private watches = new Set<OpenWatch>();
  private frozen = false;
  private failures = new Map<string, { code: number; verbs: Set<'list' | 'watch'> }>();
  private historyLimit: number;
  private expiredAs: 'event' | 'http';
  private bookmarkTimer?: NodeJS.Timeout;
  /** paged lists in progress: continue token id → the list's snapshot */
  private continuations = new Map<string, { items: Raw[]; rv: string }>();
  private continueSeq = 0;
  private host: string;
  private boundPort = 0;
  private up = false;

  private readonly authorize: ((req: http.IncomingMessage) => boolean) | undefined;

  private constructor(opts: FakeApiServerOptions, tls?: { cert: string; key: string }) {
    this.token = opts.token;
    this.authorize = opts.authorize;
    this.caPem = tls?.cert;
    this.historyLimit = opts.historyLimit ?? 100_000;
    this.crds = structuredClone(opts.crds ?? allCrds());
    this.expiredAs = opts.expiredAs ?? 'event';
    this.host = opts.host ?? '127.0.0.1';
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.handle(req, res);
    this.server = tls ? https.createServer({ ...opts.tlsOptions, cert: tls.cert, key: tls.key }, handler) : http.createServer(handler);
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    // TLS servers report the raw socket on 'connection' too; secure sockets are what we must destroy.
    this.server.on('secureConnection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    if (opts.bookmarkIntervalMs && opts.bookmarkIntervalMs > 0) {
      this.bookmarkTimer = setInterval(() => this.sendBookmarks(), opts.bookmarkIntervalMs);
      this.bookmarkTimer.unref();
    }
  }

  static async start(opts: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const srv = new FakeApiServer(opts, opts.tls ? selfSignedCert() : undefined);
    srv.boundPort = opts.port ?? 0;
    await srv.comeUp();
    return srv;
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `${this.caPem ? 'https' : 'http'}://${this.host}:${this.boundPort}`;
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  /** watch requests currently streaming */
  get openWatches(): number {
    return this.watches.size;
  }

  // ---- object changes (each emits a watch event, like a write through the real API) ----

  /** Creates or replaces an object (ADDED or MODIFIED). Returns the stored copy with its new resourceVersion. */
  apply(manifest: Raw): Raw {
    const resource = resourceOfKind(manifest.kind);
    const info = RESOURCES[resource];
    const obj: Raw = structuredClone(manifest);
    obj.apiVersion = info.apiVersion;
    obj.metadata = { ...(obj.metadata ?? {}) };
    if (!obj.metadata.name) throw new Error('metadata.name is required');
    if (info.namespaced) obj.metadata.namespace ||= 'default';
    else delete obj.metadata.namespace;
    const k = key(obj.metadata.namespace ?? '', obj.metadata.name);
    const previous = this.objects[resource].get(k);
    obj.metadata.uid = previous?.metadata.uid ?? `uid-${resource}-${k}`;
    obj.metadata.creationTimestamp = previous?.metadata.creationTimestamp ?? new Date().toISOString();
    obj.metadata.resourceVersion = String(++this.rv);
    this.objects[resource].set(k, obj);
    this.emit({ rv: this.rv, resource, type: previous ? 'MODIFIED' : 'ADDED', object: obj, previous });
    return obj;
  }

  /** Deletes an object (DELETED with its last state). Returns false when it did not exist. */
  delete(kind: string, namespace: string, name: string): boolean {
    const resource = resourceOfKind(kind);
    const k = key(RESOURCES[resource].namespaced ? namespace || 'default' : '', name);
    const previous = this.objects[resource].get(k);
    if (!previous) return false;
    this.objects[resource].delete(k);
    const obj = structuredClone(previous);
    obj.metadata.resourceVersion = String(++this.rv);
    this.emit({ rv: this.rv, resource, type: 'DELETED', object: obj });
    return true;
  }

  /**
   * Loads objects as if they had always been there: no watch events, and history starts after them. For big
   * initial states (benchmarks) and for fixtures.
   */
  load(manifests: Raw[]): void {
    for (const m of manifests) {
      const resource = resourceOfKind(m.kind);
      const info = RESOURCES[resource];
      const obj: Raw = { ...m, apiVersion: info.apiVersion, metadata: { ...(m.metadata ?? {}) } };
      if (info.namespaced) obj.metadata.namespace ||= 'default';
      const k = key(obj.metadata.namespace ?? '', obj.metadata.name);
      obj.metadata.uid ??= `uid-${resource}-${k}`;
      obj.metadata.creationTimestamp ??= new Date().toISOString();
      obj.metadata.resourceVersion = String(++this.rv);
      this.objects[resource].set(k, obj);
    }
    this.compactedRv = Math.max(this.compactedRv, this.rv);
  }

  get(kind: string, namespace: string, name: string): Raw | undefined {
    const resource = resourceOfKind(kind);
    return this.objects[resource].get(key(RESOURCES[resource].namespaced ? namespace || 'default' : '', name));
  }

  list(resource: ResourceName): Raw[] {
    return [...this.objects[resource].values()];
  }

  /** objects held, per resource */
  counts(): Record<ResourceName, number> {
    return {
      namespaces: this.objects.namespaces.size, services: this.objects.services.size, pods: this.objects.pods.size,
      endpointslices: this.objects.endpointslices.size, endpoints: this.objects.endpoints.size,
      serviceimports: this.objects.serviceimports.size, ingresses: this.objects.ingresses.size,
      ...Object.fromEntries(CRD_RESOURCES.map((r) => [r, this.objects[r].size])) as Record<CrdResource, number>,
    };
  }

  /**
   * Installs a CRD (or changes its versions) while running, as `kubectl apply -f crd.yaml` does: discovery lists it
   * from now on and its paths answer. Objects already held are kept.
   */
  installCrd(resource: CrdResource, versions: string[] = CRDS[resource].versions): void {
    this.crds[resource] = [...versions];
  }

  /** Removes a CRD: gone from discovery, its paths 404, its open watches end (its objects are kept for a reinstall). */
  removeCrd(resource: CrdResource): void {
    delete this.crds[resource];
    for (const w of [...this.watches]) if (w.resource === resource) this.finishWatch(w);
  }

  // ---- misbehaviour switches ----

  /** Destroys every watch connection mid-stream (no clean end of the chunked body), as a dropped connection does. */
  cutWatches(): void {
    for (const w of this.watches) {
      this.closeWatch(w);
      w.res.socket?.destroy();
    }
  }

  /** Ends every watch cleanly, as kube-apiserver does when a watch's timeout expires. */
  endWatches(): void {
    for (const w of [...this.watches]) this.finishWatch(w);
  }

  /** Holds back events from open watches (they stay in history); `thaw()` delivers them. */
  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    this.frozen = false;
    for (const w of this.watches) this.pump(w);
  }

  /** Compacts history only: watches stay open, and re-watches from before now get 410 Gone. */
  compact(): void {
    this.compactedRv = this.rv;
    this.log = [];
  }

  /**
   * Compacts history: every resourceVersion up to now is gone. Open watches get 410 Gone (an ERROR event, or a
   * dropped stream when expiredAs is 'http', after which the re-watch gets HTTP 410), so clients must relist.
   * Events held back by freeze() are lost to the watches, as after a real compaction.
   */
  expire(): void {
    this.compact();
    for (const w of [...this.watches]) {
      if (this.expiredAs === 'event') {
        this.write(w, { type: 'ERROR', object: this.goneStatus(w.sentRv) });
        this.finishWatch(w);
      } else {
        this.finishWatch(w);
      }
    }
  }

  /** Answers list and/or watch of a resource with an HTTP error (401, 403, 500...) until cleared with `code: 0`. */
  failResource(resource: ResourceName, code: number, verbs: ('list' | 'watch')[] = ['list', 'watch']): void {
    if (code === 0) this.failures.delete(resource);
    else this.failures.set(resource, { code, verbs: new Set(verbs) });
  }

  /** Sends a BOOKMARK at the current resourceVersion to every watch that asked for bookmarks. */
  sendBookmarks(): void {
    for (const w of this.watches) {
      if (!w.bookmarks || this.frozen) continue;
      const info = RESOURCES[w.resource];
      w.sentRv = Math.max(w.sentRv, this.rv);
      this.write(w, { type: 'BOOKMARK', object: { kind: info.kind, apiVersion: info.apiVersion, metadata: { resourceVersion: String(this.rv) } } });
    }
  }

  /** Writes raw text to every open watch (a malformed line, an event with a bad resourceVersion). */
  writeToWatches(text: string): void {
    for (const w of this.watches) if (!w.res.writableEnded) w.res.write(text);
  }

  /**
   * Writes `bytes` bytes of one line that never ends to every open watch, in 64 KiB chunks as the client reads
   * them. Resolves when written or when every watch is gone.
   */
  async writeEndlessLine(bytes: number): Promise<void> {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    await Promise.all([...this.watches].map(async (w) => {
      w.res.write('{"type":"ADDED","object":{"metadata":{"name":"');
      for (let sent = 0; sent < bytes && !w.res.destroyed && !w.res.writableEnded; sent += chunk.length) {
        if (!w.res.write(chunk)) {
          await new Promise<void>((resolve) => {
            const done = () => { w.res.off('drain', done); w.res.off('close', done); resolve(); };
            w.res.on('drain', done);
            w.res.on('close', done);
          });
        }
      }
    }));
  }

  /**
   * The API server restarts from older state (an etcd restore, a replaced control plane): it goes down, comes back
   * on the same port holding `manifests` only, with resourceVersions counting from `rvBase`, no history, and the
   * clients' resourceVersions far ahead of it.
   */
  async restartFrom(manifests: Raw[], rvBase: number, opts: { goDown?: boolean } = {}): Promise<void> {
    // Without going down (a load balancer switching to a restored replica), open watches just end cleanly.
    if (opts.goDown === false) this.endWatches();
    else await this.goDown();
    for (const r of Object.keys(this.objects) as ResourceName[]) this.objects[r].clear();
    this.log = [];
    this.continuations.clear();
    this.rv = rvBase;
    this.compactedRv = 0;
    this.load(manifests);
    await this.comeUp();
  }

  /** Stops listening and drops every connection (clients see ECONNRESET, then ECONNREFUSED). */
  async goDown(): Promise<void> {
    if (!this.up) return;
    this.up = false;
    for (const w of this.watches) this.closeWatch(w);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    this.server.closeAllConnections?.();
    await closed;
  }

  /** Listens again, on the same port. */
  async comeUp(): Promise<void> {
    if (this.up) return;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.boundPort, this.host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.boundPort = (this.server.address() as AddressInfo).port;
    this.up = true;
  }

  async close(): Promise<void> {
    clearInterval(this.bookmarkTimer);
    await this.goDown();
  }

  // ---- HTTP ----

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams);
    const route = this.route(url.pathname);
    const watch = query.watch === 'true' || query.watch === '1';
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, resource: route?.resource, watch, query, authorization: req.headers.authorization, at: performance.now() });

    if (this.authorize ? !this.authorize(req) : this.token !== undefined && req.headers.authorization !== `Bearer ${this.token}`) {
      return this.reply(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    }
    if (url.pathname === '/version') {
      return this.reply(res, 200, { major: '1', minor: '31', gitVersion: 'v1.31.0-fake', platform: 'linux/amd64' });
    }
    if (req.method === 'GET') {
      const d = discovery(url.pathname, String(req.headers.accept ?? ''), `${this.host}:${this.boundPort}`, this.aggregatedDiscovery, servedCrds(this.crds));
      if (d) return this.reply(res, 200, d.body, d.contentType);
      const doc = openapiV3(url.pathname, servedCrds(this.crds));
      if (doc) return this.reply(res, 200, doc);
    }
    if (!route) return this.reply(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));

    const { resource, namespace, name } = route;
    // a CRD's list names the version asked for (kube-apiserver converts between a CRD's versions)
    const info = { ...RESOURCES[resource], apiVersion: route.groupVersion };
    if (req.method === 'GET' && !name) {
      const verb = watch ? 'watch' : 'list';
      const failure = this.failures.get(resource);
      if (failure && failure.verbs.has(verb)) {
        return this.reply(res, failure.code, this.failureStatus(failure.code, verb, resource, namespace));
      }
      let labelSelector: LabelRequirement[];
      let fieldSelector: FieldRequirement[];
      try {
        labelSelector = parseLabelSelector(query.labelSelector);
        fieldSelector = parseFieldSelector(query.fieldSelector);
      } catch (err) {
        return this.reply(res, 400, status(400, 'BadRequest', (err as Error).message));
      }
      if (this.impostor && answerAsImpostor(this.impostor, res, RESOURCES[resource], this.rv, watch)) return;
      if (watch) return this.startWatch(req, res, resource, namespace, labelSelector, fieldSelector, query);
      const table = wantsTable(req.headers.accept);
      if (this.listDelayMs > 0) {
        setTimeout(() => this.listPage(res, resource, namespace, labelSelector, fieldSelector, query, table, info.apiVersion), this.listDelayMs);
        return;
      }
      return this.listPage(res, resource, namespace, labelSelector, fieldSelector, query, table, info.apiVersion);
    }
    if (req.method === 'GET' && name) {
      const obj = this.objects[resource].get(key(namespace ?? '', name));
      if (!obj) return this.reply(res, 404, status(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource }));
      if (wantsTable(req.headers.accept)) return this.reply(res, 200, toTable(info.kind, [obj], { resourceVersion: obj.metadata.resourceVersion }, query.includeObject), TABLE_TYPE);
      return this.reply(res, 200, obj);
    }
    // Writes, as kubectl (apply, create, patch, delete) and curl send them.
    handleWrite(this.writable, {
      resource, kind: info.kind, group: info.apiVersion.includes('/') ? info.apiVersion.split('/')[0] : '', namespaced: info.namespaced, namespace, name, query,
      served: (n) => this.objects[resource].get(key(info.namespaced ? namespace || 'default' : '', n)),
    }, req, (code, body, headers) => this.reply(res, code, body, undefined, headers));
  }

  /**
   * A list, or one page of it (limit/continue). Like kube-apiserver, every page of one list comes from the same
   * snapshot, at the first page's resourceVersion.
   */
  private listPage(
    res: http.ServerResponse, resource: ResourceName, namespace: string | undefined,
    labelSelector: LabelRequirement[], fieldSelector: FieldRequirement[], query: Record<string, string>, table = false,
    apiVersion = RESOURCES[resource].apiVersion,
  ): void {
    const info = { ...RESOURCES[resource], apiVersion };
    let snapshot: { items: Raw[]; rv: string };
    let offset = 0;
    if (query.continue) {
      const [id, at] = query.continue.split(':');
      const found = this.continuations.get(id);
      if (!found) return this.reply(res, 410, status(410, 'Expired', 'The provided continue parameter is too old'));
      snapshot = found;
      offset = Number(at);
    } else {
      const items = [...this.objects[resource].values()].filter((o) =>
        (namespace === undefined || o.metadata.namespace === namespace)
        && matchesLabels(o, labelSelector) && matchesFields(o, fieldSelector));
      snapshot = { items, rv: String(this.rv) };
    }
    const limit = Number(query.limit);
    const metadata: Raw = { resourceVersion: snapshot.rv };
    let items = snapshot.items;
    if (Number.isFinite(limit) && limit > 0) {
      items = snapshot.items.slice(offset, offset + limit);
      const next = offset + limit;
      let id = query.continue?.split(':')[0];
      if (next < snapshot.items.length) {
        if (!id) {
          id = String(++this.continueSeq);
          this.continuations.set(id, snapshot);
        }
        metadata.continue = `${id}:${next}`;
        metadata.remainingItemCount = snapshot.items.length - next;
      } else if (id) {
        this.continuations.delete(id);
      }
    }
    this.listsServed++;
    if (table) return this.reply(res, 200, toTable(info.kind, items, metadata, query.includeObject), TABLE_TYPE);
    this.reply(res, 200, { kind: `${info.kind}List`, apiVersion: info.apiVersion, metadata, items });
  }

  private route(pathname: string): { resource: ResourceName; groupVersion: string; namespace?: string; name?: string } | undefined {
    const parts = pathname.split('/').filter(Boolean);
    let rest: string[];
    if (parts[0] === 'api' && parts[1] === 'v1') rest = parts.slice(2);
    else if (parts[0] === 'apis' && parts.length >= 4) rest = parts.slice(3);
    else return undefined;
    const groupVersion = parts[0] === 'api' ? 'v1' : `${parts[1]}/${parts[2]}`;
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const resource = rest[0] as ResourceName;
    if (!(resource in RESOURCES)) return undefined;
    if (isCrdResource(resource)) {
      const group = CRDS[resource].group;
      if (!(this.crds[resource] ?? []).some((v) => `${group}/${v}` === groupVersion)) return undefined;
    } else if (RESOURCES[resource].apiVersion !== groupVersion) return undefined;
    if (resource === 'namespaces' && rest.length === 2) return { resource, groupVersion, name: rest[1] };
    if (rest.length > 2) return undefined;
    return { resource, groupVersion, namespace, name: rest[1] };
  }

  private reply(res: http.ServerResponse, code: number, body: unknown, contentType = 'application/json', headers: Record<string, string> = {}): void {
    if (res.headersSent) return;
    const text = JSON.stringify(body);
    res.writeHead(code, { ...headers, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private failureStatus(code: number, verb: string, resource: ResourceName, namespace?: string): Raw {
    const apiVersion = RESOURCES[resource].apiVersion;
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    if (code === 401) return status(401, 'Unauthorized', 'Unauthorized');
    if (code === 403) {
      const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
      return status(403, 'Forbidden',
        `${resource}${group ? `.${group}` : ''} is forbidden: User "system:serviceaccount:kube-system:clusterdns" cannot ${verb} resource "${resource}" in API group "${group}" ${scope}`,
        { group, kind: resource });
    }
    if (code === 410) return this.goneStatus(0);
    return status(code, code >= 500 ? 'InternalError' : 'BadRequest', `injected failure ${code}`);
  }

  private goneStatus(rv: number): Raw {
    return status(410, 'Expired', `too old resource version: ${rv} (${this.compactedRv + 1})`);
  }

  private startWatch(
    req: http.IncomingMessage, res: http.ServerResponse, resource: ResourceName, namespace: string | undefined,
    labelSelector: LabelRequirement[], fieldSelector: FieldRequirement[], query: Record<string, string>,
  ): void {
    const rvParam = query.resourceVersion ?? '';
    const fromRv = rvParam === '' || rvParam === '0' ? undefined : Number(rvParam);
    const oldest = this.log.length > 0 ? this.log[0].rv - 1 : this.rv;
    const expired = fromRv !== undefined && (!Number.isFinite(fromRv) || fromRv < Math.max(this.compactedRv, oldest));
    if (expired && this.expiredAs === 'http') return this.reply(res, 410, this.goneStatus(fromRv ?? 0));

    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache' });
    res.flushHeaders();
    const w: OpenWatch = {
      resource, namespace, labelSelector, fieldSelector, res,
      sentRv: fromRv ?? this.rv,
      bookmarks: query.allowWatchBookmarks === 'true',
      ...(wantsTable(req.headers.accept) ? { table: { includeObject: query.includeObject } } : {}),
    };
    if (expired) {
      this.write(w, { type: 'ERROR', object: this.goneStatus(fromRv ?? 0) });
      res.end();
      return;
    }
    this.watches.add(w);
    req.on('close', () => this.closeWatch(w));
    if (fromRv !== undefined && fromRv > this.rv && this.futureRv === 'too-large') {
      w.timer = setTimeout(() => {
        this.write(w, { type: 'ERROR', object: status(504, 'Timeout', 'Too large resource version', {
          causes: [{ reason: 'ResourceVersionTooLarge', message: `Too large resource version: ${fromRv}, current: ${this.rv}` }],
          retryAfterSeconds: 1,
        }) });
        this.finishWatch(w);
      }, this.tooLargeWaitMs);
      return;
    }
    const timeout = Number(query.timeoutSeconds);
    if (Number.isFinite(timeout) && timeout > 0 && !this.ignoreWatchTimeouts) w.timer = setTimeout(() => this.finishWatch(w), timeout * 1000);
    if (fromRv === undefined) {
      // "Start from now": synthetic ADDED for the current state, as kube-apiserver does.
      for (const o of this.objects[resource].values()) if (this.selects(w, o)) this.write(w, { type: 'ADDED', object: o });
    }
    this.pump(w);
  }

  private selects(w: OpenWatch, o: Raw): boolean {
    return (w.namespace === undefined || o.metadata.namespace === w.namespace)
      && matchesLabels(o, w.labelSelector) && matchesFields(o, w.fieldSelector);
  }

  private emit(ev: WatchEvent): void {
    this.log.push(ev);
    if (this.log.length > this.historyLimit) {
      const dropped = this.log.splice(0, this.log.length - this.historyLimit);
      this.compactedRv = Math.max(this.compactedRv, dropped[dropped.length - 1].rv);
    }
    if (!this.frozen) for (const w of this.watches) this.pump(w);
  }

  /** Sends a watch every logged event after what it has seen. */
  private pump(w: OpenWatch): void {
    if (this.frozen) return;
    // The log is ordered by resourceVersion: start after what this watch has seen.
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.log[mid].rv <= w.sentRv) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.log.length; i++) {
      const ev = this.log[i];
      w.sentRv = ev.rv;
      if (ev.resource !== w.resource) continue;
      const now = this.selects(w, ev.object);
      if (ev.type === 'MODIFIED' && ev.previous) {
        const before = this.selects(w, ev.previous);
        if (now && !before) this.write(w, { type: 'ADDED', object: ev.object });
        else if (!now && before) this.write(w, { type: 'DELETED', object: ev.object });
        else if (now) this.write(w, { type: 'MODIFIED', object: ev.object });
      } else if (now) {
        this.write(w, { type: ev.type, object: ev.object });
      }
    }
  }

  private write(w: OpenWatch, event: { type: string; object: Raw }): void {
    if (w.table && ['ADDED', 'MODIFIED', 'DELETED'].includes(event.type)) {
      const o = event.object;
      event = { type: event.type, object: toTable(o.kind ?? RESOURCES[w.resource].kind, [o], { resourceVersion: o.metadata?.resourceVersion }, w.table.includeObject) };
    }
    if (!w.res.writableEnded) w.res.write(`${JSON.stringify(event)}\n`);
  }

  private closeWatch(w: OpenWatch): void {
    clearTimeout(w.timer);
    this.watches.delete(w);
  }

  private finishWatch(w: OpenWatch): void {
    this.closeWatch(w);
    if (!w.res.writableEnded) w.res.end();
  }
}

/** A self-signed certificate valid for 127.0.0.1, ::1 and localhost, made with the openssl CLI. */
export function selfSignedCert(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-apiserver-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=fake-apiserver',
      '-addext', 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
      '-addext', 'basicConstraints=critical,CA:TRUE',
    ], { stdio: 'pipe' });
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A kubeconfig (as YAML text) that points the real client at this server. */
export function kubeconfigFor(srv: FakeApiServer, opts: { context?: string; caFile?: string } = {}): string {
  const ctx = opts.context ?? 'fake';
  const cluster = srv.caPem
    ? `    server: ${srv.url}\n    certificate-authority: ${opts.caFile ?? ''}\n`
    : `    server: ${srv.url}\n    insecure-skip-tls-verify: true\n`;
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: fake',
    '  cluster:',
    cluster.trimEnd(),
    'users:',
    '- name: fake-user',
    '  user:',
    `    token: ${srv.token ?? 'unused'}`,
    'contexts:',
    `- name: ${ctx}`,
    '  context:',
    '    cluster: fake',
    '    user: fake-user',
    `current-context: ${ctx}`,
    '',
  ].join('\n');
}
