// Finishing one namespace, with its addresses: ClusterIPs and pod IPs filled in, and the EndpointSlices the
// controller would write. A generator: see steps.ts.
import type { ClusterObject, EndpointSlice, Pod, Service } from '../cluster/model.js';
import type { IPFamily } from './cidr.js';
import { hasSelector, synthesizeSlicesSteps } from './endpointslices.js';
import type { AddressPool } from './ipam.js';
import { LB4, POD4, POD6, SVC4, SVC6, type NamespacePlan } from './namespace-plan.js';
import { needsLBAddress } from './loadbalancer.js';
import { LabelIndex } from './selectors.js';
import { STEP, TICK, type Steps } from './steps.js';

/** Objects that got no address because a CIDR is full (the rest of the cluster is served all the same). */
export interface Unaddressed {
  /** pods with no IP, or only one family of a dual-stack pair */
  pods: number;
  /** Services short of a ClusterIP in one of their families */
  services: number;
}

/**
 * The namespace's objects with their addresses. Plans share objects with the manifests they came from, so
 * anything that gets an address is a copy.
 */
export function* finishNamespace(
  plan: NamespacePlan, addresses: (string | undefined)[][], pools: AddressPool[], warnings: string[], short: Unaddressed,
  lbAddress?: string,
): Steps<ClusterObject[]> {
  const replaced = new Map<ClusterObject, ClusterObject>();
  // ClusterIPs, in the order of each Service's families (the primary first).
  const next = [0, 0];
  const services = plan.services.map((s) => {
    const fams = plan.serviceFamilies.get(s);
    if (!fams) return s;
    const got: Partial<Record<IPFamily, string>> = {};
    for (const f of ['IPv4', 'IPv6'] as const) {
      if (!fams.includes(f)) continue;
      const pool = f === 'IPv4' ? SVC4 : SVC6;
      const ip = addresses[pool][next[pool]++];
      if (ip !== undefined) got[f] = ip;
    }
    const clusterIPs = s.clusterIPs.slice();
    for (const f of fams) {
      const ip = got[f];
      if (ip === undefined) {
        short.services++;
        warnings.push(`Service ${s.namespace}/${s.name}: the ${f} service CIDR ${pools[f === 'IPv4' ? SVC4 : SVC6].cidr.text} is full, no ClusterIP allocated`);
      } else {
        clusterIPs.push(ip);
      }
    }
    const copy: Service = { ...s, clusterIPs };
    if (clusterIPs.length) copy.ipFamilies = clusterIPs.map((ip) => (ip.includes(':') ? 'IPv6' : 'IPv4'));
    replaced.set(s, copy);
    return copy;
  });
  // LoadBalancer addresses (loadbalancer.ts), in the same Service order their keys were requested in.
  let nextLB = 0;
  for (let i = 0; i < services.length; i++) {
    const s = services[i];
    if (!needsLBAddress(s)) continue;
    const ip = lbAddress ?? addresses[LB4][nextLB++];
    if (ip === undefined) {
      warnings.push(`Service ${s.namespace}/${s.name}: the LoadBalancer range ${pools[LB4].cidr.text} is full, no external address allocated`);
      continue;
    }
    const copy: Service = { ...s, external: [ip], externalSynthesised: lbAddress === undefined ? 'lb-range' : 'lb-address' };
    replaced.set(plan.services[i], copy);
    services[i] = copy;
  }
  // Gateways without status.addresses: what a local Gateway controller's LoadBalancer would publish.
  for (const o of plan.explicit.values()) {
    if (o.kind !== 'Gateway' || o.addresses.length > 0) continue;
    const ip = lbAddress ?? addresses[LB4][nextLB++];
    if (ip === undefined) warnings.push(`Gateway ${o.namespace}/${o.name}: the LoadBalancer range ${pools[LB4].cidr.text} is full, no address allocated`);
    else replaced.set(o, { ...o, addresses: [ip], addressesSynthesised: lbAddress === undefined ? 'lb-range' : 'lb-address' });
  }

  // Pod IPs: IPv4, plus IPv6 for pods a dual-stack Service selects.
  const finalPod = new Map<Pod, Pod>();
  let v6 = 0;
  for (let i = 0; i < plan.needIP.length; i++) {
    if (i % STEP === STEP - 1) yield TICK;
    const p = plan.needIP[i];
    const a = addresses[POD4][i];
    const wantsV6 = plan.needsV6.has(p);
    const b = wantsV6 ? addresses[POD6][v6++] : undefined;
    if (a === undefined || (wantsV6 && b === undefined)) short.pods++;
    const podIPs = a !== undefined && b !== undefined ? [a, b] : a !== undefined ? [a] : b !== undefined ? [b] : [];
    finalPod.set(p, { ...p, podIPs, podIP: podIPs[0] ?? '' });
  }
  if (short.pods) {
    warnings.push(`${short.pods} pod(s) got no IP or only one family (namespace ${plan.namespace}): the pod CIDR (${pools[POD4].cidr.text}, ${pools[POD6].cidr.text}) is full; use a larger one`);
  }

  const podIndex = new LabelIndex<Pod>();
  let n = 0;
  for (const p of plan.explicitPods) {
    if (++n % STEP === 0) yield TICK;
    podIndex.add(finalPod.get(p) ?? p);
  }
  const synthesizedPods: Pod[] = [];
  for (const p of plan.synthesizedPods) {
    if (++n % STEP === 0) yield TICK;
    const copy = finalPod.get(p) ?? p;
    synthesizedPods.push(copy);
    podIndex.add(copy);
  }
  yield TICK;

  const synthesizedSlices = yield* synthesizeAllSlices(services, plan.explicitSlices, podIndex, warnings);
  const objects: ClusterObject[] = [];
  // Explicit pods that got an address are in finalPod (not copied into `replaced`: 100,000 entries of a large
  // workload's pods would be one long step).
  for (const o of plan.explicit.values()) objects.push(replaced.get(o) ?? (o.kind === 'Pod' ? finalPod.get(o) : undefined) ?? o);
  for (let i = 0; i < synthesizedPods.length; i++) {
    if (i % (STEP * 8) === STEP * 8 - 1) yield TICK;
    objects.push(synthesizedPods[i]);
  }
  for (const sl of synthesizedSlices) objects.push(sl);
  return objects;
}

/** Slices for every selector Service that has none in the manifests. */
function* synthesizeAllSlices(
  services: readonly Service[], explicitSlices: readonly EndpointSlice[], index: LabelIndex<Pod>, warnings: string[],
): Steps<EndpointSlice[]> {
  const withSlices = new Set<string>();
  const sliceNames = new Set<string>();
  for (const sl of explicitSlices) {
    if (sl.serviceName) withSlices.add(`${sl.namespace}/${sl.serviceName}`);
    sliceNames.add(`${sl.namespace}/${sl.name}`);
  }
  const out: EndpointSlice[] = [];
  for (const s of services) {
    if (!hasSelector(s) || withSlices.has(`${s.namespace}/${s.name}`)) continue;
    const slices = yield* synthesizeSlicesSteps(s, index, sliceNames);
    if (slices.every((sl) => sl.endpoints.length === 0)) {
      warnings.push(`Service ${s.namespace}/${s.name}: its selector matches no running pod, so it has no endpoints`);
    }
    for (const sl of slices) out.push(sl);
  }
  return out;
}
