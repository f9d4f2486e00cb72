// The live source: watches Namespaces, Services, EndpointSlices (and Pods when asked) through our own informers
// and keeps the store equal to what the API says, as CoreDNS's kubernetes plugin does. Only slim model objects are
// kept; while the API is away the store keeps its last state, and every restart is logged with its cause.
import type { ClusterObject, EndpointSlice } from '../cluster/model.js';
import { toIngress } from '../cluster/ingress.js';
import { slimPod, toEndpointSlice, toNamespace, toPod, toService, toServiceImport } from '../cluster/objects.js';
import type { ClusterStore } from '../cluster/store.js';
import { formatProblem, validateObject } from '../cluster/validate.js';
import { ApiClient, DEFAULT_API_LIMITS, type ApiLimits } from './api-client.js';
import { DNSENDPOINT_WANT, GATEWAY_WANTS } from './crd-discovery.js';
import { crdConverter, DEFAULT_CRD_RECHECK_MS, OptionalResources } from './optional-resources.js';
import { RestartingInformer, type InformerChange, type InformerLogger } from './informer.js';
import { loadKubeConfig, type KubeConfigOptions } from './kubeconfig/load.js';
import { KubeConfigError } from './source-errors.js';
import { RequestGate, type RequestGateOptions } from './request-gate.js';

export const KUBERNETES_OWNER = 'kubernetes';

/** CoreDNS's pods verified watch leaves out pods that can no longer answer. */
const LIVE_POD_FIELD_SELECTOR = 'status.phase!=Succeeded,status.phase!=Failed,status.phase!=Unknown';

export type ServiceKind = 'cluster_ip' | 'headless_with_selector' | 'headless_without_selector';

export interface KubernetesSourceHooks {
  /** one call per watch restart (for a restarts counter) */
  onRestart?(resource: string, cause: string): void;
  onError?(resource: string, err: unknown): void;
  /** coredns_kubernetes_dns_programming_duration_seconds{service_kind} */
  onProgrammingLatency?(serviceKind: ServiceKind, seconds: number): void;
  /** one call per object version skipped because it fails the API server's validation (metrics) */
  onRejected?(kind: string): void;
}

/** An object the API served that DNS cannot use (a server with validation off, or a fake one): skipped. */
export interface LiveRejection {
  kind: string;
  namespace: string;
  name: string;
  resourceVersion: string;
  message: string;
}

/** Rejections remembered (for status and to report each object version once). */
const MAX_REJECTIONS = 1000;

export interface KubernetesSourceOptions extends KubeConfigOptions {
  /** CoreDNS `namespaces`: only objects in these namespaces are stored (empty = all) */
  namespaces: string[];
  /** CoreDNS `labels`: a label selector, applied to the Service, EndpointSlice and Pod watches as CoreDNS does */
  labels?: string;
  watchPods: boolean;
  /** CoreDNS `multicluster`: watch the MCS API's ServiceImports (multicluster.x-k8s.io/v1alpha1) */
  watchServiceImports?: boolean;
  logger: InformerLogger;
  hooks?: KubernetesSourceHooks;
  /** restart backoff bounds (default 500 ms to 30 s) */
  backoff?: { minMs?: number; maxMs?: number };
  /** lower bound of the server-side watch timeout asked for; the actual one is 1-2x this (default 300) */
  watchTimeoutSeconds?: number;
  /** objects per list page (default 500, as client-go's reflector) */
  listPageSize?: number;
  /** time and size bounds of API answers (default DEFAULT_API_LIMITS, then $CLUSTERDNS_API_LIMITS) */
  limits?: Partial<ApiLimits>;
  /** CoreDNS apiserver_qps, apiserver_burst, apiserver_max_inflight (lib/sources/request-gate.ts) */
  requestLimits?: RequestGateOptions;
  /**
   * the ingress plugin is configured: watch networking.k8s.io/v1 Ingresses (their hosts and status), and the Gateway
   * API kinds and DNSEndpoints where their CRDs are installed (optional-resources.ts)
   */
  watchIngresses?: boolean;
  /** how often the optional resources' CRDs are looked for again (default 60 s; $CLUSTERDNS_CRD_RECHECK_MS) */
  crdRecheckMs?: number;
  /** CoreDNS `noendpoints`: EndpointSlices are not watched */
  noEndpoints?: boolean;
}

