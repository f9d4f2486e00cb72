// `npm run bench`: clusterdns and knot side by side on the same records, one core each for server and dnsperf
// (issue 6). Installs nothing; says what is missing. Prints a table and writes bench/results/<date>-<host>.md.
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startClusterdns, type ClusterdnsProcess } from './clusterdns-process.js';
import { profileTable, summarizeProfile, type ProfileSummary } from './cpu-profile.js';
import { answerShape, queryTcp, queryUdp } from './dns-client.js';
import { runDnsperf, toolVersion, type DnsperfResult } from './dnsperf.js';
import { LARGE, SMALL, writeExplicitCluster, type ClusterInfo } from './explicit-cluster.js';
import { KNOTD_CANDIDATES, startKnot, writeZoneFiles } from './knot.js';
import { Prober } from './probe.js';
import { workersCase, workersMarkdown, type WorkersResult } from './workers.js';
import { buildQueries, distinctQuestions, limitDistinct, mixSummary, writeQueryFile, type QueryLine } from './query-mix.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERVER_CPU = 0;
const CLIENT_CPU = 1;
const CLUSTERDNS_PORT = 15353;
const KNOT_PORT = 15354;
const SMALL_PORT = 15355;
/** USER_HZ: Linux reports CPU times in /proc in these ticks, 100 on every mainstream architecture. */
const CLK_TCK = 100;

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    'skip-knot': { type: 'boolean', default: false },
    'no-profile': { type: 'boolean', default: false },
    'keep-temp': { type: 'boolean', default: false },
    trials: { type: 'string', default: '3' },
    services: { type: 'string' },
    format: { type: 'string', default: 'yaml' },
    pods: { type: 'string' },
    out: { type: 'string' },
    workers: { type: 'string' },
    'workers-only': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (flags.help) {
  process.stdout.write(`npm run bench [-- flags]
  --seconds N     length of each dnsperf run [10]
  --trials N      change-propagation trials [3]
  --services N    Services in the large cluster [10000]
  --pods N        Pods in the large cluster [150000]
  --format F      fixture files as yaml (one document per object) or json (one List per file) [yaml]
  --skip-knot     measure clusterdns only
  --no-profile    skip the CPU profiles
  --keep-temp     keep the generated fixtures, zone files and profiles
  --out FILE      results file [bench/results/<date>-<hostname>.md]
  --workers N     also run N clusterdns processes with --reuse-port on one port vs 1 (small cluster, UDP peak)
  --workers-only  run only that case (with knot unless --skip-knot)
Needs: dnsperf and knotd on PATH (Debian: apt-get install dnsperf knot), taskset (util-linux), 2+ cores.
`);
  process.exit(0);
}

const SECONDS = Number(flags.seconds);
const FORMAT = flags.format === 'json' ? 'json' : 'yaml';
const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

function run(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (err) => resolve({ code: -1, stdout: '', stderr: err.message }));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr }));
  });
}

/**
 * stdout into a file, not a pipe: `clusterdns records` ends with process.exit(), which drops whatever of a large
 * listing is still queued for a pipe (a file is written synchronously).
 */
async function runToFile(cmd: string, args: string[], file: string): Promise<{ code: number | null; stderr: string }> {
  const fh = await open(file, 'w');
  try {
    return await new Promise((resolve) => {
      const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', fh.fd, 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (d) => { stderr += d; });
      child.on('error', (err) => resolve({ code: -1, stderr: err.message }));
      child.on('close', (code) => resolve({ code, stderr }));
    });
  } finally {
    await fh.close();
  }
}

async function checkTools(): Promise<{ dnsperf: string; knot: string; knotd: string }> {
  const missing: string[] = [];
  const dnsperf = (await toolVersion('dnsperf', ['-h']))?.match(/Version ([\d.]+)/)?.[1];
  if (!dnsperf) missing.push('dnsperf (Debian/Ubuntu: apt-get install dnsperf)');
  let knot: string | undefined;
  let knotd = KNOTD_CANDIDATES[0];
  for (const candidate of KNOTD_CANDIDATES) {
    knot = (await toolVersion(candidate, ['-V']))?.match(/version ([\d.]+)/)?.[1];
    if (knot) { knotd = candidate; break; }
  }
  if (!knot && !flags['skip-knot']) missing.push('knotd (Debian/Ubuntu: apt-get install knot), or pass --skip-knot');
  if ((await toolVersion('taskset', ['-V'])) === undefined) missing.push('taskset (util-linux)');
  if (os.availableParallelism() < 2) missing.push('a second CPU core (the server and dnsperf each get one)');
  try {
    await readFile(path.join(ROOT, 'dist/server/main.js'));
  } catch {
    missing.push('the built server: run `npm run build` first');
  }
  if (missing.length > 0) {
    process.stderr.write(`npm run bench needs:\n${missing.map((m) => `  - ${m}`).join('\n')}\nNothing was run.\n`);
    process.exit(2);
  }
  return { dnsperf: dnsperf!, knot: knot ?? 'not run', knotd };
}

