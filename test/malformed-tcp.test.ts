// Hostile TCP: oversize length prefix, zero-length frame, a header cut short, a stalled half frame. None may crash the
// server or stall other clients.
import t from 'tap';
import { buildQuery, decode, frame, TcpConn } from './helpers/dns-wire.js';
import { expectHealthy } from './helpers/health.js';
import { startSchemaServer } from './helpers/server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('malformed TCP input', async (t) => {
  const { server } = await startSchemaServer(t);

  await t.test('length prefix 65535 followed by a few bytes, then silence', async (t) => {
    const c = await TcpConn.connect(server);
    t.teardown(() => c.close());
    c.writeRaw(Buffer.concat([Buffer.from([0xff, 0xff]), Buffer.alloc(100, 0x41)]));
    // Other clients are served while this connection waits for 65 KB that never come.
    await expectHealthy(t, server, 'an oversize length prefix on another connection');
  });

  await t.test('length prefix 65535 followed by 65535 bytes of garbage', async (t) => {
    const c = await TcpConn.connect(server);
    t.teardown(() => c.close());
    c.writeRaw(Buffer.concat([Buffer.from([0xff, 0xff]), Buffer.alloc(65535, 0x41)]));
    const reply = await c.next(5000).catch(() => null);
    if (reply) t.equal(decode(reply).flag_qr, true, 'if anything comes back, it is a response');
    await expectHealthy(t, server, 'a 64 KB garbage frame');
  });

  await t.test('zero-length frame', async (t) => {
    const c = await TcpConn.connect(server);
    t.teardown(() => c.close());
    c.writeRaw(Buffer.from([0x00, 0x00]));
    await sleep(200);
    await expectHealthy(t, server, 'a zero-length frame');
  });

  await t.test('zero-length frame, then a real query on the same connection', async (t) => {
    const c = await TcpConn.connect(server);
    t.teardown(() => c.close());
    c.writeRaw(Buffer.concat([Buffer.from([0x00, 0x00]), frame(buildQuery('svc1.testns.svc.cluster.local', 'A', { id: 55 }))]));
    // The server may answer the query or close the connection; it must not hang forever or die.
    const reply = await c.next(5000).catch(() => null);
    if (reply) t.equal(decode(reply).id, 55, 'the real query answered');
    else t.pass('connection closed');
    await expectHealthy(t, server, 'a zero-length frame before a query');
  });

  await t.test('a frame holding less than a header', async (t) => {
    const c = await TcpConn.connect(server);
    t.teardown(() => c.close());
    c.writeRaw(frame(Buffer.from([0x12, 0x34, 0x01])));
    const reply = await c.next(2000).catch(() => null);
    t.notOk(reply, 'no answer to less than a header');
    await expectHealthy(t, server, 'a 3-byte frame');
  });

  await t.test('a compression loop inside a TCP frame → FORMERR on that connection', async (t) => {
    const c = await TcpConn.connect(server);
    t.teardown(() => c.close());
    const h = Buffer.alloc(12);
    h.writeUInt16BE(0x0b01, 0);
    h.writeUInt16BE(0x0100, 2);
    h.writeUInt16BE(1, 4);
    c.send(Buffer.concat([h, Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]));
    const reply = await c.next(3000);
    t.ok(reply, 'a reply');
    const m = decode(reply!);
    t.equal(m.rcode, 'FORMERR');
    t.equal(m.id, 0x0b01);
    await expectHealthy(t, server, 'a compression loop over TCP');
  });

  await t.test('a response (QR=1) over TCP is not answered', async (t) => {
    const c = await TcpConn.connect(server);
    t.teardown(() => c.close());
    const q = buildQuery('svc1.testns.svc.cluster.local', 'A', { id: 66 });
    q[2] |= 0x80;
    c.send(q);
    const reply = await c.next(1000).catch(() => null);
    t.notOk(reply, 'no reply to a response');
    await expectHealthy(t, server, 'a response sent over TCP');
  });

  await t.test('many connections left half-open do not block a new client', async (t) => {
    const conns: TcpConn[] = [];
    t.teardown(() => conns.forEach((c) => c.close()));
    for (let i = 0; i < 50; i++) {
      const c = await TcpConn.connect(server);
      c.writeRaw(Buffer.from([0x00, 0x40, 0x12]));
      conns.push(c);
    }
    await expectHealthy(t, server, '50 stalled connections');
  });
});
