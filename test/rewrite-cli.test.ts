// rewrite as a user runs it: Corefile rewrite rules (exact, prefix, suffix, substring, regex, answer auto, answer
// name/value, type) through the CLI and dig. The client asks for its own name and gets records owned by that name;
// what is expected is derived from the answer the server gives for the cluster name itself.
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, stopCli, runCli } from './helpers/cli.js';
import { dig, digMissing, digStatus } from './helpers/dig.js';
import { stubUpstream, answerWith } from './helpers/stub-upstream.js';
import { query, udpQuery } from './helpers/dnsmasq.js';

const dir = mkdtempSync(join(tmpdir(), 'rewrite-'));
const CLUSTER_IP = '10.96.0.50';
writeFileSync(join(dir, 'myapp.yaml'), `apiVersion: v1
kind: Service
metadata: {name: myapp, namespace: default}
spec: {clusterIP: ${CLUSTER_IP}, ports: [{name: http, port: 80, protocol: TCP}]}
`);
const UPSTREAM_IPS = ['192.0.2.7', '192.0.2.8'];
const upstream = await stubUpstream((_q, name, type) => answerWith(name, type, type === 1
  ? [{ name, type: 5, ttl: 60, data: `edge.${name}` }, ...UPSTREAM_IPS.map((ip) => ({ name: `edge.${name}`, type: 1, ttl: 60, data: ip }) as const)]
  : []));
t.teardown(() => upstream.close());

const corefile = join(dir, 'Corefile');
writeFileSync(corefile, `.:53 {
  rewrite name exact Exact.Example.COM myapp.default.svc.cluster.local
  rewrite name prefix pfx myapp answer auto
  rewrite name prefix raw myapp
  rewrite name suffix .svc.example.com .svc.cluster.local answer auto
  rewrite name substring .sub.example.net .svc.cluster.local answer auto
  rewrite name regex (.*)\\.rx\\.example\\.org {1}.svc.cluster.local answer auto
  rewrite stop {
    name regex (.*)\\.blk\\.example\\.org {1}.svc.cluster.local
    answer name (.*)\\.svc\\.cluster\\.local {1}.blk.example.org
    answer value (.*)\\.svc\\.cluster\\.local {1}.blk.example.org
  }
  rewrite name suffix .fwd.example.com .upstream.test answer auto
  rewrite name regex ^([a-z]+)\\.toolong\\.test\\.$ {1}{1}{1}{1}{1}{1}{1}{1}{1}{1}.svc.cluster.local
  rewrite continue type HINFO A
  kubernetes cluster.local
  forward . 127.0.0.1:${upstream.port}
}
`);

let srv: Awaited<ReturnType<typeof startCli>>;
t.before(async () => {
  srv = await startCli(['--corefile', corefile, '--fixtures', dir, '--listen', '127.0.0.1:0', '--admin', 'off', '--no-watch', '--log-level', 'warn']);
});
t.teardown(() => srv && stopCli(srv.proc));

/** dig's sections in order, whitespace normalised, and the question line */
async function ask(name: string, type: string) {
  const out = await dig(srv, [name, type, '+norecurse']);
  t.notMatch(out, /mismatch/i, 'dig saw the question it asked');
  const section = (s: string) => {
    const lines = out.split('\n');
    const i = lines.findIndex((l) => l.startsWith(`;; ${s} SECTION:`));
    if (i < 0) return [];
    const res: string[] = [];
    for (const l of lines.slice(i + 1)) { if (!l.trim()) break; res.push(l.replace(/^;/, '').trim().split(/\s+/).join(' ')); }
    return res;
  };
  return { status: digStatus(out), question: section('QUESTION'), answer: section('ANSWER'), additional: section('ADDITIONAL'), authority: section('AUTHORITY') };
}

const direct = (type: string) => ask('myapp.default.svc.cluster.local', type);
const swap = (lines: string[], from: string, to: string) => lines.map((l) => l.split(from).join(to));

