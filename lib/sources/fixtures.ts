// The fixture source: manifest files (watched and hot-reloaded) plus objects applied or deleted at run time,
// turned into cluster objects and written to the store as one change. A file that fails to parse is reported and
// the last good state keeps serving.
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { ClusterObject } from '../cluster/model.js';
import type { ClusterStore } from '../cluster/store.js';
import type { SynthesisConfig } from '../config.js';
import { slimPod } from '../cluster/objects.js';
import { buildObjects } from './build-objects.js';
import {
  expandFixturePaths, FixtureError, manifestKey, parseManifestText, readManifestFile, type SourcedManifest,
} from './manifest-files.js';

export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
}

export interface FixtureSourceOptions {
  paths: readonly string[];
  /** raw manifests given programmatically, loaded after the files */
  objects?: readonly unknown[];
  namespace: string;
  /** how workloads become pods and slices (CIDRs, nodes) */
  synthesis: SynthesisConfig;
  /** store Pod objects (needed for `pods verified` only) [true] */
  keepPods?: boolean;
  watch: boolean;
  logger: Logger;
  /** called after every reload attempt (metrics) */
  onReload?(ok: boolean, error?: FixtureError): void;
}

export interface FixtureStatus {
  files: string[];
  lastReload?: string;
  lastError?: { file: string; line?: number; message: string };
  reloads: number;
  failedReloads: number;
  /** pods the manifests hold or imply that are not kept in the store (only `--pods verified` needs them) */
  podsNotStored?: number;
}

export const FIXTURE_OWNER = 'fixtures';

export class FixtureSource {
  private files = new Map<string, SourcedManifest[]>();
  /** applied at run time: kind/ns/name → manifest (wins over files) */
  private applied = new Map<string, SourcedManifest>();
  /** deleted at run time: hidden even if a file still has them */
  private deleted = new Set<string>();
  private watcher?: FSWatcher;
  private reloadTimer?: NodeJS.Timeout;
  private reloading: Promise<void> = Promise.resolve();
  /** files changed since the last good load (undefined: re-read everything) */
  private dirty: Set<string> | undefined = new Set();
  readonly status: FixtureStatus = { files: [], reloads: 0, failedReloads: 0 };

  constructor(private store: ClusterStore, private opts: FixtureSourceOptions) {
    for (const m of parseProgrammatic(opts.objects ?? [])) this.putApplied(m);
  }

  /** First load: any error is thrown (the CLI exits non-zero). */
  async start(): Promise<void> {
    await this.readAll();
    this.rebuild();
    if (this.opts.watch && this.opts.paths.length > 0) this.startWatching();
  }

  async stop(): Promise<void> {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    await this.watcher?.close();
  }

  /**
   * Re-reads the fixture files: all of them, or (from the watcher) only those that changed since the last good
   * load. On error the previous state keeps serving and the error is reported and returned.
   */
  reload(changed?: Iterable<string>): Promise<void> {
    // A full re-read already pending stays full; otherwise remember exactly what changed.
    if (!changed) this.dirty = undefined;
    else if (this.dirty) for (const f of changed) this.dirty.add(path.resolve(f));
    this.reloading = this.reloading.then(async () => {
      try {
        const dirty = this.dirty;
        this.dirty = new Set();
        try {
          await this.readAll(dirty);
        } catch (err) {
          // What failed must be read again next time, whatever changes then.
          if (dirty && this.dirty) for (const f of dirty) this.dirty.add(f);
          else this.dirty = undefined;
          throw err;
        }
        this.rebuild();
        this.opts.onReload?.(true);
      } catch (err) {
        const fe = err instanceof FixtureError ? err : new FixtureError('<fixtures>', undefined, (err as Error).message);
        this.status.failedReloads++;
        this.status.lastError = { file: fe.file, ...(fe.line ? { line: fe.line } : {}), message: fe.message };
        this.opts.logger.error({ file: fe.file, line: fe.line }, `fixture reload failed, still serving the last good state: ${fe.message}`);
        this.opts.onReload?.(false, fe);
        throw fe;
      }
    });
    const p = this.reloading;
    this.reloading = p.catch(() => undefined);
    return p;
  }

  /** kubectl apply: add or replace objects (raw manifests or YAML/JSON text). */
  apply(input: readonly unknown[] | string): { applied: string[] } {
    const manifests = typeof input === 'string' ? parseManifestText(input, '<request>') : parseProgrammatic(input);
    const keys: string[] = [];
    const before = new Map(this.applied);
    const beforeDeleted = new Set(this.deleted);
    for (const m of manifests) keys.push(this.putApplied(m));
    try {
      this.rebuild();
    } catch (err) {
      // A bad object must not poison the running state.
      this.applied = before;
      this.deleted = beforeDeleted;
      throw err;
    }
    return { applied: keys };
  }

