// The process as a supervisor, a shell pipeline or a stray `kill` treats it (issue 11, "Process"): stdout a pipe
// nobody reads, `records | head -1`, and every signal that would end a Node process by default. The real CLI.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { promises as dnsp } from 'node:dns';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Prober } from '../bench/probe.js';
import { MAIN, ROOT } from './helpers/cli.js';

const BUNDLED = path.join(ROOT, 'fixtures');

function serviceYaml(name: string, ip: string): string {
  return `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: default}\nspec:\n  clusterIP: ${ip}\n  ports: [{name: http, port: 80}]\n`;
}

/** A UDP+TCP port free right now (the server binds both). */
async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const u = dgram.createSocket('udp4');
    const port = await new Promise<number>((resolve) => u.bind(0, '127.0.0.1', () => resolve(u.address().port)));
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    u.close();
    if (ok) return port;
  }
  throw new Error('no free port');
}

async function lookup(port: number, name: string, timeoutMs = 3000): Promise<string[] | Error> {
  const r = new dnsp.Resolver({ timeout: Math.min(timeoutMs, 1000), tries: Math.max(1, Math.round(timeoutMs / 1000)) });
  r.setServers([`127.0.0.1:${port}`]);
  return r.resolve4(name).catch((e: Error) => e);
}

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function alive(p: ChildProcess): boolean {
  if (p.exitCode !== null || p.signalCode !== null) return false;
  try { process.kill(p.pid!, 0); return true; } catch { return false; }
}

/** Is something accepting TCP connections there? */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const done = (v: boolean) => { s.destroy(); resolve(v); };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(2000, () => done(false));
  });
}

interface Cli { proc: ChildProcess; port: number; stderr: () => string; exited: Promise<void> }

