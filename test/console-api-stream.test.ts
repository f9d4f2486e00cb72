// GET /api/v1/queries/stream, the console's live view: Server-Sent Events over real HTTP, fed by real DNS queries
// (dig, node:dns), read by an EventSource-like parser; replay, Last-Event-ID reconnects, filters, the token as
// header or ?token=, the stream cap (503), a client that does not read gets dropped, and no work without streams.
import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { promises as dnsp } from 'node:dns';
import { connect } from 'node:net';
import { startClusterDns, type ClusterDns, type StartOptions } from '../lib/index.js';
import { streamHubFor } from '../lib/admin/queries-stream-route.js';
import { MAX_STREAMS } from '../lib/admin/queries-stream.js';
import { dig, digMissing, digSection } from './helpers/dig.js';
import { openSse, type SseReader } from './helpers/sse.js';
import { until } from './helpers/until.js';

const TOKEN = randomBytes(16).toString('hex');
const service = (name: string, ip: string, ns = 'default') => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { clusterIP: ip, ports: [{ name: 'http', port: 80 }] } });

async function start(t: Test, opts: Partial<StartOptions> = {}): Promise<{ dns: ClusterDns; base: string; resolver: dnsp.Resolver }> {
  const dns = await startClusterDns({ objects: [service('api', '10.96.0.10'), service('web', '10.96.0.11', 'shop')], admin: '127.0.0.1:0', ...opts });
  t.teardown(() => dns.close());
  const resolver = new dnsp.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([dns.address]);
  return { dns, base: `http://${dns.adminAddress}`, resolver };
}

async function sse(t: Test, url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const r = await openSse(url, headers);
  t.teardown(() => r.close());
  return r;
}

const data = (e: { data: string }) => JSON.parse(e.data);

t.test('a dig makes a row appear, with the fields the console shows', { skip: digMissing }, async (t) => {
  const { dns, base } = await start(t);
  const s = await sse(t, `${base}/api/v1/queries/stream`);
  t.equal(s.status, 200);
  t.match(s.headers.get('content-type'), /^text\/event-stream/);
  t.equal(s.headers.get('cache-control'), 'no-store');
  const out = await dig({ host: dns.host, port: dns.port }, ['api.default.svc.cluster.local', 'A']);
  const ev = await s.next((e) => e.event === 'query' && data(e).name === 'api.default.svc.cluster.local');
  const q = data(ev);
  const journal = dns.queries().at(-1)!;
  t.equal(ev.id, String(q.seq), 'the event id is the sequence number');
  t.match(q, { name: journal.name, type: 'A', transport: 'udp', client: '127.0.0.1', rcode: 'NOERROR', answers: 1, plugin: 'kubernetes' });
  t.equal(q.time, journal.time, 'the same entry as /api/v1/queries');
  t.equal(q.at, new Date(journal.time).toISOString());
  const answer = digSection(out, 'ANSWER')[0].split(' ');
  t.same(q.answerData, [`${answer[3]} ${answer[4]}`], 'the answers as short strings, as dig showed them');
  t.ok(q.latencyMs >= 0 && q.latencyMs < 1000, `latencyMs ${q.latencyMs}`);

  const all = await (await fetch(`${base}/api/v1/queries`)).json();
  const listed = all.queries.at(-1);
  for (const k of Object.keys(listed)) t.same(q[k], listed[k], `field ${k} as /api/v1/queries has it`);
});

