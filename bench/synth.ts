// Measures synthesis alone on the generated cluster (10,000 Services / 150,000 Pods by default): wall time of
// synthesizeCluster and the heap it leaves. Not a test: run it and read the numbers.
//   TS_NODE_TRANSPILE_ONLY=1 node --expose-gc --loader @isaacs/ts-node-temp-fork-for-pr-2009/esm bench/synth.ts [services] [pods] [runs]
// (wall and CPU time are both printed: on a busy machine the CPU time is the steadier figure).
import { argv, cpuUsage, memoryUsage } from 'node:process';
import { performance } from 'node:perf_hooks';
import { synthesizeCluster } from '../lib/synth/index.js';
import { GENERATED_CLUSTER_CIDRS, generateCluster } from './gen-cluster.js';

const services = Number(argv[2] ?? 10000);
const pods = Number(argv[3] ?? 150000);
const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
const gc = (globalThis as { gc?: () => void }).gc;

const raw = generateCluster({ services, pods });
gc?.();
const heapBefore = memoryUsage().heapUsed;
const runs = Number(argv[4] ?? 5);
// One run per call, so its result is garbage once the call returns and the next run starts from the same heap.
function run(n: number): void {
  const t0 = performance.now();
  const c0 = cpuUsage();
  const r = synthesizeCluster(raw.map((m) => ({ raw: m })), { ...GENERATED_CLUSTER_CIDRS, nodes: 3, namespace: 'default' });
  const ms = performance.now() - t0;
  const cpu = cpuUsage(c0);
  gc?.();
  const count = (k: string) => r.objects.filter((o) => o.kind === k).length;
  console.log(`run ${n}: ${raw.length} manifests → ${count('Service')} Services, ${count('Pod')} Pods, `
    + `${count('EndpointSlice')} EndpointSlices in ${ms.toFixed(0)} ms (cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms); `
    + `result heap ${mb(memoryUsage().heapUsed - heapBefore)} (rss ${mb(memoryUsage().rss)}); ${r.warnings.length} warnings, ${r.skipped.length} skipped`);
  if (n === runs && r.warnings.length) console.log(r.warnings.slice(0, 5).join('\n'));
}
for (let n = 1; n <= runs; n++) run(n);
