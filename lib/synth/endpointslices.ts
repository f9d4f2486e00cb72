// The EndpointSlice controller, played offline (kubernetes/kubernetes staging/src/k8s.io/endpointslice:
// reconciler.go, utils.go podToEndpoint/getEndpointPorts, util ShouldPodBeInEndpoints/ShouldSetHostname):
//   * only Services with a non-empty selector that are not ExternalName get slices;
//   * a pod is an endpoint when it matches the selector in the Service's namespace, is not terminal
//     (Succeeded/Failed) and has an IP of the slice's family; terminating pods stay, as not ready;
//   * ready = publishNotReadyAddresses || (pod ready && !terminating);
//   * hostname is set when pod.spec.hostname is set and pod.spec.subdomain is the Service's name;
//   * ports are the Service's ports resolved per pod: targetPort by number, or by the name (and protocol) of a
//     container port; a port a pod lacks is left out of that pod's port list, so pods with different resolved port
//     lists land in different slices, as the controller groups them;
//   * one address type per slice, at most 100 endpoints per slice (the controller's default maximum);
//   * a Service whose selector matches no usable pod gets one empty slice, like the controller's placeholder.
// Slice names are `<service>-<5 chars>` like the controller's generateName, with the suffix derived from the
// slice's content key instead of drawn at random.
import type { Endpoint, EndpointPort, EndpointSlice, Pod, Service } from '../cluster/model.js';
import { SERVICE_NAME_LABEL } from '../cluster/objects.js';
import { ipFamilyOf, type IPFamily } from './cidr.js';
import { sliceFamilies } from './families.js';
import { generatedName, nameSuffix } from './hash.js';
import { selectorFromMap, type LabelIndex } from './selectors.js';
import { STEP, TICK, drain, type Steps } from './steps.js';

export const MAX_ENDPOINTS_PER_SLICE = 100;
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY_CONTROLLER = 'endpointslice-controller.k8s.io';

/** Whether the EndpointSlice controller manages slices for this Service. */
export function hasSelector(svc: Service): boolean {
  return svc.type !== 'ExternalName' && svc.selector !== undefined && Object.keys(svc.selector).length > 0;
}

/** podutil.FindPort: the port number a Service port reaches on this pod, or undefined when the pod lacks it. */
function findPort(pod: Pod, target: number | string | undefined, port: number, protocol: string): number | undefined {
  if (target === undefined) return port > 0 ? port : undefined;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const cp of pod.containerPorts) if (cp.name === target && cp.protocol === protocol) return cp.containerPort;
  return undefined;
}

function endpointPortsFor(svc: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.ports) {
    const port = findPort(pod, sp.targetPort, sp.port, sp.protocol);
    if (port !== undefined) out.push({ name: sp.name, protocol: sp.protocol, port });
  }
  return out;
}

function isTerminal(pod: Pod): boolean {
  return pod.phase === 'Succeeded' || pod.phase === 'Failed';
}

function addressesOf(pod: Pod, family: IPFamily): string[] {
  const ips = pod.podIPs.length ? pod.podIPs : pod.podIP ? [pod.podIP] : [];
  // A single-stack pod's list is the endpoint's list: shared rather than copied (model objects are never mutated).
  if (ips.length === 1) return ipFamilyOf(ips[0]) === family ? ips : [];
  return ips.filter((ip) => ipFamilyOf(ip) === family);
}

/**
 * The slices the controller would write for `svc`, given every pod of the cluster in `pods`.
 * `sliceNames` holds the keys "ns/name" of slices that exist already; names used here are added to it.
 */
export function synthesizeSlices(svc: Service, pods: LabelIndex<Pod>, sliceNames: Set<string>): EndpointSlice[] {
  return drain(synthesizeSlicesSteps(svc, pods, sliceNames));
}

/** synthesizeSlices in steps: a tick every STEP pods and every slice. */
export function* synthesizeSlicesSteps(svc: Service, pods: LabelIndex<Pod>, sliceNames: Set<string>): Steps<EndpointSlice[]> {
  if (!hasSelector(svc)) return [];
  // The index returns pods in a canonical order (see index.ts), so endpoint order does not depend on manifest order.
  const selected = pods.select(svc.namespace, selectorFromMap(svc.selector!))
    .filter((p) => !isTerminal(p) && (p.podIP || p.podIPs.length));

  const labels: Record<string, string> = {
    ...svc.labels,
    [SERVICE_NAME_LABEL]: svc.name,
    [MANAGED_BY_LABEL]: MANAGED_BY_CONTROLLER,
  };
  if (svc.headless) labels['service.kubernetes.io/headless'] = '';

  // Pods resolving the Service's ports identically share one port list (and one group of slices).
  const groups = new Map<string, { family: IPFamily; ports: EndpointPort[]; endpoints: Endpoint[] }>();
  const families = sliceFamilies(svc);
  const portCache = new Map<Pod['containerPorts'], { ports: EndpointPort[]; groupKeys: string[] }>();
  let n = 0;
  for (const pod of selected) {
    if (++n % STEP === 0) yield TICK;
    // Pods of one workload share their containerPorts array, so the resolution is cached per array.
    let resolved = portCache.get(pod.containerPorts);
    if (!resolved) {
      const ports = endpointPortsFor(svc, pod);
      const key = ports.map((p) => `${p.name}/${p.protocol}/${p.port}`).join(',');
      resolved = { ports, groupKeys: families.map((f) => `${f}|${key}`) };
      portCache.set(pod.containerPorts, resolved);
    }
    const ready = svc.publishNotReadyAddresses || (pod.ready && !pod.terminating);
    const hostname = pod.hostname && pod.subdomain === svc.name ? pod.hostname : '';
    for (let f = 0; f < families.length; f++) {
      const addresses = addressesOf(pod, families[f]);
      if (addresses.length === 0) continue;
      const gk = resolved.groupKeys[f];
      let g = groups.get(gk);
      if (!g) groups.set(gk, g = { family: families[f], ports: resolved.ports, endpoints: [] });
      // Fields in the order and shape toEndpointSlice gives them: one hidden class for every endpoint.
      const ep: Endpoint = {
        addresses, ready, hostname: hostname || undefined, podName: pod.name, nodeName: pod.nodeName || undefined, zone: undefined,
      };
      g.endpoints.push(ep);
    }
  }

  const slices: EndpointSlice[] = [];
  const makeSlice = (family: IPFamily, ports: EndpointPort[], endpoints: Endpoint[], contentKey: string) => {
    let name = '';
    for (let attempt = 0; ; attempt++) {
      const seed = `${svc.namespace}/${svc.name}/${contentKey}${attempt ? `#${attempt}` : ''}`;
      name = generatedName(`${svc.name}-`, nameSuffix(seed));
      if (!sliceNames.has(`${svc.namespace}/${name}`)) break;
    }
    sliceNames.add(`${svc.namespace}/${name}`);
    slices.push({
      kind: 'EndpointSlice',
      namespace: svc.namespace,
      name,
      serviceName: svc.name,
      addressType: family,
      endpoints,
      ports,
      labels,
      lastChangeTriggerTime: undefined,
      mirrored: undefined,
    });
  };
  for (const [gk, g] of groups) {
    for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) {
      makeSlice(g.family, g.ports, g.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE), `${gk}|${i}`);
      yield TICK; // a slice: 100 endpoints
    }
  }
  // The controller's placeholder carries no ports either.
  if (slices.length === 0) makeSlice(families[0], [], [], 'placeholder');
  return slices;
}
