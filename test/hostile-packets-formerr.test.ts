// Queries that are malformed in ways the decoder once turned into a thrown encoder error (no reply, a counted panic):
// a label holding a dot, a name over 255 wire bytes, two OPT records, an OPT not owned by the root. Each gets FORMERR
// over UDP and TCP, on the hand parser's path (no other records) and on the slower path (other records present),
// the panic counter stays at zero, and the server keeps answering.
import t from 'tap';
import { TcpConn, decode, frame, udpSendRaw, type ServerAddress } from './helpers/dns-wire.js';
import { expectHealthy } from './helpers/health.js';
import { startSchemaServer } from './helpers/server.js';

function header(id: number, counts: [number, number, number, number]): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(0x0100, 2);
  counts.forEach((c, i) => h.writeUInt16BE(c, 4 + 2 * i));
  return h;
}

function wireName(labels: Buffer[]): Buffer {
  return Buffer.concat([...labels.flatMap((l) => [Buffer.from([l.length]), l]), Buffer.from([0])]);
}

const A_IN = Buffer.from([0, 1, 0, 1]);
/** an OPT owned by `owner` (wire form), 1232 bytes, no options */
const opt = (owner: Buffer = Buffer.from([0])): Buffer => Buffer.concat([owner, Buffer.from([0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0])]);
/** an A record in the additional section, owned by the root */
const extraA = Buffer.from([0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 192, 0, 2, 1]);

const dotted = wireName([Buffer.from('.a')]);
const label = (c: string, n: number) => Buffer.from(c.repeat(n));
/** 63+63+63+62 label bytes: 256 bytes on the wire with the length bytes and the root */
const name256 = wireName([label('a', 63), label('b', 63), label('c', 63), label('d', 62)]);
/** one byte shorter: the longest legal name */
const name255 = wireName([label('a', 63), label('b', 63), label('c', 63), label('d', 61)]);
const svc1 = wireName(['svc1', 'testns', 'svc', 'cluster', 'local'].map((l) => Buffer.from(l)));

const formerr: [string, (id: number) => Buffer][] = [
  // The issue's own packet: QD=1, AN=2 with no answer records in it, the question a label holding a dot.
  ['a dotted label with AN=2 and no answers (issue 11)', (id) => Buffer.concat([header(id, [1, 2, 0, 0]), dotted, A_IN])],
  ['a name of 256 wire bytes (hand parser path)', (id) => Buffer.concat([header(id, [1, 0, 0, 0]), name256, A_IN])],
  ['a name of 256 wire bytes with an OPT (slow path)', (id) => Buffer.concat([header(id, [1, 0, 0, 2]), name256, A_IN, opt(), extraA])],
  ['a name of 267 wire bytes', (id) => Buffer.concat([header(id, [1, 0, 0, 0]), wireName([label('a', 63), label('b', 63), label('c', 63), label('d', 63), label('e', 10)]), A_IN])],
  ['two OPT records', (id) => Buffer.concat([header(id, [1, 0, 0, 2]), svc1, A_IN, opt(), opt()])],
  ['an OPT owned by a.', (id) => Buffer.concat([header(id, [1, 0, 0, 1]), svc1, A_IN, opt(wireName([Buffer.from('a')]))])],
  ['an OPT owned by a pointer to the question', (id) => Buffer.concat([header(id, [1, 0, 0, 1]), svc1, A_IN, opt(Buffer.from([0xc0, 12]))])],
  ['an OPT owned by a.  next to an A record', (id) => Buffer.concat([header(id, [1, 0, 0, 2]), svc1, A_IN, extraA, opt(wireName([Buffer.from('a')]))])],
  ['an OPT in the answer section', (id) => Buffer.concat([header(id, [1, 1, 0, 0]), svc1, A_IN, opt()])],
  ['a dotted label and two OPT records', (id) => Buffer.concat([header(id, [1, 0, 0, 2]), dotted, A_IN, opt(), opt()])],
];

async function tcpOne(server: ServerAddress, msg: Buffer): Promise<Buffer | null> {
  const c = await TcpConn.connect(server);
  try {
    c.writeRaw(frame(msg));
    return await c.next(3000);
  } finally {
    c.close();
  }
}

async function panics(dns: { server: { metrics: { panics: { get(): Promise<{ values: { value: number }[] }> } } } }): Promise<number> {
  return (await dns.server.metrics.panics.get()).values.reduce((n, v) => n + v.value, 0);
}

t.test('hostile queries get FORMERR over UDP and TCP and count no panic', async (t) => {
  const { dns, server } = await startSchemaServer(t);
  let id = 0x3000;
  for (const [what, build] of formerr) {
    for (const transport of ['udp', 'tcp'] as const) {
      const q = build(++id);
      const raw = transport === 'udp' ? await udpSendRaw(server, q, 2000) : await tcpOne(server, q);
      t.ok(raw, `${transport}: ${what}: a reply, not silence`);
      if (!raw) continue;
      const m = decode(raw);
      t.equal(m.rcode, 'FORMERR', `${transport}: ${what}: FORMERR`);
      t.equal(m.id, id, `${transport}: ${what}: id echoed`);
      t.equal(m.flag_qr, true, `${transport}: ${what}: a response`);
    }
  }
  t.equal(await panics(dns as never), 0, 'coredns_panics_total stays 0');
  await expectHealthy(t, server, 'the hostile queries');
});

t.test('a label holding a dot is one name on both parser paths, echoed byte for byte', async (t) => {
  const { dns, server } = await startSchemaServer(t);
  const question = Buffer.concat([dotted, A_IN]);
  const plain = Buffer.concat([header(0x4001, [1, 0, 0, 0]), question]);
  const withExtra = Buffer.concat([header(0x4002, [1, 0, 0, 1]), question, extraA]);
  const longest = Buffer.concat([header(0x4003, [1, 0, 0, 0]), name255, A_IN]);
  const rcodes: string[] = [];
  for (const [what, q] of [['hand parser', plain], ['slow path', withExtra]] as const) {
    for (const transport of ['udp', 'tcp'] as const) {
      const raw = transport === 'udp' ? await udpSendRaw(server, q, 2000) : await tcpOne(server, q);
      t.ok(raw, `${transport} ${what}: answered`);
      if (!raw) continue;
      t.same(raw.subarray(12, 12 + question.length), question, `${transport} ${what}: the question comes back byte for byte`);
      rcodes.push(decode(raw).rcode);
    }
  }
  t.equal(new Set(rcodes).size, 1, `the same rcode on both paths (${rcodes.join(', ')})`);
  t.not(rcodes[0], 'FORMERR', 'a dot inside a label is legal DNS (RFC 4343): answered, not FORMERR');
  const raw = await udpSendRaw(server, longest, 2000);
  t.ok(raw, 'the longest legal name (255 bytes) is answered');
  if (raw) {
    t.not(decode(raw).rcode, 'FORMERR', 'a 255-byte name is not FORMERR');
    t.same(raw.subarray(12, 12 + name255.length + 4), Buffer.concat([name255, A_IN]), '255-byte question echoed');
  }
  t.equal(await panics(dns as never), 0, 'no panic');
});
