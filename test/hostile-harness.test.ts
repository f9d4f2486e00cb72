// Hostile use of the query waits: a full table of long polls with hostile name patterns while DNS is probed every
// millisecond, clients that open long polls and hang up, oversized and odd parameters, and a predicate that throws.
// The process lives, DNS keeps answering, the table gives every place back.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dnsPacket from 'dns-packet';
import { Prober } from '../bench/probe.js';
import { startClusterDns } from '../lib/index.js';
import { buildQuery, udpExchange } from './helpers/dns-client.js';
import { startCli, stopCli } from './helpers/cli.js';

const SERVICES = `apiVersion: v1
kind: Service
metadata: { name: steady, namespace: default }
spec: { clusterIP: 10.96.3.2 }
`;

async function startServer(t: { teardown(fn: () => unknown): void }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hostile-harness-'));
  writeFileSync(path.join(dir, 'services.yaml'), SERVICES);
  const cli = await startCli(['--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--fixtures', dir, '--log-level', 'warn']);
  t.teardown(async () => { await stopCli(cli.proc); rmSync(dir, { recursive: true, force: true }); });
  const admin = /admin http:\/\/([^\s,]+)/.exec(cli.line)![1];
  const prober = new Prober(cli.port, 'steady.default.svc.cluster.local');
  prober.start(1);
  t.teardown(() => prober.stop());
  return { ...cli, admin, prober };
}

async function ask(port: number, name: string, type = 'A') {
  const started = performance.now();
  const reply = dnsPacket.decode(await udpExchange(port, buildQuery(name, type), '127.0.0.1', 2000)) as any;
  return { rcode: reply.rcode as string, ms: performance.now() - started };
}

const manyLabels = (last: string) => `${'a.'.repeat(120)}${last}`;
const hostilePattern = (i: number) => `${'*a'.repeat(120)}*x${i}`;

