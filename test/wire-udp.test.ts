// The UDP wire: header flags, EDNS0, rcodes for what the server does not serve, and truncation to the client's size.
// Limits per the contract: 512 bytes without EDNS, else min(client's EDNS size, 1232).
import dgram from 'node:dgram';
import t from 'tap';
import packet from 'dns-packet';
import {
  buildQuery, decode, fullRcode, queryTcp, queryUdp, udpExchange, udpSendRaw, type Reply,
} from './helpers/dns-wire.js';
import type { Asserts } from './helpers/expect.js';
import { answers } from './helpers/records.js';
import { startSchemaServer } from './helpers/server.js';

const Z = 'testns.svc.cluster.local';

/** A compressed A record (pointer owner + fixed fields + 4 bytes): the smallest record that could still be added. */
const A_RR_BYTES = 16;

function hdlsAddresses(prefix: string, n: number, owner: string): string[] {
  return Array.from({ length: n }, (_, i) => `${owner} 5 A ${prefix}.${i + 1}`);
}

function optOf(r: Reply) {
  return r.msg.additionals.filter((a) => a.type === 'OPT');
}

t.test('UDP header and sections', async (t) => {
  const { server } = await startSchemaServer(t);

  await t.test('id, QR, opcode, AA, RD echo, RA=0, question echo', async (t) => {
    const q = buildQuery(`svc1.${Z}`, 'A', { id: 4242, rd: true });
    const r = await udpExchange(server, q);
    t.equal(r.msg.id, 4242, 'id echoed');
    t.equal(r.msg.flag_qr, true, 'QR=1');
    t.equal(r.msg.opcode, 'QUERY');
    t.equal(r.msg.flag_aa, true, 'AA=1');
    t.equal(r.msg.flag_rd, true, 'RD copied');
    t.equal(r.msg.flag_ra, false, 'RA=0');
    t.equal(r.msg.flag_tc, false, 'TC=0');
    t.same(r.msg.questions, [{ name: `svc1.${Z}`, type: 'A', class: 'IN' }]);
    t.same(answers(r), [`svc1.${Z} 5 A 10.0.0.1`]);

    const noRd = await udpExchange(server, buildQuery(`svc1.${Z}`, 'A', { id: 7, rd: false }));
    t.equal(noRd.msg.flag_rd, false, 'RD=0 copied');
    t.equal(noRd.msg.id, 7);
  });

  await t.test('no EDNS in → no OPT out; EDNS in → exactly one OPT out', async (t) => {
    const plain = await queryUdp(server, `svc1.${Z}`, 'A');
    t.equal(optOf(plain).length, 0, 'no OPT without EDNS');
    const edns = await queryUdp(server, `svc1.${Z}`, 'A', { edns: { udpSize: 4096 } });
    t.equal(optOf(edns).length, 1, 'one OPT with EDNS');
    t.equal(optOf(edns)[0]?.ednsVersion, 0, 'EDNS version 0');
    t.equal(optOf(edns)[0]?.name, '.', 'OPT owner is the root');
    t.same(answers(edns), [`svc1.${Z} 5 A 10.0.0.1`]);
    const neg = await queryUdp(server, `svc0.${Z}`, 'A', { edns: { udpSize: 1232 } });
    t.equal(neg.msg.rcode, 'NXDOMAIN');
    t.equal(optOf(neg).length, 1, 'OPT on a negative answer too');
  });

  await t.test('EDNS with options (a client cookie) and the DO bit is answered normally', async (t) => {
    const q = buildQuery(`svc1.${Z}`, 'A', { id: 808, edns: { udpSize: 1232 } });
    // Replace the empty OPT RDATA with one COOKIE option (code 10, 8-byte client cookie) and set DO.
    const cookie = Buffer.from([0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]);
    const withOpt = Buffer.concat([q.subarray(0, q.length - 2), Buffer.from([0, cookie.length]), cookie]);
    withOpt[withOpt.length - cookie.length - 2 - 4] = 0x80;
    const r = await udpExchange(server, withOpt);
    t.equal(r.msg.rcode, 'NOERROR');
    t.same(answers(r), [`svc1.${Z} 5 A 10.0.0.1`]);
    t.equal(optOf(r).length, 1, 'OPT in the reply');
  });

  await t.test('CD is copied into the reply', async (t) => {
    const q = buildQuery(`svc1.${Z}`, 'A', { id: 809 });
    q[3] |= 0x10;
    const r = await udpExchange(server, q);
    t.equal((r.raw[3] & 0x10) !== 0, true, 'CD=1');
  });

  await t.test('labels holding dots, spaces or UTF-8 are names of their own: echoed byte for byte, never matched loosely', async (t) => {
    const L = (x: string) => Buffer.from(x, 'latin1');
    const rows: [string, Buffer[], string][] = [
      ['a dot inside a label', [L('svc1.testns'), L('svc'), L('cluster'), L('local')], 'NXDOMAIN'],
      ['a dot inside the namespace label', [L('svc1'), L('testns.svc'), L('cluster'), L('local')], 'NXDOMAIN'],
      ['UTF-8 bytes', [L('h\xc3\xa9llo'), L('testns'), L('svc'), L('cluster'), L('local')], 'NXDOMAIN'],
      ['a space', [L('a b'), L('testns'), L('svc'), L('cluster'), L('local')], 'NXDOMAIN'],
      ['the zone in one label', [L('svc1'), L('testns'), L('svc'), L('cluster.local')], 'REFUSED'],
    ];
    for (const [what, labels, rcode] of rows) {
      const h = Buffer.from([0x0c, 0x01, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
      const question = Buffer.concat([...labels.flatMap((l) => [Buffer.from([l.length]), l]), Buffer.from([0, 0, 1, 0, 1])]);
      const r = await udpExchange(server, Buffer.concat([h, question]));
      t.equal(r.msg.rcode, rcode, `${what}: ${rcode}`);
      t.equal(r.msg.answers.length, 0, `${what}: no answer`);
      t.ok(r.raw.subarray(12, 12 + question.length).equals(question), `${what}: question echoed byte for byte`);
    }
  });

  await t.test('EDNS version 1 → BADVERS (16) with an OPT', async (t) => {
    const r = await queryUdp(server, `svc1.${Z}`, 'A', { edns: { udpSize: 1232, version: 1 } });
    t.equal(fullRcode(r), 16, 'extended rcode BADVERS');
    t.equal(optOf(r).length, 1, 'the reply carries an OPT');
    t.equal(r.msg.answers.length, 0, 'no answer');
  });

  await t.test('a packet with QR=1 is never answered', async (t) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const response = packet.encode({ type: 'response', id: 99, flags: 0, questions: [{ name: `svc1.${Z}`, type: 'A', class: 'IN' }] } as any);
    t.equal(await udpSendRaw(server, response, 700), null, 'no reply to a response');
    t.same(answers(await queryUdp(server, `svc1.${Z}`, 'A')), [`svc1.${Z} 5 A 10.0.0.1`], 'still serving');
  });

  for (const [opcode, label] of [[1, 'IQUERY'], [2, 'STATUS'], [5, 'UPDATE']] as const) {
    await t.test(`opcode ${label} → NOTIMP`, async (t) => {
      const r = await udpExchange(server, buildQuery(`svc1.${Z}`, 'A', { id: 300 + opcode, opcode }));
      t.equal(r.msg.rcode, 'NOTIMP');
      t.equal(r.msg.id, 300 + opcode, 'id echoed');
      t.equal(r.msg.flag_qr, true, 'QR=1');
      t.equal(r.msg.answers.length, 0);
    });
  }

  await t.test('qdcount 0 → FORMERR', async (t) => {
    const q = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
    const r = await udpExchange(server, q);
    t.equal(r.msg.rcode, 'FORMERR');
    t.equal(r.msg.id, 0x1234);
    t.equal(r.msg.flag_qr, true);
  });

  await t.test('qdcount 2 → FORMERR', async (t) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const q = packet.encode({
      type: 'query', id: 0x2345, flags: packet.RECURSION_DESIRED,
      questions: [{ name: `svc1.${Z}`, type: 'A', class: 'IN' }, { name: `svc6.${Z}`, type: 'AAAA', class: 'IN' }],
    } as any);
    const r = await udpExchange(server, q);
    t.equal(r.msg.rcode, 'FORMERR');
    t.equal(r.msg.id, 0x2345);
  });

  await t.test('class CH → REFUSED (bare reply: no AA, nothing in the sections)', async (t) => {
    for (const name of ['version.bind', `svc1.${Z}`]) {
      const r = await queryUdp(server, name, 'TXT', { qclass: 'CH' });
      t.equal(r.msg.rcode, 'REFUSED', `${name} CH`);
      t.equal(r.msg.answers.length + r.msg.authorities.length, 0, `${name} CH: empty sections`);
    }
  });

  await t.test('a name outside every zone → REFUSED, no AA, no SOA', async (t) => {
    for (const name of ['example.com', 'local', 'cluster.local.example.com', 'xcluster.local']) {
      const r = await queryUdp(server, name, 'A');
      t.equal(r.msg.rcode, 'REFUSED', name);
      t.equal(r.msg.flag_aa, false, `${name}: AA=0`);
      t.equal(r.msg.authorities.length, 0, `${name}: no SOA`);
      t.equal(r.msg.flag_rd, true, `${name}: RD copied`);
    }
  });

  await t.test('AXFR over UDP → REFUSED', async (t) => {
    const r = await queryUdp(server, 'cluster.local', 'AXFR');
    t.equal(r.msg.rcode, 'REFUSED');
  });
});