t.test('exact: the answer is owned by the asked name (lower-cased, as CoreDNS), the question as asked', { skip: digMissing }, async (t) => {
  const base = await direct('A');
  t.same(base.answer, [`myapp.default.svc.cluster.local. 5 IN A ${CLUSTER_IP}`]);
  const r = await ask('Exact.Example.COM', 'A');
  t.equal(r.status, 'NOERROR');
  t.same(r.question, ['Exact.Example.COM. IN A']);
  t.same(r.answer, swap(base.answer, 'myapp.default.svc.cluster.local.', 'exact.example.com.'));
});

t.test('suffix ... answer auto: the blog-post case, A and SRV (targets and glue mapped back too)', { skip: digMissing }, async (t) => {
  const a = await ask('myapp.default.svc.example.com', 'A');
  t.same(a.answer, swap((await direct('A')).answer, '.svc.cluster.local.', '.svc.example.com.'));
  const baseSrv = await ask('_http._tcp.myapp.default.svc.cluster.local', 'SRV');
  t.ok(baseSrv.answer.length === 1 && baseSrv.additional.length >= 1, 'the direct SRV answer has a target and its address');
  const srvR = await ask('_http._tcp.myapp.default.svc.example.com', 'SRV');
  t.same(srvR.answer, swap(baseSrv.answer, '.svc.cluster.local.', '.svc.example.com.'));
  t.same(srvR.additional.filter((l) => !l.includes('OPT')), swap(baseSrv.additional, '.svc.cluster.local.', '.svc.example.com.').filter((l) => !l.includes('OPT')));
  const nx = await ask('nothing.default.svc.example.com', 'A');
  t.equal(nx.status, 'NXDOMAIN');
  t.same(nx.authority, (await ask('nothing.default.svc.cluster.local', 'A')).authority, 'the SOA of cluster.local, which no rule maps back');
});

t.test('the client\'s spelling: owners are lower case, compressed against the question only as far as it matches', { skip: digMissing }, async (t) => {
  // Asked in lower case the owner is a pointer to the question; asked as MyApp only "default.svc.example.com" is;
  // asked as myApp.Default only "svc.example.com". The answer cache must not hand one spelling's bytes to another.
  const names = ['myapp.default.svc.example.com', 'MyApp.default.svc.example.com', 'myapp.default.svc.example.com', 'myApp.Default.svc.example.com', 'myapp.default.svc.example.com'];
  const sizes: number[] = [];
  for (const [i, name] of names.entries()) {
    const reply = await udpQuery(srv.port, query(name, 'A', 100 + i));
    t.equal(reply.readUInt16BE(6), 1, name);
    sizes.push(reply.length);
  }
  const question = 12 + (names[0]!.length + 2) + 4;
  const rr = 10 + 4;
  t.same(sizes, [question + 2 + rr, question + 6 + 2 + rr, question + 2 + rr, question + 6 + 8 + 2 + rr, question + 2 + rr]);
  const mixed = await dig(srv, ['MyApp.default.svc.example.com', 'A', '+noall', '+answer']);
  t.match(mixed, /^myapp\.default\.svc\.example\.com\.\s/m, 'owner in lower case, as CoreDNS writes state.Name()');
});

t.test('regex ... answer auto, prefix ... answer auto, substring ... answer auto', { skip: digMissing }, async (t) => {
  const base = (await direct('A')).answer;
  for (const name of ['myapp.default.rx.example.org', 'pfx.default.svc.cluster.local', 'myapp.default.sub.example.net']) {
    const r = await ask(name, 'A');
    t.same(r.answer, swap(base, 'myapp.default.svc.cluster.local.', `${name}.`), name);
  }
});

t.test('without answer rules the records keep the rewritten name (as CoreDNS sends them)', { skip: digMissing }, async (t) => {
  const r = await ask('raw.default.svc.cluster.local', 'A');
  t.same(r.question, ['raw.default.svc.cluster.local. IN A']);
  t.same(r.answer, (await direct('A')).answer);
});

