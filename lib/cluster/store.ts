// The cluster store: slim objects from every source, indexed the way DNS looks them up, so a query never scans
// all Services. Every change bumps `generation` (answer caches key on it) and `serial` (the SOA serial, the
// Unix time of the last DNS-relevant change, as CoreDNS sets it).
import {
  BUILTIN_NAMESPACES, objectKey, type ClusterObject, type EndpointSlice, type Namespace,
  type Ingress, type ObjectKind, type Service, type ServiceImport,
} from './model.js';
import { IngressIndex } from './ingress.js';
import { GatewayIndex } from './gateway.js';
import { DnsEndpointIndex } from './dnsendpoint.js';
import type { StringSelector } from './label-selector.js';
import { MulticlusterIndex, type MulticlusterSlice } from './multicluster-index.js';
import { NamespaceLabelFilter } from './namespace-filter.js';
import { addToIndex, keysAt, removeFromIndex, sameObject, type AddressIndex } from './address-index.js';
import { PodAddresses } from './pod-addresses.js';
import { readySlices } from './ready-slices.js';
import type { ClusterView, ReadySlice, StoreChange } from './view.js';

export type { ClusterView, MulticlusterSlice, ReadySlice, StoreChange };

type Listener = (changes: readonly StoreChange[]) => void;

const svcKey = (ns: string, name: string) => `${ns}/${name}`;
/** The namespace an object lives in; a Namespace object counts as living in itself. */
const nsOf = (o: ClusterObject) => (o.kind === 'Namespace' ? o.name : o.namespace);

export class ClusterStore implements ClusterView {
  generation = 0;
  serial = Math.floor(Date.now() / 1000);
  synced = true;

  private objects = new Map<string, ClusterObject>();
  private owners = new Map<string, string>();
  /** keys of each owner's objects per namespace, so a reload of one namespace never scans the whole store */
  private owned = new Map<string, Map<string, Set<string>>>();
  private namespaces = new Map<string, Namespace>();
  /** objects per namespace, so a namespace with objects exists even without a Namespace manifest */
  private nsObjectCount = new Map<string, number>();
  private services = new Map<string, Service>();
  private slicesByService = new Map<string, Map<string, EndpointSlice>>();
  private readyCache = new Map<string, ReadySlice[]>();
  private readyIPsByService = new Map<string, string[]>();
  private clusterIPIndex: AddressIndex = new Map();
  private endpointIPIndex: AddressIndex = new Map();
  private externalIPIndex: AddressIndex = new Map();
  private pods = new PodAddresses();
  private listeners = new Set<Listener>();
  private pending: StoreChange[] = [];
  private batchDepth = 0;
  /** services whose endpoints changed inside the current batch, recomputed once when it ends */
  private endpointsDirty = new Set<string>();
  /** namespaces Services and names are limited to (CoreDNS `namespaces`); empty = all */
  private exposed: Set<string> | undefined;
  /** CoreDNS `namespace_labels`: only namespaces whose labels match exist */
  private namespaceLabels: NamespaceLabelFilter | undefined;
  private multicluster = new MulticlusterIndex();
  private ingressIndex = new IngressIndex();
  readonly gateways = new GatewayIndex();
  readonly dnsEndpoints = new DnsEndpointIndex();

  constructor(opts: { namespaces?: string[]; namespaceLabels?: StringSelector } = {}) {
    if (opts.namespaces && opts.namespaces.length > 0) this.exposed = new Set(opts.namespaces);
    if (opts.namespaceLabels) this.namespaceLabels = new NamespaceLabelFilter(opts.namespaceLabels);
  }

  // ---- ClusterView ----

  namespaceExists(ns: string): boolean {
    if (this.exposed && !this.exposed.has(ns)) return false;
    const exists = this.namespaces.has(ns) || (this.nsObjectCount.get(ns) ?? 0) > 0 || BUILTIN_NAMESPACES.includes(ns);
    if (!exists || !this.namespaceLabels) return exists;
    return this.namespaceLabels.matches(ns, this.namespaces.get(ns)?.labels);
  }

