// The query file dnsperf replays: what pods in a cluster actually send. Most of it is not hits: glibc and musl
// with `ndots:5` walk the search path (<ns>.svc.cluster.local, svc.cluster.local, cluster.local) before trying a
// name as given, and ask A and AAAA together, so every lookup of a fully-qualified Service name costs misses
// first (kubernetes/perf-tests dns/queries, dnsperfgo). Seeded, so a cluster shape always gives the same file.
import { writeFile } from 'node:fs/promises';
import type { ClusterInfo, ServiceInfo } from './explicit-cluster.js';
import { mulberry32 } from '../test/helpers/prng.js';

export type QueryClass =
  | 'clusterip-a' | 'clusterip-aaaa' | 'headless-a-1' | 'headless-a-10' | 'headless-a-250' | 'endpoint-a'
  | 'srv-named' | 'srv-service' | 'ptr-pod' | 'ptr-service' | 'nxdomain-service' | 'search-miss';

/** Share of each class in the file, in percent. */
export const MIX: Record<QueryClass, number> = {
  'clusterip-a': 18,
  'clusterip-aaaa': 8,
  'headless-a-1': 5,
  'headless-a-10': 5,
  'headless-a-250': 2,
  'endpoint-a': 2,
  'srv-named': 3,
  'srv-service': 2,
  'ptr-pod': 3,
  'ptr-service': 2,
  'nxdomain-service': 4,
  'search-miss': 46,
};

export interface QueryLine {
  cls: QueryClass;
  name: string;
  type: 'A' | 'AAAA' | 'SRV' | 'PTR';
  /**
   * The whole answer (TCP) is over 16 KB: SRV of a 250-endpoint Service with its additional A records (20-41 KB).
   * dnsperf 2.10 never completes a TCP response that large (every query on the connection then times out), so
   * the TCP run leaves these out.
   */
  overTcpLimit?: boolean;
}

const ZONE = 'cluster.local';
const EXTERNAL = ['www.example.com', 'api.github.com', 'registry.npmjs.org', 'storage.googleapis.com', 'sts.amazonaws.com'];


function reverse(ip: string): string {
  return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
}

export function buildQueries(cluster: ClusterInfo, count: number, seed = 1): QueryLine[] {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const fq = (s: ServiceInfo) => `${s.name}.${s.namespace}.svc.${ZONE}`;
  const headless = (n: number) => cluster.headlessBySize.get(n) ?? [];
  const withEndpoints = cluster.services.filter((s) => s.endpointIPs.length > 0);
  const headlessAll = cluster.services.filter((s) => s.headless && s.endpointLabels.length > 0);
  const classes = Object.entries(MIX) as [QueryClass, number][];

  const one = (cls: QueryClass): QueryLine[] => {
    switch (cls) {
      case 'clusterip-a': return [{ cls, name: fq(pick(cluster.clusterIPServices)), type: 'A' }];
      case 'clusterip-aaaa': return [{ cls, name: fq(pick(cluster.clusterIPServices)), type: 'AAAA' }];
      case 'headless-a-1': return [{ cls, name: fq(pick(headless(1))), type: 'A' }];
      case 'headless-a-10': return [{ cls, name: fq(pick(headless(10))), type: 'A' }];
      case 'headless-a-250': return [{ cls, name: fq(pick(headless(250))), type: 'A' }];
      case 'endpoint-a': {
        const s = pick(headlessAll);
        return [{ cls, name: `${pick(s.endpointLabels)}.${fq(s)}`, type: 'A' }];
      }
      case 'srv-named': {
        const s = pick(cluster.services);
        return [{ cls, name: `_${pick(s.ports).name}._tcp.${fq(s)}`, type: 'SRV', ...(s.endpointIPs.length > 100 ? { overTcpLimit: true } : {}) }];
      }
      case 'srv-service': return [{ cls, name: fq(pick(cluster.clusterIPServices)), type: 'SRV' }];
      case 'ptr-pod': return [{ cls, name: reverse(pick(pick(withEndpoints).endpointIPs)), type: 'PTR' }];
      case 'ptr-service': return [{ cls, name: reverse(pick(cluster.clusterIPServices).clusterIP), type: 'PTR' }];
      case 'nxdomain-service': {
        const ns = pick(cluster.namespaces);
        return [{ cls, name: `missing-${Math.floor(rnd() * 1000)}.${ns}.svc.${ZONE}`, type: 'A' }];
      }
      case 'search-miss': {
        // One lookup's walk down the search list of a pod in `home`, A and AAAA each.
        const home = pick(cluster.namespaces);
        const target = rnd() < 0.7 ? fq(pick(cluster.services)) : pick(EXTERNAL);
        const suffixes = [`${home}.svc.${ZONE}`, `svc.${ZONE}`, ZONE];
        const out: QueryLine[] = [];
        for (const suf of suffixes) for (const type of ['A', 'AAAA'] as const) out.push({ cls, name: `${target}.${suf}`, type });
        return out;
      }
    }
  };

  const out: QueryLine[] = [];
  // Drawn by weight, except that a search walk contributes six queries: its draws are scaled down to match.
  const weights = classes.map(([c, w]) => [c, c === 'search-miss' ? w / 6 : w] as const);
  const wsum = weights.reduce((s, [, w]) => s + w, 0);
  while (out.length < count) {
    let r = rnd() * wsum;
    let cls: QueryClass = weights[0][0];
    for (const [c, w] of weights) {
      if ((r -= w) < 0) { cls = c; break; }
    }
    out.push(...one(cls));
  }
  return out.slice(0, count);
}

/**
 * The same mix cut to its first `distinct` distinct questions, repeated to the same length. Comparing clusters of
 * different sizes on sets with different numbers of distinct questions measures the answer cache's working set
 * (the large cluster's set has ~5x as many), not the cluster: this makes the two sets alike in that.
 */
export function limitDistinct(lines: readonly QueryLine[], distinct: number): QueryLine[] {
  const keep = new Set<string>();
  const kept: QueryLine[] = [];
  for (const l of lines) {
    const key = `${l.name} ${l.type}`;
    if (!keep.has(key)) {
      if (keep.size >= distinct) continue;
      keep.add(key);
    }
    kept.push(l);
  }
  const out: QueryLine[] = [];
  for (let i = 0; kept.length > 0 && out.length < lines.length; i++) out.push(kept[i % kept.length]);
  return out;
}

export function distinctQuestions(lines: readonly QueryLine[]): number {
  return new Set(lines.map((l) => `${l.name} ${l.type}`)).size;
}

export async function writeQueryFile(file: string, lines: readonly QueryLine[]): Promise<void> {
  await writeFile(file, `${lines.map((l) => `${l.name} ${l.type}`).join('\n')}\n`);
}

/** Share of each class actually in the file, for the results. */
export function mixSummary(lines: readonly QueryLine[]): string {
  const counts = new Map<QueryClass, number>();
  for (const l of lines) counts.set(l.cls, (counts.get(l.cls) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([c, n]) => `${c} ${((100 * n) / lines.length).toFixed(1)}%`)
    .join(', ');
}
