// Live-mode benchmark: a fake API server (child process) with 10,000 Services and 150,000 pods' endpoints, a DNS
// server in live mode synced from it, then a churn of Service and EndpointSlice writes. Prints the DNS programming
// latency (write sent to the API → store changed, which is when answers change) and the memory held.
//
//   npm run bench:live -- [--services 10000] [--pods 150000] [--changes 4000] [--rate 200] [--watch-pods]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { promises as dnsp } from 'node:dns';
import { pino } from 'pino';
import type { StoreChange } from '../lib/cluster/store.js';
import { KubernetesSource } from '../lib/sources/kubernetes.js';
import { query } from '../test/helpers/dns-client.js';
import { startClusterDns } from '../lib/in-process.js';
import type {} from '../test/helpers/internals.js'; // dns.store: internals the published types leave out
import {
  clusterIP, endpointSlice, podsPerService, service, svcName, svcNamespace, type ClusterShape,
} from './live-cluster.js';

const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '10000' },
    pods: { type: 'string', default: '150000' },
    namespaces: { type: 'string', default: '100' },
    changes: { type: 'string', default: '4000' },
    rate: { type: 'string', default: '200' },
    'watch-pods': { type: 'boolean', default: false },
  },
});
const shape: ClusterShape = {
  services: Number(values.services), pods: Number(values.pods), namespaces: Number(values.namespaces),
  podObjects: values['watch-pods'] ?? false,
};
const totalChanges = Number(values.changes);
const rate = Number(values.rate);
const here = dirname(fileURLToPath(import.meta.url));

const gc = (globalThis as { gc?: () => void }).gc;
function memory(): { rssMB: number; heapUsedMB: number; externalMB: number } {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
  return { rssMB: mb(m.rss), heapUsedMB: mb(m.heapUsed), externalMB: mb(m.external) };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const f = (n: number) => n.toFixed(2);
  return `n=${s.length} p50=${f(percentile(s, 50))} ms p90=${f(percentile(s, 90))} ms p99=${f(percentile(s, 99))} ms max=${f(s[s.length - 1] ?? NaN)} ms`;
}

async function startFakeCluster(): Promise<{ url: string; token: string; objects: number; stop(): void }> {
  const child = spawn(process.execPath, [
    '--max-old-space-size=8192', '--import', 'tsx', join(here, 'live-fake-apiserver.ts'),
    '--services', String(shape.services), '--pods', String(shape.pods), '--namespaces', String(shape.namespaces),
    ...(shape.podObjects ? ['--serve-pods'] : []),
  ], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface(child.stdout).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`fake cluster exited with ${code}`)));
  });
  const info = JSON.parse(line) as { url: string; token: string; objects: number };
  return { ...info, stop: () => child.kill('SIGTERM') };
}