  serviceImport(ns: string, name: string): ServiceImport | undefined {
    if (this.exposed && !this.exposed.has(ns)) return undefined;
    return this.multicluster.serviceImport(ns, name);
  }

  multiclusterEndpoints(ns: string, name: string): readonly MulticlusterSlice[] {
    return this.multicluster.endpoints(ns, name);
  }

  ingressesForHost(host: string): readonly Ingress[] {
    return this.ingressIndex.forHost(host).filter((i) => !this.exposed || this.exposed.has(i.namespace));
  }

  servicesForHost(host: string): readonly Service[] {
    return this.ingressIndex.servicesForHost(host).filter((s) => !this.exposed || this.exposed.has(s.namespace));
  }

  ingressHostBelow = (name: string): boolean => this.ingressIndex.hasBelow(name);

  service(ns: string, name: string): Service | undefined {
    if (this.exposed && !this.exposed.has(ns)) return undefined;
    return this.services.get(svcKey(ns, name));
  }

  readyEndpoints(ns: string, svc: string): readonly ReadySlice[] {
    const key = svcKey(ns, svc);
    let ready = this.readyCache.get(key);
    if (!ready) this.readyCache.set(key, (ready = this.computeReady(key)));
    return ready;
  }

  servicesByClusterIP(ip: string): readonly string[] {
    return this.filterExposed(keysAt(this.clusterIPIndex, ip));
  }

  servicesByEndpointIP(ip: string): readonly string[] {
    return this.filterExposed(keysAt(this.endpointIPIndex, ip));
  }

  servicesByExternalIP(ip: string): readonly string[] {
    return this.filterExposed(keysAt(this.externalIPIndex, ip));
  }

  podIPExists(ns: string, ip: string): boolean {
    return this.pods.exists(ns, ip);
  }

  /** The namespace of a running pod whose status.podIP is `ip` (autopath's client): see PodAddresses. */
  podNamespaceByIP(ip: string): string | undefined {
    return this.pods.namespaceOf(ip);
  }

  // ---- reading ----

  get(kind: ObjectKind, namespace: string, name: string): ClusterObject | undefined {
    return this.objects.get(kind === 'Namespace' ? `Namespace//${name}` : `${kind}/${namespace}/${name}`);
  }

  all(): IterableIterator<ClusterObject> {
    return this.objects.values();
  }

  allServices(): IterableIterator<Service> {
    return this.services.values();
  }

  allServiceImports(): IterableIterator<ServiceImport> {
    return this.multicluster.allImports();
  }

  /** Objects per kind; the kinds past the core four (ServiceImport, Ingress, Gateway API) only when there are some. */
  counts(): Record<'Namespace' | 'Service' | 'EndpointSlice' | 'Pod', number> & Partial<Record<ObjectKind, number>> {
    const c: Record<string, number> = { Namespace: 0, Service: 0, EndpointSlice: 0, Pod: 0 };
    for (const o of this.objects.values()) c[o.kind] = (c[o.kind] ?? 0) + 1;
    return c as ReturnType<ClusterStore['counts']>;
  }

  ownerOf(o: ClusterObject): string | undefined {
    return this.owners.get(objectKey(o));
  }

