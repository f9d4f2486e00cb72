// The query journal kept each query's whole request buffer: 1,000 queries carrying 60 KB of EDNS padding pinned
// 60 MB. It now keeps what it shows (name, type, client, rcode...): after such a flood and a GC the buffers are gone,
// and the journal still shows every one of those queries by name.
import t from 'tap';
import v8 from 'node:v8';
import vm from 'node:vm';
import dgram from 'node:dgram';
import { TcpConn, frame } from './helpers/dns-wire.js';
import { startSchemaServer } from './helpers/server.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const PAD = 60_000;

/** A query for `name` A with an OPT holding a PAD-byte Padding option (RFC 7830). */
function padded(id: number, name: string): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(0x0100, 2);
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(1, 10);
  const q = Buffer.concat([...name.split('.').flatMap((l) => [Buffer.from([l.length]), Buffer.from(l)]), Buffer.from([0, 0, 1, 0, 1])]);
  const opt = Buffer.alloc(11 + 4 + PAD);
  opt.writeUInt16BE(41, 1);
  opt.writeUInt16BE(1232, 3);
  opt.writeUInt16BE(4 + PAD, 9);
  opt.writeUInt16BE(12, 11);
  opt.writeUInt16BE(PAD, 13);
  return Buffer.concat([h, q, opt]);
}

async function settled(): Promise<number> {
  for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setImmediate(r)); }
  return process.memoryUsage().arrayBuffers / 1024 / 1024;
}

t.test('1,000 queries with 60 KB of padding each: the journal keeps names, not requests', async (t) => {
  const { dns, server } = await startSchemaServer(t, { journalSize: 1000 });
  const sock = dgram.createSocket('udp4');
  t.teardown(() => sock.close());
  const before = await settled();
  let got = 0;
  sock.on('message', () => got++);
  const names: string[] = [];
  for (let i = 0; i < 800; i++) {
    const name = `q${i}.testns.svc.cluster.local`;
    names.push(name);
    const want = got + 1;
    sock.send(padded(i, name), server.port, server.host);
    for (let w = 0; w < 200 && got < want; w++) await new Promise((r) => setTimeout(r, 1));
  }
  const conn = await TcpConn.connect(server);
  t.teardown(() => conn.close());
  for (let i = 800; i < 1000; i++) {
    const name = `q${i}.testns.svc.cluster.local`;
    names.push(name);
    conn.writeRaw(frame(padded(i, name)));
    if (await conn.next(3000)) got++;
  }
  conn.close();
  t.ok(got >= 990, `${got} of 1,000 answered`);
  const after = await settled();
  t.ok(after - before < 15, `external memory ${before.toFixed(1)} MB before, ${after.toFixed(1)} MB after (60 MB of padding went in)`);
  const shown = dns.queries().map((q) => q.name);
  const missing = names.filter((n) => !shown.includes(n));
  t.ok(missing.length <= 10, `the journal shows the queries by name (${missing.length} of 1,000 missing)`);
  const last = dns.queries().at(-1)!;
  t.match(last, { name: 'q999.testns.svc.cluster.local', type: 'A', transport: 'tcp', rcode: 'NXDOMAIN' }, 'the last one in full');
});