t.test('1000 long polls, 100 of them hostile patterns, while 121-label queries arrive: DNS keeps answering', async (t) => {
  const s = await startServer(t);
  const base = `http://${s.admin}/api/v1/queries/wait`;
  const hang = new AbortController();
  const polls: Promise<unknown>[] = [];
  for (let i = 0; i < 1000; i++) {
    const q = i < 100 ? `name=${encodeURIComponent(hostilePattern(i))}` : `name=never-${i}.default.svc.cluster.local`;
    polls.push(fetch(`${base}?${q}&timeout=60s`, { signal: hang.signal }).catch(() => undefined));
    if (i % 100 === 99) await new Promise((r) => setTimeout(r, 20));
  }
  // Wait until the table is full: the 1001st poll is refused.
  let over: Response | undefined;
  for (let i = 0; i < 100; i++) {
    over = await fetch(`${base}?timeout=50`);
    if (over.status === 429) break;
    await over.arrayBuffer();
    await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(over!.status, 429, 'the table is full: 429');
  const scanning = await fetch(`${base}?name=*b*c&timeout=50`);
  t.equal(scanning.status, 429);

  const from = performance.now();
  let sent = 0;
  let slowest = 0;
  for (const until = performance.now() + 1000; performance.now() < until && sent < 2000; sent++) {
    slowest = Math.max(slowest, (await ask(s.port, manyLabels(sent % 2 ? 'z' : 'y'))).ms);
  }
  const w = s.prober.worst(from, performance.now());
  t.ok(w.answered > 100, `the probe was answered meanwhile (${w.answered} answers beside ${sent} 121-label queries)`);
  t.ok(w.maxGapMs < 1000, `longest gap without an answer ${w.maxGapMs.toFixed(1)} ms`);
  t.ok(slowest < 1000, `slowest 121-label query ${slowest.toFixed(1)} ms`);
  t.comment(`1000 pending waits (100 scanning): ${sent} 121-label queries in 1 s, slowest ${slowest.toFixed(2)} ms; probe max gap ${w.maxGapMs.toFixed(1)} ms, worst latency ${w.maxMs.toFixed(1)} ms`);

  // Every client hangs up: every place comes back.
  hang.abort();
  await Promise.all(polls);
  let again: Response | undefined;
  for (let i = 0; i < 50; i++) {
    again = await fetch(`${base}?name=*b*c&timeout=20`);
    if (again.status === 408) break;
    await again.arrayBuffer();
    await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(again!.status, 408, 'after the clients hung up, a scanning wait is accepted again (and times out)');
  t.equal(s.proc.exitCode, null, 'the process lives');
});

t.test('clients that open long polls and hang up, 2000 times: nothing held', async (t) => {
  const s = await startServer(t);
  const base = `http://${s.admin}/api/v1/queries/wait`;
  for (let round = 0; round < 10; round++) {
    const ac = new AbortController();
    const batch = Array.from({ length: 200 }, (_, i) => fetch(`${base}?name=n${i}.default.svc.cluster.local&timeout=120s`, { signal: ac.signal }).catch(() => undefined));
    await new Promise((r) => setTimeout(r, 30));
    ac.abort();
    await Promise.all(batch);
  }
  // 1000 fresh waits fit (the table is empty again): the last one answers 408, none 429.
  const fresh = await Promise.all(Array.from({ length: 1000 }, (_, i) => fetch(`${base}?name=m${i}.default.svc.cluster.local&timeout=1500`).then((r) => r.status)));
  t.same([...new Set(fresh)], [408], '1000 new long polls all fit and all time out');
  t.equal((await ask(s.port, 'steady.default.svc.cluster.local')).rcode, 'NOERROR');
  t.equal(s.proc.exitCode, null);
});

t.test('oversized and odd parameters: 400, at once', async (t) => {
  const s = await startServer(t);
  const base = `http://${s.admin}/api/v1/queries/wait`;
  const cases: [string, RegExp][] = [
    [`name=${'a'.repeat(10_000)}`, /name must NOT have more than 256 characters/],
    [`name=${'*a'.repeat(128)}`, /at most 255 characters/],
    ['type=TYPE99999', /type "TYPE99999" is not a DNS type/],
    ['client=127.0.0.1%00', /client .* is not an IP address/],
    [`timeout=${'9'.repeat(17)}`, /timeout must NOT have more than 16 characters/],
    ['timeout=-5', /timeout "-5"/],
    ['timeout=1e3', /timeout "1e3"/],
    ['timeout=9999999999', /timeout "9999999999"/],
    ['name=api&name=web', /name must be string/],
  ];
  for (const [q, want] of cases) {
    const res = await fetch(`${base}?${q}`, { signal: AbortSignal.timeout(5000) });
    const body = await res.json() as { error: string; message: string };
    t.equal(res.status, 400, q.slice(0, 50));
    t.match(body.message, want);
  }
  t.equal(s.proc.exitCode, null);
});

t.test('a predicate that throws fails its own wait, not the DNS path', async (t) => {
  const dns = await startClusterDns({ objects: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'steady', namespace: 'default' }, spec: { clusterIP: '10.96.3.2' } }] });
  t.teardown(() => dns.close());
  const prober = new Prober(dns.port, 'steady.default.svc.cluster.local');
  prober.start(1);
  t.teardown(() => prober.stop());
  const from = performance.now();
  const bad = dns.waitForQuery(() => { throw new Error('bug in the test\'s predicate'); });
  const good = dns.waitForQuery({ name: 'steady.default.svc.cluster.local' });
  await t.rejects(bad, { message: 'bug in the test\'s predicate' });
  t.match(await good, { name: 'steady.default.svc.cluster.local', rcode: 'NOERROR' }, 'the other wait on the same query resolves');
  await new Promise((r) => setTimeout(r, 200));
  const w = prober.worst(from, performance.now());
  t.ok(w.answered > 20, `DNS answered throughout (${w.answered})`);
  t.equal(dns.server.journal.waiting, 0);
});
