// `reload DURATION`: the hosts file is looked at every period and re-read when it changed, as CoreDNS's
// periodicHostsUpdate does; the answer cache is dropped with it (generation). A file that goes away keeps answering
// with what it held (CoreDNS keeps its map) and is read again when it comes back; a kubelet-style ConfigMap update
// (a symlink swapped to a new folder) is seen. A file refused at a bound keeps the last good entries, is logged with
// file:line, and counted in clusterdns_hosts_reload_failures_total.
import t from 'tap';
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { until } from './helpers/until.js';
import { query } from './helpers/dns-client.js';
import { LOCAL_LISTENERS, startCli, stopCli, tempDir, writeCluster } from './hosts-helpers.js';

const RELOAD_MS = 200;

/** A question over UDP from this process (quicker than a dig per poll, so the timing measures the server) */
async function addressOf(port: number, name: string): Promise<string[]> {
  return ((await query(port, name, 'A')).answers ?? []).filter((a) => a.type === 'A').map((a) => String(a.data));
}

t.test('a changed hosts file is served within the reload period; a bad one keeps the last good entries', async (t) => {
  const dir = tempDir(t);
  const cluster = writeCluster(dir);
  // As kubelet lays out a ConfigMap volume: NodeHosts -> ..data/NodeHosts, ..data -> a timestamped folder.
  const version = (n: number, text: string) => {
    const d = path.join(dir, `..v${n}`);
    mkdirSync(d);
    writeFileSync(path.join(d, 'NodeHosts'), text);
    symlinkSync(`..v${n}`, path.join(dir, '..data_tmp'));
    renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
  };
  version(1, '10.0.0.1 node-a\n');
  symlinkSync('..data/NodeHosts', path.join(dir, 'NodeHosts'));
  const file = path.join(dir, 'NodeHosts');
  const corefile = path.join(dir, 'Corefile');
  writeFileSync(corefile, `.:53 {\n  hosts ${file} {\n    reload ${RELOAD_MS}ms\n    fallthrough\n  }\n  kubernetes cluster.local\n  prometheus :9153\n}\n`);
  const srv = await startCli(['--corefile', corefile, '--fixtures', cluster.fixture, ...LOCAL_LISTENERS]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const metricsUrl = `http://${/metrics http:\/\/(\S+)/.exec(srv.stdout())![1]}/metrics`;
  const metric = async (re: RegExp) => Number(re.exec(await (await fetch(metricsUrl)).text())?.[1] ?? NaN);

  t.same(await addressOf(srv.port, 'node-a'), ['10.0.0.1']);
  t.same(await addressOf(srv.port, 'node-a'), ['10.0.0.1'], 'asked twice: the second from the answer cache');

  let since = performance.now();
  version(2, '10.0.0.2 node-a\n10.0.0.3 node-b\n');
  t.same(await until(() => addressOf(srv.port, 'node-a'), (a) => a[0] === '10.0.0.2', 3000), ['10.0.0.2'], 'the ConfigMap-style swap is seen, past the cached answer');
  const took = performance.now() - since;
  t.ok(took < RELOAD_MS + 800, `picked up in ${Math.round(took)} ms (reload ${RELOAD_MS}ms)`);
  t.same(await addressOf(srv.port, 'node-b'), ['10.0.0.3']);
  t.equal(await metric(/^coredns_hosts_entries\{hostsfile="[^"]+"\} (\d+)/m), 4, 'coredns_hosts_entries: two names, two PTRs');

  const fails = await metric(/^clusterdns_hosts_reload_failures_total\{[^}]*\} (\d+)/m);
  version(3, `10.0.0.9 node-a\n10.0.0.10 ${Array.from({ length: 300 }, (_, i) => `n${i}`).join(' ')}\n`);
  await until(async () => srv.stderr(), (s) => /NodeHosts:2: 300 names on one line/.test(s), 3000);
  t.match(srv.stderr(), /hosts: not loaded, the last good entries keep answering: \S+NodeHosts:2: 300 names on one line, over the 256/, 'refused, naming file:line');
  t.same(await addressOf(srv.port, 'node-a'), ['10.0.0.2'], 'the last good entries still answer');
  t.equal(await metric(/^clusterdns_hosts_reload_failures_total\{[^}]*\} (\d+)/m), (Number.isNaN(fails) ? 0 : fails) + 1, 'counted');

  version(4, '10.0.0.4 node-a\n');
  await until(() => addressOf(srv.port, 'node-a'), (a) => a[0] === '10.0.0.4', 3000);
  t.pass('a good edit after a bad one loads');

  rmSync(file);
  await until(async () => srv.stderr(), (s) => /NodeHosts is gone/.test(s), 3000);
  t.same(await addressOf(srv.port, 'node-a'), ['10.0.0.4'], 'a deleted file keeps answering with what it held (as CoreDNS)');
  since = performance.now();
  symlinkSync('..data/NodeHosts', file);
  version(5, '10.0.0.5 node-a\n');
  await until(() => addressOf(srv.port, 'node-a'), (a) => a[0] === '10.0.0.5', 3000);
  t.pass(`restored and read again in ${Math.round(performance.now() - since)} ms`);
});

t.test('reload 0 reads the file once', async (t) => {
  const dir = tempDir(t);
  const cluster = writeCluster(dir);
  const file = path.join(dir, 'hosts');
  writeFileSync(file, '10.0.0.1 once.test\n');
  const corefile = path.join(dir, 'Corefile');
  writeFileSync(corefile, `.:53 {\n  hosts ${file} {\n    reload 0\n  }\n  kubernetes cluster.local\n}\n`);
  const srv = await startCli(['--corefile', corefile, '--fixtures', cluster.fixture, ...LOCAL_LISTENERS]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  t.same(await addressOf(srv.port, 'once.test'), ['10.0.0.1']);
  writeFileSync(file, '10.0.0.22 once.test\n');
  await new Promise((r) => setTimeout(r, 600));
  t.same(await addressOf(srv.port, 'once.test'), ['10.0.0.1'], 'not re-read');
});
