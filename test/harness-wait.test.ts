// What a test author reaches for: waitForQuery() and clearQueries() against the in-process server, with real queries
// from node:dns's Resolver (UDP) and dig (+tcp), as the application under test would send them.
import t, { type Test } from 'tap';
import { promises as dnsp } from 'node:dns';
import { getEventListeners } from 'node:events';
import { startClusterDns, type ClusterDns } from '../lib/index.js';
import { dig, digMissing } from './helpers/dig.js';

const service = (name: string, ip: string, namespace = 'default') => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { clusterIP: ip, ports: [{ port: 80 }] } });
const objects = [service('api', '10.96.0.10'), service('payments', '10.96.0.20', 'shop')];

async function start(t: Test): Promise<{ dns: ClusterDns; resolver: dnsp.Resolver }> {
  const dns = await startClusterDns({ objects });
  t.teardown(() => dns.close());
  const resolver = new dnsp.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([dns.address]);
  return { dns, resolver };
}

/** Resolves when the promise settles, to what it settled with; never rejects. */
function settled<T>(p: Promise<T>): Promise<{ value?: T; error?: any }> {
  return p.then((value) => ({ value }), (error) => ({ error }));
}

const pendingTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

t.test('resolves with the journal entry of a real query that arrives after the call', async (t) => {
  const { dns, resolver } = await start(t);
  // Case, trailing dot and type spelling do not matter: the application may write names either way.
  const waited = dns.waitForQuery({ name: 'API.Default.svc.cluster.local.', type: 'a' });
  t.same(await resolver.resolve4('api.default.svc.cluster.local'), ['10.96.0.10']);
  const e = await waited;
  t.match(e, { name: 'api.default.svc.cluster.local', type: 'A', transport: 'udp', client: '127.0.0.1', rcode: 'NOERROR', answers: 1 });
  t.ok(Math.abs(e.time - Date.now()) < 60_000, 'time is ms since the epoch');
  t.same(dns.queries().at(-1), e, 'the same entry queries() lists');
});

t.test('matches on rcode, client, transport, a "*" pattern, or a predicate', { skip: digMissing }, async (t) => {
  const { dns, resolver } = await start(t);
  const server = { host: dns.host, port: dns.port };
  const nx = dns.waitForQuery({ name: '*.shop.svc.cluster.local', rcode: 'nxdomain' });
  const overTcp = dns.waitForQuery({ name: '*.svc.cluster.local', transport: 'tcp', client: '127.0.0.1' });
  const srv = dns.waitForQuery((e) => e.type === 'SRV' && e.name.startsWith('_http.'));
  await resolver.resolve4('payments.shop.svc.cluster.local');
  await t.rejects(resolver.resolve4('nope.shop.svc.cluster.local'), { code: 'ENOTFOUND' });
  t.match(await dig(server, ['+tcp', 'api.default.svc.cluster.local', 'A']), /10\.96\.0\.10/);
  await settled(resolver.resolveSrv('_http._tcp.api.default.svc.cluster.local'));
  t.match(await nx, { name: 'nope.shop.svc.cluster.local', rcode: 'NXDOMAIN' }, 'not the NOERROR query for payments that came first');
  t.match(await overTcp, { name: 'api.default.svc.cluster.local', transport: 'tcp' }, 'not the earlier UDP ones');
  t.match(await srv, { name: '_http._tcp.api.default.svc.cluster.local', type: 'SRV' });
});

t.test('only queries after the call, unless includePast; clearQueries() forgets', async (t) => {
  const { dns, resolver } = await start(t);
  await resolver.resolve4('api.default.svc.cluster.local');
  const past = await dns.waitForQuery({ name: 'api.default.svc.cluster.local' }, { includePast: true, timeoutMs: 1000 });
  t.equal(past.rcode, 'NOERROR', 'includePast takes the one already in the journal');
  await t.rejects(dns.waitForQuery({ name: 'api.default.svc.cluster.local' }, { timeoutMs: 200 }), { name: 'QueryWaitTimeoutError' }, 'by default an earlier query does not count');

  dns.clearQueries();
  t.same(dns.queries(), [], 'the journal is empty');
  await t.rejects(dns.waitForQuery({ name: 'api.default.svc.cluster.local' }, { includePast: true, timeoutMs: 200 }), { name: 'QueryWaitTimeoutError' }, 'a cleared query is not taken either');
  const next = dns.waitForQuery({ name: 'api.default.svc.cluster.local' }, { includePast: true });
  await resolver.resolve4('api.default.svc.cluster.local');
  t.ok((await next).time >= past.time);
  t.equal(dns.queries().length, 1);
});

