// The live source's optional resources: the Gateway API kinds and DNSEndpoint, watched only where the cluster has
// their CRDs (crd-discovery.ts). Nothing about them stops start-up: a CRD not installed is logged once at info, a
// 403 is a warning naming the RBAC rule to add, and the rest keeps serving (unlike Ingresses, a built-in resource
// asked for explicitly, whose 403 stops start-up). Discovery is repeated every `recheckMs` (default a minute), so a
// CRD installed later is watched from the next check, one removed is dropped with its objects, and a permission
// granted later is picked up too.
import type { ClusterObject, RouteKind } from '../cluster/model.js';
import { isRouteKind, toGateway, toRoute } from '../cluster/gateway.js';
import { toDnsEndpoint } from '../cluster/dnsendpoint.js';
import type { ApiClient } from './api-client.js';
import { statusCodeOf } from './api-errors.js';
import { discoverCrds, type CrdWant, type FoundResource } from './crd-discovery.js';
import type { InformerLogger, RestartingInformer } from './informer.js';
import { PermissionError, ResourceMissingError } from './source-errors.js';

export const DEFAULT_CRD_RECHECK_MS = 60_000;
/** discovery of all groups must answer within this (each GET is bounded by the API limits too) */
const DISCOVERY_TIMEOUT_MS = 30_000;
/**
 * how long start-up waits for an optional resource's first sync: one that keeps failing (a CRD's conversion webhook
 * down answers 500) must not keep the whole source unsynced, which would turn every NXDOMAIN into SERVFAIL
 */
const SYNC_WAIT_MS = 10_000;

/** raw API object → model object, for an optional kind */
export function crdConverter(kind: string): (raw: Record<string, any>) => ClusterObject {
  if (kind === 'Gateway') return (raw) => toGateway(raw, '');
  if (kind === 'DNSEndpoint') return (raw) => toDnsEndpoint(raw, '');
  if (isRouteKind(kind)) return (raw) => toRoute(kind as RouteKind, raw, '');
  throw new Error(`no converter for ${kind}`);
}

export interface OptionalResourcesDeps {
  api: ApiClient;
  wants: readonly CrdWant[];
  logger: InformerLogger;
  recheckMs: number;
  /** a new informer for a found resource, with the source's conversion, store updates and hooks (and `onError`) */
  informer(found: FoundResource, onError: (err: unknown) => void): RestartingInformer<ClusterObject>;
  /** removes from the store what the source holds of a kind no longer watched */
  forget(kind: string): void;
}

const label = (w: CrdWant) => `${w.resource}.${w.group}`;

export class OptionalResources {
  private running = new Map<string, { found: FoundResource; informer: RestartingInformer<ClusterObject> }>();
  /** resource → why it is not watched, as last reported (each change logged once) */
  private reported = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private abort = new AbortController();
  private checking: Promise<void> = Promise.resolve();

  constructor(private readonly d: OptionalResourcesDeps) {}

  get informers(): RestartingInformer<ClusterObject>[] {
    return [...this.running.values()].map((r) => r.informer);
  }

