// Fault selectors through real sockets: every Nth query, a seeded fraction (the same sequence on every run), one
// client address, one transport; `seen` next to `hits`; and a look through /api/v1/resolve that advances nothing.
import t from 'tap';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { startClusterDns } from '../lib/index.js';
import { buildQuery, query, type Decoded } from './helpers/dns-client.js';

const objects = [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' }, spec: { clusterIP: '10.96.5.1' } }];
const API = 'api.default.svc.cluster.local';

/** A UDP query sent from a chosen loopback source address (any of 127.0.0.0/8 can be bound). */
function udpFrom(source: string, port: number, name: string, type = 'A'): Promise<Decoded> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => { s.close(); reject(new Error(`udp timeout from ${source}`)); }, 3000);
    s.on('error', (e) => { clearTimeout(timer); s.close(); reject(e); });
    s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(dnsPacket.decode(m) as Decoded); });
    s.bind(0, source, () => s.send(buildQuery(name, type), port, '127.0.0.1'));
  });
}

/** A TCP query from a chosen loopback source address. */
function tcpFrom(source: string, port: number, name: string, type = 'A'): Promise<Decoded> {
  return new Promise((resolve, reject) => {
    const q = buildQuery(name, type);
    const c = net.connect({ port, host: '127.0.0.1', localAddress: source });
    const timer = setTimeout(() => { c.destroy(); reject(new Error(`tcp timeout from ${source}`)); }, 3000);
    let got = Buffer.alloc(0);
    c.on('connect', () => { const len = Buffer.alloc(2); len.writeUInt16BE(q.length); c.write(Buffer.concat([len, q])); });
    c.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 2 && got.length >= got.readUInt16BE(0) + 2) {
        clearTimeout(timer);
        c.end();
        resolve(dnsPacket.decode(got.subarray(2, 2 + got.readUInt16BE(0))) as Decoded);
      }
    });
    c.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

const faulted = (r: Decoded) => r.rcode === 'SERVFAIL';

t.test('every: 3 fires on the 3rd, 6th and 9th of 9 queries; seen counts all nine', async (t) => {
  const dns = await startClusterDns({ objects });
  t.teardown(() => dns.close());
  const f = dns.fault({ name: API, fault: 'answer', addresses: ['192.0.2.3'], every: 3 });
  const got: string[] = [];
  for (let i = 0; i < 9; i++) got.push((await query(dns.port, API, 'A', { tcp: i % 2 === 1 })).answers?.[0]?.data);
  t.same(got, ['10.96.5.1', '10.96.5.1', '192.0.2.3', '10.96.5.1', '10.96.5.1', '192.0.2.3', '10.96.5.1', '10.96.5.1', '192.0.2.3'],
    'the real answer twice, then the chosen one, three times over (UDP and TCP alike)');
  const [listed] = dns.server.faults.list();
  t.equal(listed.id, f.id);
  t.equal(listed.seen, 9, 'seen: every query the name matched');
  t.equal(listed.hits, 3, 'hits: the three it acted on');

  dns.clearFaults();
  dns.fault({ name: API, fault: 'servfail', every: 2, times: 2 });
  const rcodes: string[] = [];
  for (let i = 0; i < 6; i++) rcodes.push((await query(dns.port, API, 'A')).rcode!);
  t.same(rcodes, ['NOERROR', 'SERVFAIL', 'NOERROR', 'SERVFAIL', 'NOERROR', 'NOERROR'], 'times counts fired faults only: gone after the 2nd firing (4th query)');
  t.same(dns.server.faults.list(), []);
});

