// A harness in any language starts the CLI with --listen 127.0.0.1:0 --ready-file PATH, waits for PATH, and reads every
// bound address from it. Two such instances never collide: the admin listener (and a Corefile's health/ready/metrics)
// go to free ports too, unless their own flag pins them.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAIN, ROOT, runCli, stopCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';
import { until } from './helpers/until.js';
import { defaultConfig } from '../lib/config.js';

interface Ready {
  version: string;
  pid: number;
  dns: { host: string; port: number; address: string; protocols: string[] };
  http: Record<string, { host: string; port: number; address: string; url: string }>;
  zones: string[];
  source: string;
}

const dir = mkdtempSync(join(tmpdir(), 'clusterdns-ready-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function spawnCli(args: string[]): { proc: ChildProcess; out: () => string } {
  const proc = spawn(process.execPath, [MAIN, '--log-level', 'warn', ...args], { cwd: ROOT });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  t.teardown(() => stopCli(proc, 'SIGKILL'));
  return { proc, out: () => out };
}

/** What a harness does: wait for the file to hold its child's pid (a stale file from an earlier run may be there). */
async function readReady(path: string, proc: ChildProcess, out: () => string): Promise<Ready> {
  const read = async () => (existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Ready) : null);
  const r = await until(read, (v) => v?.pid === proc.pid || proc.exitCode !== null, 20_000);
  if (!r || r.pid !== proc.pid) throw new Error(`no ready file from pid ${proc.pid}; output: ${out()}`);
  return r;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function answersA(port: number, name: string, tcp = false): Promise<string[]> {
  const r = await query(port, name, 'A', { tcp });
  return (r.answers ?? []).filter((a) => a.type === 'A').map((a) => a.data as string);
}

t.test('two instances with only --listen 127.0.0.1:0: every listener free, both in their ready files', async (t) => {
  const paths = [join(dir, 'a.json'), join(dir, 'b.json')];
  // A file left by an earlier run is not taken for this one's.
  writeFileSync(paths[0], '{"pid": 1, "stale": true}');
  const runs = paths.map((p) => ({ path: p, ...spawnCli(['--listen', '127.0.0.1:0', '--ready-file', p]) }));
  const ready = await Promise.all(runs.map((r) => readReady(r.path, r.proc, r.out)));
  for (const [i, r] of ready.entries()) {
    const { proc, out } = runs[i];
    t.equal(r.pid, proc.pid, `instance ${i}: this run's file`);
    t.equal(r.dns.host, '127.0.0.1');
    t.not(r.dns.port, 0);
    t.same(r.dns.protocols, ['udp', 'tcp']);
    t.match(out(), ` on 127.0.0.1:${r.dns.port} udp+tcp; admin http://127.0.0.1:${r.http.admin.port}`, 'the human line says the same');
    t.not(r.http.admin.port, defaultConfig().admin!.port, 'admin moved off its default port');
    t.same(await answersA(r.dns.port, 'myapp.default.svc.cluster.local'), ['10.96.120.15'], 'DNS answers over UDP at dns.port');
    t.same(await answersA(r.dns.port, 'myapp.default.svc.cluster.local', true), ['10.96.120.15'], 'and over TCP');
    const health = await fetch(`${r.http.admin.url}/health`);
    t.equal(health.status, 200, 'admin /health answers at http.admin.url');
    t.same(r.zones, ['cluster.local']);
    t.equal(r.source, 'fixtures');
  }
  t.not(ready[0].dns.port, ready[1].dns.port);
  t.not(ready[0].http.admin.port, ready[1].http.admin.port);
  for (const r of runs) t.equal(await stopCli(r.proc), 0, 'SIGTERM stops it cleanly');
  for (const p of paths) t.notOk(existsSync(p), `${p} removed on shutdown`);
});

t.test('--ready-file - prints the JSON as one stdout line', async (t) => {
  const { proc, out } = spawnCli(['--listen', '127.0.0.1:0', '--admin', 'off', '--ready-file', '-']);
  const line = await until(async () => out().split('\n').find((l) => l.startsWith('{')) ?? '', (l) => l !== '' || proc.exitCode !== null, 20_000);
  const r = JSON.parse(line) as Ready;
  t.equal(r.pid, proc.pid);
  t.same(r.http, {}, '--admin off: no HTTP listener');
  t.same(await answersA(r.dns.port, 'myapp.default.svc.cluster.local'), ['10.96.120.15']);
  await stopCli(proc);
});

t.test('a Corefile\'s fixed health/ready/prometheus ports go free with --listen :0; a flag pins its own', async (t) => {
  const corefile = join(dir, 'Corefile');
  writeFileSync(corefile, '.:53 {\n  health :8080\n  ready :8181\n  prometheus :9153\n  kubernetes cluster.local in-addr.arpa ip6.arpa\n}\n');
  const pinned = await freePort();
  const runs = ['c', 'd'].map((n, i) => {
    const path = join(dir, `${n}.json`);
    const extra = i === 0 ? ['--metrics', `127.0.0.1:${pinned}`] : [];
    return { path, ...spawnCli(['--corefile', corefile, '--listen', '127.0.0.1:0', ...extra, '--ready-file', path]) };
  });
  const ready = await Promise.all(runs.map((r) => readReady(r.path, r.proc, r.out)));
  for (const [i, r] of ready.entries()) {
    t.same(Object.keys(r.http).sort(), ['admin', 'health', 'metrics', 'ready'], `instance ${i}: the admin API and the Corefile's three listeners`);
    t.not(r.http.admin.port, defaultConfig().admin!.port);
    t.not(r.http.health.port, 8080);
    t.not(r.http.ready.port, 8181);
    t.equal((await fetch(`http://127.0.0.1:${r.http.health.port}/health`)).status, 200, 'health answers where the file says');
    t.equal((await fetch(`http://127.0.0.1:${r.http.ready.port}/ready`)).status, 200, 'ready answers where the file says');
    t.match(await (await fetch(`http://127.0.0.1:${r.http.metrics.port}/metrics`)).text(), 'coredns_build_info', 'metrics answer where the file says');
  }
  t.equal(ready[0].http.metrics.port, pinned, '--metrics given on the command line keeps its port');
  t.not(ready[1].http.metrics.port, 9153);
  for (const r of runs) await stopCli(r.proc);
});

t.test('--ready-file mistakes are usage errors that name the flag', async (t) => {
  const empty = await runCli(['--listen', '127.0.0.1:0', '--ready-file', '']);
  t.equal(empty.code, 2);
  t.match(empty.stderr, /--ready-file: expected a file path \(or - for stdout\)/);
  const folder = await runCli(['--listen', '127.0.0.1:0', '--admin', 'off', '--ready-file', dir]);
  t.equal(folder.code, 2);
  t.match(folder.stderr, `--ready-file ${dir}:`);
  const nowhere = join(dir, 'no-such-folder', 'ready.json');
  const missing = await runCli(['--listen', '127.0.0.1:0', '--admin', 'off', '--ready-file', nowhere]);
  t.equal(missing.code, 2, 'a file that cannot be written stops the server: a harness would wait for it forever');
  t.match(missing.stderr, `--ready-file ${nowhere}: cannot write it`);
});

t.test('a fixed --listen port leaves the admin default alone', async (t) => {
  const { parseCli } = await import('../server/cli.js');
  const { defaultConfig } = await import('../lib/config.js');
  const fixed = parseCli(['--listen', '127.0.0.1:5399']).config;
  t.same(fixed.admin, defaultConfig().admin, 'only port 0 frees the others');
  const free = parseCli(['--listen', '127.0.0.1:0', '--admin', '127.0.0.1:8099']).config;
  t.same(free.admin, { host: '127.0.0.1', port: 8099 }, 'an --admin flag is kept as given');
});
