// Bounds of the console's API under hostile load: a query flood with a stream open builds at most
// MAX_EVENTS_PER_SECOND events a second (the rest are counted in an "event: gap"), a stream whose socket never
// drains is dropped at MAX_BUFFERED_BYTES, search-walk state stays at MAX_CLIENTS whatever the spoofed sources,
// and a Service with thousands of endpoints and ports still makes a small tree page.
import t from 'tap';
import { QueryJournal } from '../lib/admin/journal.js';
import { MAX_BUFFERED_BYTES, MAX_EVENTS_PER_SECOND, QueryStreamHub } from '../lib/admin/queries-stream.js';
import { MAX_CLIENTS, SearchWalks } from '../lib/admin/search-walk.js';
import { MAX_ENDPOINTS_SHOWN, MAX_RECORDS_SHOWN } from '../lib/admin/tree.js';
import { startClusterDns } from '../lib/index.js';
import { query } from './helpers/dns-client.js';

function event(name: string, client = '10.0.0.1') {
  return {
    question: { name, type: 1 }, transport: 'udp' as const, client, rcode: 3, answers: 0, requestSize: 40, responseSize: 90,
    start: performance.now(), plugin: 'kubernetes', edns: false, do: false, port: 1, id: 1, flags: 0x8183, bufsize: 0,
  };
}

function sink() {
  const chunks: string[] = [];
  return { chunks, destroyed: false, writableLength: 0, write(c: string) { chunks.push(c); return true; }, destroy() { this.destroyed = true; } };
}

t.test(`a flood builds at most ${MAX_EVENTS_PER_SECOND} events a second; a gap event counts the rest`, async (t) => {
  const journal = new QueryJournal(1000);
  const hub = new QueryStreamHub(journal, () => ['cluster.local'], () => undefined);
  const s = sink();
  const close = hub.open(s, {});
  t.teardown(close);
  const FLOOD = MAX_EVENTS_PER_SECOND * 10;
  const started = performance.now();
  for (let i = 0; i < FLOOD; i++) journal.record(event(`n${i}.default.svc.cluster.local`));
  const ms = performance.now() - started;
  t.ok(ms < 900, `the flood was recorded within one rate window (${ms.toFixed(0)} ms)`);
  t.equal(hub.built, MAX_EVENTS_PER_SECOND, 'events built: the cap, not the flood');
  await new Promise((r) => setTimeout(r, 1200));
  const text = s.chunks.join('');
  t.equal(text.split('event: query\n').length - 1, MAX_EVENTS_PER_SECOND, 'events sent');
  const gap = /event: gap\ndata: (.*)\n/.exec(text);
  t.ok(gap, 'a gap event');
  const g = JSON.parse(gap![1]);
  t.match(g, { reason: 'rate', skipped: FLOOD - MAX_EVENTS_PER_SECOND, toSeq: FLOOD });
  t.equal(g.fromSeq, MAX_EVENTS_PER_SECOND + 1, 'from the first query left out');
});

t.test('a stream whose socket never drains is dropped at the byte cap', async (t) => {
  const journal = new QueryJournal(100);
  const hub = new QueryStreamHub(journal, () => ['cluster.local'], () => undefined);
  let pending = 0;
  const s = { writableLength: 0, destroyed: false, write(c: string) { pending += c.length; this.writableLength = pending; return false; }, destroy() { this.destroyed = true; } };
  const close = hub.open(s, {});
  t.teardown(close);
  const long = `${'x'.repeat(60)}.${'y'.repeat(60)}.${'z'.repeat(60)}.default.svc.cluster.local`;
  for (let round = 0; round < 100 && !s.destroyed; round++) {
    for (let i = 0; i < 500; i++) journal.record(event(long));
    await new Promise((r) => setTimeout(r, 60));
  }
  t.ok(s.destroyed, 'destroyed');
  t.equal(hub.dropped, 1);
  t.equal(hub.size, 0, 'and forgotten: the journal is unhooked');
  t.ok(pending <= MAX_BUFFERED_BYTES + 64 * 1024, `at most the cap was written to it (${pending} bytes)`);
});

