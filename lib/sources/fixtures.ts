// The fixture source: manifest files (watched and hot-reloaded) plus objects applied or deleted at run time,
// turned into cluster objects and written to the store as one change. A file that fails to parse is reported and
// the last good state keeps serving.
//
// Manifests are converted when read and only the converted entries are kept. A change (a file, an apply, a
// delete) re-synthesises only the namespaces it touches and replaces only their objects in the store, so its cost
// follows the size of those namespaces, not of the cluster.
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { ClusterObject } from '../cluster/model.js';
import type { ClusterStore } from '../cluster/store.js';
import type { SynthesisConfig } from '../config.js';
import { slimPod } from '../cluster/objects.js';
import { SourcedManifestError, Synthesizer, type FixtureEntry } from '../synth/index.js';
import { PackedByNamespace, type PackedEntries } from '../synth/packed-entries.js';
import {
  expandFixturePaths, FixtureError, manifestsToEntries, parseEntriesText, readEntriesFile, type SourcedManifest,
} from './manifest-files.js';
import { RejectedObjectsError, RejectionLog, rejectionOf, type Rejection } from './rejections.js';
import { fileSignature as signature } from './file-signature.js';

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
  /** called for each object skipped because the API server would refuse it (metrics) */
  onRejected?(r: Rejection): void;
}

export interface FixtureStatus {
  files: string[];
  lastReload?: string;
  lastError?: { file: string; line?: number; message: string };
  reloads: number;
  failedReloads: number;
  /** pods the manifests hold or imply that are not kept in the store (only `--pods verified` needs them) */
  podsNotStored?: number;
  /** objects skipped because the API server would refuse them (the first MAX_SHOWN_REJECTIONS) */
  rejected?: Rejection[];
  rejectedCount?: number;
  /**
   * Objects left without an address because a CIDR is full (null when none): the rest is served, these pods are
   * in no answer and these Services have no ClusterIP in that family.
   */
  cidrExhausted?: { podsWithoutIP: number; servicesWithoutIP: number; podCIDR: string[]; serviceCIDR: string[]; message: string } | null;
}

export const FIXTURE_OWNER = 'fixtures';

/** Quiet time after the last file event before a reload: editors write in bursts (truncate, write, rename). */
const SETTLE_MS = 20;
/** After the last event, past chokidar's 50 ms change throttle, files are compared with what was read. */
const RECHECK_MS = 80;

export class FixtureSource {
  /** per file, in file order: its entries grouped by namespace */
  private files = new Map<string, Map<string, PackedEntries>>();
  /** applied at run time: key → entry (wins over files) */
  private applied = new Map<string, FixtureEntry>();
  /** deleted at run time: hidden even if a file still has them */
  private deleted = new Set<string>();
  private synthesizer: Synthesizer;
  /** namespaces whose objects are in the store, with the pods of each not kept there */
  private present = new Map<string, number>();
  private watcher?: FSWatcher;
  private reloadTimer?: NodeJS.Timeout;
  private recheckTimer?: NodeJS.Timeout;
  /** "ino:size:mtime" of each file when it was last read, to catch a change the watcher did not report */
  private signatures = new Map<string, string>();
  /** every change (reload, apply, delete) runs after the one before it has settled */
  private queue: Promise<unknown> = Promise.resolve();
  /** files changed since the last good load (undefined: re-read everything) */
  private dirty: Set<string> | undefined = new Set();
  /** objects refused because the API server would refuse them, per file */
  private rejections: RejectionLog;
  readonly status: FixtureStatus = { files: [], reloads: 0, failedReloads: 0 };

  constructor(private store: ClusterStore, private opts: FixtureSourceOptions) {
    this.synthesizer = new Synthesizer({ ...opts.synthesis, namespace: opts.namespace });
    this.rejections = new RejectionLog(opts.logger, this.status, opts.onRejected);
    for (const e of manifestsToEntries(parseProgrammatic(opts.objects ?? []), opts.namespace)) {
      if (e.rejected) this.rejections.add('<objects>', e);
      else this.putApplied(e);
    }
  }

  /** First load: any error is thrown (the CLI exits non-zero). */
  async start(): Promise<void> {
    try {
      await this.readAll();
      await this.rebuild();
    } catch (err) {
      throw asFixtureError(err);
    }
    if (this.opts.watch && this.opts.paths.length > 0) await this.startWatching();
  }

