// `clusterdns snapshot` against the fake API server, as a user runs it: the snapshot file, served offline with
// --fixtures, answers every name live mode answers with the same records; two snapshots are byte-identical;
// --namespaces keeps one namespace's objects and answers.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { records, startClusterDns, startFakeApiCli } from './helpers/fakeapi.js';
import { runCli } from './helpers/cli.js';
import { until } from './helpers/until.js';

const FIXTURES = ['--fixtures', 'fixtures', '--fixtures', 'test/fixtures/schema'];

t.test('a snapshot serves what live mode serves, for every record it lists', async (t) => {
  const api = await startFakeApiCli(t, FIXTURES);
  const dir = mkdtempSync(join(tmpdir(), 'snapshot-rt-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'cluster.yaml');
  const snap = await runCli(['snapshot', '--kubeconfig', api.kubeconfig, '--pods', '--out', file]);
  t.equal(snap.code, 0, `snapshot exits 0 ${snap.stderr}`);
  t.equal(snap.stdout, '', 'with --out nothing goes to stdout');
  const text = readFileSync(file, 'utf8');
  t.notMatch(text, /resourceVersion|managedFields|uid:|creationTimestamp/, 'slim: no bookkeeping fields');

  const live = await startClusterDns(t, ['--source', 'kubernetes', '--kubeconfig', api.kubeconfig, '--pods', 'verified']);
  const offline = await startClusterDns(t, ['--fixtures', file, '--pods', 'verified', '--no-watch']);
  const want = await records(live.admin);
  t.ok(want.length > 40, `live mode serves ${want.length} records`);
  const got = await until(() => records(offline.admin), (r) => r.length === want.length, 10_000);
  t.same(got.filter((r) => !want.includes(r)), [], 'no record only the snapshot serves');
  t.same(want.filter((r) => !got.includes(r)), [], 'no record only live mode serves');

  if (!digMissing) {
    // A sample over DNS: every 7th listed name with its type (A, AAAA, SRV, PTR, CNAME alike).
    const sample = [...new Set(want.map((r) => r.split('\t')).map((f) => `${f[0]} ${f[3]}`))].filter((_, i) => i % 7 === 0).slice(0, 25);
    t.ok(sample.length >= 5, `${sample.length} names dug`);
    for (const q of sample) {
      const [name, type] = q.split(' ');
      const a = await dig(live.dns, [name, type]);
      const b = await dig(offline.dns, [name, type]);
      t.equal(digStatus(b), digStatus(a), `${q}: same status`);
      t.same(digSection(b, 'ANSWER').sort(), digSection(a, 'ANSWER').sort(), `${q}: same answer`);
    }
  }

  const again = await runCli(['snapshot', '--kubeconfig', api.kubeconfig, '--pods']);
  t.equal(again.code, 0);
  t.ok(again.stdout === text, 'a second snapshot of the same cluster is byte-identical');
  const diff = await runCli(['diff', 'fixtures', file]);
  t.ok(diff.code === 0 || diff.code === 1, 'diff runs on a snapshot');
});

t.test('--namespaces keeps only those namespaces', async (t) => {
  const api = await startFakeApiCli(t, FIXTURES);
  const snap = await runCli(['snapshot', '--kubeconfig', api.kubeconfig, '--namespaces', 'shop']);
  t.equal(snap.code, 0, snap.stderr);
  const namespaces = [...snap.stdout.matchAll(/^ {2}namespace: (\S+)$/gm)].map((m) => m[1]);
  t.ok(namespaces.length > 3, `${namespaces.length} namespaced objects`);
  t.same([...new Set(namespaces)], ['shop'], 'every namespaced object is in shop');
  t.same([...snap.stdout.matchAll(/^kind: Namespace\nmetadata:\n {2}name: (\S+)$/gm)].map((m) => m[1]), ['shop'], 'only the shop Namespace');

  const dir = mkdtempSync(join(tmpdir(), 'snapshot-ns-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'shop.yaml');
  const out = await runCli(['snapshot', '--kubeconfig', api.kubeconfig, '--namespaces', 'shop', '--out', file]);
  t.equal(out.code, 0);
  const live = await startClusterDns(t, ['--source', 'kubernetes', '--kubeconfig', api.kubeconfig]);
  const offline = await startClusterDns(t, ['--fixtures', file, '--no-watch']);
  const shop = (rs: string[]) => rs.filter((r) => /\.shop\.svc\.cluster\.local\.\t/.test(r.split('\t; ')[0].split('\t')[0] + '\t'));
  const want = shop(await records(live.admin));
  t.ok(want.length > 3, `${want.length} shop records live`);
  const got = await records(offline.admin);
  t.same(shop(got), want, 'the shop names answer as live');
  t.notOk(got.some((r) => /\.(default|kube-system)\.svc\.cluster\.local\./.test(r.split('\t')[0])), 'no other namespace answers');

  const bad = await runCli(['snapshot', '--kubeconfig', api.kubeconfig, '--namespaces', 'Shop!']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--namespaces/);
});
