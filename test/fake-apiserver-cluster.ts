// The cluster behind `npm run fake-apiserver`: manifest files plus what clients wrote through the API, turned into
// API objects by the same loader and synthesiser fixture mode uses (lib/sources/manifest-files.ts, lib/synth), so
// Services have their ClusterIPs, workloads their Pods and selector Services their EndpointSlices, exactly as
// `clusterdns --fixtures` serves them. Every change (a file edit, a create, a patch, a delete) re-synthesises and
// hands the fake API server only the objects that differ, as watch events.
import type { SynthesisConfig } from '../lib/config.js';
import { objectKey, BUILTIN_NAMESPACES, type ClusterObject, type EndpointSlice } from '../lib/cluster/model.js';
import { formatProblem, validateObject } from '../lib/cluster/validate.js';
import {
  expandFixturePaths, FixtureError, manifestKey, manifestsToEntries, readManifestFile, type SourcedManifest,
} from '../lib/sources/manifest-files.js';
import { Synthesizer, type FixtureEntry } from '../lib/synth/index.js';
import { endpointsFor, toApiObject } from './fake-apiserver-objects.js';
import { RESOURCES, type FakeApiServer, type ResourceName } from './fake-apiserver.js';
import { InvalidObject, type WritableObjects } from './fake-apiserver-writes.js';

type Raw = Record<string, any>;

export interface FakeClusterOptions {
  /** manifest files and folders, read in order (a later object with the same kind/namespace/name wins) */
  paths: readonly string[];
  /** namespace of manifests without one */
  namespace: string;
  synthesis: SynthesisConfig;
  /** serve the manifests' Ingresses (live mode with the ingress plugin); off by default, as a cluster without them */
  ingresses?: boolean;
  /** serve the manifests' Gateway API objects and DNSEndpoints (the server must have their CRDs installed); off by default */
  crds?: boolean;
}

export class FakeCluster implements WritableObjects {
  /** what the files say, by "Kind/namespace/name", in file order */
  private files = new Map<string, SourcedManifest>();
  /** created or changed through the API: wins over the files */
  private written = new Map<string, Raw>();
  /** deleted through the API: hidden even while a file still has it */
  private deleted = new Set<string>();
  /** what the server holds from us: key → its JSON */
  private served = new Map<string, string>();
  /** warnings of the last synthesis (objects refused, CIDRs full) */
  warnings: string[] = [];

  constructor(private srv: FakeApiServer, private opts: FakeClusterOptions) {}

  /** Re-reads every file. Throws FixtureError (file:line) and keeps the previous state when one does not parse. */
  async readFiles(): Promise<void> {
    const next = new Map<string, SourcedManifest>();
    for (const file of await expandFixturePaths(this.opts.paths)) {
      for (const m of await readManifestFile(file)) {
        const k = manifestKey(m.raw, this.opts.namespace);
        if (k) next.set(k, m);
      }
    }
    this.files = next;
  }

  /**
   * Synthesises the whole cluster and brings the server to it. Throws FixtureError (and changes nothing) when
   * synthesis refuses the manifests (a limit).
   */
  sync(): { applied: number; deleted: number } {
    const desired = this.desired();
    let applied = 0;
    let deleted = 0;
    for (const [k, obj] of desired) {
      const text = JSON.stringify(obj);
      if (this.served.get(k) === text) continue;
      this.srv.apply(obj);
      this.served.set(k, text);
      applied++;
    }
    for (const k of [...this.served.keys()]) {
      if (desired.has(k)) continue;
      const [kind, ns, name] = k.split('/');
      this.srv.delete(kind, ns, name);
      this.served.delete(k);
      deleted++;
    }
    return { applied, deleted };
  }

  // ---- writes through the API (WritableObjects) ----

  /** The manifest as its author wrote it (what a patch applies to), not the synthesised object. */
  get(resource: ResourceName, namespace: string, name: string): Raw | undefined {
    const k = this.key(resource, namespace, name);
    if (this.deleted.has(k)) return undefined;
    const found = this.written.get(k) ?? this.files.get(k)?.raw as Raw | undefined;
    return found ? structuredClone(found) : undefined;
  }