interface ServerRuns {
  /** server CPU time (user+sys, all threads) per completed query, µs */
  cpuPeakUs?: number;
  cpuFixedUs?: number;
  peak?: DnsperfResult;
  fixed?: DnsperfResult;
  tcp?: DnsperfResult;
  loadMs?: number;
  /** RSS 1 s after the serving line: the load's freed pages take ~0.1 s to go back to the OS */
  rssMB?: number;
  /** RSS at the serving line */
  rssAtServeMB?: number;
  /** RSS after the UDP and TCP runs, answer caches warm */
  rssAfterQueriesMB?: number;
  peakMB?: number;
}

/** One warm-up pass so the answer cache (and knot's) is hot, then peak UDP, fixed-rate UDP, pipelined TCP. */
async function measure(pid: number, port: number, queryFile: string, which: ('peak' | 'fixed' | 'tcp')[], tcpFile = queryFile): Promise<ServerRuns> {
  const r: ServerRuns = {};
  await runDnsperf({ port, queryFile, mode: 'udp', seconds: 2, outstanding: 100, cpu: CLIENT_CPU });
  if (which.includes('peak')) {
    const c0 = await cpuMs(pid);
    r.peak = await runDnsperf({ port, queryFile, mode: 'udp', seconds: SECONDS, outstanding: 100, cpu: CLIENT_CPU });
    r.cpuPeakUs = ((await cpuMs(pid)) - c0) * 1000 / r.peak.completed;
    log(`  udp peak ${r.peak.qps.toFixed(0)} qps, lost ${r.peak.lost}, ${r.cpuPeakUs.toFixed(1)} µs CPU per query`);
  }
  if (which.includes('fixed')) {
    const c0 = await cpuMs(pid);
    r.fixed = await runDnsperf({ port, queryFile, mode: 'udp', seconds: SECONDS, qps: 5000, outstanding: 1000, perQuery: true, cpu: CLIENT_CPU });
    r.cpuFixedUs = ((await cpuMs(pid)) - c0) * 1000 / r.fixed.completed;
    const l = r.fixed.latency!;
    log(`  udp 5k qps: p50 ${l.p50.toFixed(3)} p99 ${l.p99.toFixed(3)} max ${l.max.toFixed(1)} ms, ${r.cpuFixedUs.toFixed(1)} µs CPU per query`);
  }
  if (which.includes('tcp')) {
    r.tcp = await runDnsperf({ port, queryFile: tcpFile, mode: 'tcp', seconds: SECONDS, outstanding: 100, cpu: CLIENT_CPU });
    log(`  tcp ${r.tcp.qps.toFixed(0)} qps, avg ${r.tcp.avgMs.toFixed(2)} ms`);
  }
  return r;
}

/**
 * CPU time the server has used (user + system, all threads), from /proc. Per query, it is the cost measure that
 * other work on the machine disturbs least: QPS falls when a neighbour takes the core, CPU per query barely moves.
 */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/** Samples of the query file asked of both servers: the comparison is only fair if they give the same answers. */
async function crossCheck(lines: readonly QueryLine[], a: number, b: number): Promise<{ checked: number; differ: string[] }> {
  const seen = new Set<string>();
  const perClass = new Map<string, number>();
  const sample: QueryLine[] = [];
  for (const l of lines) {
    const key = `${l.name} ${l.type}`;
    if ((perClass.get(l.cls) ?? 0) >= 25 || seen.has(key)) continue;
    seen.add(key);
    perClass.set(l.cls, (perClass.get(l.cls) ?? 0) + 1);
    sample.push(l);
  }
  const differ: string[] = [];
  for (const l of sample) {
    // Truncated answers are compared over TCP, where both must give the whole set.
    let [pa, pb] = await Promise.all([queryUdp(a, l.name, l.type, 5000), queryUdp(b, l.name, l.type, 5000)]);
    let sa = answerShape(pa);
    let sb = answerShape(pb);
    const tcBoth = sa.tc && sb.tc;
    if (sa.tc || sb.tc) {
      [pa, pb] = await Promise.all([queryTcp(a, l.name, l.type, 5000), queryTcp(b, l.name, l.type, 5000)]);
      sa = answerShape(pa);
      sb = answerShape(pb);
    }
    const same = sa.rcode === sb.rcode && sa.answers.join('|') === sb.answers.join('|');
    if (!same || (!tcBoth && (answerShape(pa).tc !== answerShape(pb).tc))) {
      differ.push(`${l.name} ${l.type}: clusterdns ${sa.rcode} ${sa.answers.length} answers, knot ${sb.rcode} ${sb.answers.length} answers`);
    }
  }
  return { checked: sample.length, differ };
}

interface PropagationResult {
  how: string;
  trials: number[];
  /** the first change after start, apart: it runs code not compiled yet */
  first?: { ms: number; gap: number; stall: number };
  /** worst probe latency per trial */
  stalls: number[];
  /** longest time with no probe answered, per trial */
  gaps: number[];
  baselineMaxMs: number;
  baselineGapMs: number;
  lostProbes: number;
  note?: string;
}

