// Exec credential plugins as they are in the wild: shell wrappers that start other processes (the time limit ends
// them all), plugins that leave a process behind holding stdout (their answer is taken once they exit), plugins
// with secrets in their args or printing a bare token (neither is echoed into errors or logs), and the environment
// they inherit (without clusterdns's own secrets).
import t from 'tap';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExecCredentialSource } from '../lib/sources/kubeconfig/exec-credential.js';
import { FakeApiServer } from './fake-apiserver.js';
import { runCli, startCli, stopCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';
import { until } from './helpers/until.js';
import { bearerOf, loadShop, simpleKubeconfig, tempDir } from './kubeconfig-helpers.js';

const v1 = 'client.authentication.k8s.io/v1';
const CREDENTIAL = JSON.stringify({ apiVersion: v1, kind: 'ExecCredential', status: { token: 'from-shell' } });

function shellPlugin(dir: string, name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

function userOf(dir: string, exec: Record<string, unknown>) {
  const file = join(dir, 'kubeconfig');
  return { name: 'u', fields: { exec: { apiVersion: v1, ...exec } }, file, where: `kubeconfig ${file}: users[0] "u"` };
}

/** Whether a process is gone (or a zombie waiting for its reaper). */
function gone(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

t.test('the time limit ends a wrapper script and the child it waits for, at once', async (t) => {
  const dir = tempDir(t);
  const pidFile = join(dir, 'sleep.pid');
  const plugin = shellPlugin(dir, 'wrapper', `sleep 30 &\necho $! > ${pidFile}\nwait\necho '${CREDENTIAL}'`);
  const source = new ExecCredentialSource(userOf(dir, { command: plugin }), dir, { server: 'http://127.0.0.1:9' }, 500);
  const began = Date.now();
  await t.rejects(source.get(), { name: 'KubeConfigError', message: /the credential plugin ".*wrapper" did not finish within 0.5 s/ });
  const took = Date.now() - began;
  t.ok(took < 3000, `rejected after ${took} ms, not when the child's sleep ends`);
  t.ok(existsSync(pidFile), 'the wrapper started its child');
  const pid = Number(readFileSync(pidFile, 'utf8'));
  await until(async () => gone(pid), (x) => x, 2000).catch(() => undefined);
  t.ok(gone(pid), 'the child (sleep 30) was killed with its process group');
});

t.test('a plugin that exits leaving a process that holds stdout: its answer is used (the CLI syncs)', async (t) => {
  const api = await FakeApiServer.start({ authorize: (req) => bearerOf(req) === 'from-shell' });
  t.teardown(() => api.close());
  loadShop(api);
  const dir = tempDir(t);
  const pidFile = join(dir, 'sleep.pid');
  const plugin = shellPlugin(dir, 'leaves-child', `echo '${CREDENTIAL}'\nsleep 30 &\necho $! > ${pidFile}\nexit 0`);
  t.teardown(() => {
    try { process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL'); } catch { /* gone */ }
  });
  const kubeconfig = simpleKubeconfig(join(dir, 'kubeconfig'), { server: api.url }, { exec: { apiVersion: v1, command: plugin } });
  const began = Date.now();
  const srv = await startCli(['--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const a = await until(() => query(srv.port, 'cart.shop.svc.cluster.local', 'A'), (r) => r.rcode === 'NOERROR', 15_000);
  t.equal(a.answers?.[0]?.data, '10.96.7.7');
  const took = Date.now() - began;
  t.ok(took < 10_000, `synced after ${took} ms, not after the stray sleep 30`);
});

t.test('secrets in the plugin args and a bare token it prints appear in neither the CLI stderr nor the error', async (t) => {
  const api = await FakeApiServer.start({ authorize: () => true });
  t.teardown(() => api.close());
  const dir = tempDir(t);
  const secret = 'oidc-client-secret-4f1c9a7e';
  const token = 'ya29.a0AfB_SECRET_ACCESS_TOKEN_0123456789abcdef';
  const bare = shellPlugin(dir, 'bare-token', `echo "${token}"`);
  const failing = shellPlugin(dir, 'failing', 'echo "login required" >&2; exit 4');
  const args = ['get-token', `--oidc-client-secret=${secret}`];
  const printsToken = simpleKubeconfig(join(dir, 'prints-token'), { server: api.url }, { exec: { apiVersion: v1, command: bare, args } });
  const exits = simpleKubeconfig(join(dir, 'exits'), { server: api.url }, { exec: { apiVersion: v1, command: failing, args } });
  const [p, e] = await Promise.all([
    runCli(['--kubeconfig', printsToken, '--listen', '127.0.0.1:0', '--admin', 'off']),
    runCli(['--kubeconfig', exits, '--listen', '127.0.0.1:0', '--admin', 'off']),
  ]);
  t.equal(p.code, 1);
  t.match(p.stderr, `the credential plugin "${bare}" printed ${token.length + 1} bytes: not an ExecCredential JSON object`, 'the output is described by its length');
  t.equal(e.code, 1);
  t.match(e.stderr, `the credential plugin "${failing}" exited with 4; its stderr: login required`);
  for (const r of [p, e]) {
    t.notOk(r.stderr.includes(secret) || r.stdout.includes(secret), 'the secret in args is not shown');
    t.notOk(r.stderr.includes(token) || r.stdout.includes(token), 'the printed token is not shown');
  }
  for (const [user, what] of [[userOf(dir, { command: bare, args }), 'bare token'], [userOf(dir, { command: failing, args }), 'exit 4']] as const) {
    const err = await new ExecCredentialSource(user, dir, { server: api.url }).get().then(() => undefined, (x: Error) => x);
    t.ok(err, `${what}: rejected`);
    t.notOk(err!.message.includes(secret) || err!.message.includes(token), `${what}: the thrown message holds neither secret: ${err!.message}`);
  }
});

t.test("the plugin's environment: the kubeconfig's env and KUBERNETES_EXEC_INFO, without CLUSTERDNS_ADMIN_TOKEN", async (t) => {
  const api = await FakeApiServer.start({ authorize: (req) => bearerOf(req) === 'from-shell' });
  t.teardown(() => api.close());
  loadShop(api);
  const dir = tempDir(t);
  const envFile = join(dir, 'env');
  const plugin = shellPlugin(dir, 'print-env', `env > ${envFile}\necho '${CREDENTIAL}'`);
  const kubeconfig = simpleKubeconfig(join(dir, 'kubeconfig'), { server: api.url },
    { exec: { apiVersion: v1, command: plugin, env: [{ name: 'PLUGIN_SETTING', value: 'from-kubeconfig' }] } });
  const adminToken = 'admin-token-5e2b77c1d0';
  // The CLI inherits this process's environment when it is spawned.
  const saved = process.env.CLUSTERDNS_ADMIN_TOKEN;
  process.env.CLUSTERDNS_ADMIN_TOKEN = adminToken;
  process.env.PLUGIN_TEST_MARKER = 'inherited';
  const started = startCli(['--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  if (saved === undefined) delete process.env.CLUSTERDNS_ADMIN_TOKEN; else process.env.CLUSTERDNS_ADMIN_TOKEN = saved;
  delete process.env.PLUGIN_TEST_MARKER;
  const srv = await started;
  t.teardown(() => stopCli(srv.proc));
  const a = await until(() => query(srv.port, 'cart.shop.svc.cluster.local', 'A'), (r) => r.rcode === 'NOERROR', 10_000);
  t.equal(a.answers?.[0]?.data, '10.96.7.7');
  const env = readFileSync(envFile, 'utf8');
  t.match(env, /^PLUGIN_TEST_MARKER=inherited$/m, 'the rest of the environment is inherited (PATH, HOME, cloud CLI settings)');
  t.match(env, /^PLUGIN_SETTING=from-kubeconfig$/m, "the kubeconfig's exec.env is set");
  t.match(env, /^KUBERNETES_EXEC_INFO=/m);
  t.notOk(env.includes('CLUSTERDNS_ADMIN_TOKEN') || env.includes(adminToken), 'the admin token is not passed on');
});

t.test('a plugin still running when clusterdns stops is ended with it (its own process group gets no Ctrl-C)', async (t) => {
  let accepted = 'from-shell';
  const api = await FakeApiServer.start({ authorize: (req) => bearerOf(req) === accepted });
  t.teardown(() => api.close());
  loadShop(api);
  const dir = tempDir(t);
  const pidFile = join(dir, 'sleep.pid');
  const runs = join(dir, 'runs');
  // First run: a credential. Second run (after the 401 below): hangs in a child, as a login flow waiting would.
  const plugin = shellPlugin(dir, 'second-hangs', `if [ -e ${runs} ]; then sleep 30 & echo $! > ${pidFile}; wait; fi\ntouch ${runs}\necho '${CREDENTIAL}'`);
  t.teardown(() => {
    try { process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL'); } catch { /* gone */ }
  });
  const kubeconfig = simpleKubeconfig(join(dir, 'kubeconfig'), { server: api.url }, { exec: { apiVersion: v1, command: plugin } });
  const srv = await startCli(['--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  await until(() => query(srv.port, 'cart.shop.svc.cluster.local', 'A'), (r) => r.rcode === 'NOERROR', 10_000);
  accepted = 'never';
  api.endWatches();
  await until(async () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', (x) => x, 10_000);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  t.notOk(gone(pid), 'the second run is waiting in its child');
  const stopping = Date.now();
  t.equal(await stopCli(srv.proc), 0, 'clusterdns stopped on SIGTERM');
  const took = Date.now() - stopping;
  t.ok(took < 10_000, `stopped in ${took} ms, not waiting for the plugin`);
  await until(async () => gone(pid), (x) => x, 3000).catch(() => undefined);
  t.ok(gone(pid), "the plugin's child was killed when clusterdns exited");
});