/**
 * $CLUSTERDNS_API_LIMITS: `name=value,...` over ApiLimits (`requestTimeoutMs=60000,listPageBytes=33554432`), for
 * clusters with unusually large objects, and for tests that cannot wait a minute for a timeout.
 */
export function apiLimitsFromEnv(text: string | undefined): Partial<ApiLimits> {
  const out: Partial<ApiLimits> = {};
  if (!text) return out;
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, value] = part.split('=').map((p) => p.trim());
    const n = Number(value);
    if (!(name in DEFAULT_API_LIMITS) || !Number.isInteger(n) || n <= 0) {
      throw new KubeConfigError(`CLUSTERDNS_API_LIMITS: "${part}" is not one of ${Object.keys(DEFAULT_API_LIMITS).map((k) => `${k}=<positive integer>`).join(', ')}`);
    }
    out[name as keyof ApiLimits] = n;
  }
  return out;
}

export interface InformerStatus {
  resource: string;
  synced: boolean;
  lastError?: string;
  restarts: number;
}

type Converter = (raw: Record<string, any>) => ClusterObject;

interface ResourceSpec {
  resource: string;
  group: string;
  path: string;
  convert: Converter;
  labelSelector?: string;
  fieldSelector?: string;
}

function resourceSpecs(opts: KubernetesSourceOptions): ResourceSpec[] {
  const specs: ResourceSpec[] = [
    { resource: 'namespaces', group: '', path: '/api/v1/namespaces', convert: toNamespace },
    { resource: 'services', group: '', path: '/api/v1/services', convert: toService, labelSelector: opts.labels },
    ...opts.noEndpoints ? [] : [{
      resource: 'endpointslices', group: 'discovery.k8s.io', path: '/apis/discovery.k8s.io/v1/endpointslices',
      convert: toEndpointSlice, labelSelector: opts.labels,
    }],
  ];
  if (opts.watchPods) {
    specs.push({
      resource: 'pods', group: '', path: '/api/v1/pods', convert: (raw) => slimPod(toPod(raw)), labelSelector: opts.labels,
      fieldSelector: LIVE_POD_FIELD_SELECTOR,
    });
  }
  if (opts.watchServiceImports) {
    // Not filtered by `labels`: CoreDNS's ServiceImport watch is not either. Its multi-cluster EndpointSlices come
    // through the EndpointSlice watch above.
    specs.push({
      resource: 'serviceimports', group: 'multicluster.x-k8s.io', path: '/apis/multicluster.x-k8s.io/v1alpha1/serviceimports',
      convert: toServiceImport,
    });
  }
  if (opts.watchIngresses) {
    // Not filtered by `labels` (a kubernetes-plugin option: it selects the cluster's Services, not the Ingresses).
    specs.push({
      resource: 'ingresses', group: 'networking.k8s.io', path: '/apis/networking.k8s.io/v1/ingresses',
      convert: (raw) => toIngress(raw, ''),
    });
  }
  return specs;
}

export class KubernetesSource {
  private readonly store: ClusterStore;
  private readonly opts: KubernetesSourceOptions;
  private readonly specs: ResourceSpec[];
  private readonly exposed: Set<string> | undefined;
  private informers: RestartingInformer<ClusterObject>[] = [];
  private optional: OptionalResources | undefined;
  private started = false;
  private _synced = false;
  /** "Kind/namespace/name" → its last refused version */
  private refused = new Map<string, LiveRejection>();

  constructor(store: ClusterStore, opts: KubernetesSourceOptions) {
    this.store = store;
    this.opts = opts;
    this.specs = resourceSpecs(opts);
    this.exposed = opts.namespaces.length > 0 ? new Set(opts.namespaces) : undefined;
    // Until every informer has listed once, "not found" may just mean "not seen yet".
    store.setSynced(false);
  }

  get synced(): boolean {
    return this._synced;
  }

  get status(): InformerStatus[] {
    if (this.informers.length === 0) return this.specs.map((s) => ({ resource: s.resource, synced: false, restarts: 0 }));
    return [...this.informers, ...this.optional?.informers ?? []].map((i) => {
      const st: InformerStatus = { resource: i.resource, synced: i.synced, restarts: i.restarts };
      if (i.lastError !== undefined) st.lastError = i.lastError;
      return st;
    });
  }

