// One manifest, read once: converted right away into what synthesis needs (slim DNS objects, or a parsed
// workload), so nothing keeps the API object itself. A fixture source keeps these per file; synthesis groups them
// by namespace, which is all it needs to redo one namespace when one object changes.
import type { ClusterObject } from '../cluster/model.js';
import { CONVERTED_KINDS, ManifestError, flattenList, toClusterObjects } from '../cluster/objects.js';
import { WORKLOAD_KINDS, ownerRefsOf, parseWorkload, readyByAnnotation, type Workload } from './workloads.js';

export interface ManifestSource {
  file?: string;
  line?: number;
}

/** A ManifestError that also says which manifest it came from (the message itself names the object). */
export class SourcedManifestError extends ManifestError {
  readonly file?: string;
  readonly line?: number;

  constructor(message: string, source: ManifestSource) {
    super(message);
    if (source.file !== undefined) this.file = source.file;
    if (source.line !== undefined) this.line = source.line;
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
}

type Raw = Record<string, any>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The entries of one parsed document (a List gives one per item, an empty document none). Throws
 * SourcedManifestError, naming the file and line, for an object DNS uses that is malformed.
 */
export function toEntries(raw: unknown, source: ManifestSource, defaultNamespace: string): FixtureEntry[] {
  const out: FixtureEntry[] = [];
  for (const item of flattenList(raw)) {
    if (item === null || item === undefined) continue;
    try {
      const e = toEntry(item, defaultNamespace);
      if (source.file !== undefined) e.file = source.file;
      if (source.line !== undefined) e.line = source.line;
      out.push(e);
    } catch (err) {
      if (err instanceof ManifestError && !(err instanceof SourcedManifestError)) throw new SourcedManifestError(err.message, source);
      throw err;
    }
  }
  return out;
}

function toEntry(raw: unknown, defaultNamespace: string): FixtureEntry {
  if (!isObj(raw)) throw new ManifestError('not a Kubernetes object (expected a mapping with apiVersion and kind)');
  const kind = typeof raw.kind === 'string' ? raw.kind : '';
  const meta = isObj(raw.metadata) ? raw.metadata : undefined;
  const name = typeof meta?.name === 'string' ? meta.name : '';
  if (!kind) throw new ManifestError(`object${name ? ` "${name}"` : ''} has no kind`);
  const namespace = kind === 'Namespace' ? name : (typeof meta?.namespace === 'string' && meta.namespace) || defaultNamespace;
  const entry: FixtureEntry = { key: `${kind}/${kind === 'Namespace' ? '' : namespace}/${name}`, namespace, kind, name };
  if (CONVERTED_KINDS.has(kind)) {
    const objects = toClusterObjects(raw, defaultNamespace);
    entry.objects = objects;
    if (kind === 'Pod') {
      const pod = objects[0];
      if (pod?.kind === 'Pod') {
        if (!readyByAnnotation(meta)) pod.ready = false;
        const refs = ownerRefsOf(meta);
        if (refs.length) entry.owners = refs.map((r) => `${pod.namespace}/${r.kind}/${r.name}`);
      }
    }
  } else if (WORKLOAD_KINDS.has(kind)) {
    const w = parseWorkload(raw, defaultNamespace);
    entry.workload = w;
  }
  // Other kinds (ConfigMap, Ingress, ...) stay as bare entries: DNS does not use them, `delete` still finds them.
  return entry;
}
