// Converts Kubernetes API objects (as manifests, API JSON, or @kubernetes/client-node's typed objects, which share
// the same camelCase field names) into the slim DNS model. Shared by every source so they cannot drift apart.
import { annotationHostsWithKeys } from './hostname-annotations.js';
import type {
  ClusterObject, ContainerPort, Endpoint, EndpointPort, EndpointSlice, Namespace, Pod, Protocol, Service,
  ServiceImport, ServicePort, ServiceType,
} from './model.js';
import { INGRESS_API_VERSION, toIngress } from './ingress.js';
import { GATEWAY_API_VERSIONS, ROUTE_KINDS, isRouteKind, toGateway, toRoute } from './gateway.js';
import { DNSENDPOINT_API_VERSION, toDnsEndpoint } from './dnsendpoint.js';

import { ManifestError } from './manifest-error.js';
import { assertValid } from './validate.js';

export { ManifestError };
export { InvalidObjectError } from './validate.js';

type Raw = Record<string, any>;

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** The MCS API's labels on an imported EndpointSlice: the ServiceImport it serves and the cluster it came from. */
export const MCS_SERVICE_NAME_LABEL = 'multicluster.kubernetes.io/service-name';
export const MCS_SOURCE_CLUSTER_LABEL = 'multicluster.kubernetes.io/source-cluster';
export const MCS_API_VERSION = 'multicluster.x-k8s.io/v1alpha1';
export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';

/** The kinds this module converts. Anything else is not a DNS object (callers skip it, or synthesise from it). */
export const CONVERTED_KINDS = new Set(['Namespace', 'Service', 'EndpointSlice', 'Endpoints', 'Pod', 'ServiceImport', 'Ingress', 'Gateway', ...ROUTE_KINDS, 'DNSEndpoint']);

