// Workloads no real cluster holds, through the fixture folder (start-up, hot reload) and the admin API: refused
// before a pod is built, with the object, file and line, while the last good state keeps answering. A large
// workload that is accepted is built in slices that let answers through.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/cli.js';
import { deployment, metricValue, probe, serveFolder, sleep, statefulSet, writeAtomically } from './helpers/hostile-fixtures.js';
import { until } from './helpers/until.js';

const WEB0 = 'web-0.web.default.svc.cluster.local';
const answers = (r: { rcode: string; address: string }) => r.rcode === 'NOERROR' && r.address !== '';

t.test('start-up refuses replicas no cluster holds, naming object, file and line', async (t) => {
  const cases: [string, RegExp][] = [
    ['1e300', /huge\.yaml:11: StatefulSet "huge": spec\.replicas must be a non-negative integer of at most 2147483647/],
    ['100000000', /huge\.yaml:11: StatefulSet "huge": spec\.replicas is 100000000, more pods than a Kubernetes cluster holds \(at most 150000\)/],
    ['-1', /huge\.yaml:11: StatefulSet "huge": spec\.replicas must be a non-negative integer/],
    ['70000', /huge\.yaml:11: StatefulSet default\/huge: 70000 pods are more than the pod CIDR 10\.244\.0\.0\/16 has addresses \(64768\)/],
  ];
  for (const [replicas, want] of cases) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-hostile-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(path.join(dir, 'huge.yaml'), statefulSet('huge', replicas));
    const t0 = Date.now();
    const r = await runCli(['--fixtures', dir, '--listen', '127.0.0.1:0', '--admin', 'off'], 30_000);
    t.equal(r.code, 1, `replicas: ${replicas} → exit 1`);
    t.match(r.stderr, want);
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
    t.comment(`replicas: ${replicas}: refused in ${Date.now() - t0} ms`);
  }
  // Two workloads that each fit but together pass the cluster limit: the one that passes it is named.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-hostile-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'a.yaml'), deployment('a', 100000, 'team-a'));
  writeFileSync(path.join(dir, 'b.yaml'), deployment('b', 60000, 'team-b'));
  const r = await runCli(['--fixtures', dir, '--listen', '127.0.0.1:0', '--admin', 'off', '--pod-cidr', '10.0.0.0/12'], 60_000);
  t.equal(r.code, 1);
  t.match(r.stderr, /b\.yaml:1: Deployment team-b\/b: its 60000 pods would bring the cluster to 160000 pods, more than a Kubernetes cluster holds \(at most 150000\)/);
});

t.test('a hostile replicas edit on reload: refused, the last good state answers', async (t) => {
  const s = await serveFolder(t, { 'web.yaml': statefulSet('web', 2) });
  const p = probe(t, s.port, WEB0);
  t.ok(await p.waitFor(performance.now(), answers, 5000), 'web-0 answers');
  const from = performance.now();
  // An edit of a running workload, then a new file: both refused, web keeps its two pods.
  writeAtomically(path.join(s.dir, 'web.yaml'), statefulSet('web', '100000000'));
  const st1 = await until(s.status, (x: any) => x.fixtures.lastError !== null, 10_000);
  t.match(st1.fixtures.lastError, { file: path.join(s.dir, 'web.yaml'), line: 11, message: /StatefulSet "web": spec\.replicas is 100000000/ });
  writeAtomically(path.join(s.dir, 'huge.yaml'), deployment('huge', '1e300'));
  const st2 = await until(s.status, (x: any) => x.fixtures.failedReloads === 2, 10_000);
  t.match(st2.fixtures.lastError, { file: path.join(s.dir, 'huge.yaml'), line: 1, message: /Deployment "huge": spec\.replicas must be a non-negative integer of at most 2147483647/ });
  await sleep(200);
  const w = p.worst(from, performance.now());
  t.ok(s.alive(), 'the process lives');
  t.ok(w.maxGapMs < 1000, `longest gap ${w.maxGapMs.toFixed(1)} ms`);
  t.equal(w.lost, 0);
  t.ok(await p.waitFor(performance.now(), answers, 2000), 'web-0 still answers');
  t.equal(metricValue(await s.metrics(), 'coredns_reload_failed_total'), 2);
  t.ok(s.rssMB() < 400, `RSS ${s.rssMB().toFixed(0)} MB`);
  // Fixing the files applies again.
  writeAtomically(path.join(s.dir, 'web.yaml'), statefulSet('web', 3));
  writeAtomically(path.join(s.dir, 'huge.yaml'), deployment('huge', 1));
  const st3 = await until(s.status, (x: any) => x.fixtures.lastError === null, 10_000);
  t.equal(st3.fixtures.lastError, null);
  const web2 = await until(async () => (await (await fetch(`${s.admin}/api/v1/resolve?name=web-2.web.default.svc.cluster.local&type=A`)).json()),
    (r: any) => r.rcode === 'NOERROR', 5000);
  t.equal(web2.rcode, 'NOERROR', 'the fixed file is served');
});