  async stop(): Promise<void> {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    if (this.recheckTimer) clearTimeout(this.recheckTimer);
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
    return this.enqueue(async () => {
      try {
        const dirty = this.dirty;
        this.dirty = new Set();
        const before = this.files;
        try {
          const touched = await this.readAll(dirty);
          await this.rebuild(dirty ? touched : undefined);
        } catch (err) {
          // A change synthesis rejects (a limit) leaves the files as they were, not half taken; and what failed
          // must be read again with the next change, whatever it touches.
          this.files = before;
          if (dirty && this.dirty) for (const f of dirty) this.dirty.add(f);
          else this.dirty = undefined;
          throw err;
        }
        this.opts.onReload?.(true);
      } catch (err) {
        const fe = asFixtureError(err);
        this.status.failedReloads++;
        this.status.lastError = { file: fe.file, ...(fe.line ? { line: fe.line } : {}), message: fe.message };
        this.opts.logger.error({ file: fe.file, line: fe.line }, `fixture reload failed, still serving the last good state: ${fe.message}`);
        this.opts.onReload?.(false, fe);
        throw fe;
      }
    });
  }

  /**
   * kubectl apply: add or replace objects (raw manifests or YAML/JSON text). Resolves once answers show them;
   * a manifest that does not parse or convert rejects with a FixtureError and changes nothing.
   */
  apply(input: readonly unknown[] | string): Promise<{ applied: string[] }> {
    let entries: FixtureEntry[];
    try {
      entries = typeof input === 'string'
        ? parseEntriesText(input, '<request>', this.opts.namespace)
        : manifestsToEntries(parseProgrammatic(input), this.opts.namespace);
    } catch (err) {
      return Promise.reject(err);
    }
    // Like the API server, an apply holding an object it would refuse applies nothing.
    const refused = entries.filter((e) => e.rejected).map(rejectionOf);
    if (refused.length > 0) return Promise.reject(new RejectedObjectsError(refused));
    return this.enqueue(async () => {
      const keys: string[] = [];
      const before = new Map(this.applied);
      const beforeDeleted = new Set(this.deleted);
      const touched = new Set<string>();
      try {
        for (const e of entries) {
          keys.push(this.putApplied(e));
          touched.add(e.namespace);
        }
        await this.rebuild(touched);
      } catch (err) {
        // A bad object must not poison the running state.
        this.applied = before;
        this.deleted = beforeDeleted;
        throw asFixtureError(err);
      }
      return { applied: keys };
    });
  }

  /** kubectl delete: resolves false when no such object exists. */
  delete(kind: string, namespace: string, name: string): Promise<boolean> {
    return this.enqueue(async () => {
      const ns = kind === 'Namespace' ? name : namespace;
      const key = `${kind}/${kind === 'Namespace' ? '' : namespace}/${name}`;
      const existed = this.applied.has(key) || [...this.files.values()].some((byNs) => byNs.get(ns)?.has(key));
      if (!existed || this.deleted.has(key)) return false;
      const before = new Map(this.applied);
      this.applied.delete(key);
      this.deleted.add(key);
      try {
        await this.rebuild(new Set([ns]));
      } catch (err) {
        // A deleted Pod can let its workload synthesise pods past a limit: the delete is then refused whole.
        this.applied = before;
        this.deleted.delete(key);
        throw asFixtureError(err);
      }
      return true;
    });
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const p = this.queue.then(task);
    this.queue = p.catch(() => undefined);
    return p;
  }

  private putApplied(e: FixtureEntry): string {
    if (!e.name) throw new FixtureError(e.file ?? '<request>', e.line, 'object needs kind and metadata.name');
    this.applied.set(e.key, e);
    this.deleted.delete(e.key);
    return e.key;
  }

