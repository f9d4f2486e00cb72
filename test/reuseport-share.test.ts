// Several clusterdns processes on one port with --reuse-port: each answers the same fixtures, and the kernel spreads
// UDP queries (by source port) and TCP connections between them; each one's /metrics counts its own share.
// Without the flag on both sides, the second process fails with an EADDRINUSE that names the flag.
import t from 'tap';
import { buildQuery, tcpExchange, udpExchange, type Decoded } from './helpers/dns-client.js';
import dnsPacket from 'dns-packet';
import { runCli, startCli, stopCli } from './helpers/cli.js';
import { requestsByProto, startShared, stopAll, type Instance } from './reuseport-helpers.js';
import { reusePortProblem } from '../lib/wire/reuse-port.js';

const NAME = 'myapp.default.svc.cluster.local';
const decode = (b: Buffer) => dnsPacket.decode(b) as Decoded;
const addresses = (d: Decoded) => (d.answers ?? []).filter((a) => a.type === 'A').map((a) => String(a.data)).sort();

t.test('two processes on one port both answer; UDP and TCP spread between them', { skip: reusePortProblem() }, async (t) => {
  const list: Instance[] = [];
  t.teardown(() => stopAll(list));
  const a = await startShared(0);
  list.push(a);
  // What the fixtures answer, from the first process alone: the second must give the same.
  const expected = addresses(decode(await udpExchange(a.port, buildQuery(NAME, 'A'))));
  t.ok(expected.length > 0, `${NAME} has an address (${expected.join(', ')})`);
  const b = await startShared(a.port);
  list.push(b);
  t.equal(b.port, a.port, 'the second process bound the same port');

  const before = await Promise.all([requestsByProto(a.admin), requestsByProto(b.admin)]);
  // Each query from a new socket, so a new source port: the kernel's hash picks a process per datagram.
  const N = 200;
  const answers: string[][] = [];
  for (let i = 0; i < N; i += 20) {
    const batch = await Promise.all(Array.from({ length: 20 }, () => udpExchange(a.port, buildQuery(NAME, 'A'))));
    for (const r of batch) answers.push(addresses(decode(r)));
  }
  t.equal(answers.length, N, 'every UDP query answered');
  t.ok(answers.every((x) => JSON.stringify(x) === JSON.stringify(expected)), 'every answer is the fixtures\' answer');
  const C = 40;
  for (let i = 0; i < C; i += 10) {
    const batch = await Promise.all(Array.from({ length: 10 }, () => tcpExchange(a.port, [buildQuery(NAME, 'A')])));
    for (const [r] of batch) t.same(addresses(decode(r!)), expected, 'TCP answer is the fixtures\' answer');
  }
  const after = await Promise.all([requestsByProto(a.admin), requestsByProto(b.admin)]);
  const udp = [after[0].udp - before[0].udp, after[1].udp - before[1].udp];
  const tcp = [after[0].tcp - before[0].tcp, after[1].tcp - before[1].tcp];
  t.comment(`UDP split ${udp.join(' / ')}, TCP connections split ${tcp.join(' / ')}`);
  t.equal(udp[0]! + udp[1]!, N, 'the two /metrics add up to every UDP query sent');
  t.equal(tcp[0]! + tcp[1]!, C, 'and to every TCP query');
  // 2^-199 that a fair hash sends all 200 to one side.
  t.ok(udp[0]! > 0 && udp[1]! > 0, 'both processes got UDP queries');
  t.ok(tcp[0]! > 0 && tcp[1]! > 0, 'both processes got TCP connections');
  // Spread, not merely shared: neither gets more than 80% of the datagrams.
  t.ok(Math.max(udp[0]!, udp[1]!) <= N * 0.8, 'the UDP split is not lopsided');
});

t.test('three processes: each still answers and the group survives one leaving', { skip: reusePortProblem() }, async (t) => {
  const list: Instance[] = [];
  t.teardown(() => stopAll(list));
  const first = await startShared(0);
  list.push(first, await startShared(first.port), await startShared(first.port));
  const expected = addresses(decode(await udpExchange(first.port, buildQuery(NAME, 'A'))));
  await stopAll([list[1]!]);
  let same = 0;
  for (let i = 0; i < 60; i++) {
    const r = await udpExchange(first.port, buildQuery(NAME, 'A'));
    if (JSON.stringify(addresses(decode(r))) === JSON.stringify(expected)) same++;
  }
  t.equal(same, 60, 'after one of three was killed, every query from a new source port is answered the same');
  const counts = await Promise.all([requestsByProto(first.admin), requestsByProto(list[2]!.admin)]);
  t.ok(counts[0].udp > 0 && counts[1].udp > 0, `the two left share the queries (${counts[0].udp} / ${counts[1].udp})`);
});

t.test('without --reuse-port a second process on the port fails and names the flag', async (t) => {
  const plain = await startCli(['--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(plain.proc, 'SIGKILL'));
  if (!reusePortProblem()) {
    const second = await runCli(['--listen', `127.0.0.1:${plain.port}`, '--admin', 'off', '--reuse-port']);
    t.equal(second.code, 1, 'with the flag on one side only: exit 1');
    t.match(second.stderr, /EADDRINUSE.*does not share it.*started without --reuse-port/, 'says the holder does not share the port');
  }
  const third = await runCli(['--listen', `127.0.0.1:${plain.port}`, '--admin', 'off']);
  t.equal(third.code, 1);
  t.match(third.stderr, /cannot listen: .*EADDRINUSE.*start every one with --reuse-port/, 'without it: names the flag');
  t.equal(plain.proc.exitCode, null, 'the first process still runs');
  t.ok((await udpExchange(plain.port, buildQuery(NAME, 'A'))).length > 0, 'and still answers');
});

t.test('a shared process refuses a plain one: the plain one fails, the shared keeps serving', { skip: reusePortProblem() }, async (t) => {
  const shared = await startShared(0);
  t.teardown(() => stopAll([shared]));
  const plain = await runCli(['--listen', `127.0.0.1:${shared.port}`, '--admin', 'off']);
  t.equal(plain.code, 1);
  t.match(plain.stderr, /EADDRINUSE.*--reuse-port/);
  t.ok(addresses(decode(await udpExchange(shared.port, buildQuery(NAME, 'A')))).length > 0, 'the shared one still answers');
  t.equal((await requestsByProto(shared.admin)).udp, 1, 'and counted that query');
});

t.test('only DNS is shared: a second process on the first one\'s admin port fails, naming --admin', { skip: reusePortProblem() }, async (t) => {
  const first = await startShared(0);
  t.teardown(() => stopAll([first]));
  const second = await runCli(['--listen', `127.0.0.1:${first.port}`, '--admin', first.admin, '--reuse-port']);
  t.equal(second.code, 1);
  t.match(second.stderr, /EADDRINUSE.*\(--admin; with --reuse-port only DNS is shared: give each process its own --admin port/);
  t.ok(addresses(decode(await udpExchange(first.port, buildQuery(NAME, 'A')))).length > 0, 'the first still answers');
  t.equal((await requestsByProto(first.admin)).udp, 1, 'and counted it (the second, gone, holds no share of the port)');
});
