// Hand-made malformed datagrams: each gets FORMERR (or nothing, when not even a header arrived), and the server keeps
// serving afterwards.
import t from 'tap';
import { decode, udpSendRaw } from './helpers/dns-wire.js';
import { expectHealthy } from './helpers/health.js';
import { startSchemaServer } from './helpers/server.js';

/** A query header: id, RD, qdcount 1 (or as given), other counts 0. */
function header(id: number, qdcount = 1): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(0x0100, 2);
  h.writeUInt16BE(qdcount, 4);
  return h;
}

const typeA = Buffer.from([0, 1, 0, 1]);

function labels(...ls: string[]): Buffer {
  return Buffer.concat([...ls.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
}

const formerrCases: [string, Buffer][] = [
  // The question's name is a pointer to itself.
  ['compression loop in the question (self pointer)', Buffer.concat([header(0x0a01), Buffer.from([0xc0, 0x0c]), typeA])],
  // Two pointers pointing at each other.
  ['compression loop through two pointers', Buffer.concat([header(0x0a02), Buffer.from([0x01, 0x61, 0xc0, 0x10, 0xc0, 0x0c]), typeA])],
  ['pointer past the end of the message', Buffer.concat([header(0x0a03), Buffer.from([0xc0, 0xff]), typeA])],
  ['label running past the end of the message', Buffer.concat([header(0x0a05), Buffer.from([0x3f, 0x61, 0x62, 0x63])])],
  ['name without its terminating zero', Buffer.concat([header(0x0a06), Buffer.from([0x03, 0x66, 0x6f, 0x6f])])],
  ['question without type and class', Buffer.concat([header(0x0a07), labels('svc1', 'testns', 'svc', 'cluster', 'local')])],
  ['question with half a type', Buffer.concat([header(0x0a08), labels('svc1', 'testns', 'svc', 'cluster', 'local'), Buffer.from([0])])],
  ['qdcount 1 and no question at all', header(0x0a09)],
  ['reserved label type 0x40 (extended label)', Buffer.concat([header(0x0a0a), Buffer.from([0x41, 0x00, 0x00]), typeA])],
  ['name longer than 255 bytes', Buffer.concat([header(0x0a0b), labels('a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(63), 'e'.repeat(10)), typeA])],
];

t.test('malformed datagrams', async (t) => {
  const { server } = await startSchemaServer(t);

  for (const len of [0, 1, 2, 5, 11]) {
    await t.test(`truncated header (${len} bytes) is dropped`, async (t) => {
      const reply = await udpSendRaw(server, Buffer.alloc(len, 0x01), 500);
      t.equal(reply, null, 'no reply to less than a header');
      await expectHealthy(t, server, `a ${len}-byte datagram`);
    });
  }

  for (const [name, buf] of formerrCases) {
    await t.test(name, async (t) => {
      const reply = await udpSendRaw(server, buf, 1500);
      t.ok(reply, 'a reply (FORMERR), not silence');
      if (reply) {
        const m = decode(reply);
        t.equal(m.rcode, 'FORMERR', 'FORMERR');
        t.equal(m.id, buf.readUInt16BE(0), 'id echoed');
        t.equal(m.flag_qr, true, 'QR=1');
      }
      await expectHealthy(t, server, name);
    });
  }
});