  /**
   * Why the source is not synced, for /ready: "kubernetes", then the first informer's last error when one has
   * failed ("kubernetes: services: list failed: text/html (not JSON) from https://...").
   */
  get notSyncedReason(): string {
    const failing = this.status.find((s) => !s.synced && s.lastError !== undefined);
    return failing ? `kubernetes: ${failing.resource}: ${failing.lastError}` : 'kubernetes';
  }

  /**
   * Lists and watches every resource. Resolves once each has synced once; rejects on a bad kubeconfig or a missing
   * permission (401/403). While the API cannot be reached it keeps retrying, so the caller decides how long to wait.
   */
  async start(): Promise<void> {
    if (this.started) throw new Error('KubernetesSource already started');
    this.started = true;
    const began = performance.now();
    const { access, origin } = await loadKubeConfig(this.opts);
    const limits = { ...apiLimitsFromEnv(process.env.CLUSTERDNS_API_LIMITS), ...(this.opts.limits ?? {}) };
    this.opts.logger.info({ origin, namespaces: this.opts.namespaces, labels: this.opts.labels, pods: this.opts.watchPods },
      'watching the Kubernetes API');
    const hooks = this.opts.hooks ?? {};
    const gate = RequestGate.from(this.opts.requestLimits ?? {});
    const informer = (spec: ResourceSpec, onError?: (err: unknown) => void) => new RestartingInformer<ClusterObject>({
      access,
      resource: spec.resource,
      group: spec.group,
      path: spec.path,
      labelSelector: spec.labelSelector,
      fieldSelector: spec.fieldSelector,
      convert: (raw) => this.convert(spec.convert, raw),
      onChanges: (changes, phase) => this.onChanges(changes, phase),
      onRestart: (cause) => hooks.onRestart?.(spec.resource, cause),
      onError: (err) => { hooks.onError?.(spec.resource, err); onError?.(err); },
      logger: this.opts.logger,
      minBackoffMs: this.opts.backoff?.minMs,
      maxBackoffMs: this.opts.backoff?.maxMs,
      watchTimeoutSeconds: this.opts.watchTimeoutSeconds,
      listPageSize: this.opts.listPageSize,
      limits,
      optional: onError !== undefined,
      ...(gate ? { gate } : {}),
    });
    this.informers = this.specs.map((spec) => informer(spec));
    if (this.opts.watchIngresses) {
      const envRecheck = Number(process.env.CLUSTERDNS_CRD_RECHECK_MS);
      this.optional = new OptionalResources({
        api: new ApiClient(access, { ...DEFAULT_API_LIMITS, ...limits }, gate),
        wants: [...GATEWAY_WANTS, DNSENDPOINT_WANT],
        logger: this.opts.logger,
        recheckMs: this.opts.crdRecheckMs ?? (Number.isInteger(envRecheck) && envRecheck >= 100 ? envRecheck : DEFAULT_CRD_RECHECK_MS),
        informer: (f, onError) => informer({ resource: f.resource, group: f.group, path: f.path, convert: crdConverter(f.kind) }, onError),
        forget: (kind) => this.forget(kind),
      });
    }
    try {
      await Promise.all([...this.informers.map((i) => i.start()), this.optional?.start()]);
    } catch (err) {
      await this.stop();
      throw err;
    }
    const counts = this.store.counts();
    const ms = Math.round(performance.now() - began);
    this.opts.logger.info({ services: counts.Service, endpointSlices: counts.EndpointSlice, namespaces: counts.Namespace, pods: counts.Pod, ms },
      `synced ${counts.Service} services, ${counts.EndpointSlice} endpoint slices in ${ms} ms`);
    this._synced = true;
    this.store.setSynced(true);
  }

