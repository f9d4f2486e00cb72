// The fields of each API object that DNS uses, and nothing else: a snapshot is a fixture that serves the same
// answers offline, so it keeps what the converters in lib/cluster/objects.ts read (and what fixture mode's synthesis
// keeps as given: explicit clusterIPs, explicit EndpointSlices and Pods), and drops the rest (managedFields,
// annotations, uids, resourceVersions, timestamps), which would make two snapshots of one cluster differ.
type Raw = Record<string, any>;

/** Copies the listed keys that are set (not undefined/null), in the order given. */
function pick(src: Raw | undefined, keys: string[]): Raw | undefined {
  if (!src || typeof src !== 'object') return undefined;
  const out: Raw = {};
  for (const k of keys) if (src[k] !== undefined && src[k] !== null) out[k] = src[k];
  return Object.keys(out).length > 0 ? out : undefined;
}

function meta(raw: Raw, namespaced: boolean): Raw {
  const m = raw.metadata ?? {};
  const out: Raw = { name: m.name };
  if (namespaced) out.namespace = m.namespace;
  // Labels matter: the kubernetes.io/service-name link of a slice, the Corefile `labels` selector, namespace labels.
  if (m.labels && typeof m.labels === 'object' && Object.keys(m.labels).length > 0) out.labels = m.labels;
  return out;
}

function doc(apiVersion: string, kind: string, raw: Raw, namespaced: boolean, rest: Raw): Raw {
  const out: Raw = { apiVersion, kind, metadata: meta(raw, namespaced) };
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) out[k] = v;
  return out;
}

const ports = (list: unknown, keys: string[]) => Array.isArray(list) ? list.map((p) => pick(p, keys) ?? {}) : undefined;

export function slimNamespace(raw: Raw): Raw {
  return doc('v1', 'Namespace', raw, false, {});
}

export function slimService(raw: Raw): Raw {
  const s = raw.spec ?? {};
  const spec = pick(s, ['type', 'clusterIP', 'clusterIPs', 'externalName', 'externalIPs', 'selector', 'publishNotReadyAddresses', 'ipFamilies', 'ipFamilyPolicy']) ?? {};
  const p = ports(s.ports, ['name', 'protocol', 'port', 'targetPort', 'appProtocol']);
  if (p && p.length > 0) spec.ports = p;
  const lb = raw.status?.loadBalancer;
  const status = lb && Array.isArray(lb.ingress) && lb.ingress.length > 0 ? { loadBalancer: { ingress: lb.ingress.map((i: Raw) => pick(i, ['ip', 'hostname', 'ipMode']) ?? {}) } } : undefined;
  return doc('v1', 'Service', raw, true, { spec, status });
}

export function slimEndpointSlice(raw: Raw): Raw {
  const endpoints = Array.isArray(raw.endpoints) ? raw.endpoints.map((e: Raw) => {
    const out = pick(e, ['addresses', 'conditions', 'hostname', 'nodeName', 'zone']) ?? {};
    const ref = pick(e.targetRef, ['kind', 'namespace', 'name']);
    if (ref) out.targetRef = ref;
    return out;
  }) : [];
  return doc('discovery.k8s.io/v1', 'EndpointSlice', raw, true, {
    addressType: raw.addressType, endpoints, ports: ports(raw.ports, ['name', 'protocol', 'port', 'appProtocol']),
  });
}

export function slimPod(raw: Raw): Raw {
  return doc('v1', 'Pod', raw, true, {
    spec: pick(raw.spec, ['hostname', 'subdomain', 'nodeName', 'hostNetwork']) ?? {},
    status: pick(raw.status, ['phase', 'podIP', 'podIPs']),
  });
}

export function slimIngress(raw: Raw): Raw {
  const lb = raw.status?.loadBalancer;
  return doc('networking.k8s.io/v1', 'Ingress', raw, true, {
    spec: pick(raw.spec, ['ingressClassName', 'rules', 'tls', 'defaultBackend']) ?? {},
    status: lb?.ingress?.length ? { loadBalancer: { ingress: lb.ingress } } : undefined,
  });
}

export function slimServiceImport(raw: Raw): Raw {
  return doc('multicluster.x-k8s.io/v1alpha1', 'ServiceImport', raw, true, { spec: raw.spec ?? {} });
}
