// The synthesiser's slim objects (lib/cluster/model.ts) as the API objects a cluster's controllers would have
// written: what the fake API server serves, so live mode reads back exactly what fixture mode synthesised. An object
// a manifest spelled out keeps everything the manifest said; only what a controller fills in (ClusterIPs, a pod's
// IPs and node, its Ready condition) is added to it.
import type { ClusterObject, EndpointSlice, Gateway, Namespace, Pod, Service, ServiceImport } from '../lib/cluster/model.js';
import { isIP } from 'node:net';
import { SERVICE_NAME_LABEL, TRIGGER_TIME_ANNOTATION } from '../lib/cluster/objects.js';

type Raw = Record<string, any>;

/** Pods the synthesiser made have no container spec of their own: this image stands in, as `kubectl run` would. */
const PLACEHOLDER_IMAGE = 'registry.k8s.io/pause:3.10';
/** deletionTimestamp of a pod synthesis says is terminating (a fixed one: a re-synthesis changes nothing) */
const EPOCH = '2026-01-01T00:00:00Z';

const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

function meta(o: { name: string; labels: Record<string, string> }, namespace: string | undefined, raw: Raw | undefined): Raw {
  const m: Raw = { ...(isObj(raw?.metadata) ? raw.metadata : {}), name: o.name };
  if (namespace !== undefined) m.namespace = namespace;
  if (Object.keys(o.labels).length > 0) m.labels = { ...o.labels };
  return m;
}

function familyOf(ip: string): 'IPv4' | 'IPv6' {
  return ip.includes(':') ? 'IPv6' : 'IPv4';
}

function service(s: Service, raw: Raw | undefined): Raw {
  const spec: Raw = { ...(isObj(raw?.spec) ? raw.spec : {}) };
  spec.type = s.type;
  if (s.type === 'ExternalName') {
    spec.externalName = s.externalName;
    delete spec.clusterIP;
    delete spec.clusterIPs;
  } else if (s.headless) {
    spec.clusterIP = 'None';
    spec.clusterIPs = ['None'];
  } else if (s.clusterIPs.length > 0) {
    spec.clusterIP = s.clusterIPs[0];
    spec.clusterIPs = [...s.clusterIPs];
    spec.ipFamilies = s.clusterIPs.map(familyOf);
    spec.ipFamilyPolicy ??= s.clusterIPs.length > 1 ? 'RequireDualStack' : 'SingleStack';
  }
  if (!raw) {
    spec.ports = s.ports.map((p) => ({
      ...(p.name ? { name: p.name } : {}), protocol: p.protocol, ...(p.port >= 0 ? { port: p.port } : {}),
      ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
    }));
    if (s.selector) spec.selector = { ...s.selector };
    if (s.publishNotReadyAddresses) spec.publishNotReadyAddresses = true;
  }
  return { apiVersion: 'v1', kind: 'Service', metadata: meta(s, s.namespace, raw), spec, status: { loadBalancer: {} } };
}

function pod(p: Pod, raw: Raw | undefined): Raw {
  const spec: Raw = { ...(isObj(raw?.spec) ? raw.spec : {}) };
  if (!raw) {
    spec.containers = [{
      name: 'app', image: PLACEHOLDER_IMAGE,
      ...(p.containerPorts.length > 0 ? { ports: p.containerPorts.map((c) => ({ ...(c.name ? { name: c.name } : {}), containerPort: c.containerPort, protocol: c.protocol })) } : {}),
    }];
    if (p.hostname) spec.hostname = p.hostname;
    if (p.subdomain) spec.subdomain = p.subdomain;
  }
  if (p.nodeName) spec.nodeName ??= p.nodeName;
  const status: Raw = { ...(isObj(raw?.status) ? raw.status : {}) };
  // What the kubelet would report for a pod that has an IP and no phase of its own (DNS treats '' and Running alike).
  status.phase = p.phase || (p.podIP ? 'Running' : 'Pending');
  if (p.podIP) status.podIP = p.podIP;
  if (p.podIPs.length > 0) status.podIPs = p.podIPs.map((ip) => ({ ip }));
  // A manifest's own conditions stand; a pod without any is ready or not as synthesis decided.
  if (!Array.isArray(status.conditions) || !status.conditions.some((c: unknown) => isObj(c) && c.type === 'Ready')) {
    status.conditions = [...(Array.isArray(status.conditions) ? status.conditions : []), { type: 'Ready', status: p.ready ? 'True' : 'False' }];
  }
  const m = meta(p, p.namespace, raw);
  if (p.terminating) m.deletionTimestamp ??= EPOCH;
  return { apiVersion: 'v1', kind: 'Pod', metadata: m, spec, status };
}

