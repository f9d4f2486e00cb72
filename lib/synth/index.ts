// Manifests → the cluster objects DNS needs, doing offline what a cluster's controllers would do: workloads become
// Pods, Services get ClusterIPs, Pods get IPs, selector Services get EndpointSlices. Pure: no I/O, no clock, no
// randomness, so the same manifests always give the same objects.
//
// Explicit objects always win. A manifest's own Pods, EndpointSlices, Endpoints and ClusterIPs are kept as written;
// a workload whose pods are already listed (by ownerReference, or by its selector in its namespace, as in
// `kubectl get all -A -o yaml` output) gets no synthesised pods; a Service with explicit slices or Endpoints gets no
// synthesised slice.
//
// Dual-stack: a Pod gets an IPv4 address, plus an IPv6 one when a Service selecting it has IPv6 among its families
// (see families.ts). Deciding per pod rather than cluster-wide keeps the stability promise: adding a dual-stack
// Service does not change the addresses of pods it does not select.
import type { SynthesisConfig } from '../config.js';
import type { ClusterObject, EndpointSlice, Pod, Service } from '../cluster/model.js';
import { objectKey } from '../cluster/model.js';
import { CONVERTED_KINDS, ManifestError, flattenList, toClusterObjects } from '../cluster/objects.js';
import { parseIP, type IPFamily } from './cidr.js';
import { hasSelector, synthesizeSlices } from './endpointslices.js';
import { familiesToAllocate, sliceFamilies } from './families.js';
import { AddressPool, POD_V4_PER_NODE_RESERVED, podPoolReserved, servicePoolReserved } from './ipam.js';
import { LabelIndex, isEmptySelector, selectorFromMap } from './selectors.js';
import {
  WORKLOAD_KINDS, expandWorkload, nodeNames, ownerRefsOf, parseWorkload, readyByAnnotation, type Workload,
} from './workloads.js';

export { READY_ANNOTATION } from './workloads.js';

/** One parsed manifest (a List already flattened), with where it came from for error messages. */
export interface SourcedManifest {
  raw: unknown;
  file?: string;
  line?: number;
}

export interface SynthesisOptions extends SynthesisConfig {
  /** namespace for manifests without metadata.namespace */
  namespace: string;
}

export interface SynthesisResult {
  objects: ClusterObject[];
  warnings: string[];
  /** manifests of kinds DNS does not use (ConfigMap, Ingress, ...) */
  skipped: { kind: string; name: string; file?: string }[];
}

/** A ManifestError that also says which manifest it came from (the message itself names the object). */
export class SourcedManifestError extends ManifestError {
  readonly file?: string;
  readonly line?: number;

  constructor(message: string, source: { file?: string; line?: number }) {
    super(message);
    if (source.file !== undefined) this.file = source.file;
    if (source.line !== undefined) this.line = source.line;
  }
}

type Raw = Record<string, any>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function synthesizeCluster(manifests: readonly SourcedManifest[], opts: SynthesisOptions): SynthesisResult {
  const warnings: string[] = [];
  const read = readManifests(manifests, opts.namespace, warnings);
  const { services, explicitPods, explicitSlices } = read;
  // The index holds only explicit pods while workloads are checked against it, then every pod.
  const podIndex = new LabelIndex<Pod>();
  for (const p of explicitPods) podIndex.add(p);
  const synthesizedPods = synthesizePods(read, podIndex, nodeNames(Math.max(0, Math.floor(opts.nodes))), warnings);
  for (const p of synthesizedPods) podIndex.add(p);
  const allPods = explicitPods.concat(synthesizedPods);

  const pools = addressPools(opts);
  // Every address a manifest writes is taken before anything is allocated, so synthesis never duplicates one.
  const all = [pools.service.IPv4, pools.service.IPv6, pools.pod.IPv4, pools.pod.IPv6];
  const reserve = (ip: string) => {
    const parsed = parseIP(ip);
    if (parsed) for (const p of all) p.reserveParsed(parsed.family, parsed.value);
  };
  for (const s of services) s.clusterIPs.forEach(reserve);
  for (const p of explicitPods) { if (p.podIP && !p.podIPs.includes(p.podIP)) reserve(p.podIP); p.podIPs.forEach(reserve); }
  for (const sl of explicitSlices) for (const ep of sl.endpoints) ep.addresses.forEach(reserve);
  allocateClusterIPs(services, pools.service, warnings);
  allocatePodIPs(allPods, services, podIndex, pools.pod, warnings);

  const synthesizedSlices = synthesizeAllSlices(services, explicitSlices, podIndex, warnings);
  const objects: ClusterObject[] = [...read.explicit.values()];
  for (const p of synthesizedPods) objects.push(p);
  for (const sl of synthesizedSlices) objects.push(sl);
  return { objects, warnings, skipped: read.skipped };
}

interface ReadManifests {
  /** explicit DNS objects by store key, in manifest order (a later definition replaces an earlier one) */
  explicit: Map<string, ClusterObject>;
  /** sorted by namespace and name */
  services: Service[];
  /** sorted by namespace and name */
  explicitPods: Pod[];
  explicitSlices: EndpointSlice[];
  /** sorted by kind, namespace and name */
  workloads: Workload[];
  /** "ns/Kind/name" of every owner an explicit Pod or a workload names: that owner's pods already exist */
  owned: Set<string>;
  skipped: SynthesisResult['skipped'];
}

