// Bad fault specs for the new kinds and selectors, through the admin API of the real executable while DNS is
// probed: each is a 400 naming the field and what to fix, nothing is added, the process lives and the faults already
// in the table keep acting. And the cost of the selectors where it is largest: a full table of selective faults all
// matching one name.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Prober } from '../bench/probe.js';
import { startClusterDns } from '../lib/index.js';
import { MAX_FAULTS } from '../lib/admin/faults.js';
import { query } from './helpers/dns-client.js';
import { startCli, stopCli } from './helpers/cli.js';

const SERVICES = `apiVersion: v1
kind: Service
metadata: { name: steady, namespace: default }
spec: { clusterIP: 10.96.7.2 }
---
apiVersion: v1
kind: Service
metadata: { name: flaky, namespace: default }
spec: { clusterIP: 10.96.7.1 }
`;
const FLAKY = 'flaky.default.svc.cluster.local';
const STEADY = 'steady.default.svc.cluster.local';

const BAD: [string, Record<string, unknown>, RegExp][] = [
  ['a CIDR prefix over 32', { client: '10.0.0.0/33' }, /"client" "10\.0\.0\.0\/33": the prefix length after "\/" must be 0 to 32/],
  ['an IPv6 prefix over 128', { client: 'fd00::/129' }, /must be 0 to 128 for an IPv6 network/],
  ['a client that is no address', { client: 'localhost' }, /"client" "localhost": "localhost" is not an IPv4 or IPv6 address/],
  ['a client with two slashes', { client: '10.0.0.0/8/8' }, /"client".*prefix length/],
  ['a client that is a number', { client: 127 }, /"client" must be a string/],
  ['probability 0', { probability: 0 }, /"probability" must be a number with 0 < p <= 1.*not 0/],
  ['probability over 1', { probability: 1.5 }, /"probability" must be a number with 0 < p <= 1.*not 1\.5/],
  ['probability as text', { probability: '0.5' }, /"probability" must be a number/],
  ['a seed without probability', { seed: 7 }, /"seed" seeds "probability"/],
  ['a negative seed', { probability: 0.5, seed: -1 }, /"seed" must be a whole number from 0 to 4294967295/],
  ['every 0', { every: 0 }, /"every" must be a whole number from 1 to 1000000.*not 0/],
  ['every 2.5', { every: 2.5 }, /"every" must be a whole number/],
  ['a transport that is neither', { transport: 'quic' }, /"transport" must be "udp" or "tcp", not "quic"/],
  ['a misspelt field', { evry: 3 }, /unknown field "evry": a fault has name, fault, type/],
];
const BAD_ANSWERS: [string, Record<string, unknown>, RegExp][] = [
  ['no addresses', {}, /an "answer" fault needs "addresses"/],
  ['an empty list', { addresses: [] }, /"addresses" must be a list of 1 to 32 IP addresses/],
  ['33 addresses', { addresses: Array.from({ length: 33 }, (_, i) => `192.0.2.${i}`) }, /"addresses" must be a list of 1 to 32/],
  ['one that is no address', { addresses: ['10.0.0.1', '10.0.0.256'] }, /"addresses"\[1\] "10\.0\.0\.256" is not an IPv4 or IPv6 address/],
  ['a scoped IPv6 address', { addresses: ['fe80::1%eth0'] }, /"addresses"\[0\] "fe80::1%eth0" is not/],
  ['a string instead of a list', { addresses: '10.0.0.1' }, /"addresses" must be a list/],
  ['a CNAME with an empty label', { cname: 'a..example.org' }, /"cname" "a\.\.example\.org" is not a DNS name/],
  ['a CNAME label of 64 characters', { cname: `${'x'.repeat(64)}.example.org` }, /"cname" .* is not a DNS name/],
];