t.test('replay, filters, and a reconnect with Last-Event-ID', async (t) => {
  const { base, resolver } = await start(t);
  for (let i = 0; i < 5; i++) await resolver.resolve4(`nope${i}.default.svc.cluster.local`).catch(() => undefined);
  await resolver.resolve4('api.default.svc.cluster.local');

  const s = await sse(t, `${base}/api/v1/queries/stream?rcode=NXDOMAIN&limit=3`);
  await until(async () => s.events.length, (n) => n >= 3, 5000);
  await new Promise((r) => setTimeout(r, 100));
  const names = s.events.map((e) => data(e).name);
  t.same(names, ['nope2.default.svc.cluster.local', 'nope3.default.svc.cluster.local', 'nope4.default.svc.cluster.local'], 'the last 3 matching, oldest first');
  const lastId = s.events.at(-1)!.id!;
  s.close();

  // Missed while disconnected:
  await resolver.resolve4('gone.default.svc.cluster.local').catch(() => undefined);
  await resolver.resolve4('api.default.svc.cluster.local');
  const again = await sse(t, `${base}/api/v1/queries/stream?rcode=NXDOMAIN`, { 'last-event-id': lastId });
  const ev = await again.next((e) => e.event === 'query');
  t.equal(data(ev).name, 'gone.default.svc.cluster.local', 'resumes right after the last event seen');
  t.ok(Number(ev.id) > Number(lastId));
  await new Promise((r) => setTimeout(r, 100));
  t.equal(again.events.filter((e) => e.event === 'query').length, 1, 'nothing before it, no NOERROR');

  const bySince = await sse(t, `${base}/api/v1/queries/stream?since=${lastId}&name=*.default.svc.cluster.local&type=A&transport=udp&client=127.0.0.1`);
  await until(async () => bySince.events.length, (n) => n >= 3, 5000);
  // After nope4: the api query made before the first stream was opened, then the two made while disconnected.
  t.same(bySince.events.map((e) => data(e).name), ['api.default.svc.cluster.local', 'gone.default.svc.cluster.local', 'api.default.svc.cluster.local'], '?since= replays after it too');

  const bad = await fetch(`${base}/api/v1/queries/stream?rcode=NOPE`);
  t.equal(bad.status, 400);
  t.match((await bad.json()).message, /rcode "NOPE"/);
  const big = await fetch(`${base}/api/v1/queries/stream?limit=5000`);
  t.equal(big.status, 400, 'limit is at most 1000');
  await big.body?.cancel();
});

t.test('a reconnect after the journal wrapped: a gap event says how many are gone, then the rest', async (t) => {
  const SIZE = 10;
  const { dns, base, resolver } = await start(t, { journalSize: SIZE });
  for (let i = 0; i < 25; i++) await resolver.resolve4(`q${i}.default.svc.cluster.local`).catch(() => undefined);
  const total = 25;
  const s = await sse(t, `${base}/api/v1/queries/stream?since=2&limit=4`);
  await until(async () => s.events.length, (n) => n >= 6, 5000);
  const gaps = s.events.filter((e) => e.event === 'gap').map(data);
  t.match(gaps[0], { reason: 'journal', skipped: total - SIZE - 2 }, 'queries 3..15 were overwritten');
  t.match(gaps[1], { reason: 'replay', skipped: SIZE - 4 }, 'of the 10 held, the newest 4 are replayed');
  const replayed = s.events.filter((e) => e.event === 'query').map((e) => data(e).name);
  t.same(replayed, dns.queries().slice(-4).map((q) => q.name), 'the newest four, oldest first');
});

t.test('a search-path walk is one lookup', async (t) => {
  const { base, resolver } = await start(t);
  const s = await sse(t, `${base}/api/v1/queries/stream`);
  // What glibc asks for "web.shop" from a pod in namespace default with ndots:5, then one unrelated lookup.
  const walk = ['web.shop.default.svc.cluster.local', 'web.shop.svc.cluster.local'];
  for (const n of walk) await resolver.resolve4(n).catch(() => undefined);
  await resolver.resolve4('api.default.svc.cluster.local');
  await until(async () => s.events.length, (n) => n >= 3, 5000);
  const [a, b, c] = s.events.map(data);
  t.ok(a.lookup > 0, 'the first form starts a lookup');
  t.equal(b.lookup, a.lookup, 'the next form joins it');
  t.equal(a.lookupName, 'web.shop');
  t.equal(b.lookupDone, true, 'the answer ends it');
  t.not(c.lookup, a.lookup, 'another lookup is not folded in');
});