function readManifests(manifests: readonly SourcedManifest[], namespace: string, warnings: string[]): ReadManifests {
  const explicit = new Map<string, ClusterObject>();
  const workloads = new Map<string, Workload>();
  const owned = new Set<string>();
  const skipped: SynthesisResult['skipped'] = [];

  const readOne = (raw: unknown, m: SourcedManifest): void => {
    if (!isObj(raw)) throw new ManifestError('not a Kubernetes object (expected a mapping with apiVersion and kind)');
    const kind = typeof raw.kind === 'string' ? raw.kind : '';
    const name = isObj(raw.metadata) && typeof raw.metadata.name === 'string' ? raw.metadata.name : '';
    if (!kind) throw new ManifestError(`object${name ? ` "${name}"` : ''} has no kind`);
    if (CONVERTED_KINDS.has(kind)) {
      for (const o of toClusterObjects(raw, namespace)) {
        const key = objectKey(o);
        if (explicit.has(key)) {
          warnings.push(`${describe(o)} is defined twice; the last definition wins`);
          explicit.delete(key);
        }
        explicit.set(key, o);
        if (o.kind === 'Pod') {
          if (!readyByAnnotation(raw.metadata)) o.ready = false;
          for (const r of ownerRefsOf(raw.metadata)) owned.add(`${o.namespace}/${r.kind}/${r.name}`);
        }
      }
    } else if (WORKLOAD_KINDS.has(kind)) {
      const w = parseWorkload(raw, namespace);
      const key = `${w.kind}/${w.namespace}/${w.name}`;
      if (workloads.has(key)) warnings.push(`${w.kind} ${w.namespace}/${w.name} is defined twice; the last definition wins`);
      workloads.set(key, w);
      for (const r of w.ownerRefs) owned.add(`${w.namespace}/${r.kind}/${r.name}`);
    } else {
      skipped.push(m.file === undefined ? { kind, name } : { kind, name, file: m.file });
    }
  };
  for (const m of manifests) {
    for (const raw of flattenList(m.raw)) {
      if (raw === null || raw === undefined) continue; // an empty YAML document
      try {
        readOne(raw, m);
      } catch (e) {
        if (e instanceof ManifestError && !(e instanceof SourcedManifestError)) throw new SourcedManifestError(e.message, m);
        throw e;
      }
    }
  }

  const services: Service[] = [];
  const explicitPods: Pod[] = [];
  const explicitSlices: EndpointSlice[] = [];
  for (const o of explicit.values()) {
    if (o.kind === 'Service') services.push(o);
    else if (o.kind === 'Pod') explicitPods.push(o);
    else if (o.kind === 'EndpointSlice') explicitSlices.push(o);
  }
  const byNsName = (a: { namespace: string; name: string }, b: { namespace: string; name: string }) =>
    byString(a.namespace, b.namespace) || byString(a.name, b.name);
  // Canonical orders, so that nothing derived from them (allocation, generated names, the order of endpoints in a
  // slice) depends on the order manifests were read in. Synthesised pods follow the workload order.
  services.sort(byNsName);
  explicitPods.sort(byNsName);
  const sortedWorkloads = [...workloads.keys()].sort(byString).map((k) => workloads.get(k)!);
  return { explicit, services, explicitPods, explicitSlices, workloads: sortedWorkloads, owned, skipped };
}

/** The pods of every workload whose pods the manifests do not already list (`explicitPodIndex` holds those). */
function synthesizePods(read: ReadManifests, explicitPodIndex: LabelIndex<Pod>, nodes: string[], warnings: string[]): Pod[] {
  const podNames = new Map<string, Set<string>>();
  for (const p of read.explicitPods) {
    let names = podNames.get(p.namespace);
    if (!names) podNames.set(p.namespace, names = new Set());
    names.add(p.name);
  }
  const serviceNames = new Set(read.services.map((s) => `${s.namespace}/${s.name}`));
  const out: Pod[] = [];
  for (const w of read.workloads) {
    if (w.replicas === 0) continue;
    if (read.owned.has(`${w.namespace}/${w.kind}/${w.name}`)) continue;
    if (!isEmptySelector(w.selector) && explicitPodIndex.any(w.namespace, w.selector)) continue;
    const pods = expandWorkload(w, { nodes, podNames });
    if (w.kind === 'StatefulSet' && pods.length < w.replicas) {
      warnings.push(`StatefulSet ${w.namespace}/${w.name}: ${w.replicas - pods.length} pod name(s) are taken by explicit Pods, which win`);
    }
    if (w.kind === 'StatefulSet' && w.serviceName && !serviceNames.has(`${w.namespace}/${w.serviceName}`)) {
      warnings.push(`StatefulSet ${w.namespace}/${w.name}: spec.serviceName "${w.serviceName}" is not a Service in the manifests, so its pods get no per-pod DNS names`);
    }
    for (const p of pods) out.push(p);
  }
  return out;
}

