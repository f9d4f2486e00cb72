// --reuse-port / reusePort given wrongly, or where it cannot work: a clear error naming the flag, never a server
// that starts and then fails to share its port. Node < 22.12 ignores the socket option silently, so it is refused.
import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startClusterDns, type StartOptions } from '../lib/index.js';
import { explainBindError, ReusePortError, reusePortProblem } from '../lib/wire/reuse-port.js';
import { MAIN, ROOT, runCli } from './helpers/cli.js';

const run = promisify(execFile);
const loose = (o: Record<string, unknown>) => o as unknown as StartOptions;

t.test('reusePort takes true or false only', async (t) => {
  for (const bad of ['yes', 1, 'true', null, {}]) {
    await t.rejects(startClusterDns(loose({ reusePort: bad })), { name: 'TypeError', message: /startClusterDns: reusePort .*expected true or false/ }, `reusePort: ${JSON.stringify(bad)}`);
  }
  const off = await startClusterDns({ reusePort: false });
  t.teardown(() => off.close());
  t.ok(off.port > 0, 'reusePort: false starts as before');
});

t.test('--reuse-port takes no value', async (t) => {
  const r = await runCli(['--reuse-port=yes', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.equal(r.code, 2, 'a usage error');
  t.match(r.stderr, /--reuse-port.*does not take an argument/);
});

t.test('which Node versions have reusePort', async (t) => {
  for (const v of ['24.0.0', '26.1.0', '23.1.0', '22.12.0', '22.19.0']) t.equal(reusePortProblem(v), undefined, `${v} has it`);
  for (const v of ['22.11.0', '23.0.0', '20.20.2', '18.20.0']) t.match(reusePortProblem(v), new RegExp(`needs Node.js 22.12.0 .*this is ${v.replace(/\./g, '\\.')}`), `${v} does not`);
});

t.test('an older Node refuses --reuse-port with the version it needs (the real CLI on the machine\'s Node)', async (t) => {
  // The machine default is Node 20 here; elsewhere there may be no older node to try.
  let version = '';
  try {
    version = (await run('/usr/bin/node', ['-v'], { timeout: 10_000 })).stdout.trim().replace(/^v/, '');
  } catch {
    t.skip('no /usr/bin/node', () => {});
    return;
  }
  if (!reusePortProblem(version)) {
    t.skip(`/usr/bin/node is ${version}, which has reusePort`, () => {});
    return;
  }
  const r = await run('/usr/bin/node', [MAIN, '--reuse-port', '--listen', '127.0.0.1:0', '--admin', 'off'], { cwd: ROOT, timeout: 20_000 }).then(
    () => ({ code: 0, stderr: '' }), (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }));
  t.equal(r.code, 2, 'exit 2: a usage error, nothing was bound');
  t.match(r.stderr, new RegExp(`--reuse-port needs Node\\.js 22\\.12\\.0.*this is ${version.replace(/\./g, '\\.')}`));
});

t.test('a kernel that refuses SO_REUSEPORT is named as such; other errors pass through', async (t) => {
  const refused = Object.assign(new Error('bind ENOTSUP 127.0.0.1:53'), { code: 'ENOTSUP' });
  const e = explainBindError(refused, true, 'udp', '127.0.0.1:53');
  t.ok(e instanceof ReusePortError);
  t.match((e as Error).message, /--reuse-port \(reusePort\): the kernel refused SO_REUSEPORT on udp 127\.0\.0\.1:53/);
  t.equal(explainBindError(refused, false, 'udp', '127.0.0.1:53'), refused, 'without the flag: untouched');
  const denied = Object.assign(new Error('bind EACCES 0.0.0.0:53'), { code: 'EACCES' });
  t.equal(explainBindError(denied, true, 'udp', '0.0.0.0:53'), denied, 'EACCES is not about reusePort');
});
