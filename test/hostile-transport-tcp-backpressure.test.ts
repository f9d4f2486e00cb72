// One TCP client pipelines 20,000 SRV queries for a 300-endpoint headless Service and reads nothing. Each answer
// is ~15 KB: unbounded, the server queued every answer in memory (RSS past 1 GB, never given back). With
// backpressure it stops reading that connection while its output is over the bound, answers other clients
// meanwhile, and sends every answer, in order, once the client reads.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startCli, stopCli } from './helpers/cli.js';
import { buildQuery, query } from './helpers/dns-client.js';

const ENDPOINTS = 300;
const QUERIES = 20_000;
const RSS_BOUND_MB = 250;
const SRV = '_http._tcp.big.default.svc.cluster.local';

const FIXTURE = `apiVersion: apps/v1
kind: Deployment
metadata: { name: big, namespace: default }
spec:
  replicas: ${ENDPOINTS}
  selector: { matchLabels: { app: big } }
  template:
    metadata: { labels: { app: big } }
    spec: { containers: [ { name: c, image: nginx, ports: [ { name: http, containerPort: 80 } ] } ] }
---
apiVersion: v1
kind: Service
metadata: { name: big, namespace: default }
spec:
  clusterIP: None
  selector: { app: big }
  ports: [ { name: http, port: 80, protocol: TCP } ]
`;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('a pipelining client that never reads: RSS bounded, others answered, every answer delivered in order', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cdns-tcp-bp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'big.yaml'), FIXTURE);
  const srv = await startCli(['--listen', '127.0.0.1:0', '--admin', 'off', '--no-watch', '--fixtures', dir]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const pid = srv.proc.pid!;

  const one = await query(srv.port, SRV, 'SRV', { tcp: true });
  t.equal(one.answers?.length, ENDPOINTS, `the SRV answer holds ${ENDPOINTS} records`);
  const baseline = rssMb(pid);

  const frames: Buffer[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const q = buildQuery(SRV, 'SRV', { id: i & 0xffff });
    const f = Buffer.alloc(q.length + 2);
    f.writeUInt16BE(q.length, 0);
    q.copy(f, 2);
    frames.push(f);
  }
  const hog = net.connect(srv.port, '127.0.0.1');
  t.teardown(() => hog.destroy());
  await new Promise<void>((r, j) => { hog.once('connect', r); hog.once('error', j); });
  hog.pause(); // read nothing: the kernel's buffers fill, then the server's
  hog.write(Buffer.concat(frames));

  // While the hog's answers back up: sample RSS, and ask as other clients over UDP and TCP.
  let peak = baseline;
  let othersAnswered = 0;
  const end = Date.now() + 3000;
  while (Date.now() < end) {
    peak = Math.max(peak, rssMb(pid));
    const [u, c] = await Promise.all([query(srv.port, SRV, 'SRV'), query(srv.port, SRV, 'SRV', { tcp: true })]);
    if (u.rcode === 'NOERROR' && c.answers?.length === ENDPOINTS) othersAnswered++;
    await sleep(100);
  }
  peak = Math.max(peak, rssMb(pid));
  t.ok(peak < RSS_BOUND_MB, `RSS ${baseline.toFixed(0)} MB before, at most ${peak.toFixed(0)} MB while the client did not read (bound ${RSS_BOUND_MB} MB)`);
  t.ok(othersAnswered >= 5, `other clients answered meanwhile, UDP and TCP (${othersAnswered} rounds)`);

  // Now read: every answer, in order, whole.
  const result = await new Promise<{ count: number; inOrder: boolean; complete: boolean }>((resolve, reject) => {
    let count = 0;
    let inOrder = true;
    let complete = true;
    let rest = Buffer.alloc(0);
    const timer = setTimeout(() => reject(new Error(`only ${count} answers within 60 s`)), 60_000);
    hog.on('data', (chunk: Buffer) => {
      let buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      while (buf.length >= 2 && buf.length >= buf.readUInt16BE(0) + 2) {
        const len = buf.readUInt16BE(0);
        const id = buf.readUInt16BE(2);
        const flags = buf.readUInt16BE(4);
        const ancount = buf.readUInt16BE(8);
        if (id !== (count & 0xffff)) inOrder = false;
        if (ancount !== ENDPOINTS || (flags & 0x0200) || (flags & 0x000f) !== 0) complete = false;
        count++;
        buf = buf.subarray(len + 2);
      }
      rest = Buffer.from(buf);
      if (count === QUERIES) { clearTimeout(timer); resolve({ count, inOrder, complete }); }
    });
    hog.on('close', () => { clearTimeout(timer); resolve({ count, inOrder, complete }); });
    hog.resume();
  });
  t.equal(result.count, QUERIES, 'every query answered');
  t.ok(result.inOrder, 'answers in the order asked');
  t.ok(result.complete, `every answer NOERROR, not truncated, ${ENDPOINTS} SRV records`);
  t.equal(srv.proc.exitCode, null, 'the server lives');
  t.comment(`RSS after: ${rssMb(pid).toFixed(0)} MB`);
});

