// loadbalance as a user runs it: a Corefile with `loadbalance` started through the CLI, answers read with dig, the
// order of the records watched over many queries (cache hits, misses, forwarded replies, ExternalName chases).
import t, { type Test } from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, stopCli, runCli } from './helpers/cli.js';
import { dig, digMissing, digStatus } from './helpers/dig.js';
import { stubUpstream, answerWith } from './helpers/stub-upstream.js';
import type { RR } from '../lib/dns/records.js';
import { startServer } from './helpers/server.js';

const dir = mkdtempSync(join(tmpdir(), 'loadbalance-'));
const POOL = ['10.1.0.1', '10.2.0.2', '10.3.0.3'];
const EXT = ['192.0.2.1', '192.0.2.2', '192.0.2.3'];
writeFileSync(join(dir, 'pool.yaml'), `apiVersion: v1
kind: Service
metadata: {name: pool, namespace: default}
spec:
  clusterIP: None
  ports: [{name: http, port: 80, protocol: TCP}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: pool-1, namespace: default, labels: {kubernetes.io/service-name: pool}}
addressType: IPv4
ports: [{name: http, protocol: TCP, port: 80}]
endpoints:
${POOL.map((ip) => `  - addresses: [${ip}]\n    conditions: {ready: true}`).join('\n')}
---
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: default}
spec: {type: ExternalName, externalName: lb.ext.test}
`);

const BIG = Array.from({ length: 60 }, (_, i) => `10.9.${i >> 8}.${(i & 255) + 1}`);
writeFileSync(join(dir, 'big.yaml'), `apiVersion: v1
kind: Service
metadata: {name: big, namespace: default}
spec: {clusterIP: None}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: big-1, namespace: default, labels: {kubernetes.io/service-name: big}}
addressType: IPv4
endpoints:
${BIG.map((ip) => `  - addresses: [${ip}]\n    conditions: {ready: true}`).join('\n')}
`);

const a = (name: string, ip: string): RR => ({ name, type: 1, ttl: 30, data: ip });
const upstream = await stubUpstream((_q, name, type) => answerWith(name, type, type === 1 ? EXT.map((ip) => a(name, ip)) : []));
t.teardown(() => upstream.close());

function corefile(name: string, loadbalance: string): string {
  const path = join(dir, name);
  writeFileSync(path, `.:53 {\n  errors\n  ${loadbalance}\n  kubernetes cluster.local\n  forward . 127.0.0.1:${upstream.port}\n}\n`);
  return path;
}

async function serve(t: Test, args: string[]) {
  const srv = await startCli([...args, '--fixtures', dir, '--listen', '127.0.0.1:0', '--admin', 'off', '--no-watch', '--log-level', 'warn']);
  t.teardown(() => stopCli(srv.proc));
  return srv;
}

/** `count` queries in one dig run; each reply's answer section in order, as [type, data] lines. */
async function orders(server: { host: string; port: number }, name: string, type: string, count: number): Promise<string[][]> {
  const args: string[] = [];
  for (let i = 0; i < count; i++) args.push(name, type, '+noall', '+answer', '+comments');
  const out = await dig(server, args);
  const replies = out.split(/;; Got answer:/).slice(1);
  t.equal(replies.length, count, 'one reply per query');
  return replies.map((r) => {
    t.equal(digStatus(r), 'NOERROR');
    return r.split('\n').filter((l) => l && !l.startsWith(';')).map((l) => l.trim().split(/\s+/)).map((f) => `${f[3]} ${f[4]}`);
  });
}

const permutations = (xs: string[]): string[][] => xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));