function changeManifest(ip: string): string {
  return [
    'apiVersion: v1', 'kind: Service',
    'metadata:', '  name: bench-change', '  namespace: ns-000',
    'spec:', '  type: ClusterIP', `  clusterIP: ${ip}`, `  clusterIPs: [${ip}]`,
    '  ports:', '    - name: http', '      protocol: TCP', '      port: 80', '',
  ].join('\n');
}

/**
 * Edits a fixture file while dnsperf holds 5k QPS, and times from the write to the first probe answer carrying
 * the new address; the worst probe latency in that window is the longest the server stopped answering.
 */
async function propagation(server: ClusterdnsProcess, cluster: ClusterInfo, queryFile: string, trials: number,
  profileDir: string | undefined): Promise<{ result: PropagationResult; profile?: string }> {
  const file = path.join(cluster.dir, 'zz-bench-change.yaml');
  const prober = new Prober(server.port, 'bench-change.ns-000.svc.cluster.local', 'A');
  const background = spawn('taskset', ['-c', String(CLIENT_CPU), 'dnsperf', '-m', 'udp', '-s', '127.0.0.1', '-p', String(server.port),
    '-d', queryFile, '-l', '600', '-c', '1', '-T', '1', '-Q', '5000', '-q', '1000', '-t', '2'], { stdio: 'ignore' });
  const result: PropagationResult = { how: 'fixture file edit (hot reload)', trials: [], stalls: [], gaps: [], baselineMaxMs: 0, baselineGapMs: 0, lostProbes: 0 };
  let profile: string | undefined;
  prober.start(1);
  try {
    await sleep(2000);
    const b0 = performance.now();
    await sleep(2000);
    const base = prober.worst(b0, performance.now());
    result.baselineMaxMs = base.maxMs;
    result.baselineGapMs = base.maxGapMs;
    const phaseStart = performance.now();
    // Trial 0 is the first change after start (its code paths not yet compiled), reported on its own; then the
    // measured trials; then, with profiles on, one more change under the sampling profiler, which is not counted:
    // the profiler slows the server it samples.
    const profiled = profileDir ? 1 : 0;
    for (let i = 0; i <= trials + profiled; i++) {
      const ip = `10.111.0.${i + 1}`;
      const profiling = profileDir !== undefined && i === trials + 1;
      if (profiling) await server.profileToggle();
      const t0 = performance.now();
      await writeFile(file, changeManifest(ip));
      const hit = await prober.waitFor(t0, (r) => r.address === ip, 300_000);
      const t1 = performance.now();
      if (!hit) {
        result.note = `change ${i}: the answer had not changed after 300 s`;
        break;
      }
      // A probe sent just before the answer changed may still be waiting behind the rebuild: let it land.
      await sleep(500);
      if (profiling) { profile = await server.profileToggle(); log(`  profiled change: answer changed after ${(hit.receivedAt - t0).toFixed(0)} ms (not counted)`); break; }
      const w = prober.worst(t0, t1 + 250, 5000);
      recordTrial(result, i === 0, hit.receivedAt - t0, w);
      log(`  ${i === 0 ? 'first change' : `trial ${i}`}: answer changed after ${(hit.receivedAt - t0).toFixed(0)} ms, longest answer gap ${w.maxGapMs.toFixed(1)} ms, worst probe ${w.maxMs.toFixed(1)} ms, ${w.lost} probes lost`);
      if (performance.now() - phaseStart > 30_000 && i < trials) {
        result.note = `stopped after ${i} trial${i > 1 ? 's' : ''}: the phase's 30 s budget was spent`;
        break;
      }
      await sleep(1000);
    }
  } finally {
    prober.stop();
    background.kill('SIGINT');
    // The file stays until the server stops: removing it now would start one more reload under the next phase.
  }
  return { result, ...(profile ? { profile } : {}) };
}

async function adminPropagation(server: ClusterdnsProcess, adminPort: number, trials: number): Promise<PropagationResult> {
  const prober = new Prober(server.port, 'bench-admin.ns-000.svc.cluster.local', 'A');
  const result: PropagationResult = { how: 'admin API apply (POST /api/v1/objects)', trials: [], stalls: [], gaps: [], baselineMaxMs: 0, baselineGapMs: 0, lostProbes: 0 };
  prober.start(1);
  try {
    await sleep(500);
    for (let i = 0; i <= trials; i++) {
      const ip = `10.111.1.${i + 1}`;
      const t0 = performance.now();
      const res = await fetch(`http://127.0.0.1:${adminPort}/api/v1/objects`, {
        method: 'POST', headers: { 'content-type': 'application/yaml' },
        body: changeManifest(ip).replace('bench-change', 'bench-admin'),
      });
      if (!res.ok) {
        result.note = `POST /api/v1/objects answered ${res.status}: ${(await res.text()).slice(0, 200)}`;
        break;
      }
      const hit = await prober.waitFor(t0, (r) => r.address === ip, 30_000);
      if (!hit) { result.note = `apply ${i}: no change within 30 s`; break; }
      await sleep(300);
      const w = prober.worst(t0, hit.receivedAt + 250);
      recordTrial(result, i === 0, hit.receivedAt - t0, w);
      log(`  admin ${i === 0 ? 'first apply' : `trial ${i}`}: answer changed after ${(hit.receivedAt - t0).toFixed(0)} ms, longest answer gap ${w.maxGapMs.toFixed(1)} ms, worst probe ${w.maxMs.toFixed(1)} ms`);
      await sleep(500);
    }
  } catch (err) {
    result.note = `admin API: ${(err as Error).message}`;
  } finally {
    prober.stop();
  }
  return result;
}

