// GET /api/v1/tree at 10,000 Services (bench/gen-cluster.ts), served by the real executable while a probe asks DNS
// every millisecond: every page is small (the console never loads the cluster at once), the pages joined hold
// every namespace and every Service once, a filter finds a Service among 10,000, and DNS keeps answering.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GENERATED_CLUSTER_CIDRS, generateCluster } from '../bench/gen-cluster.js';
import { Prober } from '../bench/probe.js';
import { startCli, stopCli } from './helpers/cli.js';

const SERVICES = 10_000;
const PAGE_BYTES = 64 * 1024;
t.setTimeout(300_000);
const dir = mkdtempSync(path.join(os.tmpdir(), 'console-tree-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const docs = generateCluster({ services: SERVICES, pods: 20_000 }) as any[];
const file = path.join(dir, 'cluster.json');
writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs }));
const services = docs.filter((d) => d.kind === 'Service');
const perNamespace = new Map<string, number>();
for (const s of services) perNamespace.set(s.metadata.namespace, (perNamespace.get(s.metadata.namespace) ?? 0) + 1);
const probed = services.find((d) => d.spec?.clusterIP && d.spec.clusterIP !== 'None');
const probeName = `${probed.metadata.name}.${probed.metadata.namespace}.svc.cluster.local`;

t.test('pages stay small and DNS keeps answering while the whole tree is fetched', async (t) => {
  const cli = await startCli(['serve', '--fixtures', file, '--pod-cidr', GENERATED_CLUSTER_CIDRS.podCIDR, '--service-cidr', GENERATED_CLUSTER_CIDRS.serviceCIDR,
    '--pod-cidr-v6', GENERATED_CLUSTER_CIDRS.podCIDRv6, '--service-cidr-v6', GENERATED_CLUSTER_CIDRS.serviceCIDRv6, '--nodes', '3',
    '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--no-watch', '--log-level', 'error'], 180_000);
  t.teardown(() => stopCli(cli.proc));
  const admin = /admin http:\/\/([^\s,]+)/.exec(cli.line)![1];
  const prober = new Prober(cli.port, probeName);
  prober.start(1);
  t.teardown(() => prober.stop());
  await new Promise((r) => setTimeout(r, 300));
  let biggest = 0;
  let requests = 0;
  const get = async (route: string) => {
    const res = await fetch(`http://${admin}${route}`, { signal: AbortSignal.timeout(60_000) });
    const bytes = Buffer.from(await res.arrayBuffer());
    biggest = Math.max(biggest, bytes.length);
    requests++;
    t.equal(res.status, 200, route);
    t.ok(bytes.length < PAGE_BYTES, `${route}: ${bytes.length} bytes`);
    return JSON.parse(bytes.toString('utf8'));
  };

  const from = performance.now();
  const namespaces: any[] = [];
  let token: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await get(`/api/v1/tree?limit=100${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
    namespaces.push(...page.namespaces);
    token = page.continue;
    if (!token) break;
  }
  const w0 = prober.worst(from, performance.now());
  t.ok(w0.maxGapMs < 1000, `namespace pages (the index built): longest DNS gap ${w0.maxGapMs.toFixed(1)} ms`);
  const pagesFrom = performance.now();
  for (const [ns, n] of perNamespace) t.equal(namespaces.find((x) => x.name === ns)?.services, n, `${ns}: ${n} Services`);
  t.equal(new Set(namespaces.map((n) => n.name)).size, namespaces.length, 'each namespace once');

  let servicesSeen = 0;
  for (const ns of namespaces) {
    let cont: string | undefined;
    for (let i = 0; i < 100; i++) {
      const page = await get(`/api/v1/tree?namespace=${ns.name}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      servicesSeen += page.services.length;
      cont = page.continue;
      if (!cont) break;
    }
  }
  const w = prober.worst(from, performance.now());
  const wp = prober.worst(pagesFrom, performance.now());
  t.ok(wp.maxGapMs < 1000, `namespace contents: longest DNS gap ${wp.maxGapMs.toFixed(1)} ms`);
  t.equal(servicesSeen, SERVICES, 'every Service on some page, once');
  t.ok(w.answered > 100, `the probe was answered meanwhile (${w.answered})`);
  t.ok(w.maxGapMs < 1000, `${requests} pages in ${((performance.now() - from) / 1000).toFixed(1)} s, the largest ${biggest} bytes; longest DNS gap ${w.maxGapMs.toFixed(1)} ms`);

  // Filtering by a DNS name among 10,000 Services.
  const target = services[services.length >> 1];
  const found = await get(`/api/v1/tree?filter=${encodeURIComponent(`${target.metadata.name}.${target.metadata.namespace}.svc`)}`);
  t.same(found.namespaces.map((n: any) => n.name), [target.metadata.namespace]);
  t.equal(found.namespaces[0].services, 1);
  const inNs = await get(`/api/v1/tree?namespace=${target.metadata.namespace}&filter=${encodeURIComponent(target.metadata.name)}`);
  t.ok(inNs.services.some((s: any) => s.name === target.metadata.name), 'and in its namespace');
});
