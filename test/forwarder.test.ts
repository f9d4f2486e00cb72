import t from 'tap';
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { Forwarder } from '../lib/upstream/forwarder.js';
import { blackHole, DNSMASQ_SKIP, findDnsmasq, freePort, query, startDnsmasq, udpQuery, type Dnsmasq, rcodeOf } from './helpers/dnsmasq.js';

const dnsmasq = findDnsmasq();
if (!dnsmasq) {
  t.plan(0, DNSMASQ_SKIP);
  process.exit(0);
}
const binary = dnsmasq!;

const local = (port: number) => ({ host: '127.0.0.1', port });
const aRecords = (msg: Buffer) =>
  dnsPacket.decode(msg).answers!.filter((a) => a.type === 'A').map((a) => (a as { data: string }).data);

let main: Dnsmasq;
let other: Dnsmasq;
t.before(async () => {
  const big: string[] = [];
  for (let i = 1; i <= 60; i++) big.push(`--host-record=big.test,192.0.2.${i}`);
  // No upstream servers: dnsmasq answers REFUSED for names it does not know, which exercises failover on REFUSED.
  main = await startDnsmasq(binary, ['--address=/fixed.test/192.0.2.1', '--local=/nx.test/', ...big]);
  other = await startDnsmasq(binary, ['--address=/other.test/198.51.100.7']);
});
t.teardown(async () => {
  await main?.stop();
  await other?.stop();
});

t.test('forwards over UDP and restores the client id', async (t) => {
  const fwd = new Forwarder([local(main.port)]);
  t.teardown(() => fwd.close());
  const reply = await fwd.forward(query('www.fixed.test', 'A', 0xbeef));
  t.ok(reply);
  const msg = dnsPacket.decode(reply!);
  t.equal(msg.id, 0xbeef);
  t.equal(rcodeOf(msg), 'NOERROR');
  t.same(msg.questions, [{ name: 'www.fixed.test', type: 'A', class: 'IN' }]);
  t.same(aRecords(reply!), ['192.0.2.1']);
});

t.test('NXDOMAIN is an answer, not a failure', async (t) => {
  const fwd = new Forwarder([local(main.port), local(other.port)]);
  t.teardown(() => fwd.close());
  const reply = await fwd.forward(query('missing.nx.test', 'A', 7));
  t.equal(rcodeOf(dnsPacket.decode(reply!)), 'NXDOMAIN');
});

t.test('a truncated UDP answer is retried over TCP', async (t) => {
  // The upstream really truncates this answer over UDP without EDNS...
  const direct = dnsPacket.decode(await udpQuery(main.port, query('big.test', 'A', 1)));
  t.ok(direct.flag_tc, 'dnsmasq sets TC over UDP');
  t.ok(direct.answers!.length < 60);
  // ...and the forwarder returns the full answer it fetched over TCP.
  const fwd = new Forwarder([local(main.port)]);
  t.teardown(() => fwd.close());
  const reply = await fwd.forward(query('big.test', 'A', 0x1234));
  const msg = dnsPacket.decode(reply!);
  t.equal(msg.id, 0x1234);
  t.notOk(msg.flag_tc);
  t.equal(aRecords(reply!).length, 60);
  t.same(new Set(aRecords(reply!)), new Set(Array.from({ length: 60 }, (_, i) => `192.0.2.${i + 1}`)));
});

t.test('for a UDP client a truncated answer is passed through (the client retries over TCP)', async (t) => {
  const fwd = new Forwarder([local(main.port)]);
  t.teardown(() => fwd.close());
  const reply = await fwd.forward(query('big.test', 'A', 0x4321), { clientTransport: 'udp' });
  t.ok(reply!.length <= 512, 'fits the client\'s 512-byte UDP limit');
  const msg = dnsPacket.decode(reply!);
  t.equal(msg.id, 0x4321);
  t.ok(msg.flag_tc);
  const again = await fwd.forward(query('big.test', 'A', 0x4322), { clientTransport: 'tcp' });
  t.equal(aRecords(again!).length, 60);
});

t.test('fails over from a dead port (ICMP refused) to the next upstream', async (t) => {
  const dead = await freePort();
  const fwd = new Forwarder([local(dead), local(main.port)], { timeoutMs: 5000 });
  t.teardown(() => fwd.close());
  const reply = await fwd.forward(query('a.fixed.test', 'A', 99));
  t.same(aRecords(reply!), ['192.0.2.1']);
});

