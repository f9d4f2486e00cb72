// One manifest, read once: converted right away into what synthesis needs (slim DNS objects, or a parsed
// workload), so nothing keeps the API object itself. A fixture source keeps these per file; synthesis groups them
// by namespace, which is all it needs to redo one namespace when one object changes.
import type { ClusterObject, EndpointSlice, Pod } from '../cluster/model.js';
import { CONVERTED_KINDS, ManifestError, flattenList, toClusterObjects } from '../cluster/objects.js';
import { InvalidObjectError, assertValid } from '../cluster/validate.js';
import { LimitError } from './limits.js';
import { WORKLOAD_KINDS, ownerRefsOf, parseWorkload, readyByAnnotation, type Workload } from './workloads.js';

export interface ManifestSource {
  file?: string;
  line?: number;
  /**
   * The line when `line` is not known up front: a JSON file's objects, whose lines cost a scan of the file, found
   * only for the objects an error is reported on.
   */
  lineOf?: () => number | undefined;
}

/** A ManifestError that also says which manifest it came from (the message itself names the object). */
export class SourcedManifestError extends ManifestError {
  readonly file?: string;
  readonly line?: number;

  /** @param limit the object is refused by a limit (limits.ts), not malformed */
  constructor(message: string, source: ManifestSource, readonly limit = false) {
    super(message);
    if (source.file !== undefined) this.file = source.file;
    const line = source.line ?? source.lineOf?.();
    if (line !== undefined) this.line = line;
  }
}

export interface FixtureEntry {
  /** `kubectl apply`'s identity "Kind/namespace/name" (no namespace for a Namespace) */
  key: string;
  /** the namespace whose synthesis it feeds; a Namespace object feeds its own */
  namespace: string;
  kind: string;
  name: string;
  file?: string;
  line?: number;
  /** converted DNS objects (an Endpoints object may give several slices) */
  objects?: ClusterObject[];
  /** a Pod's owners as "namespace/Kind/name": a workload owning pods that are listed gets none synthesised */
  owners?: string[];
  workload?: Workload;
  /** why the API server would refuse this object (lib/cluster/validate.ts): sources skip it and say so */
  rejected?: string;
}

type Raw = Record<string, any>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The entries of one parsed document (a List gives one per item, an empty document none). Throws
 * SourcedManifestError, naming the file and line, for an object DNS uses that is malformed.
 */
export function toEntries(raw: unknown, source: ManifestSource, defaultNamespace: string, shared = new SharedValues()): FixtureEntry[] {
  const out: FixtureEntry[] = [];
  for (const item of flattenList(raw)) {
    if (item === null || item === undefined) continue;
    try {
      const e = toEntry(item, defaultNamespace, shared);
      if (source.file !== undefined) e.file = source.file;
      if (source.line !== undefined) e.line = source.line;
      out.push(e);
    } catch (err) {
      if (err instanceof InvalidObjectError) {
        out.push(rejectedEntry(err, source));
        continue;
      }
      if (err instanceof ManifestError && !(err instanceof SourcedManifestError)) throw new SourcedManifestError(err.message, source, err instanceof LimitError);
      throw err;
    }
  }
  return out;
}

/**
 * Values that repeat across the objects of one file (labels of a workload's pods, node names, container ports),
 * kept once: a fixture source holds every explicit Pod for synthesis, and at 150,000 pods the copies are most of
 * its memory. Model objects are never mutated once built, so sharing is safe.
 */
export class SharedValues {
  private strings = new Map<string, string>();
  private labelSets = new Map<string, Record<string, string>>();
  private portLists = new Map<string, Pod['containerPorts']>();

  string(s: string): string {
    if (s.length === 0) return s;
    const got = this.strings.get(s);
    if (got !== undefined) return got;
    const own = flat(s);
    this.strings.set(own, own);
    return own;
  }

  labels(l: Record<string, string>): Record<string, string> {
    const key = JSON.stringify(l);
    const got = this.labelSets.get(key);
    if (got) return got;
    const own = JSON.parse(key) as Record<string, string>;
    this.labelSets.set(key, own);
    return own;
  }

  ports(p: Pod['containerPorts']): Pod['containerPorts'] {
    const key = JSON.stringify(p);
    const got = this.portLists.get(key);
    if (got) return got;
    const own = JSON.parse(key) as Pod['containerPorts'];
    this.portLists.set(key, own);
    return own;
  }

  /** Like pod(), for a slice: its endpoints are most of a large cluster's store. */
  slice(sl: EndpointSlice): void {
    sl.namespace = this.string(sl.namespace);
    sl.name = flat(sl.name);
    sl.serviceName = this.string(sl.serviceName);
    sl.labels = this.labels(sl.labels);
    sl.ports = JSON.parse(JSON.stringify(sl.ports)) as EndpointSlice['ports'];
    // An endpoint's address and pod name are its pod's: one string for both when the file holds the pod too.
    for (const e of sl.endpoints) {
      e.addresses = e.addresses.map((a) => this.string(a));
      if (e.podName !== undefined) e.podName = this.string(e.podName);
      if (e.hostname !== undefined) e.hostname = e.hostname === e.podName ? e.podName : this.string(e.hostname);
      if (e.nodeName !== undefined) e.nodeName = this.string(e.nodeName);
      if (e.zone !== undefined) e.zone = this.string(e.zone);
    }
  }

