// The executable as a user meets it: flags, errors and exit codes, the README's three dig lines.
import t from 'tap';
import { promises as dnsp } from 'node:dns';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, runCli, startCli, stopCli } from './helpers/cli.js';
import { dig, digMissing, digStatus } from './helpers/dig.js';

t.test('--help lists every flag and exits 0', async (t) => {
  const r = await runCli(['--help']);
  t.equal(r.code, 0);
  for (const f of ['--fixtures', '--listen', '--zone', '--ttl', '--pods', '--endpoint-pod-names']) t.match(r.stdout, f);
});

t.test('the package bin runs the built server', async (t) => {
  const { execFile } = await import('node:child_process');
  const out = await new Promise<string>((resolve, reject) => execFile(process.execPath, ['bin/clusterdns.js', '--version'], { cwd: ROOT }, (err, stdout) => (err ? reject(err) : resolve(stdout))));
  t.match(out, /^clusterdns \d+\.\d+\.\d+\n$/);
});

t.test('usage errors exit 2 with a message that says what to fix', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--bogus'], /Unknown option '--bogus'/],
    [['--ttl', '99999'], /--ttl 99999: expected a whole number from 0 to 3600/],
    [['--ttl', 'abc'], /--ttl abc/],
    [['--pods', 'sometimes'], /--pods sometimes: expected disabled, insecure or verified/],
    [['--listen', 'nonsense'], /--listen "nonsense" is not HOST:PORT/],
    [['--listen', '127.0.0.1:70000'], /out of range/],
    [['--zone', 'bad..zone'], /--zone bad..zone/],
    [['launch'], /unknown command "launch"/],
    [['--upstream', 'dns.google'], /--upstream dns\.google: expected IP or IP:PORT/],
    [['--corefile', '/nonexistent/Corefile'], /--corefile .*cannot read the Corefile/],
    [['--admin', '0.0.0.0:0'], /--admin-token or CLUSTERDNS_ADMIN_TOKEN/],
  ];
  for (const [args, msg] of cases) {
    const r = await runCli(args);
    t.equal(r.code, 2, `${args.join(' ')} exits 2`);
    t.match(r.stderr, msg, `${args.join(' ')} explains itself`);
  }
});

t.test('a fixture that does not parse stops start-up with its file and line', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-cli-'));
  const file = path.join(dir, 'broken.yaml');
  writeFileSync(file, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: ok\n---\napiVersion: v1\nkind: Service\nmetadata: {name: [oops\n');
  const r = await runCli(['--fixtures', file, '--listen', '127.0.0.1:0']);
  t.equal(r.code, 1);
  // yaml reports an unclosed flow sequence where it notices it: the line it opens on or the next one.
  t.match(r.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:(8|9): `));
  const missing = await runCli(['--fixtures', path.join(dir, 'nope'), '--listen', '127.0.0.1:0']);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /no such file or folder/);
});

t.test('the README lines: serve the bundled fixtures, resolve the three classic names', async (t) => {
  const srv = await startCli(['--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  t.teardown(() => stopCli(srv.proc));
  t.match(srv.line, /serving cluster\.local from fixtures .* on 127\.0\.0\.1:\d+ udp\+tcp/, 'one line says where it serves');
  const r = new dnsp.Resolver();
  r.setServers([`127.0.0.1:${srv.port}`]);
  t.same((await r.resolve4('myapp-headless.default.svc.cluster.local')).sort(), ['10.244.0.11', '10.244.0.12', '10.244.0.13']);
  t.same(await r.resolve4('web-0.web-headless.default.svc.cluster.local'), ['10.244.0.21']);
  t.same(await r.resolve4('myapp.default.svc.cluster.local'), ['10.96.120.15']);
  t.equal(await stopCli(srv.proc), 0, 'SIGTERM exits cleanly');
});

t.test('records prints every name, zone-file style, sorted', async (t) => {
  const r = await runCli(['records']);
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  t.ok(lines.includes('web-0.web-headless.default.svc.cluster.local.\t5\tIN\tA\t10.244.0.21'));
  t.ok(lines.includes('myapp.default.svc.cluster.local.\t5\tIN\tA\t10.96.120.15'));
  t.ok(lines.some((l) => /^_http\._tcp\.myapp\.default\.svc\.cluster\.local\.\t5\tIN\tSRV\t0 100 80 myapp\.default\.svc\.cluster\.local\.$/.test(l)));
  t.ok(lines.includes('15.120.96.10.in-addr.arpa.\t5\tIN\tPTR\tmyapp.default.svc.cluster.local.'));
});

t.test('records through a pipe keeps every line of a large listing', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-cli-'));
  const items = Array.from({ length: 3000 }, (_, i) => ({
    apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}` },
    spec: { clusterIP: `10.96.${Math.floor(i / 250)}.${(i % 250) + 1}` },
  }));
  writeFileSync(path.join(dir, 'many.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  const r = await runCli(['records', '--fixtures', dir]);
  t.equal(r.code, 0);
  const lines = r.stdout.trim().split('\n');
  // Per Service an A and a PTR record; plus SOA and the dns-version TXT.
  t.equal(lines.length, 3000 * 2 + 2);
});

t.test('--zone with a reverse zone serves it for PTR, as a Corefile does, not as a second cluster domain', { skip: digMissing }, async (t) => {
  // myapp's ClusterIP is 10.96.120.15 in the bundled fixtures.
  const srv = await startCli(['--listen', '127.0.0.1:0', '--admin', 'off', '--zone', 'cluster.local', '--zone', '10.in-addr.arpa']);
  t.teardown(() => stopCli(srv.proc));
  const at = { host: '127.0.0.1', port: srv.port };
  t.equal((await dig(at, ['+short', '-x', '10.96.120.15'])).trim(), 'myapp.default.svc.cluster.local.', 'PTR in 10.in-addr.arpa');
  t.equal(digStatus(await dig(at, ['myapp.default.svc.10.in-addr.arpa', 'A'])), 'NXDOMAIN', 'no cluster names under the reverse zone');
  const outside = await dig(at, ['-x', '192.168.1.1']);
  t.equal(digStatus(outside), 'REFUSED', '1.168.192.in-addr.arpa: outside 10.in-addr.arpa, the default in-addr.arpa is replaced');
  t.equal((await dig(at, ['+short', 'myapp.default.svc.cluster.local', 'A'])).trim(), '10.96.120.15', 'the cluster domain still answers');

  const cidr = await startCli(['--listen', '127.0.0.1:0', '--admin', 'off', '--zone', 'cluster.local', '--zone', '10.96.0.0/16']);
  t.teardown(() => stopCli(cidr.proc));
  t.equal((await dig({ host: '127.0.0.1', port: cidr.port }, ['+short', '-x', '10.96.120.15'])).trim(), 'myapp.default.svc.cluster.local.', 'a CIDR zone: 96.10.in-addr.arpa');

  const only = await runCli(['--zone', '10.in-addr.arpa']);
  t.equal(only.code, 2);
  t.match(only.stderr, /--zone: 10\.in-addr\.arpa is a reverse zone; name a cluster domain too/);
  const bad = await runCli(['--zone', 'cluster.local', '--zone', '10.0.0.0/12']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--zone "10\.0\.0\.0\/12": the prefix length must be 8, 16, 24 or 32/);
});