t.test('hostile replicas posted to the admin API: 422 naming the object, nothing applied', async (t) => {
  const s = await serveFolder(t, { 'web.yaml': statefulSet('web', 2) }, ['--pod-cidr', '10.0.0.0/12']);
  const p = probe(t, s.port, WEB0);
  t.ok(await p.waitFor(performance.now(), answers, 5000));
  const from = performance.now();
  for (const [replicas, want] of [
    ['100000000', /<request>:11: StatefulSet "huge": spec\.replicas is 100000000, more pods than a Kubernetes cluster holds/],
    ['1e300', /<request>:11: StatefulSet "huge": spec\.replicas must be a non-negative integer of at most 2147483647/],
  ] as const) {
    const r = await s.apply(statefulSet('huge', replicas));
    t.equal(r.status, 422, `replicas: ${replicas}`);
    t.match(r.body.message, want);
    t.match(r.body.message, /nothing was applied/);
  }
  // Accepted, then one that would pass the cluster limit: refused without building its pods.
  const t0 = performance.now();
  const big = await s.apply(deployment('big', 80000, 'team-a'));
  t.equal(big.status, 200, '80,000 replicas fit');
  t.comment(`POST of an 80,000-replica Deployment answered in ${(performance.now() - t0).toFixed(0)} ms`);
  const over = await s.apply(deployment('more', 80000, 'team-b'));
  t.equal(over.status, 422);
  t.match(over.body.message, /<request>:1: Deployment team-b\/more: its 80000 pods would bring the cluster to 160002 pods, more than a Kubernetes cluster holds \(at most 150000\); lower spec\.replicas/);
  await sleep(100);
  const w = p.worst(from, performance.now());
  t.ok(s.alive());
  t.ok(w.maxGapMs < 1000, `longest gap ${w.maxGapMs.toFixed(1)} ms`);
  t.comment(`admin: hostile posts and an accepted 80,000-pod Deployment: longest gap in answers ${w.maxGapMs.toFixed(1)} ms`);
  t.ok(await p.waitFor(performance.now(), answers, 2000), 'web-0 still answers');
  const st = await s.status();
  t.equal(st.objects.Namespace === undefined || !JSON.stringify(st.objects).includes('team-b'), true);
  const res = await (await fetch(`${s.admin}/api/v1/resolve?name=team-b.svc.cluster.local&type=A`)).json();
  t.equal(res.rcode, 'NXDOMAIN', 'nothing of the refused apply was kept');
});

t.test('a large accepted workload written to the folder is built in slices', async (t) => {
  const s = await serveFolder(t, { 'web.yaml': statefulSet('web', 2) }, ['--pod-cidr', '10.0.0.0/12']);
  const p = probe(t, s.port, WEB0);
  t.ok(await p.waitFor(performance.now(), answers, 5000));
  await sleep(200);
  const from = performance.now();
  writeAtomically(path.join(s.dir, 'big.yaml'), statefulSet('big', 100000, 'big'));
  const last = await until(async () => (await (await fetch(`${s.admin}/api/v1/resolve?name=big-99999.big.big.svc.cluster.local&type=A`)).json()),
    (r: any) => r.rcode === 'NOERROR', 60_000);
  t.equal(last.rcode, 'NOERROR', 'the last of 100,000 pods answers');
  await sleep(100);
  const w = p.worst(from, performance.now());
  t.ok(w.maxGapMs < 1000, `longest gap ${w.maxGapMs.toFixed(1)} ms`);
  t.equal(w.lost, 0);
  t.comment(`100,000-replica StatefulSet by file edit: applied in ${(performance.now() - from).toFixed(0)} ms, longest gap in answers ${w.maxGapMs.toFixed(1)} ms, RSS ${s.rssMB().toFixed(0)} MB`);
});
