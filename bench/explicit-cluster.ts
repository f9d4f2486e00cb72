// The bench's cluster, written out as the explicit manifests a user would keep (Services, EndpointSlices and
// Pods, one YAML file per namespace), so load time and hot reload are measured on the real fixture path.
// Shape at full size: the Kubernetes scalability limits (10,000 Services, 150,000 Pods, at most 250 endpoints per
// Service; peers-and-perf.md §4), 4 in 5 Services ClusterIP and 1 in 5 headless, headless ones with 1, 10 or 250
// endpoints, slices cut at 100 endpoints as the EndpointSlice controller does.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface ServiceInfo {
  namespace: string;
  name: string;
  headless: boolean;
  clusterIP: string;
  /** ready endpoint addresses, in slice order */
  endpointIPs: string[];
  /** per-endpoint DNS labels of a headless Service (hostname, else the dashed address) */
  endpointLabels: string[];
  ports: { name: string; port: number }[];
}

export interface ClusterInfo {
  dir: string;
  files: string[];
  namespaces: string[];
  services: ServiceInfo[];
  pods: number;
  endpointSlices: number;
  /** headless Services by endpoint count, for the query mix */
  headlessBySize: Map<number, ServiceInfo[]>;
  clusterIPServices: ServiceInfo[];
}

export interface ClusterShape {
  services: number;
  pods: number;
  servicesPerNamespace: number;
}

export const LARGE: ClusterShape = { services: 10_000, pods: 150_000, servicesPerNamespace: 100 };
export const SMALL: ClusterShape = { services: 100, pods: 1_500, servicesPerNamespace: 25 };

const MAX_ENDPOINTS_PER_SLICE = 100;
const NODES = 5_000;
const CLUSTER_IP_ENDPOINTS = 14;

/** 10.64.0.0/10 holds 150k pods (kind's 10.244.0.0/16 would not); .0 and .255 skipped for readability. */
export function podIP(i: number): string {
  const host = (i % 254) + 1;
  const block = Math.floor(i / 254);
  return `10.${64 + Math.floor(block / 256)}.${block % 256}.${host}`;
}

/** Cluster IPs from 10.96.0.0/12, from 10.96.1.1 up. */
export function serviceIP(i: number): string {
  const host = (i % 254) + 1;
  const block = 1 + Math.floor(i / 254);
  return `10.${96 + Math.floor(block / 256)}.${block % 256}.${host}`;
}

/** Endpoint count of the k-th Service: every 5th is headless, and of those 1 in 20 has 250, 9 in 20 have 10. */
function serviceKind(k: number): { headless: boolean; endpoints: number; statefulSet: boolean } {
  if (k % 5 !== 0) return { headless: false, endpoints: CLUSTER_IP_ENDPOINTS, statefulSet: false };
  const h = (k / 5) % 20;
  if (h === 0) return { headless: true, endpoints: 250, statefulSet: true };
  if (h <= 9) return { headless: true, endpoints: 10, statefulSet: h % 2 === 0 };
  return { headless: true, endpoints: 1, statefulSet: false };
}

function hash(n: number, len: number): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  let x = (n * 2654435761) >>> 0;
  for (let i = 0; i < len; i++) {
    s += alphabet[x % alphabet.length];
    x = Math.floor(x / alphabet.length) + (i + 1) * 7919;
  }
  return s;
}

