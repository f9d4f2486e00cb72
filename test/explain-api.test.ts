// GET /api/v1/explain and `clusterdns explain` against the real executable serving the bundled fixtures and the
// near-miss fixture (test/fixtures/explain): the answer is the one DNS gives, each record says its object and rule,
// and every way of missing a name the fixture sets up is named. Expected values come from the fixture files.
import t from 'tap';
import { BUNDLED_FIXTURES_DIR, freePort } from './helpers/explain-paths.js';
import { runCli, startCli, stopCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';
import {
  EXPLAIN_FIXTURES, headlessNothingReady, serviceInOneNamespace, svcName, typo, unnamedPortService, unreadyEndpoint, ZONE,
} from './helpers/explain-fixture.js';

const cli = await startCli(['--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--fixtures', BUNDLED_FIXTURES_DIR, '--fixtures', EXPLAIN_FIXTURES, '--log-level', 'warn']);
t.teardown(() => stopCli(cli.proc));
const admin = /admin http:\/\/([^\s,]+)/.exec(cli.line)![1]!;
const get = async (path: string) => {
  const res = await fetch(`http://${admin}${path}`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, json: await res.json() as any };
};
const explain = async (name: string, q: Record<string, string> = {}) => {
  const r = await get(`/api/v1/explain?${new URLSearchParams({ name, ...q })}`);
  if (r.status !== 200) throw new Error(`explain ${name}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
};
const kinds = (e: any) => e.nearMisses.map((m: any) => m.kind);

t.test('a name that resolves: the same answer as /api/v1/resolve and dig, each record with its object and rule', async (t) => {
  const { svc, ns } = { svc: 'web-headless', ns: 'default' };
  const name = svcName(svc, ns);
  const e = await explain(name);
  const r = (await get(`/api/v1/resolve?name=${name}`)).json;
  t.equal(e.rcode, 'NOERROR');
  t.same(e.answer.map((x: any) => x.text), r.answer.map((x: any) => x.text), 'the records /api/v1/resolve gives');
  const dig = await query(cli.port, name, 'A');
  t.same(e.answer.map((x: any) => x.data).sort(), dig.answers!.map((a: any) => a.data).sort(), 'the addresses dig gets');
  for (const rr of e.answer) {
    t.equal(rr.source, `Service/${ns}/${svc}`, 'the object');
    t.match(rr.rule, /headless Service/, 'the rule');
  }
  t.same(e.nearMisses, [], 'no near miss for an answer');
  const srv = await explain(name, { type: 'SRV' });
  t.ok(srv.answer.length > 0 && srv.answer.every((x: any) => x.type === 'SRV' && /SRV/.test(x.rule)), 'SRV records and their rule');
  t.ok(srv.additional.every((x: any) => /SRV target/.test(x.rule)), 'additional addresses: SRV targets');
});

t.test('wrong namespace: the namespaces that have the Service are listed, with the name to ask', async (t) => {
  const s = serviceInOneNamespace();
  const e = await explain(svcName(s.name, s.otherNs));
  t.equal(e.rcode, 'NXDOMAIN');
  const m = e.nearMisses.find((x: any) => x.kind === 'other-namespace');
  t.ok(m, `other-namespace in ${JSON.stringify(kinds(e))}`);
  t.same(m.objects, [`Service/${s.ns}/${s.name}`]);
  t.same(m.names, [svcName(s.name, s.ns)]);
  t.equal((await query(cli.port, m.names[0], 'A')).rcode, 'NOERROR', 'the suggested name resolves');
});

t.test('typo: a similar Service name in the namespace', async (t) => {
  const x = typo();
  const e = await explain(svcName(x.typo, x.ns));
  t.equal(e.rcode, 'NXDOMAIN');
  const m = e.nearMisses.find((n: any) => n.kind === 'similar-name');
  t.ok(m, JSON.stringify(e.nearMisses));
  t.ok(m.names.includes(svcName(x.svc, x.ns)), `suggests ${x.svc}`);
});

t.test('an endpoint that exists but is not ready', async (t) => {
  const u = unreadyEndpoint();
  const e = await explain(`${u.hostname}.${svcName(u.svc, u.ns)}`);
  t.equal(e.rcode, 'NXDOMAIN');
  const m = e.nearMisses.find((n: any) => n.kind === 'endpoint-not-ready');
  t.ok(m, JSON.stringify(e.nearMisses));
  t.ok(m.objects.includes(`Pod/${u.ns}/${u.pod}`), 'names the pod');
});

t.test('an unnamed port: no _PORT._PROTO SRV name', async (t) => {
  const u = unnamedPortService();
  const e = await explain(`_http._tcp.${svcName(u.svc, u.ns)}`, { type: 'SRV' });
  t.equal(e.rcode, 'NXDOMAIN');
  const m = e.nearMisses.find((n: any) => n.kind === 'unnamed-port');
  t.ok(m, JSON.stringify(e.nearMisses));
  t.match(m.message, String(u.port));
  const srv = await explain(m.names[0], { type: 'SRV' });
  t.equal(srv.rcode, 'NOERROR', 'the suggested SRV name answers');
  t.equal(srv.answer[0].data.port, u.port);
});

t.test('a headless Service with no ready endpoint', async (t) => {
  const h = headlessNothingReady();
  const e = await explain(svcName(h.svc, h.ns));
  t.equal(e.rcode, 'NXDOMAIN');
  const m = e.nearMisses.find((n: any) => n.kind === 'headless-no-ready');
  t.ok(m, JSON.stringify(e.nearMisses));
  for (const p of h.pods) t.ok(m.objects.includes(`Pod/${h.ns}/${p}`), `lists ${p}`);
});

t.test('search-path walk: glibc order, stops at the first answer, each step as DNS answers it', async (t) => {
  const s = serviceInOneNamespace();
  // "api.prod" from a pod in default: 1 dot < ndots 5, so the search list first, then as is.
  const rel = `${s.name}.${s.ns}`;
  const e = await explain(rel, { namespace: s.otherNs });
  t.same(e.search.search, [`${s.otherNs}.svc.${ZONE}`, `svc.${ZONE}`, ZONE]);
  const expected = [`${rel}.${s.otherNs}.svc.${ZONE}.`, `${rel}.svc.${ZONE}.`];
  t.same(e.search.walk.map((w: any) => w.name), expected, 'tried in order, up to the one that answers');
  for (const w of e.search.walk) t.equal(w.rcode, (await query(cli.port, w.name.slice(0, -1), 'A')).rcode, `${w.name}: the rcode dig gets`);
  t.equal(e.search.walk.at(-1).stop, true);
  t.equal(e.search.resolvedAs, `${rel}.svc.${ZONE}`);
  t.ok(kinds(e).includes('search-list'), 'the as-is name fails, the walk finds it: a near miss');

  // ndots 1: the name has enough dots to be tried as is first.
  const one = await explain(rel, { namespace: s.otherNs, ndots: '1' });
  t.equal(one.search.walk[0].name, `${rel}.`, 'as is first with dots >= ndots');
  // A name that never resolves: every candidate, the as-is last.
  const none = await explain('no-such-svc-x', { namespace: 'default' });
  t.same(none.search.walk.map((w: any) => w.name), [`no-such-svc-x.default.svc.${ZONE}.`, `no-such-svc-x.svc.${ZONE}.`, `no-such-svc-x.${ZONE}.`, 'no-such-svc-x.'], 'search list then as is');
  t.equal(none.search.resolvedAs, undefined);
  const abs = await explain(`${svcName(s.name, s.ns)}.`, { namespace: s.otherNs });
  t.same(abs.search.walk.map((w: any) => w.name), [`${svcName(s.name, s.ns)}.`], 'a trailing dot: asked as is, alone');
});

t.test('a fault that matches: named, and the answer is the faulted one; explain does not count as a hit', async (t) => {
  const x = typo();
  const name = svcName(x.svc, x.ns);
  const made = await fetch(`http://${admin}/api/v1/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, fault: 'servfail' }) });
  const fault = await made.json() as any;
  t.teardown(() => fetch(`http://${admin}/api/v1/faults/${fault.id}`, { method: 'DELETE' }));
  const e = await explain(name);
  t.equal(e.rcode, (await query(cli.port, name, 'A')).rcode, 'the rcode dig gets');
  t.equal(e.rcode, 'SERVFAIL');
  t.same(e.faults.map((f: any) => f.id), [fault.id]);
  t.ok(e.nearMisses.some((m: any) => m.kind === 'fault' && m.message.includes(`#${fault.id}`)));
  const listed = (await get('/api/v1/faults')).json.faults.find((f: any) => f.id === fault.id);
  t.equal(listed.hits, 1, 'only the dig was a hit');
});

t.test('outside the zones, and a missing svc label', async (t) => {
  const e = await explain('example.test');
  t.equal(e.rcode, 'REFUSED');
  t.same(kinds(e), ['outside-zones']);
  const x = typo();
  const m = await explain(`${x.svc}.${x.ns}.${ZONE}`);
  t.same(m.nearMisses[0].names, [svcName(x.svc, x.ns)]);
});

t.test('clusterdns explain: the CLI asks the admin API', async (t) => {
  const s = serviceInOneNamespace();
  const miss = await runCli(['explain', svcName(s.name, s.otherNs), '--admin', admin]);
  t.equal(miss.code, 1, 'exit 1: no records');
  t.match(miss.stdout, 'NXDOMAIN');
  t.match(miss.stdout, `[other-namespace]`);
  t.match(miss.stdout, svcName(s.name, s.ns));
  const hit = await runCli(['explain', `${s.name}.${s.ns}`, '--namespace', s.otherNs, '--admin', `http://${admin}`]);
  t.equal(hit.code, 0, 'the name as is is refused, but a pod in that namespace gets an answer: exit 0');
  t.match(hit.stdout, /REFUSED/);
  t.match(hit.stdout, /stops here/, 'the walk shows where it resolves');
  const nowhere = await runCli(['explain', 'no-such-svc-x', '--namespace', s.otherNs, '--admin', admin]);
  t.equal(nowhere.code, 1, 'a walk that finds nothing: exit 1');
  const ok = await runCli(['explain', svcName(s.name, s.ns), '--admin', admin, '--json']);
  t.equal(ok.code, 0);
  t.equal(JSON.parse(ok.stdout).answer[0].source, `Service/${s.ns}/${s.name}`);
  const bad = await runCli(['explain', 'a..b', '--admin', admin]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /400: .*empty label/);
  const usage = await runCli(['explain']);
  t.equal(usage.code, 2);
  t.match(usage.stderr, 'give the NAME');
  const down = await runCli(['explain', 'x', '--admin', `127.0.0.1:${await freePort()}`]);
  t.equal(down.code, 2);
  t.match(down.stderr, /is the server running/, 'says what it could not reach');
});