t.test('many queries in flight on one UDP socket are each answered, matched by id', async (t) => {
  const { server } = await startSchemaServer(t);
  const sock = dgram.createSocket('udp4');
  t.teardown(() => sock.close());
  const names = [`svc1.${Z}`, `svc6.${Z}`, `hdls1.${Z}`, `svc0.${Z}`];
  const total = 200;
  const want = new Map<number, string>();
  const got = new Map<number, string>();
  const done = new Promise<void>((resolve) => {
    sock.on('message', (m) => {
      const d = decode(m);
      got.set(d.id, `${d.questions[0]?.name} ${d.rcode} ${d.answers.length}`);
      // Against the total, not want.size: want grows while batches are sent, and the first batch can be all in.
      if (got.size === total) resolve();
    });
  });
  const expected: Record<string, string> = {
    [`svc1.${Z}`]: 'NOERROR 1', [`svc6.${Z}`]: 'NOERROR 1', [`hdls1.${Z}`]: 'NOERROR 4', [`svc0.${Z}`]: 'NXDOMAIN 0',
  };
  for (let id = 1; id <= total; id++) {
    const name = names[id % names.length];
    const type = name.startsWith('svc6') ? 'AAAA' : 'A';
    want.set(id, `${name} ${expected[name]}`);
    sock.send(buildQuery(name, type, { id }), server.port, server.host);
    if (id % 50 === 0) await new Promise((r) => setTimeout(r, 5));
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise((r) => { timer = setTimeout(r, 5000); })]).finally(() => clearTimeout(timer));
  t.same(got, want, 'every query answered with its own answer');
});

