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

export function synthesizeCluster(manifests: SourcedManifest[], opts: SynthesisOptions): SynthesisResult {
  const warnings: string[] = [];
  const skipped: SynthesisResult['skipped'] = [];
  // Later definitions of the same object replace earlier ones, as applying the files in order would.
  const explicit = new Map<string, ClusterObject>();
  const workloads = new Map<string, Workload>();
  /** "ns/Kind/name" of every owner some explicit Pod or ReplicaSet names: that owner's pods already exist */
  const owned = new Set<string>();

  const readManifest = (raw: unknown, m: SourcedManifest): void => {
    if (!isObj(raw)) throw new ManifestError('not a Kubernetes object (expected a mapping with apiVersion and kind)');
    const kind = typeof raw.kind === 'string' ? raw.kind : '';
    const name = isObj(raw.metadata) && typeof raw.metadata.name === 'string' ? raw.metadata.name : '';
    if (!kind) throw new ManifestError(`object${name ? ` "${name}"` : ''} has no kind`);
    if (CONVERTED_KINDS.has(kind)) {
      for (const o of toClusterObjects(raw, opts.namespace)) {
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
      const w = parseWorkload(raw, opts.namespace);
      const key = `${w.kind}/${w.namespace}/${w.name}`;
      if (workloads.has(key)) warnings.push(`${w.kind} ${w.namespace}/${w.name} is defined twice; the last definition wins`);
      workloads.set(key, w);
    } else {
      skipped.push(m.file === undefined ? { kind, name } : { kind, name, file: m.file });
    }
  };
  for (const m of manifests) {
    for (const raw of flattenList(m.raw)) {
      if (raw === null || raw === undefined) continue; // an empty YAML document
      try {
        readManifest(raw, m);
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
  services.sort((a, b) => byString(a.namespace, b.namespace) || byString(a.name, b.name));
  // Explicit pods in a canonical order (synthesised ones come in workload order, canonical too), so everything
  // derived from pod order, such as the order of endpoints in a slice, does not depend on manifest order.
  explicitPods.sort((a, b) => byString(a.namespace, b.namespace) || byString(a.name, b.name));

  // --- Pods the workload controllers would create --------------------------------------------------------------
  const explicitPodIndex = new LabelIndex<Pod>();
  const podNames = new Map<string, Set<string>>();
  for (const p of explicitPods) {
    explicitPodIndex.add(p);
    let names = podNames.get(p.namespace);
    if (!names) podNames.set(p.namespace, names = new Set());
    names.add(p.name);
  }
  const sortedWorkloads = [...workloads.keys()].sort(byString).map((k) => workloads.get(k)!);
  for (const w of sortedWorkloads) for (const r of w.ownerRefs) owned.add(`${w.namespace}/${r.kind}/${r.name}`);

  const servicesByNs = new Map<string, Set<string>>();
  for (const s of services) {
    let set = servicesByNs.get(s.namespace);
    if (!set) servicesByNs.set(s.namespace, set = new Set());
    set.add(s.name);
  }
  const nodes = nodeNames(Math.max(0, Math.floor(opts.nodes)));
  const synthesizedPods: Pod[] = [];
  for (const w of sortedWorkloads) {
    if (w.replicas === 0) continue;
    if (owned.has(`${w.namespace}/${w.kind}/${w.name}`)) continue;
    if (!isEmptySelector(w.selector) && explicitPodIndex.any(w.namespace, w.selector)) continue;
    const pods = expandWorkload(w, { nodes, podNames });
    if (w.kind === 'StatefulSet' && pods.length < w.replicas) {
      warnings.push(`StatefulSet ${w.namespace}/${w.name}: ${w.replicas - pods.length} pod name(s) are taken by explicit Pods, which win`);
    }
    if (w.kind === 'StatefulSet' && w.serviceName && !servicesByNs.get(w.namespace)?.has(w.serviceName)) {
      warnings.push(`StatefulSet ${w.namespace}/${w.name}: spec.serviceName "${w.serviceName}" is not a Service in the manifests, so its pods get no per-pod DNS names`);
    }
    for (const p of pods) synthesizedPods.push(p);
  }
  const allPods = explicitPods.concat(synthesizedPods);
  const podIndex = new LabelIndex<Pod>();
  for (const p of allPods) podIndex.add(p);

  // --- Addresses -------------------------------------------------------------------------------------------------
  const pools: Record<'service' | 'pod', Record<IPFamily, AddressPool>> = {
    service: {
      IPv4: new AddressPool(opts.serviceCIDR, servicePoolReserved('IPv4')),
      IPv6: new AddressPool(opts.serviceCIDRv6, servicePoolReserved('IPv6')),
    },
    pod: {
      IPv4: new AddressPool(opts.podCIDR, podPoolReserved('IPv4'), POD_V4_PER_NODE_RESERVED),
      IPv6: new AddressPool(opts.podCIDRv6, podPoolReserved('IPv6')),
    },
  };
  const allPools = [pools.service.IPv4, pools.service.IPv6, pools.pod.IPv4, pools.pod.IPv6];
  // Every address a manifest writes is taken before anything is allocated, so synthesis never duplicates one.
  const reserve = (ip: string) => {
    const parsed = parseIP(ip);
    if (parsed) for (const p of allPools) p.reserveParsed(parsed.family, parsed.value);
  };
  for (const s of services) s.clusterIPs.forEach(reserve);
  for (const p of explicitPods) { if (p.podIP && !p.podIPs.includes(p.podIP)) reserve(p.podIP); p.podIPs.forEach(reserve); }
  for (const sl of explicitSlices) for (const ep of sl.endpoints) ep.addresses.forEach(reserve);

  const serviceWants = new Map<Service, IPFamily[]>();
  for (const s of services) {
    const fams = familiesToAllocate(s);
    if (fams.length) serviceWants.set(s, fams);
  }
  const svcKey = (s: Service) => `Service/${s.namespace}/${s.name}`;
  const allocated = new Map<string, string>(); // "family|key" → IP
  for (const family of ['IPv4', 'IPv6'] as const) {
    const want = services.filter((s) => serviceWants.get(s)?.includes(family));
    if (want.length === 0) continue;
    const keys = want.map(svcKey);
    pools.service[family].allocate(keys).forEach((ip, i) => { if (ip !== undefined) allocated.set(`${family}|${keys[i]}`, ip); });
  }
  for (const [s, fams] of serviceWants) {
    for (const family of fams) {
      const ip = allocated.get(`${family}|${svcKey(s)}`);
      if (ip === undefined) {
        warnings.push(`Service ${s.namespace}/${s.name}: the ${family} service CIDR ${pools.service[family].cidr.text} is full, no ClusterIP allocated`);
      } else {
        s.clusterIPs.push(ip);
      }
    }
    if (s.clusterIPs.length) s.ipFamilies = s.clusterIPs.map((ip) => (ip.includes(':') ? 'IPv6' : 'IPv4'));
  }

  const needsV6 = new Set<Pod>();
  for (const s of services) {
    if (!hasSelector(s) || !sliceFamilies(s).includes('IPv6')) continue;
    for (const p of podIndex.select(s.namespace, selectorFromMap(s.selector!))) needsV6.add(p);
  }
  // A pod with a phase other than Running is real cluster output (Pending, Succeeded, Failed): left without an IP.
  const needsIP = allPods.filter((p) => !p.podIP && p.podIPs.length === 0 && (p.phase === '' || p.phase === 'Running'));
  const podKey = (p: Pod) => `Pod/${p.namespace}/${p.name}`;
  const v4 = pools.pod.IPv4.allocate(needsIP.map(podKey));
  const v6Index = new Map<Pod, number>();
  const v6Pods = needsIP.filter((p) => needsV6.has(p));
  v6Pods.forEach((p, i) => v6Index.set(p, i));
  const v6 = v6Pods.length ? pools.pod.IPv6.allocate(v6Pods.map(podKey)) : [];
  let unaddressed = 0;
  needsIP.forEach((p, i) => {
    const a = v4[i];
    const j = v6Index.get(p);
    const b = j === undefined ? undefined : v6[j];
    if (a === undefined || (j !== undefined && b === undefined)) unaddressed++;
    p.podIPs = a !== undefined && b !== undefined ? [a, b] : a !== undefined ? [a] : b !== undefined ? [b] : [];
    p.podIP = p.podIPs[0] ?? '';
  });
  if (unaddressed) {
    warnings.push(`${unaddressed} pod(s) got no IP or only one family: the pod CIDR (${opts.podCIDR}, ${opts.podCIDRv6}) is full; use a larger one`);
  }

  // --- EndpointSlices --------------------------------------------------------------------------------------------
  const withSlices = new Set<string>();
  const sliceNames = new Set<string>();
  for (const sl of explicitSlices) {
    if (sl.serviceName) withSlices.add(`${sl.namespace}/${sl.serviceName}`);
    sliceNames.add(`${sl.namespace}/${sl.name}`);
  }
  const synthesizedSlices: EndpointSlice[] = [];
  for (const s of services) {
    if (!hasSelector(s) || withSlices.has(`${s.namespace}/${s.name}`)) continue;
    const slices = synthesizeSlices(s, podIndex, sliceNames);
    if (slices.every((sl) => sl.endpoints.length === 0)) {
      warnings.push(`Service ${s.namespace}/${s.name}: its selector matches no running pod, so it has no endpoints`);
    }
    for (const sl of slices) synthesizedSlices.push(sl);
  }

  const objects: ClusterObject[] = [...explicit.values()];
  for (const p of synthesizedPods) objects.push(p);
  for (const sl of synthesizedSlices) objects.push(sl);
  return { objects, warnings, skipped };
}

function describe(o: ClusterObject): string {
  return o.kind === 'Namespace' ? `Namespace ${o.name}` : `${o.kind} ${o.namespace}/${o.name}`;
}