  /**
   * Reads every file, or with `only`, just those (and new ones), keeping the entries of the rest. Returns the
   * namespaces whose entries may have changed.
   */
  private async readAll(only?: Set<string>): Promise<Set<string>> {
    const files = await expandFixturePaths(this.opts.paths);
    const next = new Map<string, Map<string, PackedEntries>>();
    const touched = new Set<string>();
    for (const f of files) {
      const cached = this.files.get(f);
      if (only && cached && !only.has(path.resolve(f))) {
        next.set(f, cached);
        continue;
      }
      // Stat before reading: a write after the stat leaves a signature that differs, and the recheck reads again.
      // The signature is recorded whether or not the file parses: a broken file is read once per change and
      // reported once, not re-read by every recheck until it is fixed.
      const sig = await signature(f);
      if (sig) this.signatures.set(path.resolve(f), sig);
      const packer = new PackedByNamespace();
      const refused: FixtureEntry[] = [];
      await readEntriesFile(f, this.opts.namespace, (e) => (e.rejected ? refused.push(e) : packer.add(e)));
      const byNs = packer.finish();
      // Reported once per read of the file, i.e. once per change of it.
      this.rejections.clearFile(path.resolve(f));
      for (const e of refused) this.rejections.add(path.resolve(f), e);
      next.set(f, byNs);
      for (const ns of byNs.keys()) touched.add(ns);
      if (cached) for (const ns of cached.keys()) touched.add(ns);
    }
    for (const [f, byNs] of this.files) if (!next.has(f)) for (const ns of byNs.keys()) touched.add(ns);
    this.rejections.keepOnly(new Set(files.map((x) => path.resolve(x))));
    this.files = next;
    this.status.files = files;
    return touched;
  }

  /** The entries in effect in one namespace: files in order, then applied ones replacing same-named objects, minus deleted ones. */
  private entriesOf(ns: string): FixtureEntry[] {
    const byKey = new Map<string, FixtureEntry>();
    for (const byNs of this.files.values()) {
      const packed = byNs.get(ns);
      if (packed) for (const e of packed.entries()) byKey.set(e.key, e);
    }
    for (const [k, e] of this.applied) if (e.namespace === ns) byKey.set(k, e);
    for (const k of this.deleted) byKey.delete(k);
    return [...byKey.values()];
  }

  /** Every namespace any entry feeds. */
  private allNamespaces(): Set<string> {
    const out = new Set<string>();
    for (const byNs of this.files.values()) for (const ns of byNs.keys()) out.add(ns);
    for (const e of this.applied.values()) out.add(e.namespace);
    return out;
  }

  /**
   * Re-synthesises `namespaces` (all when undefined) and replaces their objects in the store, as one change.
   * Synthesis pauses between namespaces and between planning and finishing each, and once more before the store
   * takes the result, so answers keep flowing while a change is worked out: a one-namespace rebuild at 10,000
   * Services takes 1.4 ms alone but 3-14 ms in one block inside a loaded server pinned to one core.
   */
  private async rebuild(namespaces?: Set<string>): Promise<void> {
    const changed = namespaces ?? this.allNamespaces();
    if (!namespaces) for (const ns of this.present.keys()) changed.add(ns);
    // Like CoreDNS, keep pods only where an answer depends on them (pods verified): 150,000 pods cost ~70 MB.
    // They are dropped as each namespace is finished, so a full rebuild never holds all of them at once.
    const keepPods = this.opts.keepPods !== false;
    const kept: ClusterObject[] = [];
    const present = new Map<string, number>();
    const replaced: string[] = [];
    const { skipped, warnings } = await this.synthesizer.updateInSteps(changed, (ns) => this.entriesOf(ns), (ns, objs) => {
      replaced.push(ns);
      let pods = 0;
      let hasNamespace = false;
      for (const o of objs) {
        if (o.kind === 'Namespace') hasNamespace = true;
        if (o.kind !== 'Pod') kept.push(o);
        else if (keepPods) kept.push(slimPod(o));
        else pods++;
      }
      // A namespace that holds pods exists, even when the pods themselves are not kept.
      if (pods > 0 && !hasNamespace) kept.push({ kind: 'Namespace', name: ns, labels: {} });
      present.set(ns, objs.length > 0 ? pods : -1);
    }, pause);
    for (const s of skipped) this.opts.logger.debug({ kind: s.kind, name: s.name, file: s.file }, 'skipped an object of a kind DNS does not use');
    for (const w of warnings) this.opts.logger.warn(w);
    for (const [ns, pods] of present) {
      if (pods >= 0) this.present.set(ns, pods);
      else this.present.delete(ns);
    }
    await pause();
    this.store.replaceNamespaces(FIXTURE_OWNER, replaced, kept);
    let notStored = 0;
    for (const n of this.present.values()) notStored += n;
    this.status.podsNotStored = notStored;
    this.status.cidrExhausted = this.exhaustion();
    this.status.reloads++;
    this.status.lastReload = new Date().toISOString();
    delete this.status.lastError;
  }

