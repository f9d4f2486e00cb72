// Hot reload by editing files on disk: a good edit applies within tens of milliseconds, a bad edit is reported and the
// last good state keeps serving, fixing it applies again.
// The broken files these tests write are logged as errors by design; the status and the answers are what is checked.
import t from 'tap';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startClusterDns } from '../lib/index.js';
import { ClusterStore } from '../lib/cluster/store.js';
import { defaultConfig } from '../lib/config.js';
import { FixtureSource } from '../lib/sources/fixtures.js';
import { query } from './helpers/dns-client.js';
import { until } from './helpers/until.js';

const silent = { info() {}, warn() {}, error() {}, debug() {} };
const svc = (ip: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: hot\nspec:\n  clusterIP: ${ip}\n`;


function writeAtomically(file: string, text: string) {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

t.test('edit, break, fix', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-reload-'));
  const file = path.join(dir, 'svc.yaml');
  writeFileSync(file, svc('10.96.1.1'));
  const dns = await startClusterDns({ logLevel: 'fatal', fixtures: [dir], watch: true, admin: '127.0.0.1:0' });
  t.teardown(() => dns.close());
  const ask = async () => (await query(dns.port, 'hot.default.svc.cluster.local', 'A')).answers?.[0]?.data;
  t.equal(await ask(), '10.96.1.1');

  let t0 = Date.now();
  writeAtomically(file, svc('10.96.1.2'));
  t.equal(await until(ask, (v) => v === '10.96.1.2'), '10.96.1.2', 'a good edit is applied');
  t.comment(`applied in ${Date.now() - t0} ms (the bench measures propagation; no timing is asserted here)`);

  writeAtomically(file, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [broken\n');
  const status = await until(async () => (await (await fetch(`http://${dns.adminAddress}/api/v1/status`)).json()),
    (s: any) => s.fixtures.lastError !== null);
  t.match(status.fixtures.lastError, { file, message: /svc\.yaml:\d+:/ }, 'status names the file and line');
  t.equal(await ask(), '10.96.1.2', 'the last good state keeps serving');
  const metrics = await (await fetch(`http://${dns.adminAddress}/metrics`)).text();
  t.match(metrics, 'coredns_reload_failed_total 1');
  t.match(metrics, 'clusterdns_fixture_reloads_total{result="failure"} 1');

  t0 = Date.now();
  writeAtomically(file, svc('10.96.1.3'));
  t.equal(await until(ask, (v) => v === '10.96.1.3'), '10.96.1.3', 'fixing the file applies it');
  const after = await (await fetch(`http://${dns.adminAddress}/api/v1/status`)).json();
  t.equal(after.fixtures.lastError, null, 'the error clears');

  writeFileSync(path.join(dir, 'more.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'added' }, spec: { clusterIP: '10.96.1.4' } }));
  const added = await until(async () => (await query(dns.port, 'added.default.svc.cluster.local', 'A')).rcode, (v) => v === 'NOERROR');
  t.equal(added, 'NOERROR', 'a new file in the folder is picked up');
});

t.test('no query is dropped while reloading', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-reload-'));
  const file = path.join(dir, 'svc.yaml');
  writeFileSync(file, svc('10.96.2.1'));
  const dns = await startClusterDns({ logLevel: 'fatal', fixtures: [dir] });
  t.teardown(() => dns.close());
  let answered = 0;
  let failed = 0;
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const r = await query(dns.port, 'hot.default.svc.cluster.local', 'A').catch(() => null);
      if (r && r.rcode === 'NOERROR' && r.answers?.length === 1) answered++; else failed++;
    }
  })();
  for (let i = 0; i < 20; i++) {
    writeFileSync(file, svc(`10.96.2.${i + 2}`));
    await dns.reload();
  }
  stop = true;
  await loop;
  t.ok(answered > 0, `${answered} queries answered during reloads`);
  t.equal(failed, 0, 'none lost or negative');
});