t.test('answer name / answer value in a block: owners and targets mapped by their own regex', { skip: digMissing }, async (t) => {
  const r = await ask('_http._tcp.myapp.default.blk.example.org', 'SRV');
  const base = await ask('_http._tcp.myapp.default.svc.cluster.local', 'SRV');
  t.same(r.answer, swap(base.answer, '.svc.cluster.local.', '.blk.example.org.'));
});

t.test('a forwarded reply: question restored, owners and CNAME targets under the rewritten name mapped back', { skip: digMissing }, async (t) => {
  const r = await ask('www.fwd.example.com', 'A');
  t.equal(r.status, 'NOERROR');
  t.same(r.question, ['www.fwd.example.com. IN A']);
  t.same(r.answer, [
    'www.fwd.example.com. 60 IN CNAME edge.www.fwd.example.com.',
    ...UPSTREAM_IPS.map((ip) => `edge.www.fwd.example.com. 60 IN A ${ip}`),
  ]);
});

t.test('a rewrite to an invalid name (a label over 63 bytes) is SERVFAIL; type rewrite answers A for HINFO', { skip: digMissing }, async (t) => {
  const bad = await ask('abcdefghij.toolong.test', 'A');
  t.equal(bad.status, 'SERVFAIL');
  t.same(bad.question, ['abcdefghij.toolong.test. IN A']);
  const hinfo = await dig(srv, ['myapp.default.svc.cluster.local', 'HINFO', '+noall', '+answer']);
  t.match(hinfo, new RegExp(`IN\\s+A\\s+${CLUSTER_IP.replace(/\./g, '\\.')}`));
});

t.test('Corefile errors name the line', async (t) => {
  const cases: [string, RegExp][] = [
    ['rewrite name regex (a(b {1}', /line 2: rewrite: invalid regex matching pattern: \(a\(b/],
    ['rewrite name regex a(?=b) x', /line 2: rewrite: invalid regex matching pattern/],
    ['rewrite name regex (.*)\\.a {1}{2}.b', /line 2: rewrite: the rewrite regex pattern .* uses more subexpressions/],
    ['rewrite name fuzzy a b', /line 2: rewrite: name rule supports only exact, prefix, suffix, substring, and regex/],
    ['rewrite name suffix .a .b answer auto answer name x y', /line 2: rewrite: auto name answer rule cannot be combined/],
    ['rewrite name suffix .a .b answer bogus', /line 2: rewrite: invalid type "bogus" for answer rule/],
    ['rewrite type A', /line 2: rewrite: type rules must have exactly two arguments/],
    ['rewrite stop', /line 2: rewrite: stop rule must begin with a rule type/],
    [`rewrite name regex ${'a'.repeat(10001)} b`, /line 2: rewrite: argument of 10001 characters/],
  ];
  for (const [line, want] of cases) {
    const f = join(dir, 'Corefile.bad');
    writeFileSync(f, `.:53 {\n  ${line}\n  kubernetes cluster.local\n}\n`);
    const r = await runCli(['--corefile', f, '--fixtures', dir, '--listen', '127.0.0.1:0', '--admin', 'off']);
    t.not(r.code, 0, line.slice(0, 60));
    t.match(r.stderr, want, line.slice(0, 60));
  }
  const f = join(dir, 'Corefile.warn');
  writeFileSync(f, '.:53 {\n  rewrite edns0 local set 0xffee abcd\n  kubernetes cluster.local\n}\n');
  const s = await startCli(['--corefile', f, '--fixtures', dir, '--listen', '127.0.0.1:0', '--admin', 'off', '--no-watch']);
  await new Promise((r) => setTimeout(r, 200));
  await stopCli(s.proc);
  t.match(s.stderr() + s.line, /rewrite edns0 rules are not implemented by clusterdns \(rule ignored\)/);
});
