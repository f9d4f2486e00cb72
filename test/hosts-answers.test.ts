// What the hosts plugin answers, asked with dig through the CLI started with --corefile, against CoreDNS 1.14.7's
// plugin/hosts/hosts.go: A/AAAA from the file then the inline entries (file order, TTL `ttl`, AA, owner lower case),
// PTR generated for every address (any reverse zone; none for wildcards or with no_reverse), one-label wildcards,
// NODATA for other types of a name it has, names outside its zones passed on, a name it lacks passed on with
// `fallthrough` (in the fallthrough zones) and SERVFAIL without, `fallthrough_unsupported` passing other types on.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { digMissing } from './helpers/dig.js';
import { ask, LOCAL_LISTENERS, startCli, stopCli, stubUpstream, tempDir, writeCluster } from './hosts-helpers.js';

const reverse4 = (ip: string) => `${ip.split('.').reverse().join('.')}.in-addr.arpa.`;

t.test('hosts FILE ZONES { inline; ttl; fallthrough ZONE }', { skip: digMissing }, async (t) => {
  const dir = tempDir(t);
  const upstream = await stubUpstream(t, '198.51.100.1');
  const cluster = writeCluster(dir);
  const file = path.join(dir, 'hosts');
  const lines: [string, string[]][] = [
    ['10.0.0.1', ['both.example.test', 'Alias.Example.Test']],
    ['fd00::1', ['both.example.test']],
    ['::ffff:10.2.3.4', ['mapped.example.test']],
    ['10.0.0.9', ['*.wild.example.test']],
    ['10.0.0.10', ['named.wild.example.test']],
    ['192.0.2.1', ['outside.other.test']],
    ['10.0.0.1', ['also.sub.example.test']],
  ];
  writeFileSync(file, ['# a hosts file', ...lines.map(([ip, names]) => `${ip}\t${names.join(' ')}   # comment`), 'not-an-ip foo.example.test', ''].join('\n'));
  const inline = ['10.1.1.1', 'inline.example.test', 'both.example.test'];
  const ttl = 77;
  const corefile = path.join(dir, 'Corefile');
  writeFileSync(corefile, `.:53 {
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        fallthrough in-addr.arpa ip6.arpa
    }
    hosts ${file} example.test 10.0.0.0/8 {
        ${inline.join(' ')}
        ttl ${ttl}
        fallthrough sub.example.test
    }
    forward . 127.0.0.1:${upstream.port}
}
`);
  const srv = await startCli(['--corefile', corefile, '--fixtures', cluster.fixture, ...LOCAL_LISTENERS]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  t.match(srv.stderr(), /hosts:9: .{0,2}not-an-ip.{0,2} is not an IPv4 or IPv6 address; 1 line\(s\) or name\(s\) skipped/, 'the skipped line is named (file:line)');

  const both = await ask(srv.port, 'both.example.test', 'A');
  t.same([both.status, both.flags.includes('aa')], ['NOERROR', true]);
  t.same(both.answer, [`both.example.test. ${ttl} IN A 10.0.0.1`, `both.example.test. ${ttl} IN A ${inline[0]}`], 'the file\'s address, then the inline one');
  t.same((await ask(srv.port, 'both.example.test', 'AAAA')).answer, [`both.example.test. ${ttl} IN AAAA fd00::1`]);
  const mixed = await ask(srv.port, 'ALIAS.example.TEST', 'A');
  t.same(mixed.answer, [`alias.example.test. ${ttl} IN A 10.0.0.1`], 'names match in any case; the owner is lower case, as CoreDNS writes it');

  const mx = await ask(srv.port, 'both.example.test', 'MX');
  t.same([mx.status, mx.answer, mx.authority, mx.flags.includes('aa')], ['NOERROR', [], [], true], 'another type: NODATA, authoritative, no SOA');
  t.same((await ask(srv.port, 'mapped.example.test', 'A')).answer, [`mapped.example.test. ${ttl} IN A 10.2.3.4`], 'an IPv4-mapped address is an A record');
  t.same((await ask(srv.port, 'mapped.example.test', 'AAAA')).answer, [], '... and no AAAA');

  t.same((await ask(srv.port, 'x.wild.example.test', 'A')).answer, [`x.wild.example.test. ${ttl} IN A 10.0.0.9`], 'a wildcard answers one label below it');
  t.same((await ask(srv.port, 'named.wild.example.test', 'A')).answer, [`named.wild.example.test. ${ttl} IN A 10.0.0.10`], 'a name of its own wins over the wildcard');
  for (const name of ['a.b.wild.example.test', 'wild.example.test', 'nothere.example.test']) {
    const r = await ask(srv.port, name, 'A');
    t.same([r.status, r.flags.includes('aa'), r.answer], ['SERVFAIL', false, []], `${name}: not in the hosts data, no fallthrough there: SERVFAIL (CoreDNS has no SOA for an NXDOMAIN)`);
  }
  t.notOk(upstream.asked.some((q) => q.endsWith('example.test A') && !q.includes('sub.')), 'none of them went to forward');

  const sub = await ask(srv.port, 'nothere.sub.example.test', 'A');
  t.same(sub.answer, ['nothere.sub.example.test. 42 IN A 198.51.100.1'], 'in the fallthrough zone: on to forward');
  const outside = await ask(srv.port, 'outside.other.test', 'A');
  t.same(outside.answer, ['outside.other.test. 42 IN A 198.51.100.1'], 'a file name outside the zones is not served: forward answers');

  const ptr = await ask(srv.port, '-x', '10.0.0.1');
  t.same(ptr.answer, ['both.example.test', 'alias.example.test', 'also.sub.example.test'].map((n) => `${reverse4('10.0.0.1')} ${ttl} IN PTR ${n}.`).sort(), 'PTR: every name of the address');
  t.ok(ptr.flags.includes('aa'));
  t.same((await ask(srv.port, '-x', inline[0]!)).answer, inline.slice(1).map((n) => `${reverse4(inline[0]!)} ${ttl} IN PTR ${n}.`).sort(), 'inline entries get PTRs too');
  const ptr6 = await ask(srv.port, '-x', 'fd00::1');
  t.same(ptr6.answer.map((l) => l.split(' ').slice(1).join(' ')), [`${ttl} IN PTR both.example.test.`], 'an ip6.arpa PTR, though ip6.arpa is not a hosts zone (CoreDNS looks PTRs up in any zone)');
  t.same((await ask(srv.port, '-x', '::ffff:10.2.3.4')).answer.map((l) => l.split(' ').slice(3).join(' ')), ['PTR mapped.example.test.'], 'the mapped address from ip6.arpa too (Go prints it as IPv4)');
  const svcPtr = await ask(srv.port, '-x', cluster.ip);
  t.same(svcPtr.answer, [`${reverse4(cluster.ip)} 5 IN PTR ${cluster.name}.`], 'an address hosts does not have: on to kubernetes, whatever fallthrough says');
  // kubernetes passes a reverse name it lacks on to forward (kubeadm's `fallthrough in-addr.arpa ip6.arpa`): the stub sees it.
  const wildPtr = await ask(srv.port, '-x', '10.0.0.9');
  t.same(wildPtr.answer, [], 'wildcard entries make no PTR ...');
  t.ok(upstream.asked.includes(`${reverse4('10.0.0.9').slice(0, -1)} PTR`), '... the question went on down the chain');
});

t.test('hosts { no_reverse; fallthrough; fallthrough_unsupported } with the block\'s zones and the default TTL', { skip: digMissing }, async (t) => {
  const dir = tempDir(t);
  const upstream = await stubUpstream(t, '198.51.100.2');
  const cluster = writeCluster(dir);
  const file = path.join(dir, 'hosts');
  writeFileSync(file, '10.0.0.1 one.example.test\n');
  const corefile = path.join(dir, 'Corefile');
  writeFileSync(corefile, `.:53 {
    hosts ${file} {
        no_reverse
        fallthrough
        fallthrough_unsupported
    }
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        fallthrough in-addr.arpa ip6.arpa
    }
    forward . 127.0.0.1:${upstream.port}
}
`);
  const srv = await startCli(['--corefile', corefile, '--fixtures', cluster.fixture, ...LOCAL_LISTENERS]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  t.same((await ask(srv.port, 'one.example.test', 'A')).answer, ['one.example.test. 3600 IN A 10.0.0.1'], 'TTL 3600 by default; the block\'s zone "." holds every name');
  const ptr = await ask(srv.port, '-x', '10.0.0.1');
  t.same(ptr.answer, [], 'no_reverse: no PTR ...');
  t.ok(upstream.asked.includes(`${reverse4('10.0.0.1').slice(0, -1)} PTR`), '... the question went on down the chain');
  await ask(srv.port, 'one.example.test', 'TXT');
  t.ok(upstream.asked.includes('one.example.test TXT'), 'fallthrough_unsupported: a TXT for a hosts name goes on to forward');
  t.same((await ask(srv.port, 'two.example.test', 'A')).answer, ['two.example.test. 42 IN A 198.51.100.2'], 'fallthrough: a name hosts lacks goes on');
  t.same((await ask(srv.port, cluster.name, 'A')).answer, [`${cluster.name}. 5 IN A ${cluster.ip}`], 'and a cluster name reaches kubernetes');
});