t.test('probability 0.5 with a seed: the same sequence on two runs', async (t) => {
  const run = async () => {
    const dns = await startClusterDns({ objects });
    try {
      const f = dns.fault({ name: API, fault: 'servfail', probability: 0.5, seed: 1234 });
      t.equal(f.seed, 1234, 'the seed is echoed');
      const seq: boolean[] = [];
      for (let i = 0; i < 40; i++) seq.push(faulted(await query(dns.port, API, 'A', { tcp: i % 3 === 0 })));
      const [after] = dns.server.faults.list();
      t.equal(after.seen, 40);
      t.equal(after.hits, seq.filter(Boolean).length, 'hits: the queries that got SERVFAIL');
      return seq;
    } finally {
      await dns.close();
    }
  };
  const one = await run();
  const two = await run();
  t.same(two, one, 'the same 40-query sequence of SERVFAIL/answer on both runs');
  const fired = one.filter(Boolean).length;
  t.ok(fired > 5 && fired < 35, `about half fired (${fired} of 40)`);
  t.comment(`seed 1234, p 0.5: ${one.map((b) => (b ? 'F' : '.')).join('')}`);

  // Without a seed, one is chosen and reported: giving it back reproduces the run.
  const dns = await startClusterDns({ objects });
  t.teardown(() => dns.close());
  const random = dns.fault({ name: API, fault: 'servfail', probability: 0.5 });
  t.ok(Number.isInteger(random.seed), `a seed was chosen and reported (${random.seed})`);
  const first: boolean[] = [];
  for (let i = 0; i < 20; i++) first.push(faulted(await query(dns.port, API, 'A')));
  dns.clearFaults();
  dns.fault({ name: API, fault: 'servfail', probability: 0.5, seed: random.seed });
  const again: boolean[] = [];
  for (let i = 0; i < 20; i++) again.push(faulted(await query(dns.port, API, 'A')));
  t.same(again, first, 'the reported seed replays the sequence');
});

t.test('client: only queries from 127.0.0.2 (address or network), over UDP and TCP', async (t) => {
  const dns = await startClusterDns({ objects });
  t.teardown(() => dns.close());
  dns.fault({ name: API, fault: 'answer', addresses: ['192.0.2.2'], client: '127.0.0.2' });
  t.same((await udpFrom('127.0.0.2', dns.port, API)).answers?.map((a) => a.data), ['192.0.2.2'], 'from 127.0.0.2 over UDP: the chosen address');
  t.same((await tcpFrom('127.0.0.2', dns.port, API)).answers?.map((a) => a.data), ['192.0.2.2'], 'from 127.0.0.2 over TCP: the chosen address');
  t.same((await udpFrom('127.0.0.1', dns.port, API)).answers?.map((a) => a.data), ['10.96.5.1'], 'from 127.0.0.1: the real answer');
  t.same((await tcpFrom('127.0.0.1', dns.port, API)).answers?.map((a) => a.data), ['10.96.5.1'], 'from 127.0.0.1 over TCP: the real answer');
  let [f] = dns.server.faults.list();
  t.equal(f.seen, 4, 'seen: all four queries the name matched');
  t.equal(f.hits, 2, 'hits: the two from 127.0.0.2');
  dns.clearFaults();

  dns.fault({ name: API, fault: 'refused', client: '127.0.0.0/30' });
  t.equal((await udpFrom('127.0.0.2', dns.port, API)).rcode, 'REFUSED', '127.0.0.2 is in 127.0.0.0/30');
  t.equal((await udpFrom('127.0.0.5', dns.port, API)).rcode, 'NOERROR', '127.0.0.5 is not');
  [f] = dns.server.faults.list();
  t.same([f.client, f.seen, f.hits], ['127.0.0.0/30', 2, 1]);
  dns.clearFaults();

  // An IPv4-mapped network means the IPv4 one (clients on a dual-stack socket are compared as IPv4).
  dns.fault({ name: API, fault: 'refused', client: '::ffff:127.0.0.0/126' });
  t.equal((await udpFrom('127.0.0.2', dns.port, API)).rcode, 'REFUSED', '127.0.0.2 is in ::ffff:127.0.0.0/126');
  t.equal((await udpFrom('127.0.0.5', dns.port, API)).rcode, 'NOERROR', '127.0.0.5 is not');
  t.throws(() => dns.fault({ name: API, fault: 'refused', client: '::ffff:10.0.0.0/80' }), /an IPv4-mapped network needs a prefix of 96 to 128/);
});