t.test('fails over from a black hole after the timeout, then tries it last while it is down', async (t) => {
  const hole = await blackHole();
  t.teardown(() => hole.close());
  const warnings: string[] = [];
  const logger = { debug: () => {}, warn: (o: object, m: string) => warnings.push(`${JSON.stringify(o)} ${m}`) };
  const fwd = new Forwarder([local(hole.port), local(main.port)], { timeoutMs: 300, logger });
  t.teardown(() => fwd.close());
  const first = await fwd.forward(query('b.fixed.test', 'A', 1));
  t.same(aRecords(first!), ['192.0.2.1']);
  t.equal(hole.received(), 1);
  t.equal(warnings.length, 1);
  t.match(warnings[0], /timeout after 300 ms/);
  const second = await fwd.forward(query('c.fixed.test', 'A', 2));
  t.same(aRecords(second!), ['192.0.2.1']);
  t.equal(hole.received(), 1, 'the black hole was not asked again while marked down');
});

t.test('REFUSED and SERVFAIL move on to the next upstream', async (t) => {
  const fwd = new Forwarder([local(main.port), local(other.port)]);
  t.teardown(() => fwd.close());
  const direct = dnsPacket.decode(await udpQuery(main.port, query('x.other.test', 'A')));
  t.equal(rcodeOf(direct), 'REFUSED', 'the first upstream refuses this name');
  const reply = await fwd.forward(query('x.other.test', 'A', 3));
  t.same(aRecords(reply!), ['198.51.100.7']);

  // dnsmasq has no easy SERVFAIL, so a hand-made upstream answers SERVFAIL to everything.
  const failing = dgram.createSocket('udp4');
  await new Promise<void>((r) => failing.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => failing.close());
  let asked = 0;
  failing.on('message', (msg, rinfo) => {
    asked++;
    const q = dnsPacket.decode(msg);
    const reply = dnsPacket.encode({ type: 'response', id: q.id, flags: 2, questions: q.questions });
    failing.send(reply, rinfo.port, rinfo.address);
  });
  const direct2 = dnsPacket.decode(await udpQuery(failing.address().port, query('y.other.test', 'A')));
  t.equal(rcodeOf(direct2), 'SERVFAIL');
  const fwd2 = new Forwarder([local(failing.address().port), local(other.port)]);
  t.teardown(() => fwd2.close());
  const reply2 = await fwd2.forward(query('y.other.test', 'A', 4));
  t.same(aRecords(reply2!), ['198.51.100.7']);
  t.equal(asked, 2, 'the SERVFAIL upstream was asked, then the next one answered');
});

t.test('null when every upstream fails', async (t) => {
  const hole = await blackHole();
  t.teardown(() => hole.close());
  const dead = await freePort();
  const fwd = new Forwarder([local(dead), local(hole.port)], { timeoutMs: 200 });
  t.teardown(() => fwd.close());
  t.equal(await fwd.forward(query('a.fixed.test', 'A')), null);
  const refusing = new Forwarder([local(main.port)]);
  t.teardown(() => refusing.close());
  t.equal(await refusing.forward(query('unknown.example', 'A')), null, 'REFUSED from the only upstream');
  const none = new Forwarder([]);
  t.equal(await none.forward(query('a.fixed.test', 'A')), null, 'no upstreams');
});

t.test('many concurrent queries on one socket each get their own answer', async (t) => {
  const fwd = new Forwarder([local(main.port)]);
  t.teardown(() => fwd.close());
  const names = Array.from({ length: 100 }, (_, i) => `host${i}.fixed.test`);
  const replies = await Promise.all(names.map((n, i) => fwd.forward(query(n, 'A', i))));
  replies.forEach((r, i) => {
    const msg = dnsPacket.decode(r!);
    t.equal(msg.id, i);
    t.equal(msg.questions![0].name, names[i]);
  });
});

t.test('a reply whose question does not match is ignored', async (t) => {
  // A hand-made upstream first answers for another name (as a spoofer or a confused server would), then correctly.
  const fake = dgram.createSocket('udp4');
  await new Promise<void>((r) => fake.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => fake.close());
  fake.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const answer = (name: string) =>
      dnsPacket.encode({
        type: 'response',
        id: q.id,
        flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
        questions: [{ name, type: 'A', class: 'IN' }],
        answers: [{ name, type: 'A', class: 'IN', ttl: 60, data: name === 'real.test' ? '203.0.113.1' : '203.0.113.66' }],
      });
    fake.send(answer('spoofed.test'), rinfo.port, rinfo.address);
    setTimeout(() => fake.send(answer(q.questions![0].name.toLowerCase()), rinfo.port, rinfo.address), 20);
  });
  const fwd = new Forwarder([local(fake.address().port)]);
  t.teardown(() => fwd.close());
  const reply = await fwd.forward(query('REAL.test', 'A', 5));
  t.same(aRecords(reply!), ['203.0.113.1'], 'the question is matched case-insensitively');
});

t.test('malformed queries and a closed forwarder give null', async (t) => {
  const fwd = new Forwarder([local(main.port)]);
  t.equal(await fwd.forward(Buffer.from([1, 2, 3])), null);
  fwd.close();
  t.equal(await fwd.forward(query('a.fixed.test', 'A')), null);
});
