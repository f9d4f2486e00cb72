// Generates the raw manifests of a large, realistic cluster for the load-time and memory benchmark: by default the
// Kubernetes scalability limits (10,000 Services, 150,000 Pods). Deterministic (seeded), so every run measures the
// same input. The mix mirrors what fixtures hold in practice:
//   * ~55% ClusterIP Services in front of Deployments (named target ports, some dual-stack) → pods synthesised;
//   * ~15% headless Services governing StatefulSets → pods synthesised, hostname/subdomain records;
//   * ~25% "dumped from a real cluster": Service with its ClusterIP, Deployment, ReplicaSet, Pods with status and
//     EndpointSlices, as `kubectl get -A -o yaml` prints them → taken as given;
//   * ~3% ExternalName Services, ~2% selector-less Services with hand-written EndpointSlices.
// Pod counts per Service are heavy-tailed (most 1-5, a few hundreds), scaled to hit the requested total exactly.
//
// Run directly to write a fixture: node --loader <ts loader> bench/gen-cluster.ts OUT.yaml|OUT.json [services] [pods]
// (.json writes one `kind: List`: the yaml package parses ~3 MB/s, so the 58 MB YAML form takes ~17 s to read,
// while JSON.parse reads the same cluster in well under a second; use YAML to measure the YAML path itself).
import { writeFileSync } from 'node:fs';
import { argv } from 'node:process';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { mulberry32 } from '../test/helpers/prng.js';

export interface GenerateOptions {
  services: number;
  pods: number;
  /** PRNG seed */
  seed?: number;
}

/**
 * Synthesis CIDRs the generated cluster needs: 150,000 pods do not fit kind's /16, so the bench uses a /14
 * (262,144 addresses). Explicit pods and ClusterIPs of the "real cluster" part are drawn from the same ranges.
 */
export const GENERATED_CLUSTER_CIDRS = {
  podCIDR: '10.128.0.0/14',
  serviceCIDR: '10.96.0.0/12',
  podCIDRv6: 'fd00:10:244::/56',
  serviceCIDRv6: 'fd00:10:96::/108',
} as const;

type Raw = Record<string, unknown>;


const WORDS = [
  'cart', 'checkout', 'catalog', 'search', 'auth', 'billing', 'invoice', 'ledger', 'notify', 'mailer', 'gateway',
  'profile', 'orders', 'inventory', 'pricing', 'reviews', 'media', 'thumbnail', 'queue', 'scheduler', 'metrics',
  'audit', 'session', 'shipping', 'tax', 'fraud', 'ranking', 'feed', 'chat', 'export',
];
const SUFFIX = 'bcdfghjklmnpqrstvwxz2456789';

type Kind = 'deployment' | 'statefulset' | 'dumped' | 'externalname' | 'manual';

