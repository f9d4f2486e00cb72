// A real secondary: Knot DNS (Debian's knotd) configured as a secondary of clusterdns over loopback transfers the
// cluster zone, then answers every name of the transfer as clusterdns does. Skipped when knotd is not installed.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dig, digMissing } from './helpers/dig.js';
import { ROOT, startCli, stopCli } from './helpers/cli.js';
import { digLines } from './helpers/transfer.js';
import { until } from './helpers/until.js';

const knotMissing = spawnSync('knotd', ['--version']).status === 0 ? false : 'knotd is not installed (apt-get install knot)';

/** A port free over both UDP and TCP on 127.0.0.1 (knot needs one of its own). */
async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const srv = net.createServer();
    const port = await new Promise<number>((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as net.AddressInfo).port)));
    const udp = dgram.createSocket('udp4');
    const ok = await new Promise<boolean>((r) => { udp.once('error', () => r(false)); udp.bind(port, '127.0.0.1', () => r(true)); });
    udp.close();
    await new Promise((r) => srv.close(r));
    if (ok) return port;
  }
  throw new Error('no free port');
}

/**
 * Records compared as sets, an SRV's weight apart (see below): a headless endpoint in two EndpointSlices (one per
 * address family) has two SRVs in the transfer, weighted per slice, and one in a query's answer.
 */
const shape = (lines: string[]) => [...new Set(lines.map((l) => {
  const f = l.split(' ');
  return f[3] === 'SRV' ? [...f.slice(0, 5), 'W', ...f.slice(6)].join(' ') : l;
}))].sort();

if (digMissing || knotMissing) t.plan(0, (digMissing || knotMissing) as string);
else {
  const srv = await startCli(['--fixtures', join(ROOT, 'fixtures'), '--fixtures', join(ROOT, 'test', 'fixtures', 'transfer'),
    '--listen', '127.0.0.1:0', '--admin', 'off', '--transfer-to', '127.0.0.1', '--log-level', 'warn', '--no-watch']);
  t.teardown(() => stopCli(srv.proc));
  const primary = { host: '127.0.0.1', port: srv.port };

  const dir = mkdtempSync(join(tmpdir(), 'clusterdns-knot-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const knotPort = await freePort();
  writeFileSync(join(dir, 'knot.conf'), `server:
    listen: 127.0.0.1@${knotPort}
    rundir: ${dir}
    pidfile: ${dir}/knot.pid
log:
  - target: stderr
    any: info
database:
    storage: ${dir}
remote:
  - id: clusterdns
    address: 127.0.0.1@${srv.port}
acl:
  - id: transfer_to_test
    address: 127.0.0.1
    action: transfer
template:
  - id: default
    storage: ${dir}
    zonefile-sync: -1
    zonefile-load: none
    journal-content: none
zone:
  - domain: cluster.local
    master: clusterdns
    acl: transfer_to_test
`);
  const knot = spawn('knotd', ['-c', join(dir, 'knot.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let knotLog = '';
  knot.stderr.on('data', (d) => (knotLog += d));
  t.teardown(() => new Promise<void>((resolve) => {
    if (knot.exitCode !== null) { resolve(); return; }
    knot.once('exit', () => resolve());
    knot.kill('SIGTERM');
    setTimeout(() => knot.kill('SIGKILL'), 5000).unref();
  }));
  const secondary = { host: '127.0.0.1', port: knotPort };

  const soa = digLines(await dig(primary, ['SOA', 'cluster.local', '+noall', '+answer']))[0]!;
  const transfer = digLines(await dig(primary, ['AXFR', 'cluster.local']));

  t.test('knot transfers the zone from clusterdns', async (t) => {
    const got = await until(() => dig(secondary, ['SOA', 'cluster.local', '+noall', '+answer', '+norec']).catch(() => ''),
      (out) => digLines(out)[0] === soa, 15_000);
    if (digLines(got)[0] !== soa) t.comment(knotLog);
    t.equal(digLines(got)[0], soa, 'knot serves the zone at clusterdns\'s serial');
    t.match(knotLog, /AXFR, incoming, remote 127\.0\.0\.1@\d+, finished/);
    const again = digLines(await dig(secondary, ['AXFR', 'cluster.local']));
    t.strictSame(shape(again), shape(transfer), 'knot holds the same records (its own order)');
  });

  t.test('knot answers every name of the transfer as clusterdns does', async (t) => {
    const questions = [...new Map(transfer.map((l) => { const f = l.split(' '); return [`${f[0]} ${f[3]}`, [f[0]!, f[3]!]] as const; })).values()];
    t.ok(questions.length > 40, `${questions.length} names and types`);
    for (const [name, type] of questions) {
      const [fromKnot, fromUs] = await Promise.all([
        dig(secondary, [type, name, '+noall', '+answer', '+norec']).then(digLines),
        dig(primary, [type, name, '+noall', '+answer', '+norec']).then(digLines),
      ]);
      t.strictSame(shape(fromKnot), shape(fromUs), `${name} ${type}`);
      if (type === 'SRV') {
        // An SRV's weight differs, as in CoreDNS: a query shares 100 among all its records, the transfer (xfr.go)
        // gives 100 to a ClusterIP port and 100/n to the n addresses of one EndpointSlice. knot serves the latter.
        const inTransfer = transfer.filter((l) => l.startsWith(`${name} `) && l.split(' ')[3] === 'SRV').sort();
        t.strictSame([...new Set(fromKnot)].sort(), [...new Set(inTransfer)].sort(), `${name} SRV weights are the transfer's`);
      }
    }
  });
}
