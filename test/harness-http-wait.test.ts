// waitForQuery for harnesses in any language: GET /api/v1/queries/wait, an HTTP long poll, and DELETE /api/v1/queries,
// with real fetch against the admin listener, real DNS queries (node:dns, dig), and the real CLI process.
import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as dnsp } from 'node:dns';
import { startClusterDns, type ClusterDns, type StartOptions } from '../lib/index.js';
import { MAIN, ROOT, stopCli } from './helpers/cli.js';
import { dig, digMissing } from './helpers/dig.js';
import { until } from './helpers/until.js';

const TOKEN = randomBytes(16).toString('hex');
const service = (name: string, ip: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { clusterIP: ip, ports: [{ port: 80 }] } });

async function start(t: Test, opts: Partial<StartOptions> = {}): Promise<{ dns: ClusterDns; base: string; resolver: dnsp.Resolver }> {
  const dns = await startClusterDns({ objects: [service('api', '10.96.0.10')], admin: '127.0.0.1:0', ...opts });
  t.teardown(() => dns.close());
  const resolver = new dnsp.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([dns.address]);
  return { dns, base: `http://${dns.adminAddress}`, resolver };
}

async function json(res: Response): Promise<{ status: number; body: any; headers: Headers }> {
  return { status: res.status, body: await res.json(), headers: res.headers };
}

t.test('200 with the entry of the first matching query after the request', async (t) => {
  const { dns, base, resolver } = await start(t);
  await resolver.resolve4('api.default.svc.cluster.local'); // before the poll: not taken
  const poll = fetch(`${base}/api/v1/queries/wait?name=API.default.svc.cluster.local&type=a&transport=udp&client=127.0.0.1&timeout=10s`).then(json);
  await until(async () => dns.server.journal.waiting, (n) => n === 1, 5000);
  await new Promise((r) => setTimeout(r, 100));
  await resolver.resolve4('api.default.svc.cluster.local');
  const { status, body } = await poll;
  t.equal(status, 200);
  t.match(body.query, { name: 'api.default.svc.cluster.local', type: 'A', transport: 'udp', client: '127.0.0.1', rcode: 'NOERROR', answers: 1 });
  t.ok(body.waitedMs >= 90 && body.waitedMs < 10_000, `waitedMs ${body.waitedMs}: it waited for the second query`);
  t.equal(body.query.time, dns.queries().at(-1)!.time, 'the later of the two queries');

  const past = await json(await fetch(`${base}/api/v1/queries/wait?name=api.default.svc.cluster.local&includePast=true&timeout=100`));
  t.equal(past.status, 200, 'includePast=true takes one already in the journal');
  t.equal(past.body.query.time, dns.queries()[0].time, 'the oldest');
});

t.test('over TCP (dig +tcp) with a "*" pattern and an rcode', { skip: digMissing }, async (t) => {
  const { base, dns } = await start(t);
  const poll = fetch(`${base}/api/v1/queries/wait?name=*.svc.cluster.local&rcode=NXDOMAIN&transport=tcp`).then(json);
  await until(async () => dns.server.journal.waiting, (n) => n === 1, 5000);
  await dig({ host: dns.host, port: dns.port }, ['+tcp', 'api.default.svc.cluster.local', 'A']);
  await dig({ host: dns.host, port: dns.port }, ['+tcp', 'gone.default.svc.cluster.local', 'A']);
  const { status, body } = await poll;
  t.equal(status, 200);
  t.match(body.query, { name: 'gone.default.svc.cluster.local', transport: 'tcp', rcode: 'NXDOMAIN' });
});

t.test('408 on timeout, with the recent queries in the body', async (t) => {
  const { base, resolver } = await start(t);
  await resolver.resolve4('api.default.svc.cluster.local');
  await resolver.resolve4('apii.default.svc.cluster.local').catch(() => undefined);
  const started = performance.now();
  const { status, body } = await json(await fetch(`${base}/api/v1/queries/wait?name=apii.default.svc.cluster.local&type=AAAA&timeout=300ms`));
  const waited = performance.now() - started;
  t.equal(status, 408);
  t.ok(waited >= 290 && waited < 5000, `after the timeout (${Math.round(waited)} ms)`);
  t.equal(body.error, 'Request Timeout');
  t.match(body.message, /^no query matching \{ name: "apii\.default\.svc\.cluster\.local", type: "AAAA" \} within 300 ms/);
  t.match(body.message, /apii\.default\.svc\.cluster\.local A -> NXDOMAIN/);
  t.equal(body.received, 0);
  t.same(body.recent.map((e: any) => `${e.name} ${e.type} ${e.rcode}`), ['api.default.svc.cluster.local A NOERROR', 'apii.default.svc.cluster.local A NXDOMAIN']);
});

t.test('DELETE /api/v1/queries clears; includePast then waits for a new one', async (t) => {
  const { base, resolver, dns } = await start(t, { adminToken: TOKEN });
  await resolver.resolve4('api.default.svc.cluster.local');
  t.equal((await fetch(`${base}/api/v1/queries`, { method: 'DELETE' })).status, 401, 'a write: the token is needed');
  const del = await json(await fetch(`${base}/api/v1/queries`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } }));
  t.same([del.status, del.body], [200, { cleared: true }]);
  t.same((await json(await fetch(`${base}/api/v1/queries`))).body.queries, []);
  t.equal((await fetch(`${base}/api/v1/queries/wait?includePast=true&timeout=100`)).status, 408, 'nothing in the journal any more');
  t.equal(dns.queries().length, 0);
  // GET /api/v1/queries takes the same match fields.
  await resolver.resolve4('api.default.svc.cluster.local');
  const listed = await json(await fetch(`${base}/api/v1/queries?name=*.cluster.local&transport=udp&client=127.0.0.1`));
  t.equal(listed.body.count, 1);
  t.equal((await json(await fetch(`${base}/api/v1/queries?transport=tcp`))).body.count, 0);
});

