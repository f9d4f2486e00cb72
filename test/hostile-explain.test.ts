// Hostile input to explain: names DNS cannot carry, odd types, namespaces and ndots, repeated and unknown
// parameters get a 400 that says what to fix; at 50,000 Services an explain stays well under a second (the near
// miss finder uses indexes and a bounded edit distance), lists at most its bound, and DNS keeps answering meanwhile.
import t from 'tap';
import { startClusterDns } from '../lib/index.js';
import { query } from './helpers/dns-client.js';

const BIG = 25_000;
const SPREAD_NS = 500;
const PER_NS = 50;
const DUP_NS = 300;
const objects: unknown[] = [];
const svc = (name: string, namespace: string, i: number) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { clusterIP: `10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, ports: [{ name: 'http', port: 80 }] } });
let n = 0;
for (let i = 0; i < BIG; i++) objects.push(svc(`svc-${String(i).padStart(5, '0')}`, 'big', n++));
for (let k = 0; k < SPREAD_NS; k++) for (let i = 0; i < PER_NS; i++) objects.push(svc(i === 0 && k < DUP_NS ? 'dup' : `s${i}`, `ns-${k}`, n++));
t.equal(n, BIG + SPREAD_NS * PER_NS, `${n} Services`);

const started = Date.now();
const dns = await startClusterDns({ objects, admin: '127.0.0.1:0', logLevel: 'silent' });
t.teardown(() => dns.close());
t.comment(`started with ${n} Services in ${Date.now() - started} ms`);
const base = `http://${dns.adminAddress}`;
const explainUrl = (q: Record<string, string>) => `${base}/api/v1/explain?${new URLSearchParams(q)}`;

t.test('bad questions: 400 naming the parameter and what to fix', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['name=..', 'two dots', /empty label/],
    ['name=a..b.default.svc.cluster.local', 'empty label', /empty label/],
    ['name=.lead.cluster.local', 'leading dot', /empty label/],
    [`name=${'a'.repeat(64)}.default.svc.cluster.local`, 'label over 63', /63/],
    [`name=${'a.'.repeat(127)}x`, '255 bytes on the wire', /255/],
    [`name=${'a'.repeat(300)}`, 'over maxLength', /255/],
    ['name=caf%C3%A9.default.svc.cluster.local', 'not ASCII', /ASCII|xn--/],
    ['name=a%20b.default.svc.cluster.local', 'a space', /spaces or control/],
    ['name=a%00b', 'a NUL', /spaces or control/],
    ['name=web&type=BOGUS', 'type', /type "BOGUS"/],
    ['name=web&type=AXFR', 'zone transfer', /zone transfers/],
    ['name=web&type=99999', 'type out of range', /type/],
    ['name=web&namespace=Bad_NS', 'namespace', /namespace "Bad_NS"/],
    [`name=web&namespace=${'n'.repeat(64)}`, 'namespace too long', /namespace/],
    ['name=web&ndots=16', 'ndots over 15', /ndots/],
    ['name=web&ndots=-1', 'ndots negative', /ndots/],
    ['name=web&ndots=lots', 'ndots not a number', /ndots/],
    ['name=a&name=b', 'name twice', /name/],
    ['name=web&bogus=1', 'unknown parameter', /additional|bogus/],
    ['type=A', 'no name', /name/],
  ];
  for (const [qs, what, re] of cases) {
    const res = await fetch(`${base}/api/v1/explain?${qs}`);
    const body = await res.json() as any;
    t.equal(res.status, 400, `${what}: 400`);
    t.equal(body.error, 'Bad Request');
    t.match(body.message, re, `${what}: ${body.message}`);
  }
  await t.rejects(dns.explain('a..b'), TypeError, 'in process: a TypeError');
  await t.rejects(dns.explain('web', { ndots: 99 }), { name: 'TypeError', message: /ndots/ });
  await t.rejects(dns.explain(42 as unknown as string), TypeError);
});

t.test(`at ${n} Services: bounded time, bounded lists`, async (t) => {
  const timed = async (q: Record<string, string>) => {
    const t0 = performance.now();
    const res = await fetch(explainUrl(q));
    const body = await res.json() as any;
    return { ms: performance.now() - t0, status: res.status, body };
  };
  // The first explain builds the name index (one pass over the Services); later ones reuse it.
  const typo = await timed({ name: 'svc-1234.big.svc.cluster.local' });
  t.equal(typo.status, 200);
  t.ok(typo.ms < 1000, `a typo in a namespace of ${BIG}: ${typo.ms.toFixed(0)} ms`);
  const sim = typo.body.nearMisses.find((m: any) => m.kind === 'similar-name');
  t.ok(sim && sim.names.length <= 5 && sim.names.length > 0, `at most 5 similar names: ${sim?.names}`);
  const again = await timed({ name: 'svc-2345.big.svc.cluster.local' });
  t.ok(again.ms < 500, `again: ${again.ms.toFixed(0)} ms`);
  const dup = await timed({ name: 'dup.nowhere.svc.cluster.local' });
  const other = dup.body.nearMisses.find((m: any) => m.kind === 'other-namespace');
  t.equal(other.objects.length, 10, `a name in ${DUP_NS} namespaces: 10 listed`);
  t.match(other.message, `and ${DUP_NS - 10} more`);
  t.ok(dup.ms < 1000, `other namespaces: ${dup.ms.toFixed(0)} ms`);
  const walk = await timed({ name: 'svc-00001.big', namespace: 'ns-1', ndots: '15' });
  t.ok(walk.body.search.walk.length <= 4, 'the walk is at most the search list and the name');
  t.equal(walk.body.search.resolvedAs, 'svc-00001.big.svc.cluster.local');
  t.ok(walk.ms < 1000, `walk: ${walk.ms.toFixed(0)} ms`);
  const ns = await timed({ name: 's1.ns-99x.svc.cluster.local' });
  t.ok(ns.body.nearMisses.some((m: any) => m.kind === 'no-namespace' && /ns-99/.test(m.message)), 'a namespace typo: similar namespaces');
  t.ok(ns.body.nearMisses.length <= 12, 'at most 12 near misses');
});

t.test('DNS keeps answering while explains run after every change', async (t) => {
  const stop = Date.now() + 3000;
  let explains = 0;
  const flood = (async () => {
    for (let i = 0; Date.now() < stop && i < 200; i++) {
      // A change each time: the name index is rebuilt for each explain (the worst case).
      await dns.apply([svc(`churn-${i}`, 'big', 60_000 + i)]);
      const res = await fetch(explainUrl({ name: `svc-${i}x.big.svc.cluster.local` }));
      await res.arrayBuffer();
      explains++;
    }
  })();
  let worst = 0;
  let answered = 0;
  for (let i = 0; Date.now() < stop && i < 300; i++) {
    const t0 = performance.now();
    const r = await query(dns.port, `svc-${String(i).padStart(5, '0')}.big.svc.cluster.local`, 'A');
    worst = Math.max(worst, performance.now() - t0);
    if (r.rcode === 'NOERROR') answered++;
    await new Promise((res) => setTimeout(res, 10));
  }
  await flood;
  t.ok(explains > 0, `${explains} explains, each after a change`);
  t.ok(answered > 0, `${answered} DNS answers meanwhile`);
  t.ok(worst < 1000, `slowest DNS answer ${worst.toFixed(0)} ms`);
});