  /** Shares what repeats and copies what is the pod's own, so nothing keeps the parsed text alive. */
  pod(p: Pod): void {
    p.namespace = this.string(p.namespace);
    p.name = this.string(p.name);
    p.labels = this.labels(p.labels);
    p.containerPorts = this.ports(p.containerPorts);
    p.nodeName = this.string(p.nodeName);
    p.subdomain = this.string(p.subdomain);
    p.phase = this.string(p.phase);
    p.hostname = p.hostname === p.name ? p.name : this.string(p.hostname);
    p.podIP = this.string(p.podIP);
    p.podIPs = p.podIPs.length === 1 && p.podIPs[0] === p.podIP ? [p.podIP] : p.podIPs.map((a) => this.string(a));
  }
}

/**
 * A copy of `s` that does not keep a larger string alive. V8 cuts substrings of 13+ characters as views into the
 * string they came from (a parsed file). Only a JSON round trip gives a flat copy: `(' ' + s).slice(1)` still
 * gives a view (of a 14-character parent), 64 bytes instead of 32 for every pod name and IP (measured with
 * %DebugPrint and a heap snapshot: 492,000 such views at 150,000 pods).
 */
export function flat(s: string): string {
  return s.length < 13 ? s : JSON.parse(JSON.stringify(s)) as string;
}

/**
 * An entry with every field in place (absent ones undefined), so all entries share one hidden class. Fields added
 * one by one gave entries of several shapes, and synthesis code optimised at load for one of them was thrown
 * away at the next change (V8's --trace-deopt: "wrong map" in planNamespace, requestsOf, objectKey...).
 */
export function newEntry(key: string, namespace: string, kind: string, name: string): FixtureEntry {
  return { key, namespace, kind, name, file: undefined, line: undefined, objects: undefined, owners: undefined, workload: undefined, rejected: undefined };
}

/** An object the API server would refuse: kept as an entry only to be reported and skipped by the source. */
function rejectedEntry(err: InvalidObjectError, source: ManifestSource): FixtureEntry {
  const ns = err.kind === 'Namespace' ? err.objectName : err.namespace;
  const e = newEntry(`${err.kind}/${err.kind === 'Namespace' ? '' : ns}/${err.objectName}`, ns, err.kind, err.objectName);
  e.rejected = err.message;
  if (source.file !== undefined) e.file = source.file;
  const line = source.line ?? source.lineOf?.();
  if (line !== undefined) e.line = line;
  return e;
}

function toEntry(raw: unknown, defaultNamespace: string, shared: SharedValues): FixtureEntry {
  if (!isObj(raw)) throw new ManifestError('not a Kubernetes object (expected a mapping with apiVersion and kind)');
  const kind = typeof raw.kind === 'string' ? raw.kind : '';
  const meta = isObj(raw.metadata) ? raw.metadata : undefined;
  const name = typeof meta?.name === 'string' ? meta.name : '';
  if (!kind) throw new ManifestError(`object${name ? ` "${name}"` : ''} has no kind`);
  const namespace = kind === 'Namespace' ? name : (typeof meta?.namespace === 'string' && meta.namespace) || defaultNamespace;
  const entry = newEntry(`${kind}/${kind === 'Namespace' ? '' : namespace}/${name}`, namespace, shared.string(kind), name);
  if (CONVERTED_KINDS.has(kind)) {
    const objects = toClusterObjects(raw, defaultNamespace);
    entry.objects = objects;
    if (kind === 'Pod') {
      const pod = objects[0];
      if (pod?.kind === 'Pod') {
        if (!readyByAnnotation(meta)) pod.ready = false;
        shared.pod(pod);
        entry.name = pod.name;
        entry.namespace = pod.namespace;
        entry.key = `${entry.kind}/${pod.namespace}/${pod.name}`;
        const refs = ownerRefsOf(meta);
        // A ReplicaSet's pods share one owner string.
        if (refs.length) entry.owners = refs.map((r) => shared.string(`${pod.namespace}/${r.kind}/${r.name}`));
      }
    } else if (kind === 'EndpointSlice') {
      const sl = objects[0];
      if (sl?.kind === 'EndpointSlice') {
        shared.slice(sl);
        entry.name = sl.name;
        entry.namespace = sl.namespace;
        entry.key = flat(`${entry.kind}/${sl.namespace}/${sl.name}`);
      }
    }
  } else if (WORKLOAD_KINDS.has(kind)) {
    assertValid(kind, raw, defaultNamespace);
    const w = parseWorkload(raw, defaultNamespace);
    entry.workload = w;
  }
  // Other kinds (ConfigMap, Ingress, ...) stay as bare entries: DNS does not use them, `delete` still finds them.
  return entry;
}