t.test('Corefile loadbalance: every order of a headless Service\'s addresses appears, cache hits included', { skip: digMissing }, async (t) => {
  const srv = await serve(t, ['--corefile', corefile('Corefile.rr', 'loadbalance round_robin')]);
  const seen = new Set<string>();
  // 120 replies of 3 records: a missing order of 6 has a chance of about 6 * (5/6)^120 = 2e-9.
  for (const o of await orders(srv, 'pool.default.svc.cluster.local', 'A', 120)) {
    t.same([...o].sort(), POOL.map((ip) => `A ${ip}`).sort(), 'the same records every time');
    seen.add(o.join(','));
  }
  t.same([...seen].sort(), permutations(POOL.map((ip) => `A ${ip}`)).map((p) => p.join(',')).sort(), 'all 6 orders seen');
});

t.test('ExternalName chased through forward: the CNAME stays first, the forwarded addresses are shuffled', { skip: digMissing }, async (t) => {
  const srv = await serve(t, ['--corefile', corefile('Corefile.rr2', 'loadbalance')]);
  const seen = new Set<string>();
  for (const o of await orders(srv, 'ext.default.svc.cluster.local', 'A', 120)) {
    t.equal(o[0], 'CNAME lb.ext.test.', 'CNAME first');
    t.same(o.slice(1).sort(), EXT.map((ip) => `A ${ip}`).sort());
    seen.add(o.slice(1).join(','));
  }
  t.equal(seen.size, 6, 'all 6 orders of the chased addresses seen');
  // A name only the upstream knows: its reply (always in the same order) is shuffled on the way through.
  const fwd = new Set((await orders(srv, 'lb.ext.test', 'A', 120)).map((o) => o.join(',')));
  t.equal(fwd.size, 6, 'all 6 orders of a forwarded reply seen');
});

t.test('prefer: addresses in the listed CIDRs come first, always; the rest still shuffled', { skip: digMissing }, async (t) => {
  const srv = await serve(t, ['--corefile', corefile('Corefile.prefer', 'loadbalance round_robin {\n    prefer 10.3.0.0/16 10.2.0.2/32\n  }')]);
  const tails = new Set<string>();
  for (const o of await orders(srv, 'pool.default.svc.cluster.local', 'A', 60)) {
    t.same(o.slice(0, 2), ['A 10.3.0.3', 'A 10.2.0.2'], 'preferred first, in the order of the prefer list');
    tails.add(o.slice(2).join(','));
  }
  t.equal(tails.size, 1);
  const ext = new Set((await orders(srv, 'lb.ext.test', 'A', 60)).map((o) => o[0]));
  t.equal(ext.size, 3, 'no preferred address among the forwarded ones: any may be first');
});

t.test('--loadbalance-seed: the same seed gives the same sequence of orders; another seed another', { skip: digMissing }, async (t) => {
  const run = async (seed: string) => {
    const srv = await serve(t, ['--loadbalance-seed', seed]);
    const out = (await orders(srv, 'pool.default.svc.cluster.local', 'A', 40)).map((o) => o.join(','));
    await stopCli(srv.proc);
    return out;
  };
  const one = await run('7');
  const two = await run('7');
  const other = await run('8');
  t.same(two, one, 'seed 7 twice: identical');
  const inProcess = await startServer(t, { fixtures: [dir], admin: null, watch: false, loadbalanceSeed: 7 });
  t.same((await orders(inProcess.server, 'pool.default.svc.cluster.local', 'A', 40)).map((o) => o.join(',')), one, 'startClusterDns({ loadbalanceSeed: 7 }): the same');
  t.not(other.join(' '), one.join(' '), 'seed 8 differs');
  t.ok(new Set(one).size > 1, 'and the order does change from query to query');
});

