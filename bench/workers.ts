// `npm run bench -- --workers N`: do several clusterdns processes on one port (--reuse-port) serve more than one?
// The same query set at peak UDP load against 1 process and against N, knot (1 UDP worker) as the yardstick in
// the same run. dnsperf runs as several clients (-c), so its queries come from several source ports: the kernel
// spreads SO_REUSEPORT traffic by a hash of the source address and port, and one client would land on one process.
// Two placements of the N processes, because on a small machine the answer depends on it:
//   - all on the server's core: the same CPU budget as 1 process (what the extra processes cost or save);
//   - spread over every core, round robin (one then shares dnsperf's core: the most a machine this size can give).
import { spawn } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startClusterdns, type ClusterdnsProcess } from './clusterdns-process.js';
import { runDnsperf, type DnsperfResult } from './dnsperf.js';
import { startKnot, writeZoneFiles } from './knot.js';

export interface WorkersRun {
  label: string;
  processes: number;
  /** CPU list each process was pinned to */
  cpus: string[];
  peak: DnsperfResult;
  /** UDP queries each process counted in its /metrics during the peak run */
  perProcess: number[];
  /** server CPU time per completed query, µs, all processes together */
  cpuUs: number;
}

export interface WorkersResult {
  workers: number;
  clients: number;
  seconds: number;
  runs: WorkersRun[];
  knot?: { peak: DnsperfResult; cpuUs: number };
  loadBefore: number[];
  loadAfter: number[];
}

export interface WorkersOptions {
  root: string;
  fixtures: string;
  queryFile: string;
  port: number;
  workers: number;
  seconds: number;
  serverCpu: number;
  clientCpu: number;
  /** dnsperf clients (source ports) [8] */
  clients?: number;
  /** knotd to compare with; undefined = no knot */
  knotd?: string;
  tmp: string;
  log(msg: string): void;
}

const CLK_TCK = 100;

async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
}

async function udpCount(adminPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^coredns_dns_requests_total\{[^}]*proto="udp"[^}]*\} (\S+)$/gm)) n += Number(m[1]);
  return n;
}

async function startGroup(o: WorkersOptions, cpus: number[]): Promise<ClusterdnsProcess[]> {
  const procs: ClusterdnsProcess[] = [];
  try {
    for (const [i, cpu] of cpus.entries()) {
      procs.push(await startClusterdns({
        root: o.root, fixtures: o.fixtures, port: o.port, cpu,
        extraArgs: ['--reuse-port', '--admin', `127.0.0.1:${o.port + 100 + i}`, '--journal', '0'],
      }));
    }
  } catch (err) {
    await Promise.all(procs.map((p) => p.stop()));
    throw err;
  }
  return procs;
}

