// Files that are not files: a FIFO (or a folder) given where a Corefile, an import, a resolv.conf, a hosts file or a
// fixture is expected. A plain read of a FIFO waits for a writer forever (on the event loop for the synchronous
// Corefile readers, which would freeze DNS; on a libuv pool thread for the others). Each is refused at once with the
// file named, at start-up and on reload, and a running server keeps answering. Also resolv.conf `nameserver` lines
// that are not IP addresses: skipped as glibc skips them, an error naming the line when none is left.
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Prober } from '../bench/probe.js';
import { ROOT, runCli, startCli, stopCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';
import { until } from './helpers/until.js';

const MYAPP = { name: 'myapp.default.svc.cluster.local', ip: '10.96.120.15' };
const FIXTURE = path.join(ROOT, 'fixtures', 'myapp.yaml');
const BASE = ['--listen', '127.0.0.1:0', '--admin', 'off', '--fixtures', FIXTURE];

function dir(t: Test): string {
  const d = mkdtempSync(path.join(tmpdir(), 'clusterdns-special-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function fifo(p: string): string {
  execFileSync('mkfifo', [p]);
  return p;
}

/** The CLI must give up on its own well before runCli's 20 s timeout: a blocked read never would. */
async function refused(t: Test, args: string[], re: RegExp, what: string) {
  const at = Date.now();
  const r = await runCli(args, 15_000);
  t.not(r.code, 0, `${what}: exits with an error`);
  t.match(r.stderr + r.stdout, re, `${what}: the error names it`);
  t.ok(Date.now() - at < 10_000, `${what}: refused in ${Date.now() - at} ms, not blocked`);
}

t.test('a FIFO or a folder given as a Corefile, an import or a resolv.conf is refused at start-up, naming it', async (t) => {
  const d = dir(t);
  const pipe = fifo(path.join(d, 'pipe'));
  await refused(t, ['--corefile', pipe, ...BASE], /pipe.*not a regular file/s, 'Corefile FIFO');
  await refused(t, ['--corefile', d, ...BASE], /folder/, 'Corefile folder');

  const imp = path.join(d, 'Corefile.import');
  writeFileSync(imp, `cluster.local:53 {\n  import ${pipe}\n  kubernetes\n}\n`);
  await refused(t, ['--corefile', imp, ...BASE], /Corefile\.import line 2: import.*not a regular file/s, 'import of a FIFO');

  const fwd = path.join(d, 'Corefile.forward');
  writeFileSync(fwd, `.:53 {\n  kubernetes cluster.local\n  forward . ${pipe}\n}\n`);
  await refused(t, ['--corefile', fwd, ...BASE], /Corefile\.forward line 3: forward.*not a regular file/s, 'forward to a FIFO resolv.conf');
});

t.test('resolv.conf nameservers that are not IP addresses are skipped; none left is an error naming the lines', async (t) => {
  const d = dir(t);
  const onlyNames = path.join(d, 'resolv.names');
  writeFileSync(onlyNames, '# a hostname cannot be a nameserver\nnameserver dns.example.test\nnameserver 10.0.0.1.5\n');
  const bad = path.join(d, 'Corefile.bad');
  writeFileSync(bad, `.:53 {\n  kubernetes cluster.local\n  forward . ${onlyNames}\n}\n`);
  await refused(t, ['--corefile', bad, ...BASE], /Corefile\.bad line 3: forward.*no nameserver.*line 2: "dns\.example\.test" is not an IP address.*line 3: "10\.0\.0\.1\.5"/s, 'only hostnames');

  const mixed = path.join(d, 'resolv.mixed');
  // A link-local address on lo: connect() fails here, and that failure once reached a send() on an unconnected socket
  // and killed the process. Nothing leaves the machine either way.
  writeFileSync(mixed, 'nameserver dns.example.test\nnameserver fe80::1%lo\n');
  const good = path.join(d, 'Corefile.good');
  writeFileSync(good, `.:53 {\n  kubernetes cluster.local\n  forward . ${mixed}\n}\n`);
  const srv = await startCli(['--corefile', good, ...BASE]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const r = await query(srv.port, MYAPP.name, 'A');
  t.same((r.answers ?? []).map((a) => a.data), [MYAPP.ip], 'starts with the IP line and answers');
  const away = await query(srv.port, 'example.test', 'A');
  t.equal(away.rcode, 'SERVFAIL', 'a forwarded name whose only upstream cannot be reached: SERVFAIL');
  const again = await query(srv.port, MYAPP.name, 'A');
  t.same((again.answers ?? []).map((a) => a.data), [MYAPP.ip], 'and the server is still up');
  t.equal(srv.proc.exitCode, null, 'still running');
});

t.test('a FIFO among the fixtures is refused at start-up, naming the file', async (t) => {
  const d = dir(t);
  const fx = path.join(d, 'fixtures');
  mkdirSync(fx);
  writeFileSync(path.join(fx, 'a.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: { name: a }\n');
  fifo(path.join(fx, 'b.yaml'));
  await refused(t, ['--listen', '127.0.0.1:0', '--admin', 'off', '--fixtures', fx], /b\.yaml.*not a regular file/s, 'fixture FIFO');
});

t.test('a Corefile, a hosts file and a fixture replaced by FIFOs while running: refused, the last good state answers', async (t) => {
  const d = dir(t);
  const fx = path.join(d, 'fixtures');
  mkdirSync(fx);
  execFileSync('cp', [FIXTURE, path.join(fx, 'myapp.yaml')]);
  const hosts = path.join(d, 'hosts');
  writeFileSync(hosts, '10.0.0.7 kept.test\n');
  const corefile = path.join(d, 'Corefile');
  writeFileSync(corefile, `.:53 {\n  hosts ${hosts} {\n    reload 100ms\n    fallthrough\n  }\n  kubernetes cluster.local\n  reload 100ms 50ms\n}\n`);
  const srv = await startCli(['--corefile', corefile, '--listen', '127.0.0.1:0', '--admin', 'off', '--fixtures', fx]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const prober = new Prober(srv.port, MYAPP.name);
  t.teardown(() => prober.stop());
  prober.start(5);
  const from = performance.now();

  // rename(2) puts a FIFO where each file was, as an editor's atomic save puts a new file
  renameSync(fifo(path.join(d, 'hosts.new')), hosts);
  renameSync(fifo(path.join(d, 'Corefile.new')), corefile);
  renameSync(fifo(path.join(d, 'myapp.new')), path.join(fx, 'myapp.yaml'));
  await until(async () => srv.stderr(), (s) => /hosts.*not a regular file/s.test(s) && /Corefile.*not a regular file/s.test(s), 10_000);
  // the fixture watcher's rescan sees the FIFO too; give it its debounce
  await new Promise((r) => setTimeout(r, 1500));

  const to = performance.now();
  const w = prober.worst(from, to, 200);
  t.ok(w.answered > 50, `kept answering: ${w.answered} answers`);
  t.ok(w.maxGapMs < 1000, `longest time without an answer ${w.maxGapMs.toFixed(0)} ms`);
  t.ok(prober.replies.every((r) => r.rcode === 'NOERROR' && r.address === MYAPP.ip), 'every answer the last good one');
  const kept = await query(srv.port, 'kept.test', 'A');
  t.same((kept.answers ?? []).map((a) => a.data), ['10.0.0.7'], 'the last good hosts entries answer');
  t.equal(srv.proc.exitCode, null, 'still running');
});