t.test('without loadbalance the order never changes; NXDOMAIN and SRV answers are left alone', { skip: digMissing }, async (t) => {
  const plain = await serve(t, ['--corefile', corefile('Corefile.plain', '')]);
  t.equal(new Set((await orders(plain, 'pool.default.svc.cluster.local', 'A', 30)).map((o) => o.join(','))).size, 1);
  const srv = await serve(t, ['--loadbalance']);
  t.ok(new Set((await orders(srv, 'pool.default.svc.cluster.local', 'A', 30)).map((o) => o.join(','))).size > 1, '--loadbalance shuffles');
  const nx = await dig(srv, ['nothing.default.svc.cluster.local', 'A']);
  t.equal(digStatus(nx), 'NXDOMAIN');
  const srv2 = new Set((await orders(srv, '_http._tcp.pool.default.svc.cluster.local', 'SRV', 30)).map((o) => o.join(',')));
  t.equal(srv2.size, 1, 'SRV records are not shuffled (CoreDNS shuffles A, AAAA and MX only)');
});

t.test('Corefile errors name the line; weighted is accepted with a warning', { skip: digMissing }, async (t) => {
  const bad = await runCli(['--corefile', corefile('Corefile.bad', 'loadbalance random'), '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.not(bad.code, 0);
  t.match(bad.stderr, /Corefile\.bad line 3: loadbalance: unknown policy: random/);
  const cidr = await runCli(['--corefile', corefile('Corefile.badcidr', 'loadbalance {\n    prefer 10.0.0.0/33\n  }'), '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.match(cidr.stderr, /Corefile\.badcidr line 4: loadbalance: invalid CIDR "10\.0\.0\.0\/33"/);
  const seedless = await runCli(['--corefile', corefile('Corefile.noseed', ''), '--loadbalance-seed', '3', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.match(seedless.stderr, /--loadbalance-seed: the Corefile has no loadbalance directive/);
  const srv = await serve(t, ['--corefile', corefile('Corefile.weighted', 'loadbalance weighted /nonexistent/weights {\n    reload 10s\n  }')]);
  await new Promise((r) => setTimeout(r, 200));
  t.match(srv.stderr(), /loadbalance weighted is not implemented: answers are shuffled as round_robin/);
  t.equal(new Set((await orders(srv, 'pool.default.svc.cluster.local', 'A', 60)).map((o) => o.join(','))).size > 1, true);
});

t.test('a UDP reply too big for the client: shuffled before truncation, so the subset kept changes (CoreDNS order)', { skip: digMissing }, async (t) => {
  const subsets = async (srv: { host: string; port: number }) => {
    const args: string[] = [];
    for (let i = 0; i < 30; i++) args.push('big.default.svc.cluster.local', 'A', '+noedns', '+ignore', '+noall', '+answer', '+comments');
    const replies = (await dig(srv, args)).split(/;; Got answer:/).slice(1);
    t.equal(replies.length, 30);
    const seen = new Set<string>();
    const kept = new Set<string>();
    for (const r of replies) {
      t.match(r, /flags: qr aa tc/, 'truncated (TC)');
      const ips = r.split('\n').filter((l) => /\sIN\s+A\s/.test(l)).map((l) => l.trim().split(/\s+/)[4]!);
      t.ok(ips.length > 20 && ips.length < 60, `${ips.length} of 60 fit in 512 bytes`);
      ips.forEach((ip) => seen.add(ip));
      kept.add([...ips].sort().join(','));
    }
    return { seen: seen.size, subsets: kept.size };
  };
  const lb = await serve(t, ['--corefile', corefile('Corefile.big', 'loadbalance')]);
  const shuffled = await subsets(lb);
  t.equal(shuffled.seen, 60, 'every address made it into some truncated reply');
  t.ok(shuffled.subsets > 1, 'different subsets');
  const plain = await serve(t, ['--corefile', corefile('Corefile.bigplain', '')]);
  const fixed = await subsets(plain);
  t.equal(fixed.subsets, 1, 'without loadbalance the same first records every time');
  t.ok(fixed.seen < 60);
  const tcp = await dig(lb, ['big.default.svc.cluster.local', 'A', '+tcp', '+noall', '+answer']);
  t.equal(tcp.trim().split('\n').length, 60, 'over TCP all 60');
});