/** A change's figures: the first one after start apart, the others as trials. */
function recordTrial(result: PropagationResult, first: boolean, ms: number, w: { maxMs: number; maxGapMs: number; lost: number }): void {
  if (first) {
    result.first = { ms, gap: w.maxGapMs, stall: w.maxMs };
  } else {
    result.trials.push(ms);
    result.stalls.push(w.maxMs);
    result.gaps.push(w.maxGapMs);
  }
  result.lostProbes += w.lost;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};

async function main(): Promise<void> {
  const tools = await checkTools();
  if (flags['workers-only']) { await workersOnly(tools.knotd); return; }
  const started = new Date();
  const loadBefore = os.loadavg();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'clusterdns-bench-'));
  const profileDir = flags['no-profile'] ? undefined : path.join(tmp, 'profiles');
  if (profileDir) await mkdir(profileDir, { recursive: true });
  log(`work dir ${tmp}`);
  const helpText = (await run(process.execPath, [path.join(ROOT, 'dist/server/main.js'), '--help'])).stdout;
  const hasAdmin = /--admin\b/.test(helpText);

  try {
    const largeShape = {
      ...LARGE,
      ...(flags.services ? { services: Number(flags.services) } : {}),
      ...(flags.pods ? { pods: Number(flags.pods) } : {}),
    };
    log(`writing the clusters: ${largeShape.services} services / ${largeShape.pods} pods, and ${SMALL.services} services`);
    const large = await writeExplicitCluster(path.join(tmp, 'large'), largeShape, FORMAT);
    const small = await writeExplicitCluster(path.join(tmp, 'small'), SMALL, FORMAT);
    const largeQueries = buildQueries(large, 20_000);
    const smallQueries = buildQueries(small, 20_000);
    const largeFile = path.join(tmp, 'queries-large.txt');
    const smallFile = path.join(tmp, 'queries-small.txt');
    await writeQueryFile(largeFile, largeQueries);
    await writeQueryFile(smallFile, smallQueries);
    const likeSmallFile = path.join(tmp, 'queries-large-like-small.txt');
    await writeQueryFile(likeSmallFile, limitDistinct(largeQueries, distinctQuestions(smallQueries)));
    const tcpFile = path.join(tmp, 'queries-large-tcp.txt');
    await writeQueryFile(tcpFile, largeQueries.filter((l) => !l.overTcpLimit));

    let zones;
    if (!flags['skip-knot']) {
      log('listing the records for knot (clusterdns records)');
      const recordsFile = path.join(tmp, 'records.txt');
      const rec = await runToFile(process.execPath, [path.join(ROOT, 'dist/server/main.js'), 'records', '--fixtures', large.dir], recordsFile);
      if (rec.code !== 0) throw new Error(`clusterdns records failed: ${rec.stderr}`);
      zones = await writeZoneFiles(path.join(tmp, 'knot'), await readFile(recordsFile, 'utf8'));
      log(`  ${zones.zones.map((z) => `${z.domain} ${z.records} records`).join(', ')}`);
    }

    // clusterdns, large cluster.
    log('clusterdns, large cluster: load');
    const cd = await startClusterdns({
      root: ROOT, fixtures: large.dir, port: CLUSTERDNS_PORT, cpu: SERVER_CPU,
      ...(profileDir ? { profileDir } : {}),
      ...(hasAdmin ? { extraArgs: ['--admin', `127.0.0.1:${CLUSTERDNS_PORT + 10}`] } : {}),
    });
    const cdRuns: ServerRuns = { loadMs: cd.loadMs };
    let likeSmallRuns: ServerRuns = {};
    let propagationResult: PropagationResult | undefined;
    let adminResult: PropagationResult | undefined;
    let hotProfile: ProfileSummary | undefined;
    let hotProfileQps: number | undefined;
    let reloadProfile: ProfileSummary | undefined;
    let check: { checked: number; differ: string[] } | undefined;
    let knotRuns: ServerRuns | undefined;
    try {
      cdRuns.rssAtServeMB = (await cd.memory()).rssMB;
      await sleep(1000);
      Object.assign(cdRuns, await cd.memory());
      log(`  serving after ${(cd.loadMs / 1000).toFixed(2)} s, RSS ${cdRuns.rssAtServeMB.toFixed(0)} MB then, ${cdRuns.rssMB!.toFixed(0)} MB 1 s later`);
      Object.assign(cdRuns, await measure(cd.pid, cd.port, largeFile, ['peak', 'fixed', 'tcp'], tcpFile));
      cdRuns.rssAfterQueriesMB = (await cd.memory()).rssMB;
      log('  the same, with the query set cut to as many distinct questions as the small cluster\'s');
      likeSmallRuns = await measure(cd.pid, cd.port, likeSmallFile, ['peak']);
      if (profileDir) {
        log('clusterdns: CPU profile under peak load');
        await cd.profileToggle();
        hotProfileQps = (await runDnsperf({ port: cd.port, queryFile: largeFile, mode: 'udp', seconds: SECONDS, outstanding: 100, cpu: CLIENT_CPU })).qps;
        const f = await cd.profileToggle();
        if (f) hotProfile = await summarizeProfile(f, ROOT);
      }
      log('clusterdns: change propagation under 5k qps');
      const p = await propagation(cd, large, largeFile, Number(flags.trials), profileDir);
      propagationResult = p.result;
      if (p.profile) reloadProfile = await summarizeProfile(p.profile, ROOT);
      if (hasAdmin) adminResult = await adminPropagation(cd, CLUSTERDNS_PORT + 10, Number(flags.trials));
      const mem = await cd.memory();
      cdRuns.peakMB = mem.peakMB;

      if (zones) {
        log('knot: load');
        const knot = await startKnot(path.join(tmp, 'knot'), zones, KNOT_PORT, SERVER_CPU, tools.knotd);
        try {
          log('cross-check: the same questions to both servers');
          check = await crossCheck(largeQueries, cd.port, knot.port);
          log(`  ${check.checked} questions, ${check.differ.length} answered differently`);
          await cd.stop();
          knotRuns = { loadMs: knot.loadMs, ...(await readKnotMemory(knot.pid)) };
          log(`knot: serving after ${(knot.loadMs / 1000).toFixed(2)} s`);
          Object.assign(knotRuns, await measure(knot.pid, knot.port, largeFile, ['peak', 'fixed', 'tcp'], tcpFile));
        } finally {
          await knot.stop();
        }
      }
    } finally {
      await cd.stop();
    }

    log('clusterdns, small cluster');
    const sm = await startClusterdns({
      root: ROOT, fixtures: small.dir, port: SMALL_PORT, cpu: SERVER_CPU,
      ...(hasAdmin ? { extraArgs: ['--admin', `127.0.0.1:${SMALL_PORT + 10}`] } : {}),
    });
    let smallRuns: ServerRuns;
    try {
      smallRuns = { loadMs: sm.loadMs, ...(await sm.memory()), ...(await measure(sm.pid, sm.port, smallFile, ['peak', 'fixed'])) };
    } finally {
      await sm.stop();
    }

    const workers = flags.workers ? await runWorkers(small.dir, smallFile, tmp, tools.knotd) : undefined;
    const report = renderReport({
      started, tools, loadBefore, loadAfter: os.loadavg(), largeCluster: large, smallCluster: small, largeQueries, smallQueries, cd: cdRuns, likeSmall: likeSmallRuns, knot: knotRuns, smallRuns,
      propagation: propagationResult, admin: adminResult, hasAdmin, hotProfile, hotProfileQps, reloadProfile, check,
    });
    process.stdout.write(`\n${report.table}\n`);
    const out = flags.out ?? path.join(ROOT, 'bench/results', `${started.toISOString().slice(0, 10)}-${os.hostname()}.md`);
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, report.markdown + (workers ? `\n${workersMarkdown(workers)}` : ''));
    if (workers) process.stdout.write(`\n${workersMarkdown(workers)}\n`);
    log(`results written to ${path.relative(process.cwd(), out)}`);
  } finally {
    if (flags['keep-temp']) log(`kept ${tmp}`);
    else await rm(tmp, { recursive: true, force: true });
  }
}