t.test('the total bound: many clients that never read are held near it, a client that reads is still served', async (t) => {
  const { DnsTransport } = await import('../lib/wire/transport.js');
  const ANSWER = 20_000;
  const PER_CONN = 1024 * 1024;
  const TOTAL = 256 * 1024;
  const HOGS = 6;
  const answer = Buffer.alloc(ANSWER, 1);
  const tr = new DnsTransport({
    host: '127.0.0.1', port: 0, maxTcpQueuedBytes: PER_CONN, maxTcpQueuedBytesTotal: TOTAL,
    handler: (msg) => { msg.copy(answer, 0, 0, 2); return answer; }, // echo the id
  });
  const { port } = await tr.listen();
  t.teardown(() => tr.close());
  const q = buildQuery('x.example', 'A', { id: 7 });
  const frame = Buffer.alloc(q.length + 2);
  frame.writeUInt16BE(q.length, 0);
  q.copy(frame, 2);
  // Enough per client to fill the kernel's buffers on loopback (several MB each way) and then ours.
  const burst = Buffer.concat(Array.from({ length: 3000 }, () => frame));
  const hogs: net.Socket[] = [];
  for (let i = 0; i < HOGS; i++) {
    const c = net.connect(port, '127.0.0.1');
    c.on('error', () => {});
    t.teardown(() => c.destroy());
    await new Promise<void>((r) => c.once('connect', r));
    c.pause();
    c.write(burst);
    hogs.push(c);
  }
  let peak = 0;
  for (let i = 0; i < 15; i++) {
    await sleep(100);
    peak = Math.max(peak, tr.tcpQueuedBytes());
  }
  // A connection past the total stops being read once its own output reaches its socket's high-water mark (16 KiB
  // on Node 20, 64 KiB from Node 22): each may hold that and one answer more.
  const hwm = new net.Socket().writableHighWaterMark;
  const slack = HOGS * (hwm + ANSWER + 2);
  t.ok(peak <= TOTAL + slack, `queued in the process at most ${(peak / 1024).toFixed(0)} KiB (total bound ${TOTAL / 1024} KiB + ${HOGS} x (${hwm / 1024} KiB + one answer))`);
  t.ok(peak < HOGS * PER_CONN / 2, 'well below what the per-connection bound alone would allow');
  t.ok(tr.stats.tcpPaused >= HOGS, `connections stopped being read (${tr.stats.tcpPaused} pauses)`);

  // A client that reads its answers is served while the hogs hold the total over its bound.
  const reader = net.connect(port, '127.0.0.1');
  t.teardown(() => reader.destroy());
  const got = await new Promise<number>((resolve) => {
    let bytes = 0;
    const timer = setTimeout(() => resolve(bytes), 3000);
    reader.on('data', (d: Buffer) => { bytes += d.length; if (bytes >= 5 * (ANSWER + 2)) { clearTimeout(timer); resolve(bytes); } });
    reader.write(Buffer.concat([frame, frame, frame, frame, frame]));
  });
  t.equal(got, 5 * (ANSWER + 2), 'five answers to a reading client');
});
