// The entries one file gives one namespace, as a fixture source keeps them between changes. Pods are most of a
// large cluster (150,000 of 170,000 objects) and synthesis needs every field of them again whenever their
// namespace changes, so they are kept as columns, not as objects: ~70 bytes a pod (plus the name and IP strings
// its endpoint shares) instead of ~670 for an entry object, its key, its Pod, the Pod's arrays and owner list
// (heap snapshots at 150,000 pods: fixture source 86 → 10 MB). A namespace's pods are rebuilt as objects only
// while that namespace is re-synthesised.
import type { ContainerPort, Pod } from '../cluster/model.js';
import { newEntry, type FixtureEntry } from './entries.js';

const READY = 1;
const TERMINATING = 2;
const HOSTNAME_IS_NAME = 4;

/**
 * A column of values that repeat (labels, phases, node names, owner lists): each row holds a 2-byte number into
 * the distinct values, compared by identity (SharedValues makes repeats one object). 4 bytes once a column has
 * more than 65,536 distinct values.
 */
class SharedColumn<T> {
  private values: T[] = [];
  private ids = new Map<T, number>();
  private rows: number[] | Uint16Array | Uint32Array = [];

  add(v: T): void {
    let id = this.ids.get(v);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(v);
      this.ids.set(v, id);
    }
    (this.rows as number[]).push(id);
  }

  get(row: number): T {
    return this.values[this.rows[row]];
  }

  finish(): void {
    this.rows = this.values.length <= 0x10000 ? Uint16Array.from(this.rows) : Uint32Array.from(this.rows);
    this.ids = new Map();
  }
}

/** One file's pods in one namespace, a column per field. */
class PodColumns {
  names: string[] = [];
  lines: number[] | Int32Array = [];
  podIPs: string[] = [];
  /** status.podIPs where it is not just [podIP] (dual-stack), by row */
  readonly moreIPs = new Map<number, string[]>();
  /** spec.hostname where it is neither empty nor the pod's name, by row */
  readonly otherHostnames = new Map<number, string>();
  readonly labels = new SharedColumn<Record<string, string>>();
  readonly phases = new SharedColumn<string>();
  readonly subdomains = new SharedColumn<string>();
  readonly nodeNames = new SharedColumn<string>();
  readonly ports = new SharedColumn<ContainerPort[]>();
  readonly owners = new SharedColumn<string[] | undefined>();
  private flags: number[] | Uint8Array = [];

  constructor(readonly namespace: string, readonly file: string | undefined) {}

  add(p: Pod, e: FixtureEntry): void {
    const row = this.names.length;
    this.names.push(p.name);
    (this.lines as number[]).push(e.line ?? 0);
    this.podIPs.push(p.podIP);
    const plain = p.podIP === '' ? p.podIPs.length === 0 : p.podIPs.length === 1 && p.podIPs[0] === p.podIP;
    if (!plain) this.moreIPs.set(row, p.podIPs);
    let flags = (p.ready ? READY : 0) | (p.terminating ? TERMINATING : 0);
    if (p.hostname === p.name) flags |= HOSTNAME_IS_NAME;
    else if (p.hostname !== '') this.otherHostnames.set(row, p.hostname);
    (this.flags as number[]).push(flags);
    this.labels.add(p.labels);
    this.phases.add(p.phase);
    this.subdomains.add(p.subdomain);
    this.nodeNames.add(p.nodeName);
    this.ports.add(p.containerPorts);
    // Owner lists are per pod; their strings are shared, so the list's text identifies it.
    this.owners.add(e.owners ? this.ownerList(e.owners) : undefined);
  }

  private lists = new Map<string, string[]>();
  private ownerList(owners: string[]): string[] {
    const key = owners.join('\n');
    let got = this.lists.get(key);
    if (!got) this.lists.set(key, got = owners);
    return got;
  }

  /** Trims the columns to their length: a growing array keeps up to half as many slots again. */
  finish(): void {
    this.flags = Uint8Array.from(this.flags);
    this.lines = Int32Array.from(this.lines);
    this.names = this.names.slice();
    this.podIPs = this.podIPs.slice();
    for (const c of [this.labels, this.phases, this.subdomains, this.nodeNames, this.ports, this.owners]) c.finish();
    this.lists = new Map();
  }

  entry(row: number): FixtureEntry {
    const name = this.names[row];
    const podIP = this.podIPs[row];
    const f = this.flags[row];
    const pod: Pod = {
      kind: 'Pod',
      namespace: this.namespace,
      name,
      labels: this.labels.get(row),
      podIP,
      podIPs: this.moreIPs.get(row) ?? (podIP === '' ? [] : [podIP]),
      phase: this.phases.get(row),
      ready: (f & READY) !== 0,
      hostname: (f & HOSTNAME_IS_NAME) !== 0 ? name : this.otherHostnames.get(row) ?? '',
      subdomain: this.subdomains.get(row),
      nodeName: this.nodeNames.get(row),
      containerPorts: this.ports.get(row),
      terminating: (f & TERMINATING) !== 0,
    };
    const e = newEntry(`Pod/${this.namespace}/${name}`, this.namespace, 'Pod', name);
    e.objects = [pod];
    e.file = this.file;
    const line = this.lines[row];
    if (line) e.line = line;
    e.owners = this.owners.get(row);
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
  private finished = false;

  add(e: FixtureEntry): void {
    if (this.finished) throw new Error('PackedEntries: add after finish');
    const p = isPlainPodEntry(e, this.pods ? this.pods.file : e.file);
    if (!p) { this.others.push(e); return; }
    this.pods ??= new PodColumns(e.namespace, e.file);
    this.pods.add(p, e);
  }

  /** Called once all entries are in: the columns are trimmed to size. */
  finish(): this {
    if (!this.finished) this.pods?.finish();
    this.finished = true;
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