  onChange(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  // ---- writing ----

  /** Runs `fn` as one change: one generation bump and one notification. */
  batch<T>(fn: () => T): T {
    this.batchDepth++;
    try {
      return fn();
    } finally {
      this.batchDepth--;
      if (this.batchDepth === 0) {
        // Once per service, not per slice: a 100,000-pod headless Service has 1,000 slices, and recomputing all of
        // its endpoints for each one took 30 s.
        const dirty = this.endpointsDirty;
        this.endpointsDirty = new Set();
        for (const key of dirty) this.recomputeEndpoints(key);
        this.flush();
      }
    }
  }

  /** Adds or replaces one object. Returns false when nothing DNS-relevant changed. */
  apply(obj: ClusterObject, owner = 'api'): boolean {
    const key = objectKey(obj);
    const old = this.objects.get(key);
    const before = this.owners.get(key);
    if (before !== owner) {
      if (before !== undefined) this.untrack(before, nsOf(obj), key);
      this.owners.set(key, owner);
      this.track(owner, nsOf(obj), key);
    }
    if (old && sameObject(old, obj)) return false;
    if (old) this.unindex(old);
    this.objects.set(key, obj);
    this.index(obj);
    this.record({ kind: obj.kind, type: old ? 'modified' : 'added', object: obj });
    return true;
  }

  delete(kind: ObjectKind, namespace: string, name: string): boolean {
    const key = kind === 'Namespace' ? `Namespace//${name}` : `${kind}/${namespace}/${name}`;
    const old = this.objects.get(key);
    if (!old) return false;
    this.objects.delete(key);
    const owner = this.owners.get(key);
    if (owner !== undefined) this.untrack(owner, nsOf(old), key);
    this.owners.delete(key);
    this.unindex(old);
    this.record({ kind: old.kind, type: 'deleted', object: old });
    return true;
  }

  /** Makes the objects owned by `owner` exactly `objs` (a reload), touching only what differs. */
  replace(owner: string, objs: Iterable<ClusterObject>): number {
    return this.batch(() => {
      const keep = new Set<string>();
      let changed = 0;
      for (const o of objs) {
        keep.add(objectKey(o));
        if (this.apply(o, owner)) changed++;
      }
      for (const [key, o] of [...this.objects]) {
        if (this.owners.get(key) === owner && !keep.has(key)) {
          this.delete(o.kind, o.kind === 'Namespace' ? '' : o.namespace, o.name);
          changed++;
        }
      }
      return changed;
    });
  }

  /** Makes the objects `owner` has in `namespaces` exactly `objs` (a reload of those namespaces), touching only what differs. */
  replaceNamespaces(owner: string, namespaces: Iterable<string>, objs: Iterable<ClusterObject>): number {
    const nss = new Set(namespaces);
    return this.batch(() => {
      const keep = new Set<string>();
      let changed = 0;
      for (const o of objs) {
        if (!nss.has(nsOf(o))) throw new Error(`replaceNamespaces: ${objectKey(o)} is outside the namespaces replaced`);
        keep.add(objectKey(o));
        if (this.apply(o, owner)) changed++;
      }
      const byNs = this.owned.get(owner);
      for (const ns of nss) {
        const keys = byNs?.get(ns);
        if (!keys) continue;
        for (const key of [...keys]) {
          if (keep.has(key)) continue;
          const o = this.objects.get(key)!;
          this.delete(o.kind, nsOf(o), o.name);
          changed++;
        }
      }
      return changed;
    });
  }

  setSynced(synced: boolean): void {
    if (this.synced === synced) return;
    this.synced = synced;
    // Negative answers depend on it: invalidate caches.
    this.generation++;
  }

  // ---- internals ----

  private track(owner: string, ns: string, key: string): void {
    let byNs = this.owned.get(owner);
    if (!byNs) this.owned.set(owner, byNs = new Map());
    let keys = byNs.get(ns);
    if (!keys) byNs.set(ns, keys = new Set());
    keys.add(key);
  }

  private untrack(owner: string, ns: string, key: string): void {
    const byNs = this.owned.get(owner);
    const keys = byNs?.get(ns);
    if (!keys) return;
    keys.delete(key);
    if (keys.size === 0) byNs!.delete(ns);
  }

  private filterExposed(list: readonly string[] | undefined): readonly string[] {
    if (!list) return [];
    if (!this.exposed) return list;
    return list.filter((k) => this.exposed!.has(k.slice(0, k.indexOf('/'))));
  }

  private record(change: StoreChange): void {
    this.pending.push(change);
    if (this.batchDepth === 0) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const changes = this.pending;
    this.pending = [];
    this.namespaceLabels?.clear();
    this.generation++;
    this.serial = Math.max(this.serial, Math.floor(Date.now() / 1000));
    for (const fn of this.listeners) fn(changes);
  }

  private nsCount(ns: string, delta: number): void {
    const n = (this.nsObjectCount.get(ns) ?? 0) + delta;
    if (n <= 0) this.nsObjectCount.delete(ns);
    else this.nsObjectCount.set(ns, n);
  }

  private index(o: ClusterObject): void {
    switch (o.kind) {
      case 'Namespace':
        this.namespaces.set(o.name, o);
        return;
      case 'Service': {
        const key = svcKey(o.namespace, o.name);
        this.services.set(key, o);
        for (const ip of o.clusterIPs) addToIndex(this.clusterIPIndex, ip, key);
        if (o.external) for (const ip of o.external) addToIndex(this.externalIPIndex, ip, key);
        this.ingressIndex.add(o);
        this.nsCount(o.namespace, 1);
        this.serviceEndpointsChanged(key);
        return;
      }
      case 'EndpointSlice': {
        const key = svcKey(o.namespace, o.serviceName);
        let m = this.slicesByService.get(key);
        if (!m) this.slicesByService.set(key, (m = new Map()));
        m.set(o.name, o);
        this.nsCount(o.namespace, 1);
        this.serviceEndpointsChanged(key);
        this.multicluster.addSlice(o);
        return;
      }
      case 'ServiceImport':
        this.multicluster.addImport(o);
        this.nsCount(o.namespace, 1);
        return;
      default: // Ingress, the Gateway API kinds and DNSEndpoint: the external names' indexes
        (o.kind === 'Ingress' ? this.ingressIndex : o.kind === 'DNSEndpoint' ? this.dnsEndpoints : this.gateways).add(o as never);
        this.nsCount(o.namespace, 1);
        return;
      case 'Pod':
        this.nsCount(o.namespace, 1);
        if (o.podIP && !o.terminating && !['Succeeded', 'Failed', 'Unknown'].includes(o.phase)) this.pods.add(o.namespace, o.podIP);
        return;
    }
  }

  private unindex(o: ClusterObject): void {
    switch (o.kind) {
      case 'Namespace':
        this.namespaces.delete(o.name);
        return;
      case 'Service': {
        const key = svcKey(o.namespace, o.name);
        this.services.delete(key);
        for (const ip of o.clusterIPs) removeFromIndex(this.clusterIPIndex, ip, key);
        if (o.external) for (const ip of o.external) removeFromIndex(this.externalIPIndex, ip, key);
        this.ingressIndex.remove(o);
        this.nsCount(o.namespace, -1);
        this.serviceEndpointsChanged(key);
        return;
      }
      case 'EndpointSlice': {
        const key = svcKey(o.namespace, o.serviceName);
        const m = this.slicesByService.get(key);
        if (m) {
          m.delete(o.name);
          if (m.size === 0) this.slicesByService.delete(key);
        }
        this.nsCount(o.namespace, -1);
        this.serviceEndpointsChanged(key);
        this.multicluster.removeSlice(o);
        return;
      }
      case 'ServiceImport':
        this.multicluster.removeImport(o);
        this.nsCount(o.namespace, -1);
        return;
      default:
        (o.kind === 'Ingress' ? this.ingressIndex : o.kind === 'DNSEndpoint' ? this.dnsEndpoints : this.gateways).remove(o as never);
        this.nsCount(o.namespace, -1);
        return;
      case 'Pod': {
        this.nsCount(o.namespace, -1);
        this.pods.remove(o.namespace, o.podIP);
        return;
      }
    }
  }

  private computeReady(key: string): ReadySlice[] {
    const slices = this.slicesByService.get(key);
    if (!slices) return [];
    return readySlices(slices.values(), this.services.get(key)?.publishNotReadyAddresses === true);
  }

  private serviceEndpointsChanged(key: string): void {
    this.readyCache.delete(key);
    if (this.batchDepth > 0) this.endpointsDirty.add(key);
    else this.recomputeEndpoints(key);
  }

  private recomputeEndpoints(key: string): void {
    const old = this.readyIPsByService.get(key) ?? [];
    const ready = this.computeReady(key);
    this.readyCache.set(key, ready);
    const now = new Set<string>();
    for (const s of ready) for (const e of s.endpoints) for (const a of e.addresses) now.add(a);
    for (const ip of old) if (!now.has(ip)) removeFromIndex(this.endpointIPIndex, ip, key);
    for (const ip of now) addToIndex(this.endpointIPIndex, ip, key);
    if (now.size > 0) this.readyIPsByService.set(key, [...now]);
    else this.readyIPsByService.delete(key);
  }
}
