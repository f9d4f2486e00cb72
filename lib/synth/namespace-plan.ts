// Planning one namespace, before addresses: its explicit objects in canonical order, the pods its workloads
// run (refused past the limits in limits.ts before any is built), and which of them need addresses. A generator:
// see steps.ts.
import type { ClusterObject, EndpointSlice, Pod, Service } from '../cluster/model.js';
import { objectKey } from '../cluster/model.js';
import type { IPFamily } from './cidr.js';
import { hasSelector } from './endpointslices.js';
import { SourcedManifestError, type FixtureEntry } from './entries.js';
import { familiesToAllocate, sliceFamilies } from './families.js';
import { MAX_CLUSTER_PODS, type PodLimits } from './limits.js';
import { LabelIndex, isEmptySelector, selectorFromMap } from './selectors.js';
import { STEP, TICK, type Steps } from './steps.js';
import { expandWorkloadSteps, type Workload } from './workloads.js';

/** The pools, by index: Service IPv4, Service IPv6, Pod IPv4, Pod IPv6, LoadBalancer IPv4 (loadbalancer.ts). */
export const SVC4 = 0;
export const SVC6 = 1;
export const POD4 = 2;
export const POD6 = 3;
export const LB4 = 4;
export const POOLS = 5;

/** Manifests of kinds DNS does not use (ConfigMap, Ingress, ...). */
export type Skipped = { kind: string; name: string; file?: string }[];

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface NamespacePlan {
  namespace: string;
  /** explicit DNS objects by store key, in manifest order (a later definition replaces an earlier one) */
  explicit: Map<string, ClusterObject>;
  /** sorted by name */
  services: Service[];
  /** sorted by name */
  explicitPods: Pod[];
  explicitSlices: EndpointSlice[];
  synthesizedPods: Pod[];
  /** families each Service needs a ClusterIP in, primary first */
  serviceFamilies: Map<Service, IPFamily[]>;
  /** pods without an IP that get one (explicit ones first, then synthesised), in that order */
  needIP: Pod[];
  /** pods selected by a Service with IPv6 among its families */
  needsV6: Set<Pod>;
  warnings: string[];
  skipped: Skipped;
  /** explicit and synthesised pods */
  pods: number;
}

