// Three holes a review of the hardening found, each driven over real sockets: the answer cache must never serve a
// reply made for another QTYPE (65 and 97 differ only by the bit that case folding clears); a client that happens
// to pick the ID of a query we are forwarding must not switch forwarding off; and a question asked with many EDNS
// sizes must not keep its common variant out of the cache.
import t from 'tap';
import dgram from 'node:dgram';
import { buildQuery, udpExchange, udpSendRaw } from './helpers/dns-wire.js';
import { startSchemaServer, startServer } from './helpers/server.js';
import { until } from './helpers/until.js';

const Z = 'testns.svc.cluster.local';

/** A query for `name` with a numeric QTYPE patched in (the last 4 bytes of a query without EDNS are QTYPE, QCLASS). */
function typed(name: string, qtype: number, id: number): Buffer {
  const q = buildQuery(name, 'A', { id });
  q.writeUInt16BE(qtype, q.length - 4);
  return q;
}

t.test('QTYPE 65 (HTTPS) and 97 never share a cached reply, in any order or spelling', async (t) => {
  const { server } = await startSchemaServer(t);
  const names = [`svc1.${Z}`, `SVC1.${Z}`, `Svc1.TestNS.svc.cluster.local`];
  let id = 100;
  for (const order of [[65, 97, 65, 97], [97, 65, 97, 65], [66, 98, 90, 122, 66]]) {
    for (const qtype of order) {
      for (const name of names) {
        const q = typed(name, qtype, ++id);
        const reply = await udpSendRaw(server, q);
        t.ok(reply, `TYPE${qtype} ${name}: answered`);
        const asked = q.subarray(12, q.length);
        t.same(reply!.subarray(12, 12 + asked.length), asked, `TYPE${qtype} ${name}: the reply's question is the one asked`);
      }
    }
  }
});

t.test('a client reusing the ID of a query being forwarded does not switch forwarding off', async (t) => {
  // A slow upstream: the loop probe (HINFO) is answered at once, everything else after 300 ms, so a forwarded query
  // is still pending when a second client asks the same question with its ID.
  const upstream = dgram.createSocket('udp4');
  const seen: Buffer[] = [];
  upstream.on('message', (msg, rinfo) => {
    const reply = Buffer.from(msg);
    reply[2] |= 0x80; // QR
    reply[3] = (reply[3] & 0xf0) | 0x80; // RA, NOERROR
    const qtype = msg.readUInt16BE(msg.length - 4);
    if (qtype !== 13) seen.push(Buffer.from(msg));
    setTimeout(() => upstream.send(reply, rinfo.port, rinfo.address), qtype === 13 ? 0 : 300);
  });
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => upstream.close());
  const { dns, server } = await startServer(t, { upstreams: [`127.0.0.1:${upstream.address().port}`] });

  const first = udpExchange(server, buildQuery('shared.example.test', 'A', { id: 1 }));
  const forwarded = await until(async () => seen.find((m) => m.includes(Buffer.from('shared'))), (m) => m !== undefined, 3000);
  t.ok(forwarded, 'the first query reached the upstream');
  // The same question with the forwarder's own ID, as a client that picked it by chance (or spoofed it) would send.
  const clash = await udpExchange(server, buildQuery('shared.example.test', 'A', { id: forwarded!.readUInt16BE(0) }));
  t.ok(clash.msg, 'the clashing query is answered');
  t.equal((await first).msg.rcode, 'NOERROR', 'the first query gets the upstream answer');
  const later = await udpExchange(server, buildQuery('other.example.test', 'A', { id: 7 }));
  t.equal(later.msg.rcode, 'NOERROR', 'an unrelated name is still forwarded and answered');
  const status = dns.server.status() as { forwardLoop: { detected: boolean; bounces: number } };
  t.equal(status.forwardLoop.detected, false, 'no loop is reported');
  t.ok(status.forwardLoop.bounces >= 1, `the bounce is counted (${status.forwardLoop.bounces})`);
});

t.test('a question asked with many EDNS sizes still gets its common variant cached', async (t) => {
  const { dns, server } = await startSchemaServer(t);
  const name = `svc1.${Z}`;
  let id = 500;
  // More distinct UDP sizes than one question's chain holds: the newest must push the oldest out, not be refused.
  for (let size = 600; size < 620; size++) await udpExchange(server, buildQuery(name, 'A', { id: ++id, edns: { udpSize: size } }));
  const before = dns.server.responder.cacheStats().bytes;
  await udpExchange(server, buildQuery(name, 'A', { id: ++id }));
  const after = dns.server.responder.cacheStats().bytes;
  t.ok(after !== before, `the plain variant enters the cache (${before} → ${after} bytes)`);
  const again = await udpExchange(server, buildQuery(name, 'A', { id: 4242 }));
  t.equal(again.msg.id, 4242, 'and is answered from it with the asker\'s ID');
  t.equal(again.msg.answers.length, 1, 'with its record');
});

t.test('GET /api/v1/resolve shows a fault without using it up', async (t) => {
  const { dns, server } = await startSchemaServer(t, { admin: '127.0.0.1:0' });
  const name = `svc1.${Z}`;
  const fault = dns.fault({ name, fault: 'servfail', times: 1 });
  for (let i = 0; i < 3; i++) {
    const r = await (await fetch(`http://${dns.adminAddress}/api/v1/resolve?name=${name}&type=A`)).json() as { rcode: string };
    t.equal(r.rcode, 'SERVFAIL', `look ${i + 1} through the admin API sees the fault`);
  }
  t.equal(dns.server.faults.list().find((f) => f.id === fault.id)?.hits, 0, 'and uses none of it');
  t.equal((await udpExchange(server, buildQuery(name, 'A', { id: 9 }))).msg.rcode, 'SERVFAIL', 'the one DNS query it was for gets it');
  t.equal((await udpExchange(server, buildQuery(name, 'A', { id: 10 }))).msg.rcode, 'NOERROR', 'then it is gone');
});

t.test('a UDP flood into a delay fault holds at most 10,000 queries; the rest is dropped, not queued', async (t) => {
  const { dns, server } = await startSchemaServer(t, { journalSize: 20_000 });
  const name = `svc1.${Z}`;
  dns.fault({ name, fault: 'delay', delayMs: 2500 });
  const sock = dgram.createSocket('udp4');
  t.teardown(() => sock.close());
  let answered = 0;
  sock.on('message', () => answered++);
  const sent = 11_000;
  for (let i = 0; i < sent; i++) {
    sock.send(buildQuery(name, 'A', { id: i & 0xffff }), server.port, server.host);
    // paced so the kernel's receive buffer drops none of them
    if (i % 500 === 499) await new Promise((r) => setTimeout(r, 15));
  }
  const received = await until(async () => dns.queries().length + dns.server.responder.delayedQueries(), (n) => n >= sent, 3000);
  t.equal(received, sent, 'every query reached the server');
  t.equal(dns.server.responder.delayedQueries(), 10_000, '10,000 held by the delay');
  t.equal(dns.queries({ rcode: 'DROPPED' }).length, sent - 10_000, 'the rest dropped at once');
  // Counted where they are sent (the journal): 10,000 replies landing at once overflow a client socket's buffer.
  const replied = await until(async () => dns.queries({ rcode: 'NOERROR' }).length, (n) => n >= 10_000, 6000);
  t.equal(replied, 10_000, 'the held ones are answered after the delay');
  t.ok(answered > 0, `and reach the client (${answered} before its receive buffer overflowed)`);
  t.equal(dns.server.responder.delayedQueries(), 0, 'and none is held any more');
});
