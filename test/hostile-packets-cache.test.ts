// The answer cache under random-case questions for one large answer (it used to keep one 25 KB entry per spelling,
// up to 100,000 of them: 1.1 GB) and under a flood of distinct names: it stays within its byte bound, the process
// within a stated RSS, and every reply echoes the asker's spelling byte for byte (the question, the owners, and the
// zone part of SRV targets, which CoreDNS writes in the query's spelling).
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCli, stopCli } from './helpers/cli.js';
import { TcpConn, buildQuery, decode, frame, query, type ServerAddress } from './helpers/dns-wire.js';
import { mulberry32 } from './helpers/prng.js';
import { SCHEMA_FIXTURES, startServer } from './helpers/server.js';
import dgram from 'node:dgram';

const ENDPOINTS = 300;
const QUERIES = 20_000;
/** RSS the spawned server may reach (it starts at ~75 MB; the cache alone is bounded at 32 MiB) */
const RSS_LIMIT_MB = 300;

function manifests(): string {
  const ips = Array.from({ length: ENDPOINTS }, (_, i) => `10.244.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`);
  return [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'big', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } },
    {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: 'big-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'big' } },
      addressType: 'IPv4', ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    },
  ].map((d) => JSON.stringify(d)).join('\n---\n');
}

const rssMB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

function randomCase(rand: () => number, name: string): string {
  let s = '';
  for (const c of name) s += rand() < 0.5 ? c.toUpperCase() : c.toLowerCase();
  return s;
}

/** Checks one reply against the question it was asked with; returns the problems found. */
function check(q: Buffer, raw: Buffer, asked: string, full: boolean): string[] {
  const bad: string[] = [];
  const qEnd = q.length - 11; // the query ends with an 11-byte OPT
  if (!raw.subarray(12, qEnd).equals(q.subarray(12, qEnd))) bad.push('question bytes differ');
  if (raw.readUInt16BE(0) !== q.readUInt16BE(0)) bad.push('id');
  if (!full) return bad;
  const m = decode(raw);
  const zone = asked.split('.').slice(-2).join('.');
  if (m.answers.length !== ENDPOINTS) bad.push(`${m.answers.length} answers`);
  for (const a of m.answers) {
    if (a.name !== asked) bad.push(`owner ${a.name}`);
    const target = (a.data as { target: string }).target;
    if (!target.endsWith(`.big.default.svc.${zone}`)) bad.push(`target ${target}`);
  }
  const targets = new Set(m.answers.map((a) => (a.data as { target: string }).target));
  for (const x of m.additionals) if (x.type === 'A' && !targets.has(x.name)) bad.push(`glue owner ${x.name}`);
  return bad;
}

t.test('random-case SRV questions for a 300-endpoint Service: RSS bounded, every reply in the asker\'s case', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-cache-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'big.yaml'), manifests());
  const srv = await startCli(['--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--fixtures', dir, '--log-level', 'warn']);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const server: ServerAddress = { host: srv.host, port: srv.port };
  const admin = /admin http:\/\/(\S+)/.exec(srv.line)![1];
  const pid = srv.proc.pid!;
  const rssStart = rssMB(pid);
  let rssMax = rssStart;
  const rand = mulberry32(11);
  const base = '_http._tcp.big.default.svc.cluster.local';
  const problems: string[] = [];
  let answered = 0;

  // TCP: one connection, 20 queries in flight at a time, replies read as they come.
  const conn = await TcpConn.connect(server);
  t.teardown(() => conn.close());
  for (let i = 0; i < QUERIES / 2; i += 20) {
    const batch: [Buffer, string][] = [];
    for (let k = 0; k < 20; k++) {
      const asked = randomCase(rand, base);
      const q = buildQuery(asked, 'SRV', { id: (i + k) & 0xffff, edns: { udpSize: 1232 } });
      batch.push([q, asked]);
      conn.writeRaw(frame(q));
    }
    for (const [q, asked] of batch) {
      const raw = await conn.next(5000);
      if (!raw) { problems.push('tcp: no reply'); break; }
      answered++;
      problems.push(...check(q, raw, asked, (i + batch.length) % 500 === 0 || i === 0));
    }
    if (i % 2000 === 0) rssMax = Math.max(rssMax, rssMB(pid));
    if (problems.length > 10) break;
  }

  // UDP: replies are truncated to 1232 bytes, but still one entry's worth per spelling before the fix.
  const sock = dgram.createSocket('udp4');
  t.teardown(() => sock.close());
  const pending = new Map<number, [Buffer, string]>();
  sock.on('message', (raw) => {
    const p = pending.get(raw.readUInt16BE(0));
    if (!p) return;
    pending.delete(raw.readUInt16BE(0));
    answered++;
    problems.push(...check(p[0], raw, p[1], false));
  });
  for (let i = 0; i < QUERIES / 2; i += 50) {
    for (let k = 0; k < 50; k++) {
      const asked = randomCase(rand, base);
      const q = buildQuery(asked, 'SRV', { id: i + k, edns: { udpSize: 1232 } });
      pending.set(i + k, [q, asked]);
      sock.send(q, server.port, server.host);
    }
    for (let w = 0; w < 100 && pending.size > 0; w++) await new Promise((r) => setTimeout(r, 5));
    pending.clear();
    if (i % 2000 === 0) rssMax = Math.max(rssMax, rssMB(pid));
  }
  rssMax = Math.max(rssMax, rssMB(pid));
  t.same(problems.slice(0, 10), [], 'every reply checked echoes the asked spelling');
  t.ok(answered >= QUERIES * 0.95, `${answered} of ${QUERIES} answered`);
  t.ok(rssMax < RSS_LIMIT_MB, `RSS ${rssStart.toFixed(0)} MB at start, ${rssMax.toFixed(0)} MB at most (bound ${RSS_LIMIT_MB} MB)`);
  const status = await (await fetch(`http://${admin}/api/v1/status`)).json() as { answerCache: { bytes: number; questions: number; maxBytes: number } };
  t.ok(status.answerCache.bytes <= status.answerCache.maxBytes, `cache ${status.answerCache.bytes} bytes in ${status.answerCache.questions} questions`);
  t.ok(status.answerCache.questions <= 4, 'one question, whatever the spelling (a few variants: TCP, UDP)');
  t.equal(srv.proc.exitCode, null, 'alive');
});