  /** Discovers and starts what exists; resolves once each has synced once or been found unusable. Never rejects. */
  async start(): Promise<void> {
    this.checking = this.check();
    await this.checking;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
    await this.checking.catch(() => undefined);
    await Promise.all(this.informers.map((i) => i.stop()));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.checking = this.check().finally(() => this.schedule());
    }, this.d.recheckMs);
    this.timer.unref();
  }

  private async check(): Promise<void> {
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(DISCOVERY_TIMEOUT_MS)]);
    let result;
    try {
      result = await discoverCrds(this.d.api, this.d.wants, signal);
    } catch (err) {
      if (!this.stopped) this.note('discovery', `API discovery failed (${(err as Error).message}); asked again in ${this.d.recheckMs / 1000} s`, 'warn');
      return;
    }
    if (this.stopped) return;
    for (const f of result.failed) this.note(`group ${f.group}`, `API discovery of ${f.group} failed (${f.error}); what is watched stays as it was, asked again in ${this.d.recheckMs / 1000} s`, 'warn');
    const starts: Promise<void>[] = [];
    for (const f of result.found) {
      const r = this.running.get(f.resource);
      if (r && r.found.version === f.version) continue;
      if (r) await this.drop(f.resource, `now served as ${f.group}/${f.version}`);
      starts.push(this.startOne(f));
    }
    for (const m of result.missing) {
      if (this.running.has(m.resource)) await this.drop(m.resource, 'its CRD is no longer installed');
      this.note(m.resource, `${label(m)} is not installed (no CRD): not watched; checked again every ${this.d.recheckMs / 1000} s`, 'info');
    }
    await Promise.all(starts);
    const watching = [...this.running.values()].map((r) => `${r.found.resource}.${r.found.group}/${r.found.version}`);
    this.note('watching', watching.length > 0 ? `watching ${watching.join(', ')}` : 'no Gateway API or DNSEndpoint resource watched', 'info');
  }

  private async startOne(f: FoundResource): Promise<void> {
    let missing: ResourceMissingError | undefined;
    const informer = this.d.informer(f, (err) => {
      if (statusCodeOf(err) !== 404 || missing) return;
      // after the first sync: the CRD was deleted (its watch ended, the relist is 404); its names go now, not at the
      // next discovery a minute later
      if (informer.synced) {
        if (this.running.get(f.resource)?.informer === informer) void this.drop(f.resource, 'its CRD is no longer installed (HTTP 404)');
        return;
      }
      // a 404 before the first sync: the CRD is not installed (any more), nothing to wait for
      missing = new ResourceMissingError(`${label(f)}: not found (HTTP 404) at ${f.path}`);
      void informer.stop();
    });
    this.running.set(f.resource, { found: f, informer });
    const settled = this.settle(f, informer, informer.start(), () => missing);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), SYNC_WAIT_MS); });
    try {
      if (await Promise.race([settled, late]) === 'late') {
        // it goes on trying in the background; a later 403 or 404 still ends it as at start-up
        this.note(f.resource, `${label(f)}: not synced after ${SYNC_WAIT_MS / 1000} s (${informer.lastError ?? 'no answer yet'}); serving without it until it syncs`, 'warn');
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** The first sync of an informer, or why there is none (reported; the informer stopped). Never rejects. */
  private async settle(f: FoundResource, informer: RestartingInformer<ClusterObject>, first: Promise<void>, missing: () => ResourceMissingError | undefined): Promise<void> {
    try {
      await first;
      this.reported.delete(f.resource);
    } catch (thrown) {
      const err = missing() ?? thrown;
      // dropped or replaced meanwhile (its CRD removed, another version): whoever did it has reported it
      if (this.stopped || this.running.get(f.resource)?.informer !== informer) return;
      this.running.delete(f.resource);
      await informer.stop();
      // a list may have been delivered before the watch failed (the CRD removed in between)
      this.d.forget(f.kind);
      if (err instanceof PermissionError) {
        this.note(f.resource, `${err.message}; ${label(f)} is not watched (its names are not served), the rest keeps serving; asked again every ${this.d.recheckMs / 1000} s`, 'warn');
      } else if (err instanceof ResourceMissingError) {
        this.note(f.resource, `${err.message}: not watched; checked again every ${this.d.recheckMs / 1000} s`, 'info');
      } else {
        this.note(f.resource, `${label(f)}: ${(err as Error).message}`, 'warn');
      }
    }
  }

  private async drop(resource: string, why: string): Promise<void> {
    const r = this.running.get(resource);
    if (!r) return;
    this.running.delete(resource);
    await r.informer.stop();
    this.d.forget(r.found.kind);
    this.d.logger.info({ resource: label(r.found), version: r.found.version }, `${label(r.found)}/${r.found.version}: ${why}; stopped watching it, its objects dropped`);
  }

  /** logs a state once: the same message for the same subject again is debug only */
  private note(subject: string, msg: string, level: 'info' | 'warn'): void {
    if (this.reported.get(subject) === msg) { this.d.logger.debug({ subject }, msg); return; }
    this.reported.set(subject, msg);
    this.d.logger[level]({ subject }, msg);
  }
}