async function measureGroup(o: WorkersOptions, label: string, cpus: number[]): Promise<WorkersRun> {
  const procs = await startGroup(o, cpus);
  try {
    const clients = o.clients ?? 8;
    // Warm-up: compiles the hot path and fills every process's answer cache.
    await runDnsperf({ port: o.port, queryFile: o.queryFile, mode: 'udp', seconds: 2, outstanding: 100, clients, cpu: o.clientCpu });
    const c0 = await Promise.all(procs.map((p) => cpuMs(p.pid)));
    const n0 = await Promise.all(procs.map((_, i) => udpCount(o.port + 100 + i)));
    const peak = await runDnsperf({ port: o.port, queryFile: o.queryFile, mode: 'udp', seconds: o.seconds, outstanding: 100, clients, cpu: o.clientCpu });
    const c1 = await Promise.all(procs.map((p) => cpuMs(p.pid)));
    const n1 = await Promise.all(procs.map((_, i) => udpCount(o.port + 100 + i)));
    const cpuUs = c1.reduce((s, c, i) => s + c - c0[i]!, 0) * 1000 / peak.completed;
    const perProcess = n1.map((n, i) => n - n0[i]!);
    o.log(`  ${label}: ${peak.qps.toFixed(0)} qps, lost ${peak.lost}, ${cpuUs.toFixed(1)} µs CPU per query, per process ${perProcess.join(' / ')}`);
    return { label, processes: procs.length, cpus: cpus.map(String), peak, perProcess, cpuUs };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

/** `clusterdns records` into a file (a pipe would lose what process.exit() leaves unwritten). */
async function recordsFile(root: string, fixtures: string, file: string): Promise<string> {
  const fh = await open(file, 'w');
  try {
    const code = await new Promise<number | null>((res) => {
      const child = spawn(process.execPath, [path.join(root, 'dist/server/main.js'), 'records', '--fixtures', fixtures], { stdio: ['ignore', fh.fd, 'inherit'] });
      child.on('close', res);
    });
    if (code !== 0) throw new Error(`clusterdns records exited ${code}`);
  } finally {
    await fh.close();
  }
  return readFile(file, 'utf8');
}

export async function workersCase(o: WorkersOptions): Promise<WorkersResult> {
  const loadBefore = os.loadavg();
  const ncpu = os.availableParallelism();
  const runs: WorkersRun[] = [];
  o.log(`workers: 1 vs ${o.workers} clusterdns processes with --reuse-port on one port, dnsperf -c ${o.clients ?? 8} on CPU ${o.clientCpu}`);
  runs.push(await measureGroup(o, '1 process', [o.serverCpu]));
  runs.push(await measureGroup(o, `${o.workers} processes, all on CPU ${o.serverCpu}`, Array.from({ length: o.workers }, () => o.serverCpu)));
  runs.push(await measureGroup(o, `${o.workers} processes over ${ncpu} CPUs`, Array.from({ length: o.workers }, (_, i) => (o.serverCpu + i) % ncpu)));
  let knot: WorkersResult['knot'];
  if (o.knotd) {
    const zones = await writeZoneFiles(path.join(o.tmp, 'knot-workers'), await recordsFile(o.root, o.fixtures, path.join(o.tmp, 'records-workers.txt')));
    const k = await startKnot(path.join(o.tmp, 'knot-workers'), zones, o.port + 1, o.serverCpu, o.knotd);
    try {
      const clients = o.clients ?? 8;
      await runDnsperf({ port: k.port, queryFile: o.queryFile, mode: 'udp', seconds: 2, outstanding: 100, clients, cpu: o.clientCpu });
      const c0 = await cpuMs(k.pid);
      const peak = await runDnsperf({ port: k.port, queryFile: o.queryFile, mode: 'udp', seconds: o.seconds, outstanding: 100, clients, cpu: o.clientCpu });
      knot = { peak, cpuUs: ((await cpuMs(k.pid)) - c0) * 1000 / peak.completed };
      o.log(`  knot (udp-workers 1, CPU ${o.serverCpu}): ${peak.qps.toFixed(0)} qps, ${knot.cpuUs.toFixed(1)} µs CPU per query`);
    } finally {
      await k.stop();
    }
  }
  return { workers: o.workers, clients: o.clients ?? 8, seconds: o.seconds, runs, ...(knot ? { knot } : {}), loadBefore, loadAfter: os.loadavg() };
}

export function workersMarkdown(r: WorkersResult): string {
  const base = r.runs[0]!.peak.qps;
  const kq = r.knot?.peak.qps;
  // Cores the server got (CPU per query × QPS): on a shared machine QPS follows this share, not the code.
  const cores = (us: number, qps: number) => (us * qps / 1e6).toFixed(2);
  const rows = r.runs.map((x) => `| ${x.label} | ${x.cpus.join(', ')} | ${x.peak.qps.toFixed(0)} | ${(x.peak.qps / base).toFixed(2)}× | ${kq ? `${(x.peak.qps / kq).toFixed(2)}×` : 'n/a'} | ${x.cpuUs.toFixed(1)} | ${cores(x.cpuUs, x.peak.qps)} | ${x.perProcess.join(' / ')} | ${x.peak.lost} |`);
  if (r.knot) rows.push(`| knot, udp-workers 1 | ${r.runs[0]!.cpus[0]} | ${kq!.toFixed(0)} | ${(kq! / base).toFixed(2)}× | 1.00× | ${r.knot.cpuUs.toFixed(1)} | ${cores(r.knot.cpuUs, kq!)} | | ${r.knot.peak.lost} |`);
  return [
    `## Several workers on one port (--reuse-port), ${r.workers} vs 1`, '',
    `UDP peak, dnsperf \`-c ${r.clients} -q 100\` (${r.clients} source ports, so the kernel's SO_REUSEPORT hash has something to spread), ${r.seconds} s per run. Load average ${r.loadBefore.map((x) => x.toFixed(2)).join(' ')} before, ${r.loadAfter.map((x) => x.toFixed(2)).join(' ')} after.`, '',
    '| Setup | CPUs | QPS | vs 1 process | vs knot | µs CPU/query | cores used | queries per process | lost |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows, '',
  ].join('\n');
}