t.test('the admin token: header or ?token=, with --admin-auth all', async (t) => {
  const { base } = await start(t, { adminToken: TOKEN, adminAuth: 'all' } as Partial<StartOptions>);
  const none = await fetch(`${base}/api/v1/queries/stream`);
  t.equal(none.status, 401);
  const wrong = await fetch(`${base}/api/v1/queries/stream?token=${'x'.repeat(32)}`);
  t.equal(wrong.status, 401);
  const byHeader = await sse(t, `${base}/api/v1/queries/stream`, { authorization: `Bearer ${TOKEN}` });
  t.equal(byHeader.status, 200);
  const byQuery = await sse(t, `${base}/api/v1/queries/stream?token=${TOKEN}`);
  t.equal(byQuery.status, 200);
  t.equal(byQuery.headers.get('referrer-policy'), 'no-referrer');
  const elsewhere = await fetch(`${base}/api/v1/queries?token=${TOKEN}`);
  t.equal(elsewhere.status, 401, '?token= is taken on the stream only');
});

t.test(`at most ${MAX_STREAMS} streams: 503 past it; a closed one frees its place; nothing hooked once all close`, async (t) => {
  const { dns, base, resolver } = await start(t);
  const hub = streamHubFor(dns.server);
  const open: SseReader[] = [];
  for (let i = 0; i < MAX_STREAMS; i++) open.push(await sse(t, `${base}/api/v1/queries/stream`));
  t.equal(hub.size, MAX_STREAMS);
  const over = await fetch(`${base}/api/v1/queries/stream`);
  t.equal(over.status, 503);
  t.match((await over.json()).message, /streams are open already/);
  open[0].close();
  await until(async () => hub.size, (n) => n === MAX_STREAMS - 1, 5000);
  const again = await sse(t, `${base}/api/v1/queries/stream`);
  t.equal(again.status, 200);
  for (const s of [...open, again]) s.close();
  await until(async () => hub.size, (n) => n === 0, 5000);
  const built = hub.built;
  for (let i = 0; i < 20; i++) await resolver.resolve4('api.default.svc.cluster.local');
  t.equal(hub.built, built, 'no event is built while no stream is open');
});

t.test('a client that does not read is dropped; DNS and the other streams go on', async (t) => {
  const { dns, base, resolver } = await start(t);
  const hub = streamHubFor(dns.server);
  const reader = await sse(t, `${base}/api/v1/queries/stream?name=api.default.svc.cluster.local`);
  // A raw socket that sends the request and never reads: the kernel buffers fill, then the server's.
  const url = new URL(base);
  const sock = connect({ host: url.hostname, port: Number(url.port) });
  t.teardown(() => sock.destroy());
  await new Promise<void>((r) => sock.once('connect', () => r()));
  sock.pause();
  sock.write(`GET /api/v1/queries/stream HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`);
  await until(async () => hub.size, (n) => n === 2, 5000);
  const longName = `${'x'.repeat(60)}.${'y'.repeat(60)}.${'z'.repeat(60)}.default.svc.cluster.local`;
  const deadline = Date.now() + 60_000;
  let sent = 0;
  while (hub.dropped === 0 && Date.now() < deadline) {
    await Promise.all(Array.from({ length: 200 }, () => resolver.resolve4(longName).catch(() => undefined)));
    sent += 200;
  }
  t.equal(hub.dropped, 1, `dropped after ${sent} queries`);
  t.equal(hub.size, 1, 'the reading stream stays');
  t.same(await resolver.resolve4('api.default.svc.cluster.local'), ['10.96.0.10'], 'DNS answers');
  await reader.next((e) => e.event === 'query' && data(e).name === 'api.default.svc.cluster.local');
  t.pass('the other stream still gets its events');
});

