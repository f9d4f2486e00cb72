// Hostile fault patterns through the admin API of the real executable, with DNS probed over real UDP while they
// are in the table: patterns used to become backtracking RegExps run on every query (one pattern plus one
// 121-label query hung the event loop; a 40,000-character pattern was accepted and then every query was dropped;
// 20,000 faults cost 10 ms a query). Now: linear matching, a 255-character pattern cap (400), a table of at most
// 1,000 faults of which at most 100 scan the name (409 past either).
import t from 'tap';
import { Prober } from '../bench/probe.js';
import { compilePattern } from '../lib/admin/name-pattern.js';
import { buildQuery, udpExchange } from './helpers/dns-client.js';
import { startAdminCli } from './helpers/admin-cli.js';
import { mulberry32 } from './helpers/prng.js';
import dnsPacket from 'dns-packet';

const SERVICES = `apiVersion: v1
kind: Service
metadata: { name: steady, namespace: default }
spec: { clusterIP: 10.96.3.2 }
---
apiVersion: v1
kind: Service
metadata: { name: flaky, namespace: default }
spec: { clusterIP: 10.96.3.1 }
`;

async function startServer(t: { teardown(fn: () => unknown): void }) {
  const cli = await startAdminCli(t, SERVICES, 'hostile-faults-');
  const prober = new Prober(cli.port, 'steady.default.svc.cluster.local');
  prober.start(1);
  t.teardown(() => prober.stop());
  return { ...cli, prober };
}

async function ask(port: number, name: string, type = 'A') {
  const started = performance.now();
  const reply = dnsPacket.decode(await udpExchange(port, buildQuery(name, type), '127.0.0.1', 2000)) as any;
  return { rcode: reply.rcode as string, ms: performance.now() - started, answers: reply.answers ?? [] };
}

/** 121 one-character labels: 241 characters, a legal name. */
const manyLabels = (last: string) => `${'a.'.repeat(120)}${last}`;

t.test('hostile patterns and a 121-label query: every query answered promptly', async (t) => {
  const s = await startServer(t);
  const from = performance.now();
  const star16 = await s.api('POST', '/api/v1/faults', { name: '*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.z', fault: 'servfail' });
  t.equal(star16.status, 201, 'the pattern is a legal one: accepted');
  const alternating = await s.api('POST', '/api/v1/faults', { name: `${'*a'.repeat(120)}*b`, fault: 'refused' });
  t.equal(alternating.status, 201, 'a 242-character pattern of 121 stars is accepted too');

  const miss = await ask(s.port, manyLabels('cluster.local'));
  t.equal(miss.rcode, 'NXDOMAIN', 'a 121-label name the patterns do not match gets its real answer');
  t.ok(miss.ms < 1000, `answered in ${miss.ms.toFixed(1)} ms`);
  const hit = await ask(s.port, manyLabels('z'));
  t.equal(hit.rcode, 'SERVFAIL', 'a 121-label name ending in .z gets the injected SERVFAIL');
  t.ok(hit.ms < 1000, `answered in ${hit.ms.toFixed(1)} ms`);
  const hitB = await ask(s.port, manyLabels('b'));
  t.equal(hitB.rcode, 'REFUSED', 'a name the 121-star pattern matches gets its fault');
  // A second of hostile names while the probe runs (bounded: at most 2,000 queries).
  let sent = 0;
  for (const until = performance.now() + 1000; performance.now() < until && sent < 2000; sent++) await ask(s.port, manyLabels(sent % 2 ? 'z' : 'y'));
  t.equal((await ask(s.port, 'steady.default.svc.cluster.local')).answers[0]?.data, '10.96.3.2', 'other names answer normally');

  const w = s.prober.worst(from, performance.now());
  t.ok(w.answered > 100, `the probe was answered meanwhile (${w.answered} answers, beside ${sent} 121-label queries)`);
  t.ok(w.maxGapMs < 1000, `longest gap without an answer ${w.maxGapMs.toFixed(1)} ms`);
  t.comment(`hostile patterns: 121-label miss ${miss.ms.toFixed(2)} ms, hit ${hit.ms.toFixed(2)} ms, probe max gap ${w.maxGapMs.toFixed(1)} ms`);
  t.equal(s.proc.exitCode, null, 'the process lives');
});