t.test('the admin token: a read, so open on loopback unless --admin-auth all', async (t) => {
  const { base } = await start(t, { adminToken: TOKEN, adminAuth: 'all' });
  const none = await fetch(`${base}/api/v1/queries/wait?timeout=50`);
  t.equal(none.status, 401);
  t.match((await none.json()).message, /requires the token/);
  t.equal((await fetch(`${base}/api/v1/queries/wait?timeout=50`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status, 401);
  t.equal((await fetch(`${base}/api/v1/queries/wait?timeout=50`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 408);
});

t.test('429 past 1000 pending waits; a client that hangs up gives its place back', async (t) => {
  const { dns, base } = await start(t);
  // 999 waits in-process, one long poll over HTTP: the bound is one pool for both.
  const held = new AbortController();
  const waits = Array.from({ length: 999 }, () => dns.waitForQuery({}, { signal: held.signal, timeoutMs: 60_000 }).catch(() => undefined));
  const gone = new AbortController();
  const poll = fetch(`${base}/api/v1/queries/wait?timeout=60000`, { signal: gone.signal }).catch((e) => e);
  await until(async () => dns.server.journal.waiting, (n) => n === 1000, 5000);
  const over = await fetch(`${base}/api/v1/queries/wait?timeout=60000`);
  t.equal(over.status, 429);
  t.equal(over.headers.get('retry-after'), '1');
  t.match((await over.json()).message, /1000 waits for queries are already pending/);
  gone.abort();
  t.equal((await poll).name, 'AbortError');
  const left = await until(async () => dns.server.journal.waiting, (n) => n === 999, 5000);
  t.equal(left, 999, 'the hung-up poll no longer holds a place');
  held.abort();
  await Promise.all(waits);
  t.equal(dns.server.journal.waiting, 0);
  t.equal((await fetch(`${base}/api/v1/queries/wait?timeout=20`)).status, 408, 'room again');
});

t.test('400 with what to fix for parameters that cannot match', async (t) => {
  const { base, dns } = await start(t);
  const cases: [string, RegExp][] = [
    ['type=AAA', /type "AAA" is not a DNS type/],
    ['rcode=NXDOMIAN', /rcode "NXDOMIAN" is not a response code: use NOERROR/],
    ['transport=quic', /transport/],
    ['client=localhost', /client "localhost" is not an IP address/],
    ['nmae=api.default.svc.cluster.local', /must NOT have additional properties/],
    ['name=', /name "": expected a DNS name/],
    [`name=${'a'.repeat(300)}`, /name.*256/],
    ['timeout=abc', /timeout "abc": give milliseconds \(5000\) or a duration \(500ms, 5s\), from 1 ms to 120s/],
    ['timeout=0', /timeout "0"/],
    ['timeout=121s', /timeout "121s"/],
    ['includePast=maybe', /includePast must be boolean/],
  ];
  for (const [q, want] of cases) {
    const started = performance.now();
    const { status, body } = await json(await fetch(`${base}/api/v1/queries/wait?${q}`));
    t.equal(status, 400, q.slice(0, 40));
    t.equal(body.error, 'Bad Request');
    t.match(body.message, want);
    t.ok(performance.now() - started < 2000, 'at once');
  }
  t.equal(dns.server.journal.waiting, 0);
});

t.test('409 with the journal off', async (t) => {
  const { base } = await start(t, { journalSize: 0 });
  const { status, body } = await json(await fetch(`${base}/api/v1/queries/wait?timeout=5000`));
  t.equal(status, 409);
  t.match(body.message, /the query journal is off/);
});

interface ReadyLine { pid: number; dns: { host: string; port: number }; http: Record<string, { url: string }> }

t.test('the CLI: a long poll answered by a dig query; SIGTERM answers a pending poll with 503 at once', { skip: digMissing }, async (t) => {
  const proc: ChildProcess = spawn(process.execPath, [MAIN, '--listen', '127.0.0.1:0', '--ready-file', '-', '--log-level', 'warn'], { cwd: ROOT });
  t.teardown(() => stopCli(proc, 'SIGKILL'));
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  const ready = await until(async () => out.split('\n').find((l) => l.startsWith('{')), (l) => l !== undefined, 20_000);
  const r = JSON.parse(ready!) as ReadyLine;
  const admin = r.http.admin!.url.replace(/\/$/, '');
  const poll = fetch(`${admin}/api/v1/queries/wait?name=myapp.default.svc.cluster.local&timeout=20s`).then(json);
  await new Promise((res) => setTimeout(res, 200));
  await dig(r.dns, ['myapp.default.svc.cluster.local', 'A']);
  const got = await poll;
  t.equal(got.status, 200);
  t.match(got.body.query, { name: 'myapp.default.svc.cluster.local', type: 'A', transport: 'udp' });

  const pending = fetch(`${admin}/api/v1/queries/wait?name=never.default.svc.cluster.local&timeout=60s`).then(json);
  await new Promise((res) => setTimeout(res, 200));
  const started = performance.now();
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  proc.kill('SIGTERM');
  const { status, body } = await pending;
  t.equal(status, 503);
  t.match(body.message, /the server was closed while waiting for a query/);
  t.equal(await exited, 0);
  const took = performance.now() - started;
  t.ok(took < 5000, `the pending long poll did not hold up shutdown (${Math.round(took)} ms)`);
});