  private exhaustion(): FixtureStatus['cidrExhausted'] {
    const u = this.synthesizer.unaddressed;
    if (u.pods + u.services === 0) return null;
    const { pod, service } = this.synthesizer.cidrs;
    const parts: string[] = [];
    if (u.pods) parts.push(`${u.pods} pod(s) got no IP: the pod CIDR ${pod.join(', ')} is full (use a larger --pod-cidr)`);
    if (u.services) parts.push(`${u.services} Service(s) got no ClusterIP: the service CIDR ${service.join(', ')} is full (use a larger --service-cidr)`);
    return { podsWithoutIP: u.pods, servicesWithoutIP: u.services, podCIDR: pod, serviceCIDR: service, message: parts.join('; ') };
  }

  /** Files whose ino, size or modification time differ from when they were last read (or that are gone). */
  private async changedSinceRead(files: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const f of files) if ((await signature(f)) !== this.signatures.get(f)) out.push(f);
    return out;
  }

  /** Resolves once the watcher has scanned the paths: an edit made after start() resolves is never missed. */
  private startWatching(): Promise<void> {
    // No awaitWriteFinish: it polls until a file's size has held for its threshold, which alone would spend the
    // 100 ms a change may take to show. A quiet period after the last event covers a write in several calls, and a
    // half-written file that fails to parse only delays the reload to the next event (the last good state serves).
    this.watcher = watch([...this.opts.paths], { ignoreInitial: true });
    const changed = new Set<string>();
    const seen = new Set<string>();
    const schedule = (file: string) => {
      changed.add(file);
      seen.add(path.resolve(file));
      if (this.reloadTimer) clearTimeout(this.reloadTimer);
      this.reloadTimer = setTimeout(() => {
        const files = [...changed];
        changed.clear();
        this.reload(files).then(
          () => this.opts.logger.info({ files: this.status.files.length }, 'fixtures reloaded'),
          () => undefined,
        );
      }, SETTLE_MS);
      // chokidar drops a second 'change' of a file within 50 ms of the first: an edit right after another would be
      // lost. So once events stop, files that had events are checked again and re-read if they differ.
      if (this.recheckTimer) clearTimeout(this.recheckTimer);
      this.recheckTimer = setTimeout(() => {
        const files = [...seen];
        seen.clear();
        void this.changedSinceRead(files).then((stale) => {
          if (stale.length) for (const f of stale) schedule(f);
        });
      }, RECHECK_MS);
    };
    this.watcher.on('all', (_event, file) => {
      if (/\.(ya?ml|json)$/i.test(file)) schedule(file);
    });
    this.watcher.on('error', (err) => this.opts.logger.warn({ err }, 'fixture watcher error'));
    const watcher = this.watcher;
    return new Promise((resolve) => watcher.once('ready', () => resolve(this.catchUp())));
  }

  /**
   * The watcher starts after the first load, which takes seconds on a large cluster: a file written, added or
   * removed meanwhile gave no event. Anything that differs from what was read is reloaded now.
   */
  private async catchUp(): Promise<void> {
    let now: string[];
    try {
      now = await expandFixturePaths(this.opts.paths);
    } catch {
      return; // a path that vanished is reported by the next reload
    }
    const stale = await this.changedSinceRead([...this.signatures.keys()]);
    const added = now.filter((f) => !this.files.has(f));
    const removed = [...this.files.keys()].filter((f) => !now.includes(f));
    if (stale.length + added.length + removed.length === 0) return;
    await this.reload([...stale, ...added, ...removed]).catch(() => undefined);
  }
}

/** Errors of a change as FixtureErrors: one that synthesis raised about a manifest keeps its file and line. */
function asFixtureError(err: unknown): FixtureError {
  if (err instanceof FixtureError) return err;
  if (err instanceof SourcedManifestError) return new FixtureError(err.file ?? '<fixtures>', err.line, err.message, err.limit);
  return new FixtureError('<fixtures>', undefined, (err as Error).message);
}

const pause = () => new Promise<void>((resolve) => setImmediate(resolve));


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