t.test('UDP size limits and truncation', async (t) => {
  const { server } = await startSchemaServer(t);
  const mid = `hdls-mid.${Z}`;
  const big = `hdls-big.${Z}`;
  const midAll = hdlsAddresses('172.2.0', 40, mid);
  const bigAll = hdlsAddresses('172.1.0', 100, big);

  function checkTruncated(t: Asserts, r: Reply, limit: number, all: string[]) {
    t.equal(r.msg.flag_tc, true, 'TC=1');
    t.ok(r.raw.length <= limit, `${r.raw.length} bytes ≤ ${limit}`);
    t.ok(limit - r.raw.length < A_RR_BYTES, `whole records kept as far as they fit (${limit - r.raw.length} bytes left)`);
    const got = answers(r);
    t.ok(got.length > 0 && got.length < all.length, `${got.length} of ${all.length} records`);
    t.ok(got.every((g) => all.includes(g)), 'every kept record is a real, whole record');
    t.equal(r.msg.rcode, 'NOERROR');
  }

  await t.test('no EDNS: 40 A records do not fit 512 bytes → TC=1', async (t) => {
    const r = await queryUdp(server, mid, 'A');
    checkTruncated(t, r, 512, midAll);
  });

  await t.test('EDNS 1232: the same 40 records fit', async (t) => {
    const r = await queryUdp(server, mid, 'A', { edns: { udpSize: 1232 } });
    t.equal(r.msg.flag_tc, false);
    t.same(answers(r), [...midAll].sort());
    t.equal(optOf(r).length, 1);
  });

  await t.test('EDNS 4096: capped at 1232 → 100 records truncate', async (t) => {
    const r = await queryUdp(server, big, 'A', { edns: { udpSize: 4096 } });
    checkTruncated(t, r, 1232, bigAll);
    t.equal(optOf(r).length, 1, 'a truncated EDNS reply still carries the OPT');
  });

  await t.test('EDNS 800: the client\'s smaller size is honoured', async (t) => {
    const r = await queryUdp(server, big, 'A', { edns: { udpSize: 800 } });
    checkTruncated(t, r, 800, bigAll);
  });

  // RFC 6891 §6.2.5: an EDNS size below 512 MUST be treated as 512 (CoreDNS request.Size() does the same).
  for (const size of [0, 256]) {
    await t.test(`EDNS ${size}: treated as 512`, async (t) => {
      const r = await queryUdp(server, mid, 'A', { edns: { udpSize: size } });
      checkTruncated(t, r, 512, midAll);
    });
  }

  await t.test('the same query over TCP gives everything', async (t) => {
    const plain = await queryTcp(server, big, 'A');
    t.equal(plain.msg.flag_tc, false);
    t.same(answers(plain), [...bigAll].sort());
    const edns = await queryTcp(server, big, 'A', { edns: { udpSize: 512 } });
    t.equal(edns.msg.flag_tc, false, 'the EDNS size does not limit TCP');
    t.equal(edns.msg.answers.length, 100);
  });

  await t.test('SRV with glue truncates over UDP, complete over TCP', async (t) => {
    const u = await queryUdp(server, `_http._tcp.${big}`, 'SRV', { edns: { udpSize: 1232 } });
    t.equal(u.msg.flag_tc, true);
    t.ok(u.raw.length <= 1232);
    const tc = await queryTcp(server, `_http._tcp.${big}`, 'SRV');
    t.equal(tc.msg.flag_tc, false);
    t.equal(tc.msg.answers.length, 100);
  });

  await t.test('a truncated reply decodes cleanly (counts match the records present)', async (t) => {
    const r = await queryUdp(server, big, 'A');
    t.doesNotThrow(() => decode(r.raw));
    t.equal(r.raw.readUInt16BE(6), r.msg.answers.length, 'ANCOUNT = answers present');
  });
});