t.test('transport: only UDP, or only TCP', async (t) => {
  const dns = await startClusterDns({ objects });
  t.teardown(() => dns.close());
  dns.fault({ name: API, fault: 'servfail', transport: 'udp' });
  t.equal((await query(dns.port, API, 'A')).rcode, 'SERVFAIL', 'UDP: the fault');
  t.equal((await query(dns.port, API, 'A', { tcp: true })).rcode, 'NOERROR', 'TCP: the real answer');
  dns.clearFaults();
  dns.fault({ name: API, fault: 'answer', addresses: ['192.0.2.9'], transport: 'tcp' });
  t.same((await query(dns.port, API, 'A')).answers?.map((a) => a.data), ['10.96.5.1'], 'UDP: the real answer');
  t.same((await query(dns.port, API, 'A', { tcp: true })).answers?.map((a) => a.data), ['192.0.2.9'], 'TCP: the chosen address');
});

t.test('a fault that does not take a query leaves it to the next one that matches', async (t) => {
  const dns = await startClusterDns({ objects });
  t.teardown(() => dns.close());
  dns.fault({ name: API, fault: 'servfail', every: 2 });
  dns.fault({ name: '*.default.svc.cluster.local', fault: 'answer', addresses: ['192.0.2.1'] });
  const got: string[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await query(dns.port, API, 'A');
    got.push(r.rcode === 'SERVFAIL' ? 'SERVFAIL' : r.answers?.[0]?.data);
  }
  t.same(got, ['192.0.2.1', 'SERVFAIL', '192.0.2.1', 'SERVFAIL'], 'the first added acts on its queries, the second on the rest');
  const [a, b] = dns.server.faults.list();
  t.same([a.seen, a.hits, b.seen, b.hits], [4, 2, 2, 2], 'the second sees only what the first let through');
});

t.test('/api/v1/resolve shows what the next query gets and advances nothing', async (t) => {
  const dns = await startClusterDns({ objects, admin: '127.0.0.1:0' });
  t.teardown(() => dns.close());
  const look = async () => (await (await fetch(`http://${dns.adminAddress}/api/v1/resolve?name=${API}&type=A`)).json()) as any;
  dns.fault({ name: API, fault: 'answer', addresses: ['192.0.2.4'], every: 2 });
  for (let i = 0; i < 3; i++) t.equal((await look()).answer[0]?.data, '10.96.5.1', `look ${i + 1}: the next query is the 1st: the real answer`);
  t.same(dns.server.faults.list()[0].seen, 0, 'looks are not counted');
  t.equal((await query(dns.port, API, 'A')).answers?.[0]?.data, '10.96.5.1', 'the 1st DNS query: real');
  for (let i = 0; i < 3; i++) t.equal((await look()).answer[0]?.data, '192.0.2.4', `look ${i + 1}: the next query is the 2nd: the fault`);
  t.equal((await query(dns.port, API, 'A')).answers?.[0]?.data, '192.0.2.4', 'the 2nd DNS query: the fault, as the look said');
  dns.clearFaults();

  dns.fault({ name: API, fault: 'servfail', probability: 0.5, seed: 99 });
  const looks: string[] = [];
  const queries: string[] = [];
  for (let i = 0; i < 12; i++) {
    looks.push((await look()).rcode);
    looks.push((await look()).rcode);
    queries.push((await query(dns.port, API, 'A')).rcode!);
  }
  t.same(looks.filter((_, i) => i % 2 === 0), queries, 'each look told what the next query got, twice over: the PRNG did not move');
  const [f] = dns.server.faults.list();
  t.same([f.seen, f.hits], [12, queries.filter((r) => r === 'SERVFAIL').length], 'only DNS queries counted');
});