async function main(): Promise<void> {
  console.log(`cluster: ${shape.services} services, ${shape.pods} pods (${podsPerService(shape)} endpoints per service, one slice each), `
    + `${shape.namespaces} namespaces${shape.podObjects ? ', Pod objects watched (pods verified)' : ''}`);
  if (!gc) console.log('(run with node --expose-gc for steadier memory figures)');
  let t = performance.now();
  const cluster = await startFakeCluster();
  console.log(`fake API server ready with ${cluster.objects} objects in ${Math.round(performance.now() - t)} ms (child process)`);

  const dir = mkdtempSync(join(tmpdir(), 'bench-live-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config',
    'clusters:', '- name: fake', '  cluster:', `    server: ${cluster.url}`, '    insecure-skip-tls-verify: true',
    'users:', '- name: u', '  user:', `    token: ${cluster.token}`,
    'contexts:', '- name: fake', '  context: {cluster: fake, user: u}', 'current-context: fake', '',
  ].join('\n'));

  const logger = pino({ level: 'info', base: undefined }, pino.destination(2));
  // Live mode wired by hand (a server without fixtures, the source writing into its store), as
  // startClusterDns({ source: 'kubernetes' }) does, so the hooks can keep every sample for percentiles and the sync
  // can be timed and measured on its own.
  const dns = await startClusterDns({ fixtures: [], logger, pods: shape.podObjects ? 'verified' : 'disabled' });
  const parts = { store: dns.store };
  const before = memory();
  const programming: number[] = [];
  const restarts: string[] = [];
  let source: KubernetesSource | undefined = new KubernetesSource(parts.store, {
    kubeconfig, namespaces: [], watchPods: shape.podObjects, logger,
    hooks: {
      onProgrammingLatency: (_kind, seconds) => programming.push(seconds * 1000),
      onRestart: (resource, cause) => restarts.push(`${resource}: ${cause}`),
    },
  });
  t = performance.now();
  await source.start();
  const syncMs = performance.now() - t;
  const peakAfterSync = process.resourceUsage().maxRSS / 1024;
  const synced = memory();
  const counts = parts.store.counts();
  console.log(`synced ${counts.Service} services, ${counts.EndpointSlice} slices, ${counts.Pod} pods in ${Math.round(syncMs)} ms`);
  console.log(`memory before sync: rss ${before.rssMB} MB, heap ${before.heapUsedMB} MB`);
  console.log(`memory after sync:  rss ${synced.rssMB} MB, heap ${synced.heapUsedMB} MB, external ${synced.externalMB} MB `
    + `(held by store + informer skeletons: heap +${Math.round((synced.heapUsedMB - before.heapUsedMB) * 10) / 10} MB); `
    + `peak rss during sync ${Math.round(peakAfterSync)} MB`);

  // ---- churn ----
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const base = new URL(cluster.url);
  const send = (method: string, path: string, body?: object) => new Promise<void>((resolve, reject) => {
    const data = body ? JSON.stringify(body) : undefined;
    const req = http.request({
      host: base.hostname, port: base.port, path, method, agent,
      headers: { Authorization: `Bearer ${cluster.token}`, ...(data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {}) },
    }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`${method} ${path}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(data);
  });

  const pending = new Map<string, number>();
  const latency: Record<'slice' | 'service-update' | 'service-create' | 'service-delete', number[]> = {
    slice: [], 'service-update': [], 'service-create': [], 'service-delete': [],
  };
  const kindOf = new Map<string, keyof typeof latency>();
  parts.store.onChange((changes: readonly StoreChange[]) => {
    const now = performance.now();
    for (const c of changes) {
      const o = c.object;
      const key = `${o.kind}/${o.kind === 'Namespace' ? '' : o.namespace}/${o.name}`;
      const t0 = pending.get(key);
      if (t0 === undefined) continue;
      pending.delete(key);
      latency[kindOf.get(key)!].push(now - t0);
    }
  });

  const per = podsPerService(shape);
  let nextPod = shape.pods + 1;
  const portOf = new Map<number, number>();
  const created: number[] = [];
  let nextCreated = shape.services;
  const intervalMs = 1000 / rate;
  // Stalls of this process (GC, list processing) show up here; what is left of a latency tail is the API side.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const churnStart = performance.now();
  let sent = 0;
  const inflight = new Set<Promise<void>>();
  const errors: string[] = [];
  while (sent < totalChanges) {
    const due = churnStart + sent * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const roll = Math.random();
    let i = Math.floor(Math.random() * shape.services);
    let op: keyof typeof latency;
    let key: string;
    let req: () => Promise<void>;
    if (roll < 0.7) {
      op = 'slice';
      key = `EndpointSlice/${svcNamespace(i, shape)}/${svcName(i)}-abcde`;
      if (pending.has(key)) continue;
      // One pod of the service replaced by a new one, stamped the way the EndpointSlice controller does.
      const first = i * per;
      const slice = endpointSlice(i, shape, first, per, new Date().toISOString());
      slice.endpoints[Math.floor(Math.random() * per)].addresses = [`10.${200 + (nextPod >> 16)}.${(nextPod >> 8) & 255}.${nextPod & 255}`];
      nextPod++;
      req = () => send('PUT', `/apis/discovery.k8s.io/v1/namespaces/${svcNamespace(i, shape)}/endpointslices/${svcName(i)}-abcde`, slice);
    } else if (roll < 0.9) {
      op = 'service-update';
      key = `Service/${svcNamespace(i, shape)}/${svcName(i)}`;
      if (pending.has(key)) continue;
      const port = (portOf.get(i) ?? 80) === 80 ? 81 : 80;
      portOf.set(i, port);
      req = () => send('PUT', `/api/v1/namespaces/${svcNamespace(i, shape)}/services/${svcName(i)}`, service(i, shape, port));
    } else if (roll < 0.95 || created.length === 0) {
      op = 'service-create';
      i = nextCreated++;
      key = `Service/${svcNamespace(i, shape)}/${svcName(i)}`;
      created.push(i);
      req = () => send('POST', `/api/v1/namespaces/${svcNamespace(i, shape)}/services`, service(i, shape));
    } else {
      op = 'service-delete';
      i = created.shift()!;
      key = `Service/${svcNamespace(i, shape)}/${svcName(i)}`;
      if (pending.has(key)) { created.unshift(i); continue; }
      req = () => send('DELETE', `/api/v1/namespaces/${svcNamespace(i, shape)}/services/${svcName(i)}`);
    }
    kindOf.set(key, op);
    pending.set(key, performance.now());
    const p = req().catch((err: Error) => { errors.push(err.message); pending.delete(key); });
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    sent++;
  }
  await Promise.all(inflight);
  const deadline = Date.now() + 30_000;
  while (pending.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const churnS = (performance.now() - churnStart) / 1000;
  loopDelay.disable();

  // The answers really changed: a sample through DNS.
  const resolver = new dnsp.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([dns.address]);
  let dnsChecked = 0;
  let dnsWrong = 0;
  for (const [i, port] of [...portOf].slice(0, 50)) {
    if (i % 10 === 0) continue; // headless: SRV targets endpoints, skip
    const srv = await resolver.resolveSrv(`_http._tcp.${svcName(i)}.${svcNamespace(i, shape)}.svc.cluster.local`);
    dnsChecked++;
    if (srv[0]?.port !== port) dnsWrong++;
  }
  const one = [...portOf.keys()].find((i) => i % 10 !== 0);
  if (one !== undefined) {
    const a = await resolver.resolve4(`${svcName(one)}.${svcNamespace(one, shape)}.svc.cluster.local`);
    if (a[0] !== clusterIP(one)) dnsWrong++;
  }

  // DNS-level: one change at a time, querying the server in a loop from the moment the write is sent until the
  // answer shows it. Sequential, so it measures write → answer without the churn's queueing.
  const dnsLevel: number[] = [];
  const probes = Math.min(200, shape.services);
  for (let k = 0; k < probes; k++) {
    const i = (k * 7919) % shape.services;
    if (i % 10 === 0) continue; // headless: no service-port SRV
    const port = (portOf.get(i) ?? 80) === 80 ? 81 : 80;
    portOf.set(i, port);
    const name = `_http._tcp.${svcName(i)}.${svcNamespace(i, shape)}.svc.cluster.local`;
    const t0 = performance.now();
    const write = send('PUT', `/api/v1/namespaces/${svcNamespace(i, shape)}/services/${svcName(i)}`, service(i, shape, port));
    for (;;) {
      const res = await query(dns.port, name, 'SRV');
      const got = (res.answers?.[0] as { data?: { port?: number } } | undefined)?.data?.port;
      if (got === port) break;
      if (performance.now() - t0 > 10_000) throw new Error(`${name} never showed port ${port}`);
    }
    dnsLevel.push(performance.now() - t0);
    await write;
  }

  const after = memory();
  console.log(`churn: ${sent} writes in ${churnS.toFixed(1)} s (target ${rate}/s), ${errors.length} failed writes, ${pending.size} never seen`);
  console.log('DNS programming latency, API write sent → store changed (answers change at that moment):');
  for (const [k, xs] of Object.entries(latency)) if (xs.length) console.log(`  ${k.padEnd(15)} ${summary(xs)}`);
  console.log(`  ${'all'.padEnd(15)} ${summary(Object.values(latency).flat())}`);
  console.log(`DNS-level, one write at a time (write sent → first UDP answer showing it): ${summary(dnsLevel)}`);
  console.log(`coredns_kubernetes_dns_programming_duration_seconds as observed (trigger-time annotation → store): ${summary(programming)}`);
  console.log(`event loop delay of this process during churn: p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, `
    + `p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms`);
  console.log(`DNS check after churn: ${dnsChecked} SRV answers checked, ${dnsWrong} wrong`);
  console.log(`memory after churn: rss ${after.rssMB} MB, heap ${after.heapUsedMB} MB; peak rss ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
  console.log(`watch restarts during the run: ${restarts.length}${restarts.length ? ` (${restarts.slice(0, 3).join('; ')})` : ''}`);

  // What the informers' own caches (the skeletons) hold: drop the source, keep the store, and compare.
  await source.stop();
  source = undefined;
  await new Promise((r) => setTimeout(r, 500));
  const withoutInformers = memory();
  console.log(`informer caches (skeletons, freed with the source): heap ${Math.round((after.heapUsedMB - withoutInformers.heapUsedMB) * 10) / 10} MB; `
    + `the store alone holds heap ${Math.round((withoutInformers.heapUsedMB - before.heapUsedMB) * 10) / 10} MB over the empty server`);
  await dns.close();
  agent.destroy();
  cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