t.test('a 40,000-character pattern is refused with 400; DNS keeps answering', async (t) => {
  const s = await startServer(t);
  const from = performance.now();
  const long = await s.api('POST', '/api/v1/faults', { name: `${'*'.repeat(20_000)}${'x.'.repeat(10_000)}`, fault: 'drop' });
  t.equal(long.status, 400);
  t.match(long.json.message, /40000 characters.*at most 255/, 'the error says the limit and what to fix');
  const justOver = await s.api('POST', '/api/v1/faults', { name: `${'a'.repeat(250)}.b.cde`, fault: 'drop' });
  t.equal(justOver.status, 400, '256 characters: over the cap');
  const atCap = await s.api('POST', '/api/v1/faults', { name: `*${'a'.repeat(250)}.bc.`, fault: 'drop' });
  t.equal(atCap.status, 201, '255 characters and a trailing dot: accepted');
  t.same((await s.api('GET', '/api/v1/faults')).json.faults.map((f: any) => f.id), [atCap.json.id], 'only the legal one is in the table');
  const a = await ask(s.port, 'steady.default.svc.cluster.local');
  t.same(a.answers.map((r: any) => r.data), ['10.96.3.2'], 'queries are answered, not dropped');
  const w = s.prober.worst(from, performance.now());
  t.equal(w.lost, 0, 'no probe lost');
  t.ok(w.maxGapMs < 1000, `longest gap ${w.maxGapMs.toFixed(1)} ms`);
});

t.test('the table caps: 100 scanning patterns, 1,000 faults, 409 past each; queries stay fast at the cap', async (t) => {
  const s = await startServer(t);
  const before: number[] = [];
  for (let i = 0; i < 300; i++) before.push((await ask(s.port, 'steady.default.svc.cluster.local')).ms);

  const from = performance.now();
  // Worst-case scanning patterns: each makes the matcher walk a 121-label name to its end.
  for (let i = 0; i < 100; i++) {
    const r = await s.api('POST', '/api/v1/faults', { name: `*a*${'a.'.repeat(60)}*${i}q`, fault: 'servfail' });
    if (r.status !== 201) { t.fail(`scanning fault ${i}: ${r.status} ${JSON.stringify(r.json)}`); return; }
  }
  const scan101 = await s.api('POST', '/api/v1/faults', { name: '*.svc.*', fault: 'servfail' });
  t.equal(scan101.status, 409, 'the 101st pattern that scans the name: 409');
  t.match(scan101.json.message, /100 faults already have a pattern/);
  t.match(scan101.json.message, /remove some/);
  for (let i = 100; i < 999; i++) {
    const r = await s.api('POST', '/api/v1/faults', { name: `n${i}.default.svc.cluster.local`, fault: 'nxdomain' });
    if (r.status !== 201) { t.fail(`exact fault ${i}: ${r.status} ${JSON.stringify(r.json)}`); return; }
  }
  const last = await s.api('POST', '/api/v1/faults', { name: 'flaky.default.svc.cluster.local', fault: 'servfail', type: 'A' });
  t.equal(last.status, 201, 'the 1,000th fault is accepted');
  const over = await s.api('POST', '/api/v1/faults', { name: 'x.default.svc.cluster.local', fault: 'nxdomain' });
  t.equal(over.status, 409, 'the 1,001st: 409');
  t.match(over.json.message, /the fault table is full \(1000 faults\)/);
  t.equal((await s.api('GET', '/api/v1/faults')).json.faults.length, 1000);

  t.equal((await ask(s.port, 'flaky.default.svc.cluster.local')).rcode, 'SERVFAIL', 'the 1,000th fault applies');
  t.equal((await ask(s.port, 'n500.default.svc.cluster.local')).rcode, 'NXDOMAIN', 'an exact fault applies');
  t.equal((await ask(s.port, `${'a.'.repeat(62)}7q`)).rcode, 'SERVFAIL', 'a scanning fault applies');
  const after: number[] = [];
  for (let i = 0; i < 300; i++) after.push((await ask(s.port, i % 2 ? 'steady.default.svc.cluster.local' : manyLabels('cluster.local'))).ms);
  const p50 = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  t.comment(`round trip p50: ${p50(before).toFixed(3)} ms with no faults, ${p50(after).toFixed(3)} ms with 1,000 (100 worst-case scanning) and 121-label names`);
  t.ok(p50(after) < 50, `p50 with a full table ${p50(after).toFixed(3)} ms`);

  const removed = await s.api('DELETE', `/api/v1/faults/${last.json.id}`);
  t.equal(removed.status, 200);
  t.equal((await s.api('POST', '/api/v1/faults', { name: 'y.default.svc.cluster.local', fault: 'nxdomain' })).status, 201, 'room again after a removal');
  const w = s.prober.worst(from, performance.now());
  t.ok(w.maxGapMs < 1000, `longest probe gap ${w.maxGapMs.toFixed(1)} ms`);
  t.comment(`full table: probe max gap ${w.maxGapMs.toFixed(1)} ms over ${w.answered} answers`);
});