t.test('a broken file stays reported until it is fixed, whatever else changes', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-reload-'));
  const a = path.join(dir, 'a.yaml');
  const b = path.join(dir, 'b.yaml');
  writeFileSync(a, svc('10.96.4.1'));
  writeFileSync(b, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: other\nspec:\n  clusterIP: 10.96.4.2\n');
  const dns = await startClusterDns({ logLevel: 'fatal', fixtures: [dir], watch: true, admin: '127.0.0.1:0' });
  t.teardown(() => dns.close());
  const status = async () => (await (await fetch(`http://${dns.adminAddress}/api/v1/status`)).json()).fixtures;
  writeAtomically(a, 'kind: Service\nmetadata: {name: [x\n');
  t.match((await until(status, (s: any) => s.lastError !== null)).lastError.file, a);
  writeAtomically(b, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: other\nspec:\n  clusterIP: 10.96.4.3\n');
  await new Promise((r) => setTimeout(r, 400));
  t.match((await status()).lastError?.file, a, 'editing another file does not hide the broken one');
  t.equal((await query(dns.port, 'other.default.svc.cluster.local', 'A')).answers?.[0]?.data, '10.96.4.2', 'and the last good state keeps serving');
  writeAtomically(a, svc('10.96.4.9'));
  t.equal(await until(async () => (await query(dns.port, 'other.default.svc.cluster.local', 'A')).answers?.[0]?.data, (v) => v === '10.96.4.3'), '10.96.4.3', 'fixing it applies both edits');
  t.equal((await query(dns.port, 'hot.default.svc.cluster.local', 'A')).answers?.[0]?.data, '10.96.4.9');
});

t.test('edits in quick succession all land (chokidar drops a change within 50 ms of the last)', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-reload-'));
  const file = path.join(dir, 'svc.yaml');
  writeFileSync(file, svc('10.96.5.1'));
  const dns = await startClusterDns({ logLevel: 'fatal', fixtures: [dir], watch: true });
  t.teardown(() => dns.close());
  const ask = async () => (await query(dns.port, 'hot.default.svc.cluster.local', 'A')).answers?.[0]?.data;
  for (const gap of [0, 5, 15, 30, 45]) {
    writeAtomically(file, svc('10.96.5.2'));
    await new Promise((r) => setTimeout(r, gap));
    writeAtomically(file, svc(`10.96.5.${gap + 10}`));
    t.equal(await until(ask, (v) => v === `10.96.5.${gap + 10}`), `10.96.5.${gap + 10}`, `the second of two edits ${gap} ms apart is served`);
  }
});

t.test('a change to one namespace leaves every other namespace untouched', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-reload-'));
  const nsSvc = (ns: string, ip: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: ${ns}\nspec:\n  clusterIP: ${ip}\n`;
  writeFileSync(path.join(dir, 'a.yaml'), nsSvc('a', '10.96.6.1'));
  writeFileSync(path.join(dir, 'b.yaml'), nsSvc('b', '10.96.6.2'));
  const dns = await startClusterDns({ logLevel: 'fatal', fixtures: [dir], watch: false });
  t.teardown(() => dns.close());
  const changes: string[] = [];
  dns.store.onChange((cs) => { for (const c of cs) changes.push(`${c.type} ${c.kind} ${c.object.kind === 'Namespace' ? c.object.name : `${c.object.namespace}/${c.object.name}`}`); });
  writeFileSync(path.join(dir, 'a.yaml'), nsSvc('a', '10.96.6.3'));
  await dns.reload();
  t.same(changes, ['modified Service a/s'], 'only the edited object changes in the store');
  t.equal((await query(dns.port, 's.a.svc.cluster.local', 'A')).answers?.[0]?.data, '10.96.6.3');
  t.equal((await query(dns.port, 's.b.svc.cluster.local', 'A')).answers?.[0]?.data, '10.96.6.2');
});

t.test('files written, added or removed during the first load are read once watching starts', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-reload-'));
  const named = (n: string, ip: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${n}\nspec:\n  clusterIP: ${ip}\n`;
  writeFileSync(path.join(dir, 'a.yaml'), named('one', '10.96.7.1'));
  writeFileSync(path.join(dir, 'gone.yaml'), named('gone', '10.96.7.2'));
  const store = new ClusterStore();
  const src = new FixtureSource(store, { paths: [dir], namespace: 'default', synthesis: defaultConfig().synthesis, watch: true, logger: silent });
  t.teardown(() => src.stop());
  // The edits land while the first load is being synthesised, before the watcher exists (seconds on a large cluster).
  const self = src as unknown as { rebuild(ns?: Set<string>): Promise<void> };
  const rebuild = self.rebuild.bind(src);
  let first = true;
  self.rebuild = (ns) => {
    if (first) {
      first = false;
      writeFileSync(path.join(dir, 'a.yaml'), `${named('one', '10.96.7.1')}---\n${named('two', '10.96.7.3')}`);
      writeFileSync(path.join(dir, 'new.yaml'), named('added', '10.96.7.4'));
      rmSync(path.join(dir, 'gone.yaml'));
    }
    return rebuild(ns);
  };
  await src.start();
  t.ok(store.service('default', 'two'), 'an edit to a file read before it');
  t.ok(store.service('default', 'added'), 'a file added');
  t.notOk(store.service('default', 'gone'), 'a file removed');
  t.equal(src.status.files.length, 2);
});