function isObj(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function labelsOf(meta: Raw | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (meta && isObj(meta.labels)) {
    for (const [k, v] of Object.entries(meta.labels)) out[k] = String(v);
  }
  return out;
}

function protocolOf(v: unknown): Protocol {
  const p = typeof v === 'string' ? v.toUpperCase() : 'TCP';
  return p === 'UDP' || p === 'SCTP' ? p : 'TCP';
}

function describe(raw: Raw): string {
  const name = isObj(raw.metadata) ? str(raw.metadata.name) : '';
  return `${str(raw.kind) || 'object'}${name ? ` "${name}"` : ''}`;
}

function metaOf(raw: Raw, namespaced: boolean, defaultNamespace: string): { name: string; namespace: string; meta: Raw } {
  const meta = raw.metadata;
  if (!isObj(meta)) throw new ManifestError(`${describe(raw)}: metadata is missing`);
  const name = str(meta.name);
  if (!name) throw new ManifestError(`${describe(raw)}: metadata.name is missing`);
  const namespace = namespaced ? str(meta.namespace) || defaultNamespace : '';
  return { name, namespace, meta };
}

export function toNamespace(raw: Raw): Namespace {
  const { name, meta } = metaOf(raw, false, '');
  return { kind: 'Namespace', name, labels: labelsOf(meta) };
}

export function toService(raw: Raw, defaultNamespace = 'default'): Service {
  const { name, namespace, meta } = metaOf(raw, true, defaultNamespace);
  const spec: Raw = isObj(raw.spec) ? raw.spec : {};
  const typeRaw = str(spec.type) || 'ClusterIP';
  const type: ServiceType = (['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const)
    .find((t) => t === typeRaw) ?? 'ClusterIP';
  let ips: string[] = Array.isArray(spec.clusterIPs) ? spec.clusterIPs.map(String) : [];
  if (ips.length === 0 && str(spec.clusterIP)) ips = [str(spec.clusterIP)];
  const headless = type !== 'ExternalName' && ips[0] === 'None';
  const clusterIPs = headless || type === 'ExternalName' ? [] : ips.filter((ip) => ip && ip !== 'None');
  const ports: ServicePort[] = Array.isArray(spec.ports)
    ? spec.ports.filter(isObj).map((p: Raw) => {
      const sp: ServicePort = {
        name: str(p.name),
        protocol: protocolOf(p.protocol),
        port: typeof p.port === 'number' ? p.port : Number.parseInt(String(p.port ?? ''), 10) || -1,
        targetPort: typeof p.targetPort === 'number' || typeof p.targetPort === 'string' ? p.targetPort : undefined,
      };
      return sp;
    })
    : [];
  const named = annotationHostsWithKeys(meta);
  const svc: Service = {
    kind: 'Service',
    namespace,
    name,
    labels: labelsOf(meta),
    type,
    headless,
    clusterIPs,
    externalName: type === 'ExternalName' ? str(spec.externalName) : '',
    ports,
    publishNotReadyAddresses: spec.publishNotReadyAddresses === true,
    // Every optional field in the literal, absent ones undefined: one hidden class for every Service (see newEntry).
    selector: isObj(spec.selector) ? Object.fromEntries(Object.entries(spec.selector).map(([k, v]) => [k, String(v)])) : undefined,
    ipFamilies: Array.isArray(spec.ipFamilies) ? spec.ipFamilies.filter((f: unknown) => f === 'IPv4' || f === 'IPv6') : undefined,
    ipFamilyPolicy: str(spec.ipFamilyPolicy) || undefined,
    external: externalOf(spec, raw.status),
    hostnames: named?.hosts,
    hostnameFields: named?.keys,
    externalSynthesised: undefined,
  };
  return svc;
}

/** spec.externalIPs ++ status.loadBalancer.ingress (ip, else hostname): CoreDNS's object.ToService order. */
function externalOf(spec: Raw, status: unknown): string[] | undefined {
  const out: string[] = Array.isArray(spec.externalIPs) ? spec.externalIPs.filter((v: unknown) => typeof v === 'string' && v !== '').map(canonicalIP) : [];
  const lb = isObj(status) && isObj(status.loadBalancer) && Array.isArray(status.loadBalancer.ingress) ? status.loadBalancer.ingress : [];
  for (const ing of lb) {
    // An entry with neither is nothing CoreDNS could serve either (it would keep ""): left out.
    const v = isObj(ing) ? str(ing.ip) || str(ing.hostname) : '';
    if (v) out.push(canonicalIP(v));
  }
  return out.length > 0 ? out : undefined;
}

/**
 * IPv6 in its one canonical spelling (RFC 5952, as the URL serializer writes it), so a PTR lookup finds it; an
 * IPv4-mapped address becomes the IPv4 address, as Go's net.IP.String() (and so CoreDNS, which answers it as an A).
 */
function canonicalIP(v: string): string {
  if (!v.includes(':')) return v;
  let out: string;
  try {
    out = new URL(`http://[${v}]`).hostname.slice(1, -1);
  } catch {
    return v; // not an address: validation names it
  }
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(out);
  if (!m) return out;
  const hi = parseInt(m[1]!, 16);
  const lo = parseInt(m[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** A ServiceImport as CoreDNS's object.ToServiceImport keeps it: type, spec.ips and spec.ports. */
export function toServiceImport(raw: Raw, defaultNamespace = 'default'): ServiceImport {
  const { name, namespace, meta } = metaOf(raw, true, defaultNamespace);
  const spec: Raw = isObj(raw.spec) ? raw.spec : {};
  return {
    kind: 'ServiceImport',
    namespace,
    name,
    labels: labelsOf(meta),
    type: spec.type === 'Headless' ? 'Headless' : 'ClusterSetIP',
    ips: Array.isArray(spec.ips) ? spec.ips.map(String) : [],
    ports: Array.isArray(spec.ports)
      ? spec.ports.filter(isObj).map((p: Raw): ServicePort => ({
        name: str(p.name), protocol: protocolOf(p.protocol), port: typeof p.port === 'number' ? p.port : -1, targetPort: undefined,
      }))
      : [],
  };
}

function endpointPorts(ports: unknown): EndpointPort[] {
  if (!Array.isArray(ports)) return [];
  return ports.filter(isObj).map((p: Raw) => ({
    name: str(p.name),
    protocol: protocolOf(p.protocol),
    port: typeof p.port === 'number' ? p.port : -1,
  }));
}

function triggerTime(meta: Raw): number | undefined {
  const v = isObj(meta.annotations) ? meta.annotations[TRIGGER_TIME_ANNOTATION] : undefined;
  if (v === undefined) return undefined;
  const t = v instanceof Date ? v.getTime() : Date.parse(String(v));
  return Number.isFinite(t) ? t : undefined;
}

export function toEndpointSlice(raw: Raw, defaultNamespace = 'default'): EndpointSlice {
  const { name, namespace, meta } = metaOf(raw, true, defaultNamespace);
  const labels = labelsOf(meta);
  const at = str(raw.addressType) || 'IPv4';
  const addressType = at === 'IPv6' || at === 'FQDN' ? at : 'IPv4';
  const endpoints: Endpoint[] = Array.isArray(raw.endpoints)
    ? raw.endpoints.filter(isObj).map((e: Raw): Endpoint => {
      const target = isObj(e.targetRef) && (str(e.targetRef.kind) || 'Pod') === 'Pod' ? str(e.targetRef.name) : '';
      // Every field in one literal, absent ones undefined: added one by one they would spill into a separate
      // property array, 40 bytes more for each of a large cluster's 150,000 endpoints.
      return {
        addresses: Array.isArray(e.addresses) ? e.addresses.map(String) : [],
        // The API says an unset ready condition means ready.
        ready: !(isObj(e.conditions) && e.conditions.ready === false),
        hostname: str(e.hostname) || undefined,
        podName: target || undefined,
        nodeName: str(e.nodeName) || undefined,
        zone: str(e.zone) || undefined,
      };
    })
    : [];
  const slice: EndpointSlice = {
    kind: 'EndpointSlice',
    namespace,
    name,
    serviceName: labels[SERVICE_NAME_LABEL] ?? '',
    addressType,
    endpoints,
    ports: endpointPorts(raw.ports),
    labels,
    lastChangeTriggerTime: triggerTime(meta),
    mirrored: undefined,
  };
  return slice;
}

/**
 * Legacy core/v1 Endpoints → EndpointSlices, the way the EndpointSlice mirroring controller does it:
 * one slice per subset and address family, ready addresses ready, notReadyAddresses not ready.
 */
export function endpointsToSlices(raw: Raw, defaultNamespace = 'default'): EndpointSlice[] {
  const { name, namespace, meta } = metaOf(raw, true, defaultNamespace);
  const subsets: Raw[] = Array.isArray(raw.subsets) ? raw.subsets.filter(isObj) : [];
  const out: EndpointSlice[] = [];
  subsets.forEach((subset, i) => {
    const ports = endpointPorts(subset.ports);
    const byFamily: Record<'IPv4' | 'IPv6', Endpoint[]> = { IPv4: [], IPv6: [] };
    const add = (list: unknown, ready: boolean) => {
      if (!Array.isArray(list)) return;
      for (const a of list.filter(isObj)) {
        const ip = str(a.ip);
        if (!ip) continue;
        const target = isObj(a.targetRef) && (str(a.targetRef.kind) || 'Pod') === 'Pod' ? str(a.targetRef.name) : '';
        const ep: Endpoint = {
          addresses: [ip], ready, hostname: str(a.hostname) || undefined, podName: target || undefined,
          nodeName: str(a.nodeName) || undefined, zone: undefined,
        };
        byFamily[ip.includes(':') ? 'IPv6' : 'IPv4'].push(ep);
      }
    };
    add(subset.addresses, true);
    add(subset.notReadyAddresses, false);
    for (const family of ['IPv4', 'IPv6'] as const) {
      if (byFamily[family].length === 0) continue;
      out.push({
        kind: 'EndpointSlice',
        namespace,
        name: `${name}-endpoints-${i}${family === 'IPv6' ? '-v6' : ''}`,
        serviceName: name,
        addressType: family,
        endpoints: byFamily[family],
        ports,
        labels: { ...labelsOf(meta), [SERVICE_NAME_LABEL]: name },
        lastChangeTriggerTime: undefined,
        mirrored: true,
      });
    }
  });
  return out;
}

export function toPod(raw: Raw, defaultNamespace = 'default'): Pod {
  const { name, namespace, meta } = metaOf(raw, true, defaultNamespace);
  const spec: Raw = isObj(raw.spec) ? raw.spec : {};
  const status: Raw = isObj(raw.status) ? raw.status : {};
  const podIP = str(status.podIP);
  let podIPs: string[] = Array.isArray(status.podIPs)
    ? status.podIPs.map((p: unknown) => (isObj(p) ? str(p.ip) : str(p))).filter(Boolean)
    : [];
  if (podIPs.length === 0 && podIP) podIPs = [podIP];
  const conditions: Raw[] = Array.isArray(status.conditions) ? status.conditions.filter(isObj) : [];
  const readyCond = conditions.find((c) => c.type === 'Ready');
  const containerPorts: ContainerPort[] = [];
  for (const c of Array.isArray(spec.containers) ? spec.containers.filter(isObj) : []) {
    for (const p of Array.isArray(c.ports) ? c.ports.filter(isObj) : []) {
      if (typeof p.containerPort === 'number') {
        containerPorts.push({ name: str(p.name), containerPort: p.containerPort, protocol: protocolOf(p.protocol) });
      }
    }
  }
  return {
    kind: 'Pod',
    namespace,
    name,
    labels: labelsOf(meta),
    podIP: podIP || podIPs[0] || '',
    podIPs,
    phase: str(status.phase),
    // A pod without a Ready condition is one a fixture wrote by hand: treat it as running and ready.
    ready: readyCond ? String(readyCond.status) === 'True' : true,
    hostname: str(spec.hostname),
    subdomain: str(spec.subdomain),
    nodeName: str(spec.nodeName),
    containerPorts,
    terminating: meta.deletionTimestamp !== undefined && meta.deletionTimestamp !== null,
  };
}

/**
 * Converts one API object. Returns [] for kinds DNS does not use; Endpoints may give several slices.
 * Throws ManifestError for an object of a used kind that is malformed (e.g. no metadata.name), and its subclass
 * InvalidObjectError for one the API server would refuse (see validate.ts): callers skip that one object.
 */
export function toClusterObjects(raw: unknown, defaultNamespace = 'default'): ClusterObject[] {
  if (!isObj(raw)) throw new ManifestError('not a Kubernetes object (expected a mapping with apiVersion and kind)');
  if (typeof raw.kind === 'string' && CONVERTED_KINDS.has(raw.kind)) assertValid(raw.kind, raw, defaultNamespace);
  switch (raw.kind) {
    case 'Namespace': return [toNamespace(raw)];
    case 'Service': return [toService(raw, defaultNamespace)];
    case 'EndpointSlice': {
      const api = str(raw.apiVersion);
      if (api && api !== 'discovery.k8s.io/v1') {
        throw new ManifestError(`${describe(raw)}: apiVersion ${api} is not supported, use discovery.k8s.io/v1`);
      }
      return [toEndpointSlice(raw, defaultNamespace)];
    }
    case 'Endpoints': return endpointsToSlices(raw, defaultNamespace);
    case 'Pod': return [toPod(raw, defaultNamespace)];
    case 'ServiceImport': {
      const api = str(raw.apiVersion);
      if (api && api !== MCS_API_VERSION) {
        throw new ManifestError(`${describe(raw)}: apiVersion ${api} is not supported, use ${MCS_API_VERSION}`);
      }
      return [toServiceImport(raw, defaultNamespace)];
    }
    case 'Ingress': {
      const api = str(raw.apiVersion);
      if (api && api !== INGRESS_API_VERSION) throw new ManifestError(`${describe(raw)}: apiVersion ${api} is not supported, use ${INGRESS_API_VERSION}`);
      metaOf(raw, true, defaultNamespace);
      return [toIngress(raw, defaultNamespace)];
    }
    case 'DNSEndpoint': {
      const api = str(raw.apiVersion);
      if (api && api !== DNSENDPOINT_API_VERSION) throw new ManifestError(`${describe(raw)}: apiVersion ${api} is not supported, use ${DNSENDPOINT_API_VERSION}`);
      metaOf(raw, true, defaultNamespace);
      return [toDnsEndpoint(raw, defaultNamespace)];
    }
    default: {
      if (raw.kind !== 'Gateway' && !isRouteKind(raw.kind)) return [];
      const api = str(raw.apiVersion);
      if (api && !GATEWAY_API_VERSIONS.includes(api)) throw new ManifestError(`${describe(raw)}: apiVersion ${api} is not supported, use ${GATEWAY_API_VERSIONS[0]}`);
      metaOf(raw, true, defaultNamespace);
      return [raw.kind === 'Gateway' ? toGateway(raw, defaultNamespace) : toRoute(raw.kind, raw, defaultNamespace)];
    }
  }
}

/** Flattens `kind: List` (and `*List` kinds kubectl emits) into its items. */
export function flattenList(raw: unknown): unknown[] {
  if (isObj(raw) && typeof raw.kind === 'string' && raw.kind.endsWith('List') && Array.isArray(raw.items)) {
    return raw.items.flatMap(flattenList);
  }
  return [raw];
}

const NO_LABELS: Record<string, string> = Object.freeze({}) as Record<string, string>;
const NO_PORTS: Pod['containerPorts'] = Object.freeze([]) as unknown as Pod['containerPorts'];

/**
 * The part of a Pod the store needs once synthesis is done: identity, IP and phase (pods verified). Labels,
 * ports and the rest are dropped so 150,000 pods cost a few tens of MB, like CoreDNS's object.Pod.
 */
export function slimPod(p: Pod): Pod {
  return {
    kind: 'Pod', namespace: p.namespace, name: p.name, labels: NO_LABELS, podIP: p.podIP,
    podIPs: p.podIPs.length === 1 && p.podIPs[0] === p.podIP ? [p.podIP] : p.podIPs,
    phase: p.phase, ready: p.ready, hostname: '', subdomain: '', nodeName: '', containerPorts: NO_PORTS,
    terminating: p.terminating,
  };
}