t.test(`search-walk state: at most ${MAX_CLIENTS} clients whatever the sources`, async (t) => {
  const walks = new SearchWalks(() => ['cluster.local'], () => undefined);
  const now = Date.now();
  for (let i = 0; i < MAX_CLIENTS * 5; i++) {
    walks.mark({ client: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, name: 'x.default.svc.cluster.local', type: 'A', time: now, rcode: 'NXDOMAIN', answers: 0 });
  }
  t.equal(walks.size, MAX_CLIENTS);
});

t.test('a Service with 3,000 endpoints and 40 ports: a small tree page, DNS answering', async (t) => {
  const ENDPOINTS = 3000;
  const ports = Array.from({ length: 40 }, (_, i) => ({ name: `p${i}`, port: 1000 + i, protocol: 'TCP' }));
  const endpoints = Array.from({ length: ENDPOINTS }, (_, i) => ({ addresses: [`10.244.${i >> 8}.${i & 255}`], conditions: { ready: i % 3 !== 0 } }));
  const slices = [];
  for (let i = 0; i < ENDPOINTS; i += 1000) {
    slices.push({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `big-${i}`, namespace: 'default', labels: { 'kubernetes.io/service-name': 'big' } }, addressType: 'IPv4', ports, endpoints: endpoints.slice(i, i + 1000) });
  }
  const dns = await startClusterDns({
    objects: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'big', namespace: 'default' }, spec: { clusterIP: 'None', ports: ports.map(({ name, port }) => ({ name, port })) } }, ...slices],
    admin: '127.0.0.1:0', listen: '127.0.0.1:0',
  } as any);
  t.teardown(() => dns.close());
  const res = await fetch(`http://${dns.adminAddress}/api/v1/tree?namespace=default`);
  const text = await res.text();
  t.equal(res.status, 200);
  t.ok(text.length < 64 * 1024, `${text.length} bytes`);
  const big = JSON.parse(text).services.find((s: any) => s.name === 'big');
  t.equal(big.endpoints.length, MAX_ENDPOINTS_SHOWN);
  t.equal(big.endpoints.length + big.endpointsLeftOut, ENDPOINTS, 'the rest counted');
  t.equal(big.records.length, MAX_RECORDS_SHOWN);
  t.ok(big.recordsLeftOut > 0, `${big.recordsLeftOut} records left out`);
  const q = await query(dns.port, 'big.default.svc.cluster.local', 'A');
  t.equal(q.rcode, 'NOERROR', 'DNS answers');
});

t.test('a page from another site cannot change state (no token on loopback): cross-site writes get 403', async (t) => {
  // A form or fetch(mode: no-cors) with a text/plain body needs no CORS preflight: any site the developer opens
  // could inject a fault or apply objects on http://127.0.0.1:8053. Browsers name the page's origin in Origin.
  const dns = await startClusterDns({ objects: [], admin: '127.0.0.1:0', listen: '127.0.0.1:0' });
  t.teardown(() => dns.close());
  const base = `http://${dns.adminAddress}`;
  const fault = JSON.stringify({ name: '*', fault: 'servfail' });
  const yaml = 'apiVersion: v1\nkind: Service\nmetadata: {name: evil, namespace: default}\nspec: {clusterIP: 10.96.9.9, ports: [{port: 80}]}\n';
  for (const origin of ['http://evil.example', 'null', `http://${dns.adminAddress}.evil.example`]) {
    const f = await fetch(`${base}/api/v1/faults`, { method: 'POST', headers: { 'content-type': 'text/plain', origin }, body: fault });
    t.equal(f.status, 403, `a fault from Origin ${origin}`);
    const o = await fetch(`${base}/api/v1/objects`, { method: 'POST', headers: { 'content-type': 'text/plain', origin }, body: yaml });
    t.equal(o.status, 403, `objects from Origin ${origin}`);
  }
  t.same((await (await fetch(`${base}/api/v1/faults`)).json()).faults ?? [], [], 'no fault was added');
  const r = await query(dns.port, 'evil.default.svc.cluster.local', 'A');
  t.equal((r as { rcode?: string }).rcode, 'NXDOMAIN', 'no object was applied');
  // The console itself (same origin) and clients that send no Origin (curl, the CLI) still write.
  const same = await fetch(`${base}/api/v1/faults`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: fault });
  t.equal(same.status, 201, 'the console, same origin');
  const curl = await fetch(`${base}/api/v1/objects`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: yaml });
  t.equal(curl.status, 200, 'no Origin: curl');
});