const WORKERS_PORT = 15356;

function runWorkers(fixtures: string, queryFile: string, tmp: string, knotd: string): Promise<WorkersResult> {
  const n = Number(flags.workers ?? '2');
  if (!Number.isInteger(n) || n < 2 || n > 16) throw new Error(`--workers ${flags.workers}: expected a whole number from 2 to 16`);
  return workersCase({
    root: ROOT, fixtures, queryFile, port: WORKERS_PORT, workers: n, seconds: SECONDS, serverCpu: SERVER_CPU, clientCpu: CLIENT_CPU,
    tmp, log, ...(flags['skip-knot'] ? {} : { knotd }),
  });
}

/** --workers-only: the small cluster, its query set, and the workers case alone. */
async function workersOnly(knotd: string): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'clusterdns-bench-'));
  try {
    const small = await writeExplicitCluster(path.join(tmp, 'small'), SMALL, FORMAT);
    const smallFile = path.join(tmp, 'queries-small.txt');
    await writeQueryFile(smallFile, buildQueries(small, 20_000));
    const r = await runWorkers(small.dir, smallFile, tmp, knotd);
    const md = `# clusterdns workers bench, ${new Date().toISOString()}\n\nMachine: ${os.availableParallelism()} cores, Linux ${os.release()}; node ${process.version}. Small cluster: ${small.services.length} services.\n\n${workersMarkdown(r)}`;
    process.stdout.write(`\n${md}\n`);
    if (flags.out) await writeFile(flags.out, md);
  } finally {
    if (flags['keep-temp']) log(`kept ${tmp}`);
    else await rm(tmp, { recursive: true, force: true });
  }
}

