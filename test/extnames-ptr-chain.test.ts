// External PTRs never shadow a reverse name another plugin owns: in Corefile blocks over the bundled fixtures, a PTR
// a hosts entry or an upstream gives for an external address wins; an upstream's NXDOMAIN, or the end of a chain
// that serves no reverse zone, gets the external names instead; an address no external name answers keeps what the
// chain said.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QTYPE } from '../lib/dns/records.js';
import { dig, digMissing, digStatus } from './helpers/dig.js';
import { startCli, stopCli } from './helpers/cli.js';
import { BUNDLED, expectedHosts, synthesised } from './helpers/extnames.js';
import { answerWith, stubUpstream } from './helpers/stub-upstream.js';

const hosts = expectedHosts(synthesised(), 'dev.test').filter((h) => !h.host.startsWith('*.'));
const byIP = new Map<string, string[]>();
for (const h of hosts) for (const a of h.addresses) byIP.set(a, [...(byIP.get(a) ?? []), h.host].sort());
const [upstreamIP, nxIP, hostsIP] = [...byIP.keys()];
const rev = (ip: string) => `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
const ptrs = (out: string) => out.split('\n').filter((l) => /\tPTR\t/.test(l)).map((l) => l.trim().split(/\s+/)[4]);

t.test('external PTRs fill in only where the chain has no name', { skip: digMissing }, async (t) => {
  t.ok(upstreamIP && nxIP && hostsIP, 'the bundled app has three external addresses');
  const stub = await stubUpstream((_q, name, type) => {
    if (type === QTYPE.PTR && name.toLowerCase() === rev(upstreamIP!)) return answerWith(name, type, [{ name, type: QTYPE.PTR, ttl: 60, data: 'owned.by.upstream' }]);
    const nx = answerWith(name, type, []);
    nx[3] = (nx[3]! & 0xf0) | 3;
    return nx;
  });
  t.teardown(() => stub.close());
  const dir = mkdtempSync(join(tmpdir(), 'extnames-chain-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const start = async (body: string) => {
    const f = join(dir, `Corefile-${Math.random().toString(36).slice(2)}`);
    writeFileSync(f, `.:1053 {\n${body}\n}\n`);
    const srv = await startCli(['--corefile', f, '--fixtures', BUNDLED, '--listen', '127.0.0.1:0', '--admin', 'off']);
    t.teardown(() => stopCli(srv.proc));
    return srv;
  };

  const fwd = await start(`  hosts {\n    ${hostsIP} mine.example\n    fallthrough\n  }\n  ingress dev.test\n  kubernetes cluster.local in-addr.arpa ip6.arpa {\n    fallthrough in-addr.arpa ip6.arpa\n  }\n  forward . 127.0.0.1:${stub.port}`);
  t.same(ptrs(await dig(fwd, ['-x', upstreamIP!])), ['owned.by.upstream.'], 'the upstream\'s PTR wins');
  t.same(ptrs(await dig(fwd, ['-x', nxIP!])), byIP.get(nxIP!)!.map((h) => `${h}.`), 'after the upstream\'s NXDOMAIN: the external names');
  t.same(ptrs(await dig(fwd, ['-x', hostsIP!])), ['mine.example.'], 'a hosts entry wins');
  t.equal(digStatus(await dig(fwd, ['-x', '192.0.2.77'])), 'NXDOMAIN', 'another address: the upstream\'s NXDOMAIN, untouched');

  // an upstream that cannot answer (a laptop offline): SERVFAIL for everything
  const failing = await stubUpstream((_q, name, type) => {
    const fail = answerWith(name, type, []);
    fail[3] = (fail[3]! & 0xf0) | 2;
    return fail;
  });
  t.teardown(() => failing.close());
  const offline = await start(`  ingress dev.test\n  kubernetes cluster.local in-addr.arpa ip6.arpa {\n    fallthrough in-addr.arpa ip6.arpa\n  }\n  forward . 127.0.0.1:${failing.port}`);
  t.same(ptrs(await dig(offline, ['-x', nxIP!])), byIP.get(nxIP!)!.map((h) => `${h}.`), 'after the upstream\'s SERVFAIL: the external names');
  t.equal(digStatus(await dig(offline, ['-x', '192.0.2.77'])), 'SERVFAIL', 'another address: the upstream\'s SERVFAIL, untouched');

  const bare = await start('  ingress dev.test\n  kubernetes cluster.local');
  t.same(ptrs(await dig(bare, ['-x', nxIP!])), byIP.get(nxIP!)!.map((h) => `${h}.`), 'no reverse zone served: the external names');
  t.equal(digStatus(await dig(bare, ['-x', '192.0.2.77'])), 'SERVFAIL', 'another address: the end of the chain, as before');
});