/** Spawns the CLI on a known free port; `closeStdout` closes our end of its stdout pipe before it writes a byte. */
async function spawnCli(args: string[], o: { closeStdout?: boolean; closeStderr?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<Cli> {
  const port = await freePort();
  const proc = spawn(process.execPath, [MAIN, '--listen', `127.0.0.1:${port}`, '--admin', 'off', ...args], { cwd: ROOT, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (o.closeStdout) proc.stdout!.destroy();
  else proc.stdout!.resume();
  let err = '';
  if (o.closeStderr) proc.stderr!.destroy();
  else proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return { proc, port, stderr: () => err, exited };
}

async function stop(c: Cli): Promise<void> {
  if (!alive(c.proc)) return;
  c.proc.kill('SIGTERM');
  const t = setTimeout(() => c.proc.kill('SIGKILL'), 5000);
  await c.exited;
  clearTimeout(t);
}

t.test('stdout a closed pipe: the start-up line is dropped, the server serves', async (t) => {
  const c = await spawnCli(['--fixtures', BUNDLED], { closeStdout: true });
  t.teardown(() => stop(c));
  const answer = await until('an answer', async () => {
    if (!alive(c.proc)) throw new Error(`server died: ${c.stderr()}`);
    const a = await lookup(c.port, 'myapp.default.svc.cluster.local', 500);
    return Array.isArray(a) ? a : undefined;
  }, 20_000);
  t.ok(answer.length > 0, `answers with stdout closed: ${answer.join(', ')}`);
  // the start-up line was written (and refused) before the first answer; give the error event time to land
  await new Promise((r) => setTimeout(r, 300));
  t.ok(alive(c.proc), 'still running after its start-up line hit EPIPE');
  t.notMatch(c.stderr(), /EPIPE|Unhandled|at .*\(node:/, 'no stack on stderr');
  t.ok(Array.isArray(await lookup(c.port, 'myapp.default.svc.cluster.local')), 'still answers');
});

t.test('stdout and stderr both closed: log lines (signals, a reload) go nowhere, the server serves', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-closed-'));
  const file = path.join(dir, 'svc.yaml');
  writeFileSync(file, serviceYaml('quiet', '10.96.78.1'));
  const c = await spawnCli(['--fixtures', dir, '--no-watch', '--log-level', 'debug'], { closeStdout: true, closeStderr: true });
  t.teardown(() => stop(c));
  await until('an answer', async () => {
    if (!alive(c.proc)) throw new Error('server died');
    const a = await lookup(c.port, 'quiet.default.svc.cluster.local', 500);
    return Array.isArray(a) ? a : undefined;
  }, 20_000);
  writeFileSync(file, serviceYaml('quiet', '10.96.78.2'));
  for (const sig of ['SIGUSR2', 'SIGALRM', 'SIGHUP'] as const) {
    c.proc.kill(sig);
    await new Promise((r) => setTimeout(r, 200));
  }
  const a = await until('the reloaded answer', async () => {
    if (!alive(c.proc)) throw new Error('server died');
    const r = await lookup(c.port, 'quiet.default.svc.cluster.local', 500);
    return Array.isArray(r) && r[0] === '10.96.78.2' ? r : undefined;
  }, 10_000).catch((e: Error) => e);
  t.same(a, ['10.96.78.2'], 'SIGHUP reloaded though its log line had nowhere to go');
  t.ok(alive(c.proc), 'alive with both output pipes closed');
});

t.test('`clusterdns records | head -1`: one line, exit 0, nothing on stderr', async (t) => {
  // More than a pipe's 64 KB of records, so that the writer is still writing when head has left.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-records-'));
  let yaml = '';
  for (let i = 0; i < 1500; i++) yaml += `---\n${serviceYaml(`svc-${i}`, `10.96.${Math.floor(i / 250)}.${(i % 250) + 1}`)}`;
  writeFileSync(path.join(dir, 'many.yaml'), yaml);
  const sh = `{ "${process.execPath}" "${MAIN}" records --fixtures "${dir}"; echo "exit=$?" >&2; } | head -1`;
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const p = spawn('/bin/sh', ['-c', sh], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error('records | head -1 hung')); }, 30_000);
    p.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
  t.equal(r.stdout.split('\n').filter(Boolean).length, 1, 'head printed one line');
  t.match(r.stdout, /\tIN\t/, 'a record line');
  t.equal(r.stderr, 'exit=0\n', 'records exited 0 and wrote nothing to stderr');
  t.equal(r.code, 0);
});

t.test('signals: reload on SIGHUP/SIGUSR1, the rest ignored with one log line; the server lives and answers', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-signals-'));
  cpSync(BUNDLED, dir, { recursive: true });
  const file = path.join(dir, 'edited.yaml');
  writeFileSync(file, serviceYaml('edited', '10.96.77.1'));
  const c = await spawnCli(['--fixtures', dir, '--no-watch']);
  t.teardown(() => stop(c));
  await until('first answer', async () => {
    if (!alive(c.proc)) throw new Error(`server died: ${c.stderr()}`);
    const a = await lookup(c.port, 'edited.default.svc.cluster.local', 500);
    return Array.isArray(a) && a[0] === '10.96.77.1' ? true : undefined;
  }, 20_000);
  const prober = new Prober(c.port, 'edited.default.svc.cluster.local');
  prober.start(1);
  t.teardown(() => prober.stop());
  const from = performance.now();

  const linesFor = (sig: string) => c.stderr().split('\n').filter((l) => l.includes(`"signal":"${sig}"`));
  const signals: NodeJS.Signals[] = ['SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGVTALRM', 'SIGIO', 'SIGPWR', 'SIGXCPU', 'SIGXFSZ', 'SIGSTKFLT'];
  let ip = 1;
  for (const sig of signals) {
    const reload = sig === 'SIGHUP' || sig === 'SIGUSR1';
    if (reload) writeFileSync(file, serviceYaml('edited', `10.96.77.${++ip}`));
    const since = performance.now();
    c.proc.kill(sig);
    await until(`a log line for ${sig}`, () => linesFor(sig).length > 0 || !alive(c.proc) || undefined, 10_000).catch((e: Error) => t.fail(`${e.message}; stderr: ${c.stderr()}`));
    if (!t.ok(alive(c.proc), `${sig}: the process lives`)) break;
    t.equal(linesFor(sig).length, 1, `${sig}: one log line: ${linesFor(sig)[0] ?? ''}`);
    const want = `10.96.77.${ip}`;
    const r = await prober.waitFor(since, (x) => x.address === want, 5000);
    t.ok(r, `${sig}: answers ${want}${reload ? ' (the edited file, re-read without a watcher)' : ''}`);
    if (reload) t.match(linesFor(sig)[0], /fixtures reloaded/, `${sig} reloaded`);
    else t.match(linesFor(sig)[0], /ignored/, `${sig} says it is ignored`);
  }
  // SIGPIPE stays at Node's SIG_IGN (a handler would fire on every write to a reset client): survived, no line.
  c.proc.kill('SIGPIPE');
  await new Promise((r) => setTimeout(r, 300));
  t.ok(alive(c.proc), 'SIGPIPE: the process lives');
  t.equal(linesFor('SIGPIPE').length, 0, 'SIGPIPE: ignored without a log line');
  const w = prober.worst(from, performance.now() - 100);
  t.ok(w.answered > 100, `probes answered throughout (${w.answered})`);
  t.ok(w.maxGapMs < 1000, `longest gap without an answer ${w.maxGapMs.toFixed(1)} ms (< 1 s)`);
  t.equal(w.lost, 0, 'no probe lost');
  t.comment(`signals: longest answer gap ${w.maxGapMs.toFixed(1)} ms, worst probe latency ${w.maxMs.toFixed(1)} ms over ${w.answered} probes`);

  // A reload that fails keeps the last good state, says so once for the signal, and the process lives.
  writeFileSync(file, 'apiVersion: v1\nkind: Service\nmetadata: {name: [oops\n');
  const before = linesFor('SIGHUP').length;
  c.proc.kill('SIGHUP');
  await until('the failed reload line', () => linesFor('SIGHUP').length > before || undefined, 10_000);
  t.match(linesFor('SIGHUP').at(-1), /reload failed, still serving the last good state.*edited\.yaml/, 'names the file');
  t.ok(alive(c.proc), 'lives after a failed reload');
  const a = await lookup(c.port, 'edited.default.svc.cluster.local');
  t.same(a, [`10.96.77.${ip}`], 'the last good state answers');
  t.notMatch(c.stderr(), /Unhandled|\n\s+at /, 'no stack trace on stderr');
});

t.test('SIGUSR1 does not open the inspector', async (t) => {
  // On its own port (NODE_OPTIONS=--inspect-port sets where SIGUSR1 would open it, without opening it) so that the
  // check cannot meet another process's inspector, and on Node's default 9229 as the issue found it.
  const inspectPort = await freePort();
  for (const [label, env, port] of [['--inspect-port', { NODE_OPTIONS: `--inspect-port=127.0.0.1:${inspectPort}` }, inspectPort], ['default', {}, 9229]] as const) {
    const busy = await listening(port);
    if (busy) { t.comment(`port ${port} already in use by another process: ${label} case skipped`); continue; }
    // The control: a bare Node process does open it, so the check below can see an open inspector.
    if (label === '--inspect-port') {
      const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { env: { ...process.env, ...env }, stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 500));
      bare.kill('SIGUSR1');
      const opened = await until('the control inspector', () => listening(port).then((v) => v || undefined), 5000).catch(() => false);
      bare.kill('SIGKILL');
      await new Promise((r) => bare.once('exit', r));
      t.ok(opened, `control: plain node opens its inspector on ${port} on SIGUSR1`);
    }
    const c = await spawnCli(['--fixtures', BUNDLED, '--no-watch'], { env });
    await until('first answer', async () => {
      if (!alive(c.proc)) throw new Error(`server died: ${c.stderr()}`);
      return Array.isArray(await lookup(c.port, 'myapp.default.svc.cluster.local', 500)) || undefined;
    }, 20_000);
    c.proc.kill('SIGUSR1');
    await until('the SIGUSR1 line', () => c.stderr().includes('"signal":"SIGUSR1"') || undefined, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    t.notOk(await listening(port), `${label}: nothing listens on 127.0.0.1:${port} after SIGUSR1`);
    t.notMatch(c.stderr(), /Debugger listening/, `${label}: no "Debugger listening" line`);
    t.ok(alive(c.proc), `${label}: the process lives`);
    await stop(c);
  }
});

t.test('live mode: SIGHUP and SIGUSR1 say there is nothing to reload, and the watch keeps serving', async (t) => {
  const { FakeApiServer, kubeconfigFor } = await import('./fake-apiserver.js');
  const { clusterIPService, ns } = await import('./live-helpers.js');
  const api = await FakeApiServer.start();
  t.teardown(() => api.close());
  api.load([ns('shop'), clusterIPService('shop', 'cart', '10.96.7.7')] as any);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-live-signals-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(api));
  const c = await spawnCli(['--kubeconfig', kubeconfig]);
  t.teardown(() => stop(c));
  await until('first answer', async () => {
    if (!alive(c.proc)) throw new Error(`server died: ${c.stderr()}`);
    const a = await lookup(c.port, 'cart.shop.svc.cluster.local', 500);
    return Array.isArray(a) ? a : undefined;
  }, 20_000);
  for (const sig of ['SIGHUP', 'SIGUSR1'] as const) {
    c.proc.kill(sig);
    const line = await until(`the ${sig} line`, () => c.stderr().split('\n').find((l) => l.includes(`"signal":"${sig}"`)), 10_000);
    t.match(line, /nothing to reload \(live mode/, `${sig}: one line says so`);
    t.ok(alive(c.proc), `${sig}: the process lives`);
  }
  api.apply(clusterIPService('shop', 'pay', '10.96.7.8') as any);
  const pay = await until('the watch to deliver a new Service', async () => {
    const a = await lookup(c.port, 'pay.shop.svc.cluster.local', 500);
    return Array.isArray(a) ? a : undefined;
  }, 10_000);
  t.same(pay, ['10.96.7.8'], 'the watch still follows the cluster');
});