t.test('closing the server ends open streams (they do not hold it open)', async (t) => {
  const dns = await startClusterDns({ objects: [service('api', '10.96.0.10')], admin: '127.0.0.1:0' });
  const s = await openSse(`http://${dns.adminAddress}/api/v1/queries/stream`);
  t.teardown(() => s.close());
  t.equal(s.status, 200);
  const started = performance.now();
  await dns.close();
  await s.ended;
  t.ok(performance.now() - started < 5000, `closed in ${(performance.now() - started).toFixed(0)} ms with a stream open`);
});

t.test('a stream request pipelined behind a slow one, whose client hangs up, does not keep its place', async (t) => {
  // Node's HTTP server runs a pipelined request's handler at once but gives its response the socket only after the
  // one before it: when the client leaves meanwhile, that response never emits 'close'. The socket does.
  const { dns, base } = await start(t);
  const hub = streamHubFor(dns.server);
  const url = new URL(base);
  for (let i = 0; i < 3; i++) {
    const sock = connect({ host: url.hostname, port: Number(url.port) });
    t.teardown(() => sock.destroy());
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write(`GET /api/v1/queries/wait?name=never.example&timeout=2s HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`
      + `GET /api/v1/queries/stream HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`);
    await until(async () => hub.size, (n) => n === 1, 5000);
    t.equal(hub.size, 1, 'the pipelined stream opened');
    sock.destroy();
    const left = await until(async () => hub.size, (n) => n === 0, 5000);
    t.equal(left, 0, `hang-up ${i + 1}: the stream is closed, its place freed and the journal unhooked`);
  }
});

t.test('a reconnect to a restarted server (an event id ahead of its journal) replays what the new server has', async (t) => {
  // The console (and EventSource) resume with the last id of the server before: the new one counts from 1 again.
  const first = await start(t);
  for (let i = 0; i < 30; i++) await first.resolver.resolve4(`old${i}.default.svc.cluster.local`).catch(() => undefined);
  const s1 = await sse(t, `${first.base}/api/v1/queries/stream`);
  await until(async () => s1.events.length, (n) => n >= 30, 5000);
  const lastId = s1.events.at(-1)!.id!;
  s1.close();

  const { dns, base, resolver } = await start(t);
  for (let i = 0; i < 3; i++) await resolver.resolve4(`new${i}.default.svc.cluster.local`).catch(() => undefined);
  t.ok(Number(lastId) > dns.queries().length, `the old id ${lastId} is ahead of the new server's ${dns.queries().length} queries`);
  for (const resume of [{ headers: { 'last-event-id': lastId } as Record<string, string>, query: '' }, { headers: {} as Record<string, string>, query: `?since=${lastId}` }]) {
    const s = await sse(t, `${base}/api/v1/queries/stream${resume.query}`, resume.headers);
    const names = dns.queries().map((q) => q.name);
    const got = await until(async () => s.events.filter((e) => e.event === 'query').length, (n) => n >= names.length, 3000);
    t.equal(got, names.length, `every query of the new server is replayed (${resume.query || 'Last-Event-ID'})`);
    t.same(s.events.filter((e) => e.event === 'query').map((e) => data(e).name), names);
    const gap = s.events.find((e) => e.event === 'gap');
    t.match(gap && data(gap), { reason: 'reset' }, 'a gap event says the ids started again');
    s.close();
  }
});