function endpointSlice(s: EndpointSlice, raw: Raw | undefined): Raw {
  if (raw) return { ...raw, apiVersion: 'discovery.k8s.io/v1' };
  const m = meta(s, s.namespace, undefined);
  if (s.serviceName) m.labels = { ...(m.labels ?? {}), [SERVICE_NAME_LABEL]: s.serviceName };
  if (s.lastChangeTriggerTime !== undefined) m.annotations = { [TRIGGER_TIME_ANNOTATION]: new Date(s.lastChangeTriggerTime).toISOString() };
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: m, addressType: s.addressType,
    endpoints: s.endpoints.map((e) => ({
      addresses: [...e.addresses],
      conditions: { ready: e.ready, serving: e.ready, terminating: false },
      ...(e.hostname ? { hostname: e.hostname } : {}),
      ...(e.podName ? { targetRef: { kind: 'Pod', namespace: s.namespace, name: e.podName } } : {}),
      ...(e.nodeName ? { nodeName: e.nodeName } : {}),
      ...(e.zone ? { zone: e.zone } : {}),
    })),
    ports: s.ports.map((p) => ({ ...(p.name ? { name: p.name } : { name: '' }), protocol: p.protocol, ...(p.port >= 0 ? { port: p.port } : {}) })),
  };
}

function namespace(n: Namespace, raw: Raw | undefined): Raw {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: meta(n, undefined, raw), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
}

/**
 * The legacy Endpoints object the endpoints controller writes for a selector Service, from the slices synthesis
 * made for it (`kubectl get ep`; clusterdns reads the slices).
 */
export function endpointsFor(svc: Service, slices: readonly EndpointSlice[]): Raw {
  const address = (e: EndpointSlice['endpoints'][number], ip: string): Raw => ({
    ip, ...(e.hostname ? { hostname: e.hostname } : {}), ...(e.nodeName ? { nodeName: e.nodeName } : {}),
    ...(e.podName ? { targetRef: { kind: 'Pod', namespace: svc.namespace, name: e.podName } } : {}),
  });
  const ready: Raw[] = [];
  const notReady: Raw[] = [];
  for (const sl of slices) {
    if (sl.addressType === 'FQDN') continue;
    for (const e of sl.endpoints) for (const ip of e.addresses) (e.ready ? ready : notReady).push(address(e, ip));
  }
  const ports = (slices[0]?.ports ?? []).filter((p) => p.port >= 0).map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol }));
  const subsets = ready.length + notReady.length > 0
    ? [{ ...(ready.length ? { addresses: ready } : {}), ...(notReady.length ? { notReadyAddresses: notReady } : {}), ports }]
    : [];
  return {
    apiVersion: 'v1', kind: 'Endpoints',
    metadata: { name: svc.name, namespace: svc.namespace, ...(Object.keys(svc.labels).length ? { labels: { ...svc.labels } } : {}) },
    ...(subsets.length ? { subsets } : {}),
  };
}

/**
 * The API object for one synthesised object. `raw` is the manifest that named it, when one did (an EndpointSlice
 * a manifest wrote is served as written; one converted from a legacy Endpoints object has none).
 */
export function toApiObject(o: ClusterObject, raw: Raw | undefined): Raw {
  switch (o.kind) {
    case 'Service': return service(o, raw);
    case 'Pod': return pod(o, raw);
    case 'EndpointSlice': return endpointSlice(o, raw?.kind === 'EndpointSlice' ? raw : undefined);
    case 'Namespace': return namespace(o, raw);
    case 'ServiceImport': return serviceImport(o, raw);
    // An Ingress's status is written by its controller, not synthesised: a manifest's is served as written.
    case 'Ingress': return raw ?? { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: o.name, namespace: o.namespace } };
    // A Gateway's addresses are the controller's (cloud-provider-kind, MetalLB): fixture mode synthesises them when
    // the manifest has none, so the fake cluster publishes those in status, as that controller would.
    case 'Gateway': return gateway(o, raw);
    // Routes and DNSEndpoints are served as written.
    default: return raw ?? { apiVersion: o.kind === 'DNSEndpoint' ? 'externaldns.k8s.io/v1alpha1' : 'gateway.networking.k8s.io/v1', kind: o.kind, metadata: { name: o.name, namespace: o.namespace } };
  }
}

/** A ServiceImport is written by the MCS controller, not synthesised: a manifest's is served as written. */
function serviceImport(s: ServiceImport, raw: Raw | undefined): Raw {
  if (raw) return { ...raw, apiVersion: 'multicluster.x-k8s.io/v1alpha1' };
  return {
    apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceImport', metadata: meta(s, s.namespace, undefined),
    spec: { type: s.type, ...(s.ips.length ? { ips: s.ips } : {}), ports: s.ports.map((p) => ({ name: p.name || undefined, protocol: p.protocol, port: p.port })) },
  };
}

function gateway(g: Gateway, raw: Raw | undefined): Raw {
  const obj: Raw = raw ? structuredClone(raw) : { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: g.name, namespace: g.namespace }, spec: { gatewayClassName: g.className } };
  const written = obj.status?.addresses;
  if ((!Array.isArray(written) || written.length === 0) && g.addresses.length > 0) {
    obj.status = { ...(obj.status ?? {}), addresses: g.addresses.map((a) => ({ type: isIP(a) ? 'IPAddress' : 'Hostname', value: a })) };
  }
  return obj;
}