t.test('bad specs: a 400 that says what to fix; the process and the faults in place carry on', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hostile-faults-new-'));
  writeFileSync(path.join(dir, 'services.yaml'), SERVICES);
  const cli = await startCli(['--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--fixtures', dir, '--log-level', 'warn']);
  t.teardown(async () => { await stopCli(cli.proc); rmSync(dir, { recursive: true, force: true }); });
  const admin = /admin http:\/\/([^\s,]+)/.exec(cli.line)![1];
  const post = async (body: unknown) => {
    const res = await fetch(`http://${admin}/api/v1/faults`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(10_000) });
    return { status: res.status, json: await res.json() as any };
  };
  const prober = new Prober(cli.port, STEADY);
  const from = performance.now();
  prober.start(1);
  t.teardown(() => prober.stop());

  const good = await post({ name: FLAKY, fault: 'answer', addresses: ['192.0.2.1'], every: 2 });
  t.equal(good.status, 201, 'a good fault first');
  for (const [what, fields, message] of BAD) {
    const r = await post({ name: FLAKY, fault: 'servfail', ...fields });
    t.equal(r.status, 400, `${what}: 400`);
    t.match(r.json, { error: 'Bad Request', message }, `${what}: ${r.json.message}`);
  }
  for (const [what, fields, message] of BAD_ANSWERS) {
    const r = await post({ name: FLAKY, fault: 'answer', ...fields });
    t.equal(r.status, 400, `answer with ${what}: 400`);
    t.match(r.json, { error: 'Bad Request', message }, `answer with ${what}: ${r.json.message}`);
  }
  const wrongKind = await post({ name: FLAKY, fault: 'servfail', addresses: ['192.0.2.1'] });
  t.match(wrongKind, { status: 400, json: { message: /"addresses" and "cname" belong to an "answer" fault/ } });
  const list = await post([{ name: FLAKY, fault: 'empty' }]);
  t.match(list, { status: 400, json: { message: /a fault is a JSON object/ } }, 'a list is not a fault');

  const faults = (await (await fetch(`http://${admin}/api/v1/faults`)).json() as any).faults;
  t.same(faults.map((f: any) => f.id), [good.json.id], 'nothing was added by the bad specs');
  const got = [];
  for (let i = 0; i < 4; i++) got.push((await query(cli.port, FLAKY, 'A')).answers?.[0]?.data);
  t.same(got, ['10.96.7.1', '192.0.2.1', '10.96.7.1', '192.0.2.1'], 'the fault in place keeps acting, on every 2nd query');
  const w = prober.worst(from, performance.now());
  t.ok(w.answered > 10, `the probe was answered meanwhile (${w.answered})`);
  t.ok(w.maxGapMs < 1000, `longest gap without an answer ${w.maxGapMs.toFixed(1)} ms`);
  t.equal(cli.proc.exitCode, null, 'the process lives');
  t.comment(`bad specs: probe max gap ${w.maxGapMs.toFixed(1)} ms over ${w.answered} answers`);
});

t.test(`a full table of ${MAX_FAULTS} selective faults on one name: each query still answered promptly`, async (t) => {
  const dns = await startClusterDns({ fixtures: [] as string[], objects: SERVICES.split('---').map((d) => ({
    apiVersion: 'v1', kind: 'Service', metadata: { name: /name: (\w+)/.exec(d)![1], namespace: 'default' }, spec: { clusterIP: /clusterIP: ([\d.]+)/.exec(d)![1] },
  })) });
  t.teardown(() => dns.close());
  // The worst case the bounds allow: every fault matches the name and none takes the query, so each is evaluated.
  for (let i = 0; i < MAX_FAULTS - 1; i++) {
    dns.fault({ name: i % 2 ? FLAKY : '*.default.svc.cluster.local', fault: 'servfail', client: '10.9.0.0/16', probability: 0.5, seed: i });
  }
  dns.fault({ name: FLAKY, fault: 'answer', addresses: ['192.0.2.2'], every: 1 });
  t.throws(() => dns.fault({ name: FLAKY, fault: 'empty' }), /the fault table is full/, 'MAX_FAULTS still bounds the table');
  dns.clearFaults();
  for (const [what, fields, message] of [...BAD, ...BAD_ANSWERS.map(([w, f, m]) => [w, { fault: 'answer', ...f }, m] as const)]) {
    t.throws(() => dns.fault(Object.assign({ name: FLAKY, fault: 'servfail' }, fields) as any), message, `in-process, ${what}: the same message`);
  }
  t.equal(dns.server.faults.size, 0, 'nothing added');
  for (let i = 0; i < MAX_FAULTS - 1; i++) {
    dns.fault({ name: i % 2 ? FLAKY : '*.default.svc.cluster.local', fault: 'servfail', client: '10.9.0.0/16', probability: 0.5, seed: i });
  }
  dns.fault({ name: FLAKY, fault: 'answer', addresses: ['192.0.2.2'], every: 1 });
  const times: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    const r = await query(dns.port, FLAKY, 'A', { tcp: i % 2 === 1 });
    times.push(performance.now() - t0);
    if (i === 0) t.same(r.answers?.map((a) => a.data), ['192.0.2.2'], 'past 999 faults that do not select it, the last one acts');
  }
  const worst = Math.max(...times);
  t.ok(worst < 1000, `slowest of 50 queries ${worst.toFixed(2)} ms`);
  t.equal((await query(dns.port, STEADY, 'A')).answers?.[0]?.data, '10.96.7.2', 'the wildcard faults select nothing from 127.0.0.1: the real answer');
  const listed = dns.server.faults.list();
  t.equal(listed[MAX_FAULTS - 1].hits, 50);
  t.equal(listed[1].seen, 50, 'every fault on the name saw every query');
  t.comment(`${MAX_FAULTS} selective faults on one name: median ${times.sort((a, b) => a - b)[25].toFixed(2)} ms, slowest ${worst.toFixed(2)} ms a query`);
});