  put(resource: ResourceName, obj: Raw): Raw {
    const info = RESOURCES[resource];
    const ns = info.namespaced ? obj.metadata?.namespace || 'default' : '';
    const k = this.key(resource, ns, obj.metadata.name);
    // Fields the server owns are not the author's: dropped, so the manifest kept is what synthesis starts from.
    const manifest = structuredClone(obj);
    manifest.metadata = { ...manifest.metadata };
    for (const f of ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'generation']) delete manifest.metadata[f];
    if (info.namespaced) manifest.metadata.namespace = ns;
    delete manifest.status;
    let entries: FixtureEntry[];
    try {
      entries = manifestsToEntries([{ raw: manifest }], this.opts.namespace);
    } catch (err) {
      throw new InvalidObject(err instanceof FixtureError ? err.reason : (err as Error).message);
    }
    const refused = entries.find((e) => e.rejected);
    if (refused) {
      const causes = validateObject(info.kind, manifest, this.opts.namespace).map((p) => ({ field: p.field, message: formatProblem(p).slice(p.field.length + 2) }));
      throw new InvalidObject(refused.rejected!, causes);
    }
    const before = { written: this.written.get(k), deleted: this.deleted.has(k) };
    this.written.set(k, manifest);
    this.deleted.delete(k);
    try {
      this.sync();
    } catch (err) {
      if (before.written) this.written.set(k, before.written);
      else this.written.delete(k);
      if (before.deleted) this.deleted.add(k);
      throw err instanceof FixtureError ? new InvalidObject(err.reason) : err;
    }
    return this.srv.get(info.kind, ns, obj.metadata.name) ?? manifest;
  }

  remove(resource: ResourceName, namespace: string, name: string): Raw | undefined {
    const info = RESOURCES[resource];
    const last = this.srv.get(info.kind, namespace, name);
    const k = this.key(resource, namespace, name);
    if (!last && !this.get(resource, namespace, name)) return undefined;
    this.written.delete(k);
    this.deleted.add(k);
    // Deleting a namespace deletes everything in it, workloads included, as the namespace controller does.
    if (resource === 'namespaces') {
      for (const other of [...this.files.keys(), ...this.written.keys()]) {
        if (other.split('/')[1] !== name) continue;
        this.written.delete(other);
        this.deleted.add(other);
      }
    }
    this.sync();
    return last;
  }

  private key(resource: ResourceName, namespace: string, name: string): string {
    const info = RESOURCES[resource];
    return `${info.kind}/${info.namespaced ? namespace || 'default' : ''}/${name}`;
  }

  /** Every object the cluster holds, as API objects by key. */
  private desired(): Map<string, Raw> {
    const manifests = new Map<string, SourcedManifest>(this.files);
    for (const [k, raw] of this.written) manifests.set(k, { raw });
    for (const k of this.deleted) manifests.delete(k);
    const warnings: string[] = [];
    const byNs = new Map<string, FixtureEntry[]>();
    for (const e of manifestsToEntries([...manifests.values()], this.opts.namespace)) {
      if (e.rejected) { warnings.push(`${e.file ?? '<api>'}${e.line ? `:${e.line}` : ''}: ${e.key} skipped: ${e.rejected}`); continue; }
      let list = byNs.get(e.namespace);
      if (!list) byNs.set(e.namespace, list = []);
      list.push(e);
    }
    // A fresh synthesiser each time: the result of an incremental update equals this, and the fake cluster is small.
    const synth = new Synthesizer({ ...this.opts.synthesis, namespace: this.opts.namespace });
    const out = synth.update(new Set(byNs.keys()), (ns) => byNs.get(ns) ?? []);
    warnings.push(...out.warnings);
    const u = synth.unaddressed;
    if (u.pods + u.services > 0) warnings.push(`${u.pods} pod(s) and ${u.services} Service(s) got no address: a CIDR is full`);
    this.warnings = warnings;
    const objects: ClusterObject[] = [];
    for (const list of out.objects.values()) objects.push(...list);
    // Slices mirrored from legacy Endpoints count only for a Service with no real slices (as the store reads them).
    const realSlices = new Set<string>();
    for (const o of objects) if (o.kind === 'EndpointSlice' && !o.mirrored) realSlices.add(`${o.namespace}/${o.serviceName}`);
    const desired = new Map<string, Raw>();
    for (const o of objects) {
      if (o.kind === 'EndpointSlice' && o.mirrored && realSlices.has(`${o.namespace}/${o.serviceName}`)) continue;
      // Only when asked: the clusters of the older tests (kubectl get all, counts) have no Ingresses.
      if (o.kind === 'Ingress' && !this.opts.ingresses) continue;
      // Likewise the CRD kinds: a cluster without their CRDs has none.
      if ((o.kind === 'Gateway' || o.kind.endsWith('Route') || o.kind === 'DNSEndpoint') && !this.opts.crds) continue;
      const k = objectKey(o);
      desired.set(k, toApiObject(o, manifests.get(k)?.raw as Raw | undefined));
    }
    // Endpoints: as a manifest wrote them, else what the endpoints controller writes for each selector Service.
    for (const [k, m] of manifests) if (k.startsWith('Endpoints/')) desired.set(k, { ...(m.raw as Raw), apiVersion: 'v1' });
    const slicesOf = new Map<string, EndpointSlice[]>();
    for (const o of objects) {
      if (o.kind !== 'EndpointSlice' || o.mirrored) continue;
      const list = slicesOf.get(`${o.namespace}/${o.serviceName}`) ?? [];
      list.push(o);
      slicesOf.set(`${o.namespace}/${o.serviceName}`, list);
    }
    for (const o of objects) {
      const k = `Endpoints/${o.kind === 'Service' ? o.namespace : ''}/${o.name}`;
      if (o.kind === 'Service' && o.selector && !desired.has(k)) desired.set(k, endpointsFor(o, slicesOf.get(`${o.namespace}/${o.name}`) ?? []));
    }
    // A real cluster always has the built-in namespaces, and every namespace objects live in.
    const namespaces = new Set<string>(BUILTIN_NAMESPACES);
    for (const o of objects) if (o.kind !== 'Namespace') namespaces.add(o.namespace);
    for (const name of namespaces) {
      const k = `Namespace//${name}`;
      if (!desired.has(k) && !this.deleted.has(k)) {
        desired.set(k, toApiObject({ kind: 'Namespace', name, labels: {} }, manifests.get(k)?.raw as Raw | undefined));
      }
    }
    return desired;
  }
}
