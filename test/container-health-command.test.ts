// `clusterdns health` (the image's HEALTHCHECK) against the real CLI on this machine: it asks the listener the flags
// give (health listener, else admin /health, else DNS), fails with a line naming what it asked, and without flags
// reads a server's flags from PID 1's command line.
import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runCli, startCli, stopCli } from './helpers/cli.js';
import { cwdOfPid1, serverArgsOfPid1 } from '../server/health-command.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address() as net.AddressInfo; srv.close(() => resolve(port)); });
    srv.on('error', reject);
  });
}

t.test('health follows --admin, --health and --admin off (DNS); a listener that is not there fails naming it', async (t) => {
  const [dns, admin, health, nobody] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const listen = `127.0.0.1:${dns}`;
  const a = await startCli(['--listen', listen, '--admin', `127.0.0.1:${admin}`, '--health', `:${health}`, '--no-watch', '--log-level', 'warn']);
  t.teardown(() => stopCli(a.proc));
  const cases: [string[], number, RegExp][] = [
    [['--listen', listen, '--admin', `127.0.0.1:${admin}`], 0, new RegExp(`^clusterdns health: healthy: admin http://127\\.0\\.0\\.1:${admin}/health: 200 OK$`, 'm')],
    [['--listen', listen, '--admin', 'off', '--health', `:${health}`], 0, new RegExp(`healthy: health http://127\\.0\\.0\\.1:${health}/health: 200`)],
    [['--listen', listen, '--admin', 'off'], 0, new RegExp(`healthy: dns 127\\.0\\.0\\.1:${dns} SOA cluster\\.local\\.: NOERROR`)],
    [['--listen', listen, '--admin', 'off', '--zone', 'elsewhere.test'], 1, /unhealthy: dns .* SOA elsewhere\.test\.: REFUSED/],
    [['--listen', listen, '--admin', `127.0.0.1:${nobody}`], 1, new RegExp(`unhealthy: admin http://127\\.0\\.0\\.1:${nobody}/health: ECONNREFUSED`)],
    [['--listen', `127.0.0.1:${nobody}`, '--admin', 'off'], 1, /unhealthy: dns .*: no answer in 2000 ms/],
    [['--listen', '127.0.0.1:0'], 1, /admin listener on port 0 .*give it a fixed port/],
  ];
  for (const [args, code, pattern] of cases) {
    const r = await runCli(['health', ...args]);
    t.equal(r.code, code, `health ${args.join(' ')} exits ${code}`);
    t.match(r.stdout + r.stderr, pattern);
  }
  const usage = await runCli(['health', '--admin', 'nonsense']);
  t.equal(usage.code, 2, 'a bad flag is a usage error, as for serve');
});

t.test('without flags, the flags of PID 1 when it is clusterdns; nothing otherwise', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-health-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cmdline = (argv: string[]) => { const f = path.join(dir, `c${Math.random()}`); writeFileSync(f, `${argv.join('\0')}\0`); return f; };
  t.same(serverArgsOfPid1(cmdline(['node', '/app/dist/server/main.js', '--admin', 'off', '--listen', '0.0.0.0:53'])), ['--admin', 'off', '--listen', '0.0.0.0:53']);
  t.same(serverArgsOfPid1(cmdline(['node', '/usr/lib/node_modules/clusterdns/bin/clusterdns.js', 'serve', '--health', ':8080'])), ['--health', ':8080']);
  t.same(serverArgsOfPid1(cmdline(['node', '/app/dist/server/main.js'])), [], 'the image default: no flags');
  t.equal(serverArgsOfPid1(cmdline(['/sbin/init'])), undefined, 'PID 1 is not clusterdns');
  t.equal(serverArgsOfPid1(cmdline(['node', '/app/dist/server/main.js', 'records'])), undefined, 'PID 1 is not a server');
  t.equal(serverArgsOfPid1(path.join(dir, 'missing')), undefined, 'unreadable');
  const huge = cmdline(['node', '/app/dist/server/main.js', ...Array.from({ length: 20_000 }, () => '--no-watch')]);
  t.equal(serverArgsOfPid1(huge), undefined, 'a command line past the 64 KiB bound is not read at all (a cut could change an argument)');
  const fits = cmdline(['node', '/app/dist/server/main.js', ...Array.from({ length: 5000 }, () => '--no-watch')]);
  t.equal(serverArgsOfPid1(fits)?.length, 5000, 'one under the bound is read whole');
  // PID 1's relative paths are from its own folder: the `cwd` link beside its cmdline.
  const proc = path.join(dir, 'proc1');
  mkdirSync(proc);
  writeFileSync(path.join(proc, 'cmdline'), 'node\0/app/dist/server/main.js\0--corefile\0Corefile\0');
  symlinkSync(dir, path.join(proc, 'cwd'));
  t.equal(cwdOfPid1(path.join(proc, 'cmdline')), dir);
  t.equal(cwdOfPid1(path.join(dir, 'missing', 'cmdline')), undefined);
});
