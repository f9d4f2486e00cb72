// Seeded random input: thousands of random datagrams and mutated real queries over UDP, random frames over TCP.
// Whatever comes back must be a response (QR=1, at least a header), and the server must keep answering correctly.
import dgram from 'node:dgram';
import t from 'tap';
import { buildQuery, frame, TcpConn, type ServerAddress } from './helpers/dns-wire.js';
import type { Asserts } from './helpers/expect.js';
import { expectHealthy } from './helpers/health.js';
import { mulberry32, randomBytes } from './helpers/prng.js';
import { startSchemaServer } from './helpers/server.js';

const SEED = 0xc0ffee;

/** Sends datagrams in small bursts (so the kernel buffer never silently drops them) and collects every reply. */
async function blast(server: ServerAddress, datagrams: Buffer[]): Promise<Buffer[]> {
  const sock = dgram.createSocket('udp4');
  const replies: Buffer[] = [];
  sock.on('message', (m) => replies.push(m));
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
  for (let i = 0; i < datagrams.length; i += 50) {
    await Promise.all(datagrams.slice(i, i + 50).map((d) => new Promise<void>((resolve) => sock.send(d, server.port, server.host, () => resolve()))));
    await new Promise((r) => setTimeout(r, 2));
  }
  await new Promise((r) => setTimeout(r, 500));
  sock.close();
  return replies;
}

function checkReplies(t: Asserts, replies: Buffer[], what: string) {
  const bad = replies.filter((r) => r.length < 12 || (r[2] & 0x80) === 0);
  t.ok(bad.length === 0, `${what}: all ${replies.length} replies are responses with a header (${bad.length} are not)`);
}

t.test('random bytes over UDP', async (t) => {
  const { server } = await startSchemaServer(t);
  const rand = mulberry32(SEED);
  const datagrams: Buffer[] = [];
  for (let i = 0; i < 3000; i++) datagrams.push(randomBytes(rand, Math.floor(rand() * 600)));
  const replies = await blast(server, datagrams);
  checkReplies(t, replies, '3000 random datagrams');
  await expectHealthy(t, server, 'random datagrams');
});

t.test('random single-byte mutations of real queries over UDP', async (t) => {
  const { server } = await startSchemaServer(t);
  const rand = mulberry32(SEED + 1);
  const seeds = [
    buildQuery('svc1.testns.svc.cluster.local', 'A', { id: 1 }),
    buildQuery('_http._tcp.hdls1.testns.svc.cluster.local', 'SRV', { id: 2, edns: { udpSize: 1232 } }),
    buildQuery('ext-in.testns.svc.cluster.local', 'A', { id: 3 }),
    buildQuery('4.0.0.172.in-addr.arpa', 'PTR', { id: 4 }),
  ];
  const datagrams: Buffer[] = [];
  for (let i = 0; i < 3000; i++) {
    const d = Buffer.from(seeds[i % seeds.length]);
    const flips = 1 + Math.floor(rand() * 3);
    for (let k = 0; k < flips; k++) d[Math.floor(rand() * d.length)] = Math.floor(rand() * 256);
    // Sometimes cut it short as well.
    datagrams.push(rand() < 0.2 ? d.subarray(0, Math.floor(rand() * d.length)) : d);
  }
  const replies = await blast(server, datagrams);
  checkReplies(t, replies, '3000 mutated queries');
  t.ok(replies.length > 0, 'mutated queries that still parse get answered');
  await expectHealthy(t, server, 'mutated queries');
});

t.test('random frames over TCP', async (t) => {
  const { server } = await startSchemaServer(t);
  const rand = mulberry32(SEED + 2);
  for (let conn = 0; conn < 40; conn++) {
    const c = await TcpConn.connect(server);
    const parts: Buffer[] = [];
    const frames = 1 + Math.floor(rand() * 5);
    for (let i = 0; i < frames; i++) parts.push(frame(randomBytes(rand, Math.floor(rand() * 300))));
    // Every fourth connection sends raw garbage with no framing at all.
    c.writeRaw(conn % 4 === 3 ? randomBytes(rand, 1 + Math.floor(rand() * 400)) : Buffer.concat(parts));
    await new Promise((r) => setTimeout(r, 20));
    c.close();
  }
  await expectHealthy(t, server, 'random TCP frames');
});