async function readKnotMemory(pid: number): Promise<{ rssMB: number; peakMB: number }> {
  const { readMemory } = await import('./clusterdns-process.js');
  return readMemory(pid);
}

interface ReportInput {
  started: Date;
  tools: { dnsperf: string; knot: string; knotd: string };
  loadBefore: number[];
  loadAfter: number[];
  largeCluster: ClusterInfo;
  smallCluster: ClusterInfo;
  largeQueries: QueryLine[];
  cd: ServerRuns;
  knot?: ServerRuns;
  smallRuns: ServerRuns;
  /** the large cluster with a query set of as many distinct questions as the small one's */
  likeSmall: ServerRuns;
  smallQueries: QueryLine[];
  propagation?: PropagationResult;
  admin?: PropagationResult;
  hasAdmin: boolean;
  hotProfile?: ProfileSummary;
  hotProfileQps?: number;
  reloadProfile?: ProfileSummary;
  check?: { checked: number; differ: string[] };
}

function renderReport(r: ReportInput): { table: string; markdown: string } {
  const f0 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(0));
  const f2 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(2));
  const ratio = (a?: number, b?: number) => (a === undefined || b === undefined || !b ? 'n/a' : `${(a / b).toFixed(2)}×`);
  const verdict = (ok: boolean | undefined) => (ok === undefined ? '–' : ok ? 'met' : '**missed**');
  const cd = r.cd;
  const kn = r.knot;
  const lat = (x?: DnsperfResult) => x?.latency;
  const prop = r.propagation;
  // CoreDNS's fitted memory use (Scaling_CoreDNS.md): MB = (pods + services) × 0.000858 + 49.1.
  const coreDnsMB = (r.largeCluster.pods + r.largeCluster.services.length) * 0.000858 + 49.1;
  const adm = r.admin;
  const allStalls = [...(prop?.stalls ?? []), ...(adm?.stalls ?? [])];
  const allGaps = [...(prop?.gaps ?? []), ...(adm?.gaps ?? [])];
  const worstStall = allStalls.length ? Math.max(...allStalls) : undefined;
  const worstGap = allGaps.length ? Math.max(...allGaps) : undefined;
  const withFirst = (p: PropagationResult) => (p.first ? [p.first.ms, ...p.trials] : p.trials);
  const firsts = [prop?.first, adm?.first].filter((x): x is NonNullable<typeof x> => x !== undefined);
  const rows: string[][] = [
    [`UDP peak QPS, mixed set, ${r.largeCluster.services.length} services (${distinctQuestions(r.largeQueries)} distinct questions)`, f0(cd.peak?.qps), f0(kn?.peak?.qps), ratio(cd.peak?.qps, kn?.peak?.qps), '≥ 0.5× knot',
      verdict(cd.peak && kn?.peak ? cd.peak.qps >= 0.5 * kn.peak.qps : undefined)],
    [`UDP peak QPS, mixed set, ${r.smallCluster.services.length} services (${distinctQuestions(r.smallQueries)} distinct questions)`, f0(r.smallRuns.peak?.qps), '', '', '', ''],
    [`UDP peak QPS, ${r.largeCluster.services.length} services, the set cut to as many distinct questions`, f0(r.likeSmall.peak?.qps), '', `${ratio(r.likeSmall.peak?.qps, r.smallRuns.peak?.qps)} large/small`, '≈ 1× (size-independent)',
      verdict(r.likeSmall.peak && r.smallRuns.peak ? r.likeSmall.peak.qps >= 0.9 * r.smallRuns.peak.qps : undefined)],
    [`Server CPU per query at peak, µs (${r.largeCluster.services.length} svc; the same cut; ${r.smallCluster.services.length} svc)`, `${f2(cd.cpuPeakUs)}; ${f2(r.likeSmall.cpuPeakUs)}; ${f2(r.smallRuns.cpuPeakUs)}`, f2(kn?.cpuPeakUs), ratio(cd.cpuPeakUs, kn?.cpuPeakUs), '≈ equal at both sizes', verdict(r.likeSmall.cpuPeakUs && r.smallRuns.cpuPeakUs ? r.likeSmall.cpuPeakUs <= 1.1 * r.smallRuns.cpuPeakUs : undefined)],
    [`Server CPU per query at 5k QPS, µs (${r.largeCluster.services.length} svc; ${r.smallCluster.services.length} svc)`, `${f2(cd.cpuFixedUs)}; ${f2(r.smallRuns.cpuFixedUs)}`, f2(kn?.cpuFixedUs), ratio(cd.cpuFixedUs, kn?.cpuFixedUs), '', ''],
    ['UDP at 5k QPS: p50 / p99 / p99.9 / max ms', `${f2(lat(cd.fixed)?.p50)} / ${f2(lat(cd.fixed)?.p99)} / ${f2(lat(cd.fixed)?.p999)} / ${f2(lat(cd.fixed)?.max)}`,
      kn ? `${f2(lat(kn.fixed)?.p50)} / ${f2(lat(kn.fixed)?.p99)} / ${f2(lat(kn.fixed)?.p999)} / ${f2(lat(kn.fixed)?.max)}` : '', ratio(lat(cd.fixed)?.p99, lat(kn?.fixed)?.p99) + ' p99',
      'p99 < 1 ms', verdict(lat(cd.fixed) ? lat(cd.fixed)!.p99 < 1 : undefined)],
    ['TCP QPS, 1 connection, 100 in flight', f0(cd.tcp?.qps), f0(kn?.tcp?.qps), ratio(cd.tcp?.qps, kn?.tcp?.qps), '≥ 1× knot',
      verdict(cd.tcp && kn?.tcp ? cd.tcp.qps >= kn.tcp.qps : undefined)],
    ['TCP average latency ms', f2(cd.tcp?.avgMs), f2(kn?.tcp?.avgMs), ratio(cd.tcp?.avgMs, kn?.tcp?.avgMs), '', ''],
    ['Queries lost (peak / 5k / TCP)', `${cd.peak?.lost ?? 'n/a'} / ${cd.fixed?.lost ?? 'n/a'} / ${cd.tcp?.lost ?? 'n/a'}`,
      kn ? `${kn.peak?.lost ?? 'n/a'} / ${kn.fixed?.lost ?? 'n/a'} / ${kn.tcp?.lost ?? 'n/a'}` : '', '', '0', ''],
    [`RSS after load (1 s after serving), MB (${r.largeCluster.services.length} svc / ${r.largeCluster.pods} pods)`, f0(cd.rssMB), f0(kn?.rssMB), ratio(cd.rssMB, kn?.rssMB), `< ${f0(coreDnsMB)} MB (CoreDNS formula)`, verdict(cd.rssMB !== undefined ? cd.rssMB < coreDnsMB : undefined)],
    ['RSS at the serving line; after the query runs (caches warm), MB', `${f0(cd.rssAtServeMB)}; ${f0(cd.rssAfterQueriesMB)}`, '', '', '', ''],
    ['Peak RSS over the run, MB', f0(cd.peakMB), f0(kn?.peakMB), '', '', ''],
    ['Load time, start → serving, s', f2((cd.loadMs ?? NaN) / 1000), f2((kn?.loadMs ?? NaN) / 1000), ratio(cd.loadMs, kn?.loadMs), '< 5 s', verdict(cd.loadMs !== undefined ? cd.loadMs < 5000 : undefined)],
    ['Change propagation, fixture edit, ms (median / max, the first change included)', prop && prop.trials.length ? `${f0(median(prop.trials))} / ${f0(Math.max(...withFirst(prop)))}` : 'n/a', '', '', '< 100 ms',
      verdict(prop && prop.trials.length ? Math.max(...withFirst(prop)) < 100 : undefined)],
    ['Change propagation, admin apply, ms (median / max, the first apply included)', adm && adm.trials.length ? `${f0(median(adm.trials))} / ${f0(Math.max(...withFirst(adm)))}` : r.hasAdmin ? 'failed' : 'n/a (no admin API)', '', '', '< 100 ms',
      verdict(adm && adm.trials.length ? Math.max(...withFirst(adm)) < 100 : undefined)],
    ['Longest stall during a reload, ms (longest gap between answers to a 1 ms probe; file edits and applies)', f0(worstGap), '', '', '< 10 ms', verdict(worstGap !== undefined ? worstGap < 10 : undefined)],
    ['Worst probe latency during a reload, ms (queueing behind the rebuild)', f0(worstStall), '', '', '', ''],
    ['First change after start (file edit; apply): propagation / longest gap, ms', firsts.length ? [prop?.first, adm?.first].map((x) => (x ? `${f0(x.ms)} / ${f0(x.gap)}` : 'n/a')).join('; ') : 'n/a', '', '', '', ''],
    ['Same two with no reload, ms (the floor: gap / latency)', `${f2(prop?.baselineGapMs)} / ${f2(prop?.baselineMaxMs)}`, '', '', '', ''],
  ];
  const header = ['Measure', 'clusterdns', kn ? 'knot' : 'knot (not run)', 'ratio', 'target', 'result'];
  const table = [header, ['---', '---', '---', '---', '---', '---'], ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');

  const cpu = os.cpus()[0]?.model ?? 'unknown';
  const q = r.largeQueries;
  const md: string[] = [
    `# clusterdns bench, ${r.started.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${os.hostname()}`,
    '',
    `Machine: ${os.availableParallelism()} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${os.release()}; node ${process.version}; dnsperf ${r.tools.dnsperf}; knot ${r.tools.knot}.`,
    `Load average (1/5/15 min) at start ${r.loadBefore.map((x) => x.toFixed(2)).join(' / ')}, at end ${r.loadAfter.map((x) => x.toFixed(2)).join(' / ')}: anything well above 0 means other work shared the cores and the figures are noisy.`,
    '',
    `Server pinned to CPU ${SERVER_CPU}, dnsperf to CPU ${CLIENT_CPU} (\`-c 1 -T 1\`, ${SECONDS} s per run, \`-q 100\` for peaks, \`-Q 5000\` with per-query latencies from \`-v\` for percentiles, \`-m tcp -q 100\` for TCP). knot: \`udp-workers: 1\`, \`tcp-workers: 1\`, \`background-workers: 1\`. Queries without EDNS, as glibc sends them.`,
    '',
    table,
    '',
    '## Fixture',
    '',
    `Large: ${r.largeCluster.services.length} Services (${r.largeCluster.clusterIPServices.length} ClusterIP with 14 endpoints, headless ${[...r.largeCluster.headlessBySize].map(([n, s]) => `${s.length}×${n}`).join(', ')} endpoints), ${r.largeCluster.pods} Pods, ${r.largeCluster.endpointSlices} EndpointSlices in ${r.largeCluster.files.length} ${FORMAT === 'yaml' ? 'YAML files (one per namespace, one document per object)' : 'JSON files (one per namespace, each a List)'}, written by \`bench/explicit-cluster.ts\`. Small: ${r.smallCluster.services.length} Services, ${r.smallCluster.pods} Pods, same mix.`,
    '',
    `Query set: ${q.length} questions (${mixSummary(q)}). search-miss is a pod's ndots:5 walk down its search list (\`<name>.<ns>.svc.cluster.local\`, \`.svc.cluster.local\`, \`.cluster.local\`, A and AAAA) for Service names and external names; headless-a-250 is truncated over UDP (no EDNS) in both servers. The TCP run leaves out the ${q.filter((l) => l.overTcpLimit).length} questions whose whole answer is over 16 KB (SRV of a 250-endpoint Service, 20-41 KB with its additional records): dnsperf 2.10 never completes a TCP response that large and every query behind it on the connection times out.`,
    '',
  ];
  if (r.check) {
    md.push(`Same records: ${r.check.checked} questions sampled across every class were asked of both servers (TCP where UDP truncated); ${r.check.differ.length} answered differently (rcode or answer set, TTL ignored).`);
    for (const d of r.check.differ.slice(0, 10)) md.push(`- ${d}`);
    md.push('');
  }
  if (r.propagation) {
    const p = r.propagation;
    md.push('## Change propagation', '',
      `${p.how}, at 5k QPS of background load from dnsperf: a Service's address changed by writing a new fixture file into the fixture folder; a UDP probe asked for its name every 1 ms. Per trial (ms from the write to the first answer carrying the new address / longest gap between probe answers / worst probe latency, in that window): ${p.trials.map((t, i) => `${t.toFixed(0)} / ${p.gaps[i].toFixed(1)} / ${p.stalls[i].toFixed(1)}`).join('; ') || 'none'}. Probes never answered (the socket buffer overflowed while the server was busy): ${p.lostProbes}. ${p.note ?? ''}`.trim(), '');
    if (r.admin) {
      md.push(`${r.admin.how}: ${r.admin.trials.map((t, i) => `${t.toFixed(0)} / ${r.admin!.gaps[i].toFixed(1)} / ${r.admin!.stalls[i].toFixed(1)}`).join('; ') || 'none'}. ${r.admin.note ?? ''}`.trim(), '');
    }
  }
  if (r.hotProfile) {
    md.push('## CPU profile under peak UDP load (top 10 self time)', '',
      `clusterdns, large cluster, ${SECONDS} s of \`-q 100\` (${f0(r.hotProfileQps)} QPS while profiled; sampling costs a little).`, '', profileTable(r.hotProfile), '');
  }
  if (r.reloadProfile) {
    md.push('## CPU profile of a reload (top 10 self time)', '',
      'The extra, uncounted fixture edit after the measured trials, from the write until the answer changed, with 5k QPS of background load.', '', profileTable(r.reloadProfile), '');
  }
  md.push('## Raw dnsperf summaries', '');
  const raw = (label: string, x?: DnsperfResult) => {
    if (!x) return;
    md.push(`- ${label}: ${x.qps.toFixed(0)} QPS, ${x.completed}/${x.sent} completed, avg ${x.avgMs.toFixed(3)} ms (min ${x.minMs.toFixed(3)}, max ${x.maxMs.toFixed(3)}), rcodes ${JSON.stringify(x.rcodes)}, avg sizes ${x.avgRequest}/${x.avgResponse} B; \`${x.command}\``);
  };
  raw('clusterdns UDP peak', cd.peak);
  raw('clusterdns UDP 5k', cd.fixed);
  raw('clusterdns TCP', cd.tcp);
  raw('clusterdns (100 services) UDP peak', r.smallRuns.peak);
  raw('knot UDP peak', kn?.peak);
  raw('knot UDP 5k', kn?.fixed);
  raw('knot TCP', kn?.tcp);
  md.push('');
  return { table, markdown: md.join('\n') };
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