t.test('a reconnect after the journal was emptied (DELETE /api/v1/queries): the gap says the queries are gone', async (t) => {
  const { dns, base, resolver } = await start(t);
  for (let i = 0; i < 5; i++) await resolver.resolve4(`before${i}.default.svc.cluster.local`).catch(() => undefined);
  const s1 = await sse(t, `${base}/api/v1/queries/stream?limit=1`);
  const firstSeen = Number((await s1.next((e) => e.event === 'query')).id);
  s1.close();
  t.equal((await fetch(`${base}/api/v1/queries`, { method: 'DELETE' })).status, 200);
  for (let i = 0; i < 2; i++) await resolver.resolve4(`after${i}.default.svc.cluster.local`).catch(() => undefined);
  const s = await sse(t, `${base}/api/v1/queries/stream?since=${firstSeen - 2}`);
  await until(async () => s.events.filter((e) => e.event === 'query').length, (n) => n >= 2, 5000);
  await new Promise((r) => setTimeout(r, 100));
  t.same(s.events.filter((e) => e.event === 'query').map((e) => data(e).name), dns.queries().map((q) => q.name), 'what the journal still holds');
  const gaps = s.events.filter((e) => e.event === 'gap').map(data);
  t.same(gaps.map((g) => [g.reason, g.skipped]), [['journal', 2]], 'the two queries after the id asked for were emptied out, not "not replayed"');
});

t.test('HEAD on the stream answers its headers at once and opens no stream', async (t) => {
  // Node sends no headers for a HEAD until end(): a HEAD that opened a stream hung, holding one of the places.
  const { dns, base } = await start(t);
  const hub = streamHubFor(dns.server);
  for (let i = 0; i < MAX_STREAMS + 2; i++) {
    const r = await fetch(`${base}/api/v1/queries/stream`, { method: 'HEAD', signal: AbortSignal.timeout(3000) }).catch((e) => e as Error);
    if (r instanceof Error) { t.fail(`HEAD ${i + 1} got no answer: ${r.message}`); break; }
    t.equal(r.status, 200);
    t.match(r.headers.get('content-type'), /^text\/event-stream/);
  }
  t.equal(hub.size, 0, 'no stream kept open');
  const s = await sse(t, `${base}/api/v1/queries/stream`);
  t.equal(s.status, 200, 'a GET still gets a stream');
});

t.test('the same name asked again after its answer is a new lookup, not another step of the last one', async (t) => {
  // An app that resolves one Service over and over (a client per request) asks it many times a second: each
  // is a lookup of its own. Folded into the first, the console showed one row "N names tried" that never moved up.
  const { base, resolver } = await start(t);
  const s = await sse(t, `${base}/api/v1/queries/stream?name=api.default.svc.cluster.local`);
  const name = 'api.default.svc.cluster.local';
  await resolver.resolve4(name);
  await resolver.resolve6(name).catch(() => undefined); // the other family of the same lookup (glibc asks both)
  for (let i = 0; i < 3; i++) await resolver.resolve4(name);
  await until(async () => s.events.length, (n) => n >= 5, 5000);
  const ev = s.events.filter((e) => e.event === 'query').map(data);
  t.equal(ev.length, 5);
  t.equal(ev[1].lookup, ev[0].lookup, 'A then AAAA of one name: one lookup');
  const ids = ev.slice(2).map((e) => e.lookup);
  t.equal(new Set([ev[0].lookup, ...ids]).size, 4, `each repeat is a lookup of its own (${ev.map((e) => e.lookup).join(',')})`);
});

t.test('lookup ids of a restarted server do not repeat the ones before (the page folds rows by them)', async (t) => {
  // The console keeps its rows across a reconnect: a new server counting lookups from 1 again folded its queries
  // into the old server's rows.
  const walkOf = async () => {
    const { dns, base, resolver } = await start(t);
    const s = await sse(t, `${base}/api/v1/queries/stream`);
    await resolver.resolve4('api.default.svc.cluster.local');
    const ev = data(await s.next((e) => e.event === 'query'));
    s.close();
    await dns.close();
    return ev.lookup as number;
  };
  const before = await walkOf();
  await new Promise((r) => setTimeout(r, 5));
  const after = await walkOf();
  t.ok(Number.isSafeInteger(before) && Number.isSafeInteger(after), `${before}, ${after}`);
  t.ok(after > before, `the restarted server's lookup ${after} is past the one before (${before})`);
});