t.test('a flood of distinct names stays within the cache\'s byte bound, which keeps serving', async (t) => {
  const cacheBytes = 256 * 1024;
  const { dns, server } = await startServer(t, { fixtures: [], cacheBytes } as never);
  const responder = (dns as unknown as { server: { responder: { cacheStats(): { bytes: number; questions: number } } } }).server.responder;
  const sock = dgram.createSocket('udp4');
  t.teardown(() => sock.close());
  let replies = 0;
  sock.on('message', () => replies++);
  let maxBytes = 0;
  for (let i = 0; i < 10_000; i += 100) {
    for (let k = 0; k < 100; k++) sock.send(buildQuery(`n${i + k}.default.svc.cluster.local`, 'A', { id: k }), server.port, server.host);
    for (let w = 0; w < 100 && replies < i + 100; w++) await new Promise((r) => setTimeout(r, 5));
    maxBytes = Math.max(maxBytes, responder.cacheStats().bytes);
  }
  t.ok(replies >= 9_500, `${replies} NXDOMAIN replies`);
  t.ok(maxBytes <= cacheBytes, `cache never above its bound: ${maxBytes} <= ${cacheBytes}`);
  t.ok(responder.cacheStats().questions > 100, `and still in use: ${responder.cacheStats().questions} questions kept`);
});

t.test('a reply served from the cache to another spelling is the reply that spelling gets uncached', async (t) => {
  const cached = await startServer(t, { fixtures: [SCHEMA_FIXTURES] });
  const uncached = await startServer(t, { fixtures: [SCHEMA_FIXTURES], cacheBytes: 0 } as never);
  const rand = mulberry32(5);
  const cases: [string, string][] = [
    ['_http._tcp.svc1.testns.svc.cluster.local', 'SRV'], ['svc1.testns.svc.cluster.local', 'A'],
    ['svc1.testns.svc.cluster.local', 'AAAA'], ['dup-name.hdls1.testns.svc.cluster.local', 'SRV'],
    ['hdls1.testns.svc.cluster.local', 'A'], ['hdls1.testns.svc.cluster.local', 'SRV'], ['svc0.testns.svc.cluster.local', 'A'],
    ['cluster.local', 'SOA'], ['cluster.local', 'NS'], ['1.0.0.10.in-addr.arpa', 'PTR'], ['dns-version.cluster.local', 'TXT'],
  ];
  for (const [name, type] of cases) {
    for (const transport of ['udp', 'tcp'] as const) {
      // the first spellings fill the cache and make it decide whether one reply serves every spelling
      for (const s of [name, randomCase(rand, name), randomCase(rand, name)]) await query(transport, cached.server, s, type);
      for (let k = 0; k < 4; k++) {
        // all lower case too: its uncached reply may compress differently, but must decode the same
        const s = k === 0 ? name : k === 1 ? name.toUpperCase() : randomCase(rand, name);
        const [a, b] = [await query(transport, cached.server, s, type, { id: 77 }), await query(transport, uncached.server, s, type, { id: 77 })];
        t.same(a.msg, b.msg, `${transport} ${s} ${type}: the cached reply decodes the same as an uncached one`);
        t.same(a.raw.subarray(0, 12), b.raw.subarray(0, 12), 'same header');
      }
    }
  }
});