export function generateCluster(opts: GenerateOptions): unknown[] {
  const rnd = mulberry32(opts.seed ?? 20240611);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const suffix = (n: number) => Array.from({ length: n }, () => pick([...SUFFIX])).join('');
  const namespaces = Math.max(1, Math.ceil(opts.services / 50));

  // Plan: a kind and a weight per Service; pods split by weight.
  const plan: { kind: Kind; ns: string; name: string; weight: number; dual: boolean }[] = [];
  for (let i = 0; i < opts.services; i++) {
    const u = rnd();
    const kind: Kind = u < 0.55 ? 'deployment' : u < 0.70 ? 'statefulset' : u < 0.95 ? 'dumped' : u < 0.98 ? 'externalname' : 'manual';
    const v = rnd();
    const weight = kind === 'externalname' || kind === 'manual' ? 0
      : v < 0.5 ? 1 + Math.floor(rnd() * 5) : v < 0.85 ? 6 + Math.floor(rnd() * 15) : v < 0.97 ? 21 + Math.floor(rnd() * 60) : 81 + Math.floor(rnd() * 220);
    const ns = `team-${String(i % namespaces).padStart(3, '0')}`;
    plan.push({ kind, ns, name: `${pick(WORDS)}-${pick(WORDS)}-${i}`, weight, dual: kind === 'deployment' && rnd() < 0.05 });
  }
  // Every pod-running Service gets one pod, the rest is shared out by weight (remainders one by one).
  const running = plan.filter((p) => p.weight > 0).length;
  const rest = Math.max(0, opts.pods - running);
  const total = plan.reduce((s, p) => s + p.weight, 0);
  const replicas = plan.map((p) => (p.weight > 0 ? 1 + Math.floor((p.weight * rest) / total) : 0));
  let missing = opts.pods - replicas.reduce((s, r) => s + r, 0);
  for (let i = 0; missing > 0 && total > 0; i = (i + 1) % plan.length) {
    if (plan[i].weight > 0) { replicas[i]++; missing--; }
  }

  const out: unknown[] = [];
  for (let n = 0; n < namespaces; n++) {
    out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `team-${String(n).padStart(3, '0')}` } });
  }
  // Addresses of the "real cluster" part, handed out from the top of each range so they read like a cluster's.
  let nextPod = 0;
  let nextSvc = 0;
  const podIP = (): string => {
    const k = 262143 - nextPod++;
    // Like a CNI's per-node /24s: never .0, .1 or .255.
    return [0, 1, 255].includes(k & 255) ? podIP() : `10.${128 + (k >> 16)}.${(k >> 8) & 255}.${k & 255}`;
  };
  const clusterIP = () => { const k = 1048575 - 1 - nextSvc++; return `10.${96 + (k >> 16)}.${(k >> 8) & 255}.${k & 255}`; };
  const node = () => `node-${Math.floor(rnd() * 500)}`;

  plan.forEach((p, i) => {
    const labels = { 'app.kubernetes.io/name': p.name, 'app.kubernetes.io/part-of': p.ns };
    const selector = { 'app.kubernetes.io/name': p.name };
    const meta = (name: string, extra: Raw = {}) => ({ name, namespace: p.ns, ...extra });
    const containers = [{
      name: 'app',
      image: `registry.example.com/${p.ns}/${p.name}:1.${i % 40}.0`,
      ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }],
      resources: { requests: { cpu: '100m', memory: '128Mi' } },
    }];
    const svcPorts = [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9090, targetPort: 'metrics' }];
    switch (p.kind) {
      case 'deployment':
        out.push({
          apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(p.name, { labels }),
          spec: { replicas: replicas[i], selector: { matchLabels: selector }, template: { metadata: { labels }, spec: { containers } } },
        });
        out.push({
          apiVersion: 'v1', kind: 'Service', metadata: meta(p.name, { labels }),
          spec: { ...(p.dual ? { ipFamilyPolicy: 'PreferDualStack' } : {}), selector, ports: svcPorts },
        });
        break;
      case 'statefulset':
        out.push({
          apiVersion: 'v1', kind: 'Service', metadata: meta(p.name, { labels }),
          spec: { clusterIP: 'None', selector, ports: [{ name: 'tcp', port: 5432, targetPort: 5432 }] },
        });
        out.push({
          apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta(p.name, { labels }),
          spec: {
            serviceName: p.name, replicas: replicas[i], selector: { matchLabels: selector },
            template: { metadata: { labels }, spec: { containers: [{ name: 'db', image: 'postgres:16', ports: [{ containerPort: 5432 }] }] } },
          },
        });
        break;
      case 'dumped': {
        const hash = suffix(10);
        const rs = `${p.name}-${hash}`;
        const ip = clusterIP();
        out.push({
          apiVersion: 'v1', kind: 'Service', metadata: meta(p.name, { labels, uid: `svc-${i}` }),
          spec: { type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', selector, ports: svcPorts },
          status: { loadBalancer: {} },
        });
        out.push({
          apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(p.name, { labels, generation: 3 }),
          spec: { replicas: replicas[i], selector: { matchLabels: selector }, template: { metadata: { labels }, spec: { containers } } },
          status: { replicas: replicas[i], readyReplicas: replicas[i] },
        });
        out.push({
          apiVersion: 'apps/v1', kind: 'ReplicaSet',
          metadata: meta(rs, { labels: { ...labels, 'pod-template-hash': hash }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: p.name, uid: `d-${i}`, controller: true }] }),
          spec: { replicas: replicas[i], selector: { matchLabels: { ...selector, 'pod-template-hash': hash } }, template: { metadata: { labels: { ...labels, 'pod-template-hash': hash } }, spec: { containers } } },
        });
        const endpoints: Raw[] = [];
        for (let r = 0; r < replicas[i]; r++) {
          const name = `${rs}-${suffix(5)}`;
          const ip4 = podIP();
          const ready = rnd() > 0.02;
          const nodeName = node();
          out.push({
            apiVersion: 'v1', kind: 'Pod',
            metadata: meta(name, { labels: { ...labels, 'pod-template-hash': hash }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `rs-${i}`, controller: true }] }),
            spec: { nodeName, containers },
            status: {
              phase: 'Running', podIP: ip4, podIPs: [{ ip: ip4 }], hostIP: '172.18.0.2',
              conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
            },
          });
          endpoints.push({ addresses: [ip4], conditions: { ready, serving: ready, terminating: false }, nodeName, targetRef: { kind: 'Pod', namespace: p.ns, name } });
        }
        for (let s = 0; s < Math.max(1, endpoints.length); s += 100) {
          out.push({
            apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
            metadata: meta(`${p.name}-${suffix(5)}`, { labels: { 'kubernetes.io/service-name': p.name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } }),
            addressType: 'IPv4',
            endpoints: endpoints.slice(s, s + 100),
            ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }],
          });
        }
        break;
      }
      case 'externalname':
        out.push({ apiVersion: 'v1', kind: 'Service', metadata: meta(p.name), spec: { type: 'ExternalName', externalName: `${p.name}.external.example.com` } });
        break;
      case 'manual':
        out.push({ apiVersion: 'v1', kind: 'Service', metadata: meta(p.name), spec: { ports: [{ name: 'https', port: 443 }] } });
        out.push({
          apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
          metadata: meta(`${p.name}-manual`, { labels: { 'kubernetes.io/service-name': p.name } }),
          addressType: 'IPv4',
          endpoints: [{ addresses: [`192.0.2.${1 + (i % 250)}`] }, { addresses: [`198.51.100.${1 + (i % 250)}`] }],
          ports: [{ name: 'https', port: 443, protocol: 'TCP' }],
        });
        break;
    }
    if (i % 10 === 0) {
      // The noise real manifests carry, which synthesis skips.
      out.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(`${p.name}-config`), data: { LOG_LEVEL: 'info' } });
    }
  });
  return out;
}

if (argv[1] && import.meta.url === pathToFileURL(argv[1]).href) {
  const [, , file, services, pods] = argv;
  if (!file) {
    console.error('usage: gen-cluster.ts OUT.yaml|OUT.json [services=10000] [pods=150000]');
    process.exit(2);
  }
  const docs = generateCluster({ services: Number(services ?? 10000), pods: Number(pods ?? 150000) });
  writeFileSync(file, file.endsWith('.json')
    ? JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs })
    : docs.map((d) => stringify(d)).join('---\n'));
  console.log(`${docs.length} manifests written to ${file}; synthesise with ${JSON.stringify(GENERATED_CLUSTER_CIDRS)}`);
}