type Pools = Record<IPFamily, AddressPool>;

function addressPools(opts: SynthesisConfig): { service: Pools; pod: Pools } {
  return {
    service: {
      IPv4: new AddressPool(opts.serviceCIDR, servicePoolReserved('IPv4')),
      IPv6: new AddressPool(opts.serviceCIDRv6, servicePoolReserved('IPv6')),
    },
    pod: {
      IPv4: new AddressPool(opts.podCIDR, podPoolReserved('IPv4'), POD_V4_PER_NODE_RESERVED),
      IPv6: new AddressPool(opts.podCIDRv6, podPoolReserved('IPv6')),
    },
  };
}

/** ClusterIPs for Services that need them, in the order of their families (the primary first). */
function allocateClusterIPs(services: readonly Service[], pools: Pools, warnings: string[]): void {
  const wants = new Map<Service, IPFamily[]>();
  for (const s of services) {
    const fams = familiesToAllocate(s);
    if (fams.length) wants.set(s, fams);
  }
  const got: Record<IPFamily, Map<Service, string>> = { IPv4: new Map(), IPv6: new Map() };
  for (const family of ['IPv4', 'IPv6'] as const) {
    const want = services.filter((s) => wants.get(s)?.includes(family));
    if (want.length === 0) continue;
    const ips = pools[family].allocate(want.map((s) => `Service/${s.namespace}/${s.name}`));
    want.forEach((s, i) => { if (ips[i] !== undefined) got[family].set(s, ips[i]!); });
  }
  for (const [s, fams] of wants) {
    for (const family of fams) {
      const ip = got[family].get(s);
      if (ip === undefined) {
        warnings.push(`Service ${s.namespace}/${s.name}: the ${family} service CIDR ${pools[family].cidr.text} is full, no ClusterIP allocated`);
      } else {
        s.clusterIPs.push(ip);
      }
    }
    if (s.clusterIPs.length) s.ipFamilies = s.clusterIPs.map((ip) => (ip.includes(':') ? 'IPv6' : 'IPv4'));
  }
}

/**
 * Pod IPs for pods without one: IPv4, plus IPv6 when a Service selecting the pod has IPv6 among its families.
 * A pod in a phase other than Running is real cluster output (Pending, Succeeded, Failed) and keeps having no IP.
 */
function allocatePodIPs(pods: readonly Pod[], services: readonly Service[], index: LabelIndex<Pod>, pools: Pools, warnings: string[]): void {
  const needsV6 = new Set<Pod>();
  for (const s of services) {
    if (!hasSelector(s) || !sliceFamilies(s).includes('IPv6')) continue;
    for (const p of index.select(s.namespace, selectorFromMap(s.selector!))) needsV6.add(p);
  }
  const needsIP = pods.filter((p) => !p.podIP && p.podIPs.length === 0 && (p.phase === '' || p.phase === 'Running'));
  const key = (p: Pod) => `Pod/${p.namespace}/${p.name}`;
  const v4 = pools.IPv4.allocate(needsIP.map(key));
  const v6Pods = needsIP.filter((p) => needsV6.has(p));
  const v6 = new Map<Pod, string | undefined>();
  if (v6Pods.length) pools.IPv6.allocate(v6Pods.map(key)).forEach((ip, i) => v6.set(v6Pods[i], ip));
  let short = 0;
  needsIP.forEach((p, i) => {
    const a = v4[i];
    const b = v6.get(p);
    if (a === undefined || (v6.has(p) && b === undefined)) short++;
    p.podIPs = a !== undefined && b !== undefined ? [a, b] : a !== undefined ? [a] : b !== undefined ? [b] : [];
    p.podIP = p.podIPs[0] ?? '';
  });
  if (short) {
    warnings.push(`${short} pod(s) got no IP or only one family: the pod CIDR (${pools.IPv4.cidr.text}, ${pools.IPv6.cidr.text}) is full; use a larger one`);
  }
}

/** Slices for every selector Service that has none in the manifests. */
function synthesizeAllSlices(services: readonly Service[], explicitSlices: readonly EndpointSlice[], index: LabelIndex<Pod>, warnings: string[]): EndpointSlice[] {
  const withSlices = new Set<string>();
  const sliceNames = new Set<string>();
  for (const sl of explicitSlices) {
    if (sl.serviceName) withSlices.add(`${sl.namespace}/${sl.serviceName}`);
    sliceNames.add(`${sl.namespace}/${sl.name}`);
  }
  const out: EndpointSlice[] = [];
  for (const s of services) {
    if (!hasSelector(s) || withSlices.has(`${s.namespace}/${s.name}`)) continue;
    const slices = synthesizeSlices(s, index, sliceNames);
    if (slices.every((sl) => sl.endpoints.length === 0)) {
      warnings.push(`Service ${s.namespace}/${s.name}: its selector matches no running pod, so it has no endpoints`);
    }
    for (const sl of slices) out.push(sl);
  }
  return out;
}

function describe(o: ClusterObject): string {
  return o.kind === 'Namespace' ? `Namespace ${o.name}` : `${o.kind} ${o.namespace}/${o.name}`;
}