t.test('a timeout rejects with the last queries received in the message', async (t) => {
  const { dns, resolver } = await start(t);
  for (const n of ['payments.shop.svc.cluster.local', 'payment.shop.svc.cluster.local']) await settled(resolver.resolve4(n));
  const started = performance.now();
  const err = (await settled(dns.waitForQuery({ name: 'payments.shop.svc.cluster.local', type: 'AAAA' }, { timeoutMs: 300 }))).error;
  const waited = performance.now() - started;
  t.ok(waited >= 290 && waited < 5000, `rejected after the timeout (${Math.round(waited)} ms)`);
  t.equal(err?.name, 'QueryWaitTimeoutError');
  // What a failing test prints: what it waited for, and what did arrive (the typo "payment." shows at once).
  t.match(err.message, /^no query matching \{ name: "payments\.shop\.svc\.cluster\.local", type: "AAAA" \} within 300 ms \(0 queries arrived meanwhile\); the last 2 received, oldest first:\n/);
  t.match(err.message, /udp 127\.0\.0\.1 payments\.shop\.svc\.cluster\.local A -> NOERROR \(1 answer\)\n/);
  t.match(err.message, /udp 127\.0\.0\.1 payment\.shop\.svc\.cluster\.local A -> NXDOMAIN$/);
  t.same(err.recent.map((e: any) => e.name), ['payments.shop.svc.cluster.local', 'payment.shop.svc.cluster.local'], 'and as entries');

  dns.clearQueries();
  const empty = (await settled(dns.waitForQuery({ name: 'x.default.svc.cluster.local' }, 100))).error;
  t.match(empty.message, /within 100 ms .*the journal is empty: did the client send to this server's address\?/, 'a number is timeoutMs');
  t.equal(dns.server.journal.waiting, 0, 'timed-out waits are gone');
});

t.test('an AbortSignal cancels a wait', async (t) => {
  const { dns, resolver } = await start(t);
  const ac = new AbortController();
  const waited = settled(dns.waitForQuery({ name: 'api.default.svc.cluster.local' }, { signal: ac.signal, timeoutMs: 60_000 }));
  t.equal(dns.server.journal.waiting, 1);
  const timers = pendingTimers();
  ac.abort();
  const { error } = await waited;
  t.equal(error?.name, 'AbortError', 'rejects with the signal\'s reason');
  t.equal(dns.server.journal.waiting, 0);
  t.ok(pendingTimers() < timers, 'its 60 s timer is cleared');
  // The query arriving afterwards is no surprise to anybody.
  t.same(await resolver.resolve4('api.default.svc.cluster.local'), ['10.96.0.10']);
  await t.rejects(dns.waitForQuery({}, { signal: AbortSignal.abort(new Error('already')) }), { message: 'already' }, 'an aborted signal rejects at once');
  const r = await settled(dns.waitForQuery({}, { signal: AbortSignal.timeout(100), timeoutMs: 60_000 }));
  t.equal(r.error?.name, 'TimeoutError', 'AbortSignal.timeout() works as a deadline');

  // One signal for all of a test's waits: no MaxListenersExceededWarning in the runner's output, no listener left.
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  t.teardown(() => process.off('warning', onWarning));
  const shared = new AbortController();
  const many = Array.from({ length: 50 }, () => settled(dns.waitForQuery({ name: 'api.default.svc.cluster.local' }, { signal: shared.signal })));
  t.equal(getEventListeners(shared.signal, 'abort').length, 1, 'one abort listener for 50 waits');
  await resolver.resolve4('api.default.svc.cluster.local');
  t.ok((await Promise.all(many)).every((x) => x.value?.name === 'api.default.svc.cluster.local'));
  t.equal(getEventListeners(shared.signal, 'abort').length, 0, 'and none once they settled');
  const later = Array.from({ length: 20 }, () => settled(dns.waitForQuery({}, { signal: shared.signal })));
  shared.abort();
  t.ok((await Promise.all(later)).every((x) => x.error?.name === 'AbortError'), 'the shared signal aborts them all');
  await new Promise((res) => setImmediate(res));
  t.same(warnings, [], 'no process warning');
});

t.test('bounded: 1000 pending waits, each timer cleared when it settles', async (t) => {
  const { dns, resolver } = await start(t);
  const before = pendingTimers();
  const waits = Array.from({ length: 1000 }, (_, i) => settled(dns.waitForQuery(i % 2 ? { name: 'api.default.svc.cluster.local' } : { type: 'A' }, { timeoutMs: 60_000 })));
  t.equal(dns.server.journal.waiting, 1000);
  t.ok(pendingTimers() - before >= 1000, 'one timer each');
  await t.rejects(dns.waitForQuery({}), { message: /^1000 waits for queries are already pending: await \(or abort\) earlier ones/ }, 'the 1001st is refused at once');
  const started = performance.now();
  await resolver.resolve4('api.default.svc.cluster.local');
  const all = await Promise.all(waits);
  t.ok(all.every((r) => r.value?.name === 'api.default.svc.cluster.local'), 'one query resolves all 1000');
  t.comment(`1000 waiters resolved ${Math.round(performance.now() - started)} ms after the query was sent`);
  t.equal(dns.server.journal.waiting, 0);
  t.ok(pendingTimers() <= before, `no timer left behind (${pendingTimers()} vs ${before})`);
  t.ok(await dns.waitForQuery({}, { includePast: true }), 'room again');
});

t.test('a match that cannot match fails at once with what to fix', async (t) => {
  const { dns } = await start(t);
  const cases: [unknown, RegExp][] = [
    [{ type: 'AAA' }, /type "AAA" is not a DNS type: use A, AAAA, SRV/],
    [{ rcode: 'NXDOMIAN' }, /rcode "NXDOMIAN" is not a response code: use NOERROR, FORMERR, SERVFAIL, NXDOMAIN/],
    [{ transport: 'quic' }, /transport "quic": use udp or tcp/],
    [{ client: 'localhost' }, /client "localhost" is not an IP address/],
    [{ nmae: 'api.default.svc.cluster.local' }, /no field "nmae" in a query match: use name, type, rcode, client, transport/],
    [{ name: '' }, /name "": expected a DNS name/],
    [{ name: 42 }, /name 42: expected a DNS name/],
    [{ name: 'a'.repeat(300) }, /at most 255 characters/],
    ['api.default.svc.cluster.local', /a query match is an object/],
  ];
  for (const [m, want] of cases) {
    const started = performance.now();
    await t.rejects(dns.waitForQuery(m as any, { timeoutMs: 10_000 }), { name: 'TypeError', message: want }, JSON.stringify(m).slice(0, 60));
    t.ok(performance.now() - started < 1000, 'at once, not after the timeout');
  }
  t.throws(() => dns.queries({ type: 'AAA' } as any), { name: 'TypeError', message: /type "AAA"/ }, 'queries() checks its filter the same way');
  await t.rejects(dns.waitForQuery({}, { timeoutMs: 0 }), { name: 'TypeError', message: /timeoutMs 0: expected a whole number of milliseconds from 1 to 3600000/ });
  await t.rejects(dns.waitForQuery({}, { timeout: 5 } as any), { name: 'TypeError', message: /unknown option "timeout": use timeoutMs, signal, includePast/ });
  await t.rejects(dns.waitForQuery({}, { signal: 'stop' } as any), { name: 'TypeError', message: /signal: expected an AbortSignal/ });
  t.equal(dns.server.journal.waiting, 0);
});

t.test('close() rejects pending waits; calls that change state after close() throw, reads still answer', async (t) => {
  const dns = await startClusterDns({ objects });
  const resolver = new dnsp.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([dns.address]);
  await resolver.resolve4('api.default.svc.cluster.local');
  const pending = settled(dns.waitForQuery({ name: 'never.default.svc.cluster.local' }, { timeoutMs: 60_000 }));
  const started = performance.now();
  await dns.close();
  const { error } = await pending;
  t.match(error?.message, /the server was closed while waiting for a query/);
  t.ok(performance.now() - started < 5000, 'at close, not at the 60 s timeout');
  const asyncCalls: [string, () => Promise<unknown>][] = [
    ['waitForQuery', () => dns.waitForQuery({})],
    ['apply', () => dns.apply([service('late', '10.96.0.30')])],
    ['reload', () => dns.reload()],
  ];
  for (const [what, call] of asyncCalls) {
    await t.rejects(call(), { message: new RegExp(`^clusterdns: ${what}\\(\\) after close\\(\\): this server is stopped; start another`) }, what);
  }
  for (const [what, call] of [
    ['clearQueries', () => dns.clearQueries()],
    ['fault', () => dns.fault({ name: '*', fault: 'servfail' })],
    ['clearFaults', () => dns.clearFaults()],
    ['removeFault', () => dns.removeFault(1)],
  ] as const) {
    t.throws(call, { message: new RegExp(`^clusterdns: ${what}\\(\\) after close\\(\\)`) }, what);
  }
  t.equal(dns.queries().length, 1, 'the journal can still be read (a teardown that prints it)');
  t.equal(dns.resolve('api.default.svc.cluster.local', 1).rcode, 0, 'and the last state');
  await t.resolves(dns.close(), 'close() again does nothing');
});
