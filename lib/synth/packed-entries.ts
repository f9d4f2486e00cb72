// The entries one file gives one namespace, as a fixture source keeps them between changes. Pods are most of a
// large cluster (150,000 of 170,000 objects) and synthesis needs every field of them again whenever their
// namespace changes, so they are kept as columns, not as objects: ~150 bytes a pod instead of ~670 for an entry
// object, its key, its Pod, the Pod's arrays and owner list (heap snapshot at 150,000 pods). A namespace's pods
// are rebuilt as objects only while that namespace is re-synthesised.
import type { ContainerPort, Pod } from '../cluster/model.js';
import type { FixtureEntry } from './entries.js';

const READY = 1;
const TERMINATING = 2;

/** One file's pods in one namespace, a column per field; strings that repeat are shared by SharedValues. */
class PodColumns {
  names: string[] = [];
  lines: number[] | Int32Array = [];
  podIPs: string[] = [];
  /** status.podIPs where it is not just [podIP] (dual-stack), by row */
  readonly moreIPs = new Map<number, string[]>();
  labels: Record<string, string>[] = [];
  phases: string[] = [];
  hostnames: string[] = [];
  subdomains: string[] = [];
  nodeNames: string[] = [];
  ports: ContainerPort[][] = [];
  owners: (string[] | undefined)[] = [];
  flags = new Uint8Array(0);

  constructor(readonly namespace: string, readonly file: string | undefined) {}

  add(p: Pod, e: FixtureEntry): void {
    const row = this.names.length;
    this.names.push(p.name);
    (this.lines as number[]).push(e.line ?? 0);
    this.podIPs.push(p.podIP);
    const plain = p.podIP === '' ? p.podIPs.length === 0 : p.podIPs.length === 1 && p.podIPs[0] === p.podIP;
    if (!plain) this.moreIPs.set(row, p.podIPs);
    this.labels.push(p.labels);
    this.phases.push(p.phase);
    this.hostnames.push(p.hostname);
    this.subdomains.push(p.subdomain);
    this.nodeNames.push(p.nodeName);
    this.ports.push(p.containerPorts);
    this.owners.push(e.owners);
  }

  /** Trims every column to its length: a growing array keeps up to half as many slots again. */
  finish(flags: number[]): void {
    this.flags = Uint8Array.from(flags);
    this.lines = Int32Array.from(this.lines);
    this.names = this.names.slice();
    this.podIPs = this.podIPs.slice();
    this.labels = this.labels.slice();
    this.phases = this.phases.slice();
    this.hostnames = this.hostnames.slice();
    this.subdomains = this.subdomains.slice();
    this.nodeNames = this.nodeNames.slice();
    this.ports = this.ports.slice();
    this.owners = this.owners.slice();
  }

  entry(row: number): FixtureEntry {
    const name = this.names[row];
    const podIP = this.podIPs[row];
    const f = this.flags[row];
    const pod: Pod = {
      kind: 'Pod',
      namespace: this.namespace,
      name,
      labels: this.labels[row],
      podIP,
      podIPs: this.moreIPs.get(row) ?? (podIP === '' ? [] : [podIP]),
      phase: this.phases[row],
      ready: (f & READY) !== 0,
      hostname: this.hostnames[row],
      subdomain: this.subdomains[row],
      nodeName: this.nodeNames[row],
      containerPorts: this.ports[row],
      terminating: (f & TERMINATING) !== 0,
    };
    const e: FixtureEntry = { key: `Pod/${this.namespace}/${name}`, namespace: this.namespace, kind: 'Pod', name, objects: [pod] };
    if (this.file !== undefined) e.file = this.file;
    const line = this.lines[row];
    if (line) e.line = line;
    const owners = this.owners[row];
    if (owners) e.owners = owners;
    return e;
  }
}

function isPlainPodEntry(e: FixtureEntry, file: string | undefined): Pod | undefined {
  if (e.kind !== 'Pod' || e.workload || e.file !== file || e.objects?.length !== 1) return undefined;
  const p = e.objects[0];
  return p.kind === 'Pod' && p.namespace === e.namespace && p.name === e.name ? p : undefined;
}

/**
 * A namespace's entries from one file, added as they are parsed (so the objects of a pod die young, before the
 * garbage collector promotes them and fragments the old generation). Entries come back in their order, except
 * that pods follow the other kinds: synthesis sorts what it reads, and only same-kind duplicates (pods among
 * pods) depend on order.
 */
export class PackedEntries {
  private readonly others: FixtureEntry[] = [];
  private pods: PodColumns | undefined;
  private flags: number[] | undefined = [];

  add(e: FixtureEntry): void {
    if (!this.flags) throw new Error('PackedEntries: add after finish');
    const p = isPlainPodEntry(e, this.pods ? this.pods.file : e.file);
    if (!p) { this.others.push(e); return; }
    this.pods ??= new PodColumns(e.namespace, e.file);
    this.pods.add(p, e);
    this.flags.push((p.ready ? READY : 0) | (p.terminating ? TERMINATING : 0));
  }

  /** Called once all entries are in: the columns are trimmed to size. */
  finish(): this {
    if (this.flags) this.pods?.finish(this.flags);
    this.flags = undefined;
    return this;
  }

  get size(): number {
    return this.others.length + (this.pods?.names.length ?? 0);
  }

  /** The entries as objects: the pods' are new each time (nothing keeps them but the caller). */
  *entries(): IterableIterator<FixtureEntry> {
    yield* this.others;
    const pods = this.pods;
    if (pods) for (let i = 0; i < pods.names.length; i++) yield pods.entry(i);
  }

  has(key: string): boolean {
    if (this.others.some((e) => e.key === key)) return true;
    const pods = this.pods;
    if (!pods) return false;
    const prefix = `Pod/${pods.namespace}/`;
    return key.startsWith(prefix) && pods.names.includes(key.slice(prefix.length));
  }
}

/** Packs entries by namespace as they come. */
export class PackedByNamespace {
  private readonly byNs = new Map<string, PackedEntries>();

  add = (e: FixtureEntry): void => {
    let packed = this.byNs.get(e.namespace);
    if (!packed) this.byNs.set(e.namespace, packed = new PackedEntries());
    packed.add(e);
  };

  finish(): Map<string, PackedEntries> {
    for (const p of this.byNs.values()) p.finish();
    return this.byNs;
  }
}