t.test('the first fault added wins, whichever index finds it (semantics as before)', async (t) => {
  const s = await startServer(t);
  const wide = await s.api('POST', '/api/v1/faults', { name: '*.default.svc.cluster.local', fault: 'nxdomain', type: 'A' });
  const exact = await s.api('POST', '/api/v1/faults', { name: 'FLAKY.default.svc.cluster.local.', fault: 'servfail' });
  const any = await s.api('POST', '/api/v1/faults', { name: '*', fault: 'refused' });
  t.equal((await ask(s.port, 'flaky.default.svc.cluster.local')).rcode, 'NXDOMAIN', 'the pattern added first wins over a later exact name');
  t.equal((await ask(s.port, 'flaky.default.svc.cluster.local', 'AAAA')).rcode, 'SERVFAIL', 'a type-limited fault lets other types through');
  t.equal((await ask(s.port, 'other.example')).rcode, 'REFUSED', '"*" matches everything else');
  await s.api('DELETE', `/api/v1/faults/${wide.json.id}`);
  t.equal((await ask(s.port, 'Flaky.Default.svc.cluster.local')).rcode, 'SERVFAIL', 'case-insensitive, exact name found once the wider one is gone');
  await s.api('DELETE', `/api/v1/faults/${exact.json.id}`);
  t.equal((await ask(s.port, 'flaky.default.svc.cluster.local')).rcode, 'REFUSED');
  await s.api('DELETE', `/api/v1/faults/${any.json.id}`);
  t.equal((await ask(s.port, 'flaky.default.svc.cluster.local')).rcode, 'NOERROR');
  const twice = await s.api('POST', '/api/v1/faults', { name: 'fl*y.default.svc.cluster.local', fault: 'servfail', times: 2 });
  t.equal(twice.status, 201);
  t.equal((await ask(s.port, 'flaky.default.svc.cluster.local')).rcode, 'SERVFAIL');
  t.equal((await ask(s.port, 'flaky.default.svc.cluster.local')).rcode, 'SERVFAIL');
  t.equal((await ask(s.port, 'flaky.default.svc.cluster.local')).rcode, 'NOERROR', 'times: spent, then removed');
  t.same((await s.api('GET', '/api/v1/faults')).json.faults, []);
});

t.test('the matcher agrees with the old regular-expression semantics on random short inputs', async (t) => {
  const rand = mulberry32(11);
  const pick = (s: string) => s[Math.floor(rand() * s.length)];
  const oldRegex = (p: string) => new RegExp(`^${p.toLowerCase().replace(/\.$/, '').split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  let agreed = 0;
  let matched = 0;
  for (let i = 0; i < 20_000; i++) {
    const pattern = Array.from({ length: 1 + Math.floor(rand() * 8) }, () => pick('ab.*A')).join('');
    const name = Array.from({ length: Math.floor(rand() * 10) }, () => pick('ab.')).join('');
    if (pattern.replace(/\.$/, '') === '') continue;
    const want = oldRegex(pattern).test(name);
    const got = compilePattern(pattern).matches(name);
    if (want !== got) { t.fail(`pattern ${JSON.stringify(pattern)} name ${JSON.stringify(name)}: regex ${want}, matcher ${got}`); return; }
    agreed++;
    if (got) matched++;
  }
  t.ok(agreed > 19_000 && matched > 1000, `${agreed} agreed, ${matched} of them matches`);
});
