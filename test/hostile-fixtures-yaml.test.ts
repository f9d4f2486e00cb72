// Hostile YAML through the fixture folder and the admin API: an alias bomb is refused with its file and line (at
// start-up, on reload, on apply) while the last good state keeps answering; a broken file is read and reported once
// per change, not on every recheck.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/cli.js';
import { metricValue, probe, serveFolder, sleep, statefulSet, writeAtomically } from './helpers/hostile-fixtures.js';
import { until } from './helpers/until.js';

/** Nine levels of nine aliases: ~470 bytes that expand to 9^9 (387 million) strings. */
function aliasBomb(name: string): string {
  const levels = 'abcdefghi'.split('');
  const lines = levels.map((l, i) => (i === 0
    ? `    ${l}: &${l} [${Array(9).fill('"lol"').join(',')}]`
    : `    ${l}: &${l} [${Array(9).fill(`*${levels[i - 1]}`).join(',')}]`));
  return `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  annotations:\n${lines.join('\n')}\nspec:\n  ports: [{port: 80}]\n`;
}
const BOMB_LINE = 7; // the first alias (`b: &b [*a,...]`)

const good = statefulSet('web', 2);
const WEB0 = 'web-0.web.default.svc.cluster.local';

t.test('an alias bomb at start-up: exit 1 with file:line, fast, no stack trace', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-hostile-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'bomb.yaml'), aliasBomb('bomb'));
  const t0 = Date.now();
  const r = await runCli(['--fixtures', dir, '--listen', '127.0.0.1:0', '--admin', 'off'], 30_000);
  t.equal(r.code, 1);
  t.match(r.stderr, new RegExp(`bomb\\.yaml:${BOMB_LINE}: document contains excessive aliasing`), 'names the file and the line of the first alias');
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  t.ok(Date.now() - t0 < 15_000, `refused in ${Date.now() - t0} ms, not after expanding it`);
});

t.test('an alias bomb written into the watched folder: refused, last good state keeps answering', async (t) => {
  const s = await serveFolder(t, { 'web.yaml': good });
  const p = probe(t, s.port, WEB0);
  t.ok(await p.waitFor(performance.now(), (r) => r.rcode === 'NOERROR' && r.address !== '', 5000), 'web-0 answers');
  const from = performance.now();
  writeAtomically(path.join(s.dir, 'bomb.yaml'), aliasBomb('bomb'));
  const st = await until(s.status, (x: any) => x.fixtures.lastError !== null, 10_000);
  t.match(st.fixtures.lastError, { file: path.join(s.dir, 'bomb.yaml'), line: BOMB_LINE, message: /excessive aliasing/ }, 'status names the file and line');
  await sleep(300);
  const w = p.worst(from, performance.now());
  t.ok(s.alive(), 'the process lives');
  t.ok(w.maxGapMs < 1000, `longest gap in answers ${w.maxGapMs.toFixed(1)} ms`);
  t.comment(`alias bomb on reload: longest gap ${w.maxGapMs.toFixed(1)} ms, RSS ${s.rssMB().toFixed(0)} MB`);
  t.ok(await p.waitFor(performance.now(), (r) => r.rcode === 'NOERROR' && r.address !== '', 2000), 'web-0 still answers');
  t.ok(s.rssMB() < 400, `RSS ${s.rssMB().toFixed(0)} MB`);
  t.equal(metricValue(await s.metrics(), 'coredns_reload_failed_total'), 1);
});

t.test('an alias bomb posted to the admin API: 400 with the line, nothing applied', async (t) => {
  const s = await serveFolder(t, { 'web.yaml': good });
  const p = probe(t, s.port, WEB0);
  const from = performance.now();
  const r = await s.apply(aliasBomb('bomb'));
  t.equal(r.status, 400);
  t.match(r.body.message, new RegExp(`<request>:${BOMB_LINE}: document contains excessive aliasing`));
  const w = p.worst(from, performance.now());
  t.ok(w.maxGapMs < 1000, `longest gap ${w.maxGapMs.toFixed(1)} ms`);
  t.ok(s.alive());
  const res = await (await fetch(`${s.admin}/api/v1/resolve?name=bomb.default.svc.cluster.local&type=A`)).json();
  t.equal(res.rcode, 'NXDOMAIN', 'the bomb was not applied');
  // Anchors and aliases a real manifest uses still work.
  const ok = await s.apply('apiVersion: v1\nkind: Service\nmetadata:\n  name: anchored\n  labels: &l {app: x}\n  annotations: *l\nspec:\n  clusterIP: 10.96.5.5\n');
  t.equal(ok.status, 200);
});

t.test('a file that fails to parse is read and reported once per change', async (t) => {
  const s = await serveFolder(t, { 'web.yaml': good, 'svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: hot\nspec:\n  clusterIP: 10.96.7.1\n' });
  const file = path.join(s.dir, 'svc.yaml');
  writeAtomically(file, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [broken\n');
  await until(s.status, (x: any) => x.fixtures.lastError !== null, 5000);
  await sleep(2000);
  const errors = s.stderr().split('\n').filter((l) => l.includes('fixture reload failed'));
  t.equal(errors.length, 1, 'one error line in 2 s');
  t.match(errors[0], /svc\.yaml:\d+: unexpected end/, "names the file and line");
  t.equal(metricValue(await s.metrics(), 'coredns_reload_failed_total'), 1, 'counted once');
  t.equal((await s.status()).fixtures.failedReloads, 1);
  const res = async () => (await (await fetch(`${s.admin}/api/v1/resolve?name=hot.default.svc.cluster.local&type=A`)).json());
  t.equal((await res()).answer[0]?.data, '10.96.7.1', 'the last good state serves');
  writeAtomically(file, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: hot\nspec:\n  clusterIP: 10.96.7.2\n');
  const fixed = await until(res, (r: any) => r.answer[0]?.data === '10.96.7.2', 5000);
  t.equal(fixed.answer[0]?.data, '10.96.7.2', 'the fix is served');
  t.equal((await s.status()).fixtures.lastError, null);
  // A second break after a fix is a new change: reported again, once.
  writeAtomically(file, 'kind: Service\nmetadata: {name: [x\n');
  await until(s.status, (x: any) => x.fixtures.lastError !== null, 5000);
  await sleep(1000);
  t.equal(metricValue(await s.metrics(), 'coredns_reload_failed_total'), 2);
});

t.test('a large document with `*` in its strings but no alias is not mistaken for a bomb', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-hostile-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // Flow style sends it through js-yaml (the fast path reads block YAML only); ~400,000 values, none aliased.
  const items: string[] = [];
  for (let i = 0; i < 25_000; i++) {
    items.push(`  - {apiVersion: v1, kind: Service, metadata: {name: s${i}, annotations: {cmd: "ls *.txt"}}, spec: {clusterIP: 10.96.${i >> 8}.${(i & 255) + 1}, ports: [{port: 80}]}}`);
  }
  writeFileSync(path.join(dir, 'list.yaml'), `apiVersion: v1\nkind: List\nitems:\n${items.join('\n')}\n`);
  const r = await runCli(['records', '--fixtures', dir], 60_000);
  t.equal(r.code, 0, r.stderr.slice(0, 300));
  t.match(r.stdout, /^s24999\.default\.svc\.cluster\.local\.\s+5\s+IN\s+A\s+10\.96\.97\.168$/m);
});