export function* planNamespace(namespace: string, entries: readonly FixtureEntry[], nodes: string[], limits: PodLimits): Steps<NamespacePlan> {
  const warnings: string[] = [];
  const sources = new Map<Workload, FixtureEntry>();
  let n = 0;
  const explicit = new Map<string, ClusterObject>();
  const workloads = new Map<string, Workload>();
  const owned = new Set<string>();
  const skipped: Skipped = [];
  for (const e of entries) {
    if (++n % STEP === 0) yield TICK;
    if (e.objects) {
      for (const o of e.objects) {
        const key = objectKey(o);
        if (explicit.has(key)) {
          warnings.push(`${describe(o)} is defined twice; the last definition wins`);
          explicit.delete(key);
        }
        explicit.set(key, o);
      }
      if (e.owners) for (const k of e.owners) owned.add(k);
    } else if (e.workload) {
      const w = e.workload;
      const key = `${w.kind}/${w.namespace}/${w.name}`;
      if (workloads.has(key)) warnings.push(`${w.kind} ${w.namespace}/${w.name} is defined twice; the last definition wins`);
      workloads.set(key, w);
      sources.set(w, e);
      for (const r of w.ownerRefs) owned.add(`${w.namespace}/${r.kind}/${r.name}`);
    } else {
      skipped.push(e.file === undefined ? { kind: e.kind, name: e.name } : { kind: e.kind, name: e.name, file: e.file });
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
  // Canonical orders, so that nothing derived from them (allocation, generated names, the order of endpoints in a
  // slice) depends on the order manifests were read in. Synthesised pods follow the workload order.
  const byName = (a: { name: string }, b: { name: string }) => byString(a.name, b.name);
  services.sort(byName);
  explicitPods.sort(byName);
  const sortedWorkloads = [...workloads.keys()].sort(byString).map((k) => workloads.get(k)!);

  // The index holds only explicit pods while workloads are checked against it, then every pod.
  const podIndex = new LabelIndex<Pod>();
  for (const p of explicitPods) {
    if (++n % STEP === 0) yield TICK;
    podIndex.add(p);
  }
  const synthesizedPods = yield* synthesizePods(namespace, services, explicitPods, sortedWorkloads, owned, podIndex, nodes, warnings, limits, sources);
  for (const p of synthesizedPods) {
    if (++n % STEP === 0) yield TICK;
    podIndex.add(p);
  }

  const serviceFamilies = new Map<Service, IPFamily[]>();
  for (const s of services) {
    const fams = familiesToAllocate(s);
    if (fams.length) serviceFamilies.set(s, fams);
  }
  const needsV6 = new Set<Pod>();
  for (const s of services) {
    if (!hasSelector(s) || !sliceFamilies(s).includes('IPv6')) continue;
    for (const p of podIndex.select(s.namespace, selectorFromMap(s.selector!))) needsV6.add(p);
  }
  // A pod in a phase other than Running is real cluster output (Pending, Succeeded, Failed) and keeps having no IP.
  const needIP = explicitPods.concat(synthesizedPods)
    .filter((p) => !p.podIP && p.podIPs.length === 0 && (p.phase === '' || p.phase === 'Running'));
  return {
    namespace, explicit, services, explicitPods, explicitSlices, synthesizedPods, serviceFamilies, needIP, needsV6,
    warnings, skipped, pods: explicitPods.length + synthesizedPods.length,
  };
}

/** The pods of every workload whose pods the manifests do not already list (`explicitPodIndex` holds those). */
function* synthesizePods(
  namespace: string, services: readonly Service[], explicitPods: readonly Pod[], workloads: readonly Workload[],
  owned: ReadonlySet<string>, explicitPodIndex: LabelIndex<Pod>, nodes: string[], warnings: string[],
  limits: PodLimits, sources: ReadonlyMap<Workload, FixtureEntry>,
): Steps<Pod[]> {
  const podNames = new Map<string, Set<string>>([[namespace, new Set(explicitPods.map((p) => p.name))]]);
  const serviceNames = new Set(services.map((s) => s.name));
  const out: Pod[] = [];
  for (const w of workloads) {
    if (w.replicas === 0) continue;
    if (owned.has(`${w.namespace}/${w.kind}/${w.name}`)) continue;
    if (!isEmptySelector(w.selector) && explicitPodIndex.any(w.namespace, w.selector)) continue;
    checkPodLimits(w, w.kind === 'DaemonSet' ? nodes.length : w.replicas, explicitPods.length + out.length, limits, sources.get(w) ?? {});
    const pods = yield* expandWorkloadSteps(w, { nodes, podNames });
    if (w.kind === 'StatefulSet' && pods.length < w.replicas) {
      warnings.push(`StatefulSet ${w.namespace}/${w.name}: ${w.replicas - pods.length} pod name(s) are taken by explicit Pods, which win`);
    }
    if (w.kind === 'StatefulSet' && w.serviceName && !serviceNames.has(w.serviceName)) {
      warnings.push(`StatefulSet ${w.namespace}/${w.name}: spec.serviceName "${w.serviceName}" is not a Service in the manifests, so its pods get no per-pod DNS names`);
    }
    for (const p of pods) out.push(p);
  }
  return out;
}

/** Refuses, naming the manifest, a workload whose pods no real cluster could hold; checked before any is built. */
function checkPodLimits(w: Workload, n: number, before: number, limits: PodLimits, source: { file?: string; line?: number }): void {
  const what = `${w.kind} ${w.namespace}/${w.name}`;
  const field = w.kind === 'Job' ? 'spec.parallelism' : w.kind === 'DaemonSet' ? '--nodes' : 'spec.replicas';
  if (n > limits.podAddresses) {
    throw new SourcedManifestError(`${what}: ${n} pods are more than the pod CIDR ${limits.podCIDR} has addresses (${limits.podAddresses}); lower ${field} or use a larger --pod-cidr`, source, true);
  }
  if (before + n > limits.budget) {
    const others = MAX_CLUSTER_PODS - limits.budget;
    throw new SourcedManifestError(`${what}: its ${n} pods would bring the cluster to ${others + before + n} pods, more than a Kubernetes cluster holds (at most ${MAX_CLUSTER_PODS}); lower ${field}`, source, true);
  }
}

function describe(o: ClusterObject): string {
  return o.kind === 'Namespace' ? `Namespace ${o.name}` : `${o.kind} ${o.namespace}/${o.name}`;
}