function podManifest(ns: string, name: string, labels: Record<string, string>, ip: string, node: number,
  ports: { name: string; port: number }[], sts?: { hostname: string; subdomain: string }): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: {
      ...(sts ? { hostname: sts.hostname, subdomain: sts.subdomain } : {}),
      nodeName: `node-${String(node).padStart(4, '0')}`,
      containers: [{ name: 'app', image: 'registry.example/app:1.0', ports: ports.map((p) => ({ name: p.name, containerPort: p.port })) }],
    },
    status: {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

/**
 * Writes the cluster under `dir` (one file per namespace, `ns-NNN.yaml`, or `ns-NNN.json` holding a List) and
 * returns what the query mix needs.
 * Deterministic: the same shape always gives the same bytes.
 */
export async function writeExplicitCluster(dir: string, shape: ClusterShape, format: 'yaml' | 'json' = 'yaml'): Promise<ClusterInfo> {
  await mkdir(dir, { recursive: true });
  const info: ClusterInfo = {
    dir, files: [], namespaces: [], services: [], pods: 0, endpointSlices: 0, headlessBySize: new Map(), clusterIPServices: [],
  };
  const nsCount = Math.ceil(shape.services / shape.servicesPerNamespace);
  let nextPod = 0;
  let nextSvcIP = 0;
  let k = 0;
  // Pods behind no Service (jobs, daemons): whatever the Services leave of the pod budget, spread over namespaces.
  let backed = 0;
  for (let i = 0; i < shape.services; i++) backed += serviceKind(i).endpoints;
  const loosePerNs = Math.max(0, Math.floor((shape.pods - backed) / nsCount));

  for (let n = 0; n < nsCount; n++) {
    const ns = `ns-${String(n).padStart(3, '0')}`;
    info.namespaces.push(ns);
    const docs: string[] = [];
    const push = (o: object) => docs.push(format === 'yaml' ? toYaml(o, '') : JSON.stringify(o));
    push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    for (let j = 0; j < shape.servicesPerNamespace && k < shape.services; j++, k++) {
      const kind = serviceKind(k);
      const name = kind.headless ? (kind.statefulSet ? `db-${j}` : `hl-${j}`) : `svc-${j}`;
      const ports = k % 4 === 0
        ? [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9090 }]
        : [{ name: 'http', port: 8080 }];
      const clusterIP = kind.headless ? 'None' : serviceIP(nextSvcIP++);
      push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: ns, labels: { app: name } },
        spec: {
          ...(kind.headless ? { clusterIP: 'None' } : { type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP] }),
          selector: { app: name },
          ports: ports.map((p) => ({ name: p.name, protocol: 'TCP', port: kind.headless ? p.port : p.port === 8080 ? 80 : p.port, targetPort: p.name })),
        },
      });
      const svcInfo: ServiceInfo = {
        namespace: ns, name, headless: kind.headless, clusterIP: kind.headless ? '' : clusterIP,
        endpointIPs: [], endpointLabels: [], ports: ports.map((p) => ({ name: p.name, port: kind.headless ? p.port : p.port === 8080 ? 80 : p.port })),
      };
      const rs = hash(k, 10);
      const endpoints: object[] = [];
      for (let e = 0; e < kind.endpoints; e++) {
        const ip = podIP(nextPod);
        const podName = kind.statefulSet ? `${name}-${e}` : `${name}-${rs}-${hash(nextPod, 5)}`;
        const sts = kind.statefulSet ? { hostname: podName, subdomain: name } : undefined;
        push(podManifest(ns, podName, { app: name }, ip, nextPod % NODES, ports, sts));
        nextPod++;
        endpoints.push({
          addresses: [ip],
          conditions: { ready: true, serving: true, terminating: false },
          ...(sts ? { hostname: sts.hostname } : {}),
          nodeName: `node-${String((nextPod - 1) % NODES).padStart(4, '0')}`,
          targetRef: { kind: 'Pod', namespace: ns, name: podName },
        });
        svcInfo.endpointIPs.push(ip);
        if (kind.headless) svcInfo.endpointLabels.push(sts ? sts.hostname : ip.replaceAll('.', '-'));
      }
      for (let s = 0; s * MAX_ENDPOINTS_PER_SLICE < endpoints.length; s++) {
        push({
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: {
            name: `${name}-${hash(k * 31 + s, 5)}`,
            namespace: ns,
            labels: { 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
          },
          addressType: 'IPv4',
          ports: ports.map((p) => ({ name: p.name, protocol: 'TCP', port: p.port })),
          endpoints: endpoints.slice(s * MAX_ENDPOINTS_PER_SLICE, (s + 1) * MAX_ENDPOINTS_PER_SLICE),
        });
        info.endpointSlices++;
      }
      info.services.push(svcInfo);
      if (kind.headless) {
        const list = info.headlessBySize.get(kind.endpoints) ?? [];
        list.push(svcInfo);
        info.headlessBySize.set(kind.endpoints, list);
      } else {
        info.clusterIPServices.push(svcInfo);
      }
    }
    for (let l = 0; l < loosePerNs && nextPod < shape.pods; l++) {
      push(podManifest(ns, `job-${hash(nextPod, 5)}-${l}`, { job: `batch-${l % 7}` }, podIP(nextPod), nextPod % NODES, []));
      nextPod++;
    }
    const file = path.join(dir, `${ns}.${format}`);
    // JSON as `kubectl get -o json` writes it: one List per file.
    await writeFile(file, format === 'yaml' ? `---\n${docs.join('---\n')}` : `{"apiVersion":"v1","kind":"List","items":[\n${docs.join(',\n')}\n]}\n`);
    info.files.push(file);
  }
  info.pods = nextPod;
  return info;
}

/**
 * Block YAML for plain JSON-like values; a string that could read as anything else is double-quoted (a JSON
 * string is a valid YAML one). The
 * `yaml` library's stringify takes ~25 s for this cluster; this takes about one.
 */
export function toYaml(v: unknown, indent: string): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]\n';
    let out = '';
    for (const item of v) {
      const body = isMap(item) && Object.keys(item).length > 0 ? toYaml(item, `${indent}  `).slice(indent.length + 2) : scalarOrBlock(item, `${indent}  `);
      out += `${indent}- ${body}`;
    }
    return out;
  }
  if (isMap(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0) return '{}\n';
    let out = '';
    for (const k of keys) {
      const val = v[k];
      const nested = (isMap(val) && Object.keys(val).length > 0) || (Array.isArray(val) && val.length > 0);
      out += nested ? `${indent}${yamlKey(k)}:\n${toYaml(val, `${indent}  `)}` : `${indent}${yamlKey(k)}: ${scalarOrBlock(val, indent)}`;
    }
    return out;
  }
  return scalarOrBlock(v, indent);
}

function scalarOrBlock(v: unknown, indent: string): string {
  if (isMap(v) || Array.isArray(v)) {
    const empty = isMap(v) ? Object.keys(v).length === 0 : v.length === 0;
    return empty ? (isMap(v) ? '{}\n' : '[]\n') : `\n${toYaml(v, indent)}`;
  }
  if (typeof v === 'string') return `${plainSafe(v) ? v : JSON.stringify(v)}\n`;
  return `${String(v)}\n`;
}

/** Written unquoted, as people write manifests, when no YAML reading could turn it into a non-string. */
function plainSafe(s: string): boolean {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(s)) return true;
  return /^[A-Za-z][A-Za-z0-9._/-]*$/.test(s) && !/^(true|false|yes|no|on|off|null|y|n)$/i.test(s);
}

function yamlKey(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.\/-]*$/.test(k) ? k : JSON.stringify(k);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