  /** kubectl delete: returns false when no such object exists. */
  delete(kind: string, namespace: string, name: string): boolean {
    const key = `${kind}/${kind === 'Namespace' ? '' : namespace}/${name}`;
    const existed = this.applied.has(key) || [...this.files.values()].some((ms) => ms.some((m) => manifestKey(m.raw, this.opts.namespace) === key));
    if (!existed || this.deleted.has(key)) return false;
    this.applied.delete(key);
    this.deleted.add(key);
    this.rebuild();
    return true;
  }

  private putApplied(m: SourcedManifest): string {
    const key = manifestKey(m.raw, this.opts.namespace);
    if (!key) throw new FixtureError(m.file ?? '<request>', m.line, 'object needs kind and metadata.name');
    this.applied.set(key, m);
    this.deleted.delete(key);
    return key;
  }

  /** Reads every file, or with `only`, just those (and new ones), keeping the parsed rest. */
  private async readAll(only?: Set<string>): Promise<void> {
    const files = await expandFixturePaths(this.opts.paths);
    const next = new Map<string, SourcedManifest[]>();
    for (const f of files) {
      const cached = this.files.get(f);
      next.set(f, only && cached && !only.has(path.resolve(f)) ? cached : await readManifestFile(f));
    }
    this.files = next;
    this.status.files = files;
  }

  /** All manifests in effect: files, then applied ones replacing same-named objects, minus deleted ones. */
  manifests(): SourcedManifest[] {
    const byKey = new Map<string, SourcedManifest>();
    const unkeyed: SourcedManifest[] = [];
    for (const ms of this.files.values()) {
      for (const m of ms) {
        const k = manifestKey(m.raw, this.opts.namespace);
        if (k) byKey.set(k, m);
        else unkeyed.push(m);
      }
    }
    for (const [k, m] of this.applied) byKey.set(k, m);
    for (const k of this.deleted) byKey.delete(k);
    return [...unkeyed, ...byKey.values()];
  }

  private rebuild(): void {
    const { objects, skipped, warnings } = buildObjects(this.manifests(), this.opts.namespace, this.opts.synthesis);
    for (const s of skipped) this.opts.logger.debug({ kind: s.kind, name: s.name, file: s.file }, 'skipped an object of a kind DNS does not use');
    for (const w of warnings) this.opts.logger.warn(w);
    // Like CoreDNS, keep pods only where an answer depends on them (pods verified): 150,000 pods cost ~70 MB.
    const keepPods = this.opts.keepPods !== false;
    let pods = 0;
    const kept: ClusterObject[] = [];
    const podNamespaces = new Set<string>();
    const namespaces = new Set<string>();
    for (const o of objects) {
      if (o.kind === 'Namespace') namespaces.add(o.name);
      if (o.kind !== 'Pod') kept.push(o);
      else if (keepPods) kept.push(slimPod(o));
      else { pods++; podNamespaces.add(o.namespace); }
    }
    // A namespace that holds pods exists, even when the pods themselves are not kept.
    for (const ns of podNamespaces) if (!namespaces.has(ns)) kept.push({ kind: 'Namespace', name: ns, labels: {} });
    this.status.podsNotStored = pods;
    this.store.replace(FIXTURE_OWNER, kept);
    this.status.reloads++;
    this.status.lastReload = new Date().toISOString();
    delete this.status.lastError;
  }

  private startWatching(): void {
    this.watcher = watch([...this.opts.paths], { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 50, pollInterval: 20 } });
    const changed = new Set<string>();
    const schedule = (file: string) => {
      changed.add(file);
      if (this.reloadTimer) clearTimeout(this.reloadTimer);
      // Editors write in bursts (truncate, write, rename): settle briefly, then reload once.
      this.reloadTimer = setTimeout(() => {
        const files = [...changed];
        changed.clear();
        this.reload(files).then(
          () => this.opts.logger.info({ files: this.status.files.length }, 'fixtures reloaded'),
          () => undefined,
        );
      }, 50);
    };
    this.watcher.on('all', (_event, file) => {
      if (/\.(ya?ml|json)$/i.test(file)) schedule(file);
    });
    this.watcher.on('error', (err) => this.opts.logger.warn({ err }, 'fixture watcher error'));
  }
}

function parseProgrammatic(objects: readonly unknown[]): SourcedManifest[] {
  const out: SourcedManifest[] = [];
  for (const o of objects) {
    if (typeof o === 'object' && o !== null && typeof (o as any).kind === 'string' && (o as any).kind.endsWith('List') && Array.isArray((o as any).items)) {
      for (const item of (o as any).items) out.push({ raw: item });
    } else {
      out.push({ raw: o });
    }
  }
  return out;
}
