// The TCP wire: 2-byte length framing, several queries on one connection (pipelined, answered by id), a query split
// across writes, no size limit, and an idle connection closed by the server.
import t from 'tap';
import { buildQuery, decode, frame, TcpConn } from './helpers/dns-wire.js';
import { answers } from './helpers/records.js';
import { startSchemaServer } from './helpers/server.js';

const Z = 'testns.svc.cluster.local';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** true if the server closes the connection within `ms`; the timer is cleared so it cannot hold the process open. */
function closedWithin(c: TcpConn, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    c.closed.then(() => true),
    new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms); }),
  ]).finally(() => clearTimeout(timer));
}

/** How long the server may leave an idle connection open. Loose on purpose: CoreDNS uses a few seconds. */
const IDLE_CLOSE_WITHIN_MS = 30_000;

t.test('TCP', async (t) => {
  const { server } = await startSchemaServer(t);

  await t.test('one framed query, one framed answer', async (t) => {
    const c = await TcpConn.connect(server);
    t.teardown(() => c.close());
    c.send(buildQuery(`svc1.${Z}`, 'A', { id: 11 }));
    const f = await c.next();
    t.ok(f, 'a frame came back');
    const m = decode(f!);
    t.equal(m.id, 11);
    t.equal(m.flag_aa, true);
    t.same(answers({ raw: f!, msg: m }), [`svc1.${Z} 5 A 10.0.0.1`]);
  });

  await t.test('several queries pipelined in one write, answers matched by id', async (t) => {
    const c = await TcpConn.connect(server);
    t.teardown(() => c.close());
    const want = new Map<number, string[]>([
      [101, [`svc1.${Z} 5 A 10.0.0.1`]],
      [102, [`svc6.${Z} 5 AAAA 1234:abcd::1`]],
      [103, [`svc-dual-stack.${Z} 5 A 10.0.0.3`]],
      [104, []],
    ]);
    c.writeRaw(Buffer.concat([
      frame(buildQuery(`svc1.${Z}`, 'A', { id: 101 })),
      frame(buildQuery(`svc6.${Z}`, 'AAAA', { id: 102 })),
      frame(buildQuery(`svc-dual-stack.${Z}`, 'A', { id: 103 })),
      frame(buildQuery(`svc0.${Z}`, 'A', { id: 104 })),
    ]));
    const got = new Map<number, string[]>();
    const rcodes = new Map<number, string>();
    for (let i = 0; i < 4; i++) {
      const f = await c.next();
      t.ok(f, `answer ${i + 1} arrived`);
      const m = decode(f!);
      got.set(m.id, answers({ raw: f!, msg: m }));
      rcodes.set(m.id, m.rcode);
    }
    t.same(got, want, 'each answer belongs to its query');
    t.equal(rcodes.get(104), 'NXDOMAIN');
  });

  await t.test('sequential queries reuse the connection', async (t) => {
    const c = await TcpConn.connect(server);
    t.teardown(() => c.close());
    for (let i = 0; i < 5; i++) {
      c.send(buildQuery(`svc1.${Z}`, 'A', { id: 500 + i }));
      const f = await c.next();
      t.equal(decode(f!).id, 500 + i, `query ${i + 1} answered`);
    }
    t.equal(c.isClosed, false, 'still open');
  });

  await t.test('a query split across writes, even inside the length prefix', async (t) => {
    const c = await TcpConn.connect(server);
    t.teardown(() => c.close());
    const f = frame(buildQuery(`hdls1.${Z}`, 'AAAA', { id: 777 }));
    c.writeRaw(f.subarray(0, 1));
    await sleep(60);
    c.writeRaw(f.subarray(1, 9));
    await sleep(60);
    c.writeRaw(f.subarray(9));
    const reply = await c.next();
    const m = decode(reply!);
    t.equal(m.id, 777);
    t.same(answers({ raw: reply!, msg: m }), [`hdls1.${Z} 5 AAAA 5678:abcd::1`, `hdls1.${Z} 5 AAAA 5678:abcd::2`]);
  });

  await t.test('answers over TCP are not limited to 512 or 1232 bytes', async (t) => {
    const c = await TcpConn.connect(server);
    t.teardown(() => c.close());
    c.send(buildQuery(`hdls-big.${Z}`, 'A', { id: 9 }));
    const f = await c.next();
    t.ok(f!.length > 1232, `${f!.length} bytes`);
    const m = decode(f!);
    t.equal(m.flag_tc, false);
    t.equal(m.answers.length, 100);
  });

  await t.test(`an idle connection is closed by the server (within ${IDLE_CLOSE_WITHIN_MS / 1000} s)`, async (t) => {
    const c = await TcpConn.connect(server);
    t.teardown(() => c.close());
    const started = Date.now();
    const closed = await closedWithin(c, IDLE_CLOSE_WITHIN_MS);
    t.ok(closed, `closed after ${Date.now() - started} ms without any query`);
  });

  await t.test('idle after answering: closed as well', async (t) => {
    const c = await TcpConn.connect(server);
    t.teardown(() => c.close());
    c.send(buildQuery(`svc1.${Z}`, 'A', { id: 12 }));
    t.ok(await c.next(), 'answered');
    const closed = await closedWithin(c, IDLE_CLOSE_WITHIN_MS);
    t.ok(closed, 'closed once idle');
  });
});
