// `clusterdns resolver` on the real default paths: each run is in a mount namespace whose /etc is an overlay on the
// host's (the writes land in a temporary upper folder, the host's /etc is never changed) and whose /run is empty,
// so auto-detection sees only what the test makes. Then a real dnsmasq reads the folder the command wrote and dig,
// asking dnsmasq, gets clusterdns's answer for a cluster name.
import t, { type Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MAIN, runCli, startCli, stopCli } from './helpers/cli.js';
import { DNSMASQ_SKIP, findDnsmasq, freePort, startDnsmasq } from './helpers/dnsmasq.js';
import { dig, digMissing } from './helpers/dig.js';

const MARKER = '# clusterdns: written by `clusterdns resolver install`; `clusterdns resolver uninstall` removes it\n';

const SETUP = [
  'set -e',
  'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$U/u,workdir=$U/w" /etc',
  'mount -t tmpfs none /run',
  // The host's own resolver setup must not steer detection: only what $PREP makes counts (first run only: later
  // runs see what the earlier ones wrote).
  '[ -e "$U/init" ] || { rm -rf /etc/NetworkManager /etc/dnsmasq.d /etc/systemd/resolved.conf.d; touch "$U/init"; }',
  'eval "$PREP"',
  'exec "$@"',
].join('\n');

const nsMissing = (() => {
  const r = spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs none /mnt'], { encoding: 'utf8' });
  return r.status === 0 ? false : `cannot make a mount namespace here (unshare -m: ${(r.stderr || r.error?.message || '').trim()})`;
})();

/** `clusterdns resolver ARGS` inside a fresh mount namespace over the same upper folder. */
function inNs(upper: string, prep: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('unshare', ['-m', 'sh', '-c', SETUP, 'sh', process.execPath, MAIN, 'resolver', ...args], {
      env: { ...process.env, U: upper, PREP: prep },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`timeout: ${stdout} ${stderr}`)); }, 30_000);
    p.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

function makeUpper(t: Test): string {
  const upper = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-etc-'));
  mkdirSync(path.join(upper, 'u'));
  mkdirSync(path.join(upper, 'w'));
  t.teardown(() => rmSync(upper, { recursive: true, force: true }));
  return upper;
}

t.test('dnsmasq on /etc/dnsmasq.d: install, a real dnsmasq answers the cluster name from clusterdns, status, uninstall', { skip: nsMissing || (findDnsmasq() ? digMissing : DNSMASQ_SKIP) }, async (t) => {
  const upper = makeUpper(t);
  const prep = 'mkdir -p /etc/dnsmasq.d; [ -e /etc/dnsmasq.d/local.conf ] || echo "cache-size=100" > /etc/dnsmasq.d/local.conf';
  const port = await freePort();
  const inst = await inNs(upper, prep, ['install', '--port', String(port), '--no-reload']);
  t.equal(inst.code, 0, inst.stderr);
  t.match(inst.stdout, /^backend: dnsmasq \(detected: \/etc\/dnsmasq\.d exists\)\nwrote \/etc\/dnsmasq\.d\/clusterdns\.conf:\n/);
  t.match(inst.stdout, 'then run: systemctl restart dnsmasq');
  const dir = path.join(upper, 'u', 'dnsmasq.d');
  t.equal(readFileSync(path.join(dir, 'clusterdns.conf'), 'utf8'), `${MARKER}server=/cluster.local/127.0.0.1#${port}\n`);
  t.notOk(existsSync('/etc/dnsmasq.d/clusterdns.conf'), 'the host /etc is untouched');

  // The name and its addresses come from the bundled fixtures, as `clusterdns records` lists them.
  const records = await runCli(['records']);
  const name = 'myapp.default.svc.cluster.local.';
  const want = records.stdout.split('\n').filter((l) => l.startsWith(`${name}\t`) && /\tA\t/.test(l)).map((l) => l.split('\t').at(-1)!).sort();
  t.ok(want.length > 0, `the fixtures give ${name} an A record`);

  const srv = await startCli(['--listen', `127.0.0.1:${port}`, '--admin', 'off', '--no-watch', '--log-level', 'warn']);
  t.teardown(() => stopCli(srv.proc));
  // Only the folder the command wrote: the other file there (cache-size) is dnsmasq's own, read too.
  const dm = await startDnsmasq(findDnsmasq()!, [`--conf-dir=${dir}`]);
  t.teardown(() => dm.stop());
  const viaDnsmasq = await dig({ host: '127.0.0.1', port: dm.port }, [name, 'A', '+short']);
  t.same(viaDnsmasq.trim().split('\n').sort(), want, 'dnsmasq forwards the cluster zone to clusterdns');
  const outside = await dig({ host: '127.0.0.1', port: dm.port }, ['example.com', 'A']);
  t.notMatch(outside, /status: NOERROR/, 'names outside the zone are not sent to clusterdns');

  const st = await inNs(upper, prep, ['status']);
  t.equal(st.code, 0, st.stderr);
  t.match(st.stdout, `installed /etc/dnsmasq.d/clusterdns.conf:`);
  t.match(st.stdout, `cluster.local: 127.0.0.1:${port} SOA cluster.local.: clusterdns answers (NOERROR, authoritative`);

  const un = await inNs(upper, prep, ['uninstall', '--no-reload']);
  t.equal(un.code, 0, un.stderr);
  t.match(un.stdout, 'removed /etc/dnsmasq.d/clusterdns.conf');
  t.same(readdirSync(dir), ['local.conf'], 'only our file removed');
  t.equal(readFileSync(path.join(dir, 'local.conf'), 'utf8'), 'cache-size=100\n');
});

t.test('systemd-resolved detected from /run/systemd/resolve: the drop-in at its real path; a failing reload is a warning', { skip: nsMissing }, async (t) => {
  const upper = makeUpper(t);
  const prep = 'mkdir -p /run/systemd/resolve';
  // No --no-reload: /run is empty in the namespace, so systemctl reaches no systemd and fails (or is absent).
  const inst = await inNs(upper, prep, ['install', '--zone', 'cluster.test', '--port', '1053']);
  t.equal(inst.code, 0, inst.stderr);
  t.match(inst.stdout, /^backend: systemd-resolved \(detected: /);
  t.match(inst.stdout, 'wrote /etc/systemd/resolved.conf.d/clusterdns.conf:');
  t.match(inst.stderr, /warning: `systemctl reload-or-restart systemd-resolved` failed .*the files are in place/);
  t.equal(readFileSync(path.join(upper, 'u', 'systemd', 'resolved.conf.d', 'clusterdns.conf'), 'utf8'),
    `${MARKER}[Resolve]\nDNS=127.0.0.1:1053\nDomains=~cluster.test\n`);
  const un = await inNs(upper, prep, ['uninstall', '--no-reload']);
  t.equal(un.code, 0, un.stderr);
  t.match(un.stdout, 'removed /etc/systemd/resolved.conf.d/clusterdns.conf');
  t.same(readdirSync(path.join(upper, 'u', 'systemd', 'resolved.conf.d')), []);
});