  /**
   * CoreDNS's startup_timeout: waits up to `ms` for the first sync. Resolves true once synced, or false when the
   * time is up and the sync goes on in the background (the store stays unsynced, so NXDOMAIN becomes SERVFAIL until
   * then; a later failure is logged). Rejects when start() fails within the time (bad kubeconfig, 401/403).
   */
  async startWithin(ms: number): Promise<boolean> {
    const first = this.start();
    let timer: NodeJS.Timeout | undefined;
    const timeUp = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), ms); });
    try {
      const synced = await Promise.race([first.then(() => true as const), timeUp]);
      if (!synced) {
        this.opts.logger.warn({ waitedMs: ms, informers: this.status },
          `Kubernetes API not synced after ${ms} ms: serving anyway, "does not exist" answers are SERVFAIL until it is`);
        first.catch((err: unknown) => this.opts.logger.error({ err: (err as Error)?.message ?? String(err) }, 'Kubernetes source failed to start'));
      }
      return synced;
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.map((i) => i.stop()), this.optional?.stop()]);
  }

  /** Drops every object of a kind this source stored (an optional resource no longer watched). */
  private forget(kind: string): void {
    this.store.batch(() => {
      for (const o of [...this.store.all()]) {
        if (o.kind === kind && o.kind !== 'Namespace' && this.store.ownerOf(o) === KUBERNETES_OWNER) this.store.delete(o.kind, o.namespace, o.name);
      }
    });
  }

  /** Objects the API served that were skipped because they fail validation (the most recent first, up to 100). */
  get rejected(): LiveRejection[] {
    return [...this.refused.values()].reverse().slice(0, 100);
  }

  private convert(fn: Converter, raw: Record<string, any>): ClusterObject | undefined {
    const obj = fn(raw);
    if (this.exposed) {
      const ns = obj.kind === 'Namespace' ? obj.name : obj.namespace;
      if (!this.exposed.has(ns)) return undefined;
    }
    const problems = validateObject(obj.kind, raw, '');
    if (problems.length > 0) {
      this.reject(obj, String(raw.metadata?.resourceVersion ?? ''), problems.map(formatProblem).join('; '));
      return undefined;
    }
    if (this.refused.size > 0) this.refused.delete(`${obj.kind}/${obj.kind === 'Namespace' ? '' : obj.namespace}/${obj.name}`);
    return obj;
  }

  /** Skips an object that fails validation: logged and counted once per version (a relist sees it again). */
  private reject(obj: ClusterObject, resourceVersion: string, message: string): void {
    const namespace = obj.kind === 'Namespace' ? '' : obj.namespace;
    const key = `${obj.kind}/${namespace}/${obj.name}`;
    // An object that turned invalid leaves the store through the informer's own change (slim-cache.ts turns "no
    // longer converts" into a delete), inside its batch; nothing to delete here.
    const seen = this.refused.get(key);
    if (seen && seen.resourceVersion === resourceVersion) return;
    this.refused.delete(key);
    if (this.refused.size >= MAX_REJECTIONS) this.refused.delete(this.refused.keys().next().value!);
    this.refused.set(key, { kind: obj.kind, namespace, name: obj.name, resourceVersion, message });
    this.opts.logger.warn({ kind: obj.kind, namespace, name: obj.name, resourceVersion },
      `skipped an object the API server should have refused; the rest keeps serving: ${obj.kind} ${namespace ? `${namespace}/` : ''}${JSON.stringify(obj.name)} is invalid: ${message}`);
    this.opts.hooks?.onRejected?.(obj.kind);
  }

  private onChanges(changes: InformerChange<ClusterObject>[], phase: 'list' | 'watch'): void {
    const applyAll = () => {
      for (const c of changes) {
        const o = c.slim;
        if (c.type === 'upsert') this.store.apply(o, KUBERNETES_OWNER);
        else this.store.delete(o.kind, o.kind === 'Namespace' ? '' : o.namespace, o.name);
      }
    };
    if (phase === 'list') {
      this.store.batch(applyAll);
      return;
    }
    applyAll();
    for (const c of changes) {
      if (c.type === 'upsert' && c.slim.kind === 'EndpointSlice') this.programmingLatency(c.slim);
    }
  }

  /**
   * CoreDNS's DNS programming latency: from the EndpointSlice controller's last-change-trigger-time to now, when the
   * slice belongs to exactly one known Service. Measured on watch events only: a (re)list replays old changes.
   */
  private programmingLatency(slice: EndpointSlice): void {
    const hook = this.opts.hooks?.onProgrammingLatency;
    if (!hook || slice.lastChangeTriggerTime === undefined || !slice.serviceName) return;
    const svc = this.store.service(slice.namespace, slice.serviceName);
    if (!svc) return;
    // CoreDNS labels every headless Service "headless_with_selector" (its slices come from the controller).
    hook(svc.headless ? 'headless_with_selector' : 'cluster_ip', Math.max(0, Date.now() - slice.lastChangeTriggerTime) / 1000);
  }
}
