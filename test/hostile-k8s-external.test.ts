// k8s_external under hostile input: Services whose external addresses a real API server would refuse (or that go
// past our bound) are skipped and named while the rest serve; the most addresses one name may hold answer in full
// over TCP and truncate over UDP; a flood of names nobody has, and of the heaviest names there are, never stalls
// the server.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dgram from 'node:dgram';
import { Prober } from '../bench/probe.js';
import { MAX_EXTERNAL_ADDRESSES } from '../lib/cluster/validate.js';
import { startCli, stopCli } from './helpers/cli.js';
import { buildQuery, query } from './helpers/dns-client.js';

const ZONE = 'example.org';
const dir = mkdtempSync(join(tmpdir(), 'hostile-k8s-external-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const svc = (name: string, spec: object, status?: object) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'edge' },
  spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec }, ...(status ? { status } : {}),
});
const lbStatus = (ingress: object[]) => ({ loadBalancer: { ingress } });
/** n distinct addresses in 198.18.0.0/15 (benchmarking space) */
const addresses = (n: number) => Array.from({ length: n }, (_, i) => `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`);
const PORTS = 50;
const ENDPOINTS = 2000;

const objects = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'edge' } },
  svc('good', { externalIPs: ['192.0.2.1'] }),
  // spelled as no API server writes them back, yet valid: served (and found by PTR) in their canonical form
  svc('spelled', { externalIPs: ['2001:DB8:0:0:0:0:0:99', '::ffff:198.51.100.9'] }),
  svc('most', { externalIPs: addresses(MAX_EXTERNAL_ADDRESSES) }),
  svc('too-many', { externalIPs: addresses(MAX_EXTERNAL_ADDRESSES + 1) }),
  svc('loopback', { externalIPs: ['127.0.0.1'] }),
  svc('link-local', { externalIPs: ['fe80::1'] }),
  svc('not-an-ip', { externalIPs: ['192.0.2.300'] }),
  svc('not-a-string', { externalIPs: [{ ip: '192.0.2.3' }] }),
  svc('lb-bad-ip', { type: 'LoadBalancer' }, lbStatus([{ ip: 'abc' }])),
  svc('lb-ip-hostname', { type: 'LoadBalancer' }, lbStatus([{ hostname: '192.0.2.4' }])),
  svc('lb-bad-hostname', { type: 'LoadBalancer' }, lbStatus([{ hostname: `${'x'.repeat(64)}.example.net` }])),
  svc('lb-too-many', { type: 'LoadBalancer' }, lbStatus(addresses(MAX_EXTERNAL_ADDRESSES + 1).map((ip) => ({ ip })))),
  // the heaviest name: a headless Service of ENDPOINTS endpoints × PORTS ports, every one an SRV
  svc('wide', { clusterIP: 'None', ports: Array.from({ length: PORTS }, (_, i) => ({ name: `p${i}`, port: 1000 + i, protocol: 'TCP' })) }),
  ...Array.from({ length: ENDPOINTS / 1000 }, (_, s) => ({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { name: `wide-${s}`, namespace: 'edge', labels: { 'kubernetes.io/service-name': 'wide' } },
    endpoints: Array.from({ length: 1000 }, (_, i) => ({ addresses: [`10.${100 + s}.${Math.floor(i / 250)}.${(i % 250) + 1}`] })),
    ports: Array.from({ length: PORTS }, (_, i) => ({ name: `p${i}`, port: 1000 + i, protocol: 'TCP' })),
  })),
];
const refused = ['too-many', 'loopback', 'link-local', 'not-an-ip', 'not-a-string', 'lb-bad-ip', 'lb-ip-hostname', 'lb-bad-hostname', 'lb-too-many'];

t.test('refused external addresses are named and skipped; the bound answers in full over TCP; floods never stall it', async (t) => {
  writeFileSync(join(dir, 'cluster.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  writeFileSync(join(dir, 'Corefile'), `. {\n  kubernetes cluster.local\n  k8s_external ${ZONE} ip6.arpa {\n    headless\n  }\n}\n`);
  const srv = await startCli(['--corefile', join(dir, 'Corefile'), '--fixtures', join(dir, 'cluster.json'), '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));

  t.strictSame((await query(srv.port, `good.edge.${ZONE}`, 'A')).answers?.map((a) => a.data), ['192.0.2.1'], 'a good Service answers');
  for (const name of refused) {
    t.equal((await query(srv.port, `${name}.edge.${ZONE}`, 'A')).rcode, 'NXDOMAIN', `${name}: refused, so it does not exist`);
    const logged = srv.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((l) => l.name === name);
    t.match(logged?.msg, /is invalid: (spec\.externalIPs|status\.loadBalancer\.ingress)/, `${name}: the log names the field`);
  }

  const spelled = `spelled.edge.${ZONE}`;
  t.strictSame((await query(srv.port, spelled, 'AAAA')).answers?.map((a) => a.data), ['2001:db8::99'], 'IPv6 in canonical form');
  t.strictSame((await query(srv.port, spelled, 'A')).answers?.map((a) => a.data), ['198.51.100.9'], 'an IPv4-mapped address is the IPv4 address (Go\'s net.IP)');
  const ptr6 = `${[...'20010db8000000000000000000000099'].reverse().join('.')}.ip6.arpa`;
  t.strictSame((await query(srv.port, ptr6, 'PTR')).answers?.map((a) => a.data), [spelled], 'PTR finds the differently spelled address');

  const udp = await query(srv.port, `most.edge.${ZONE}`, 'A');
  t.ok(udp.flag_tc, `${MAX_EXTERNAL_ADDRESSES} addresses do not fit a 512-byte UDP reply: TC set`);
  const tcp = await query(srv.port, `most.edge.${ZONE}`, 'A', { tcp: true });
  t.equal(tcp.answers?.length, MAX_EXTERNAL_ADDRESSES, 'all of them over TCP');

  const prober = new Prober(srv.port, `good.edge.${ZONE}`);
  prober.start(1);
  t.teardown(() => prober.stop());
  await new Promise((r) => setTimeout(r, 200));
  const from = performance.now();
  // 20,000 names nobody has (each a cache miss), interleaved with the heaviest SRV and PTR queries there are
  const sock = dgram.createSocket('udp4');
  t.teardown(() => sock.close());
  let answered = 0;
  sock.on('message', () => answered++);
  const SENT = 20_000;
  for (let i = 0; i < SENT; i++) {
    const q = i % 100 === 0 ? buildQuery(`wide.edge.${ZONE}`, 'SRV', { id: i & 0xffff, edns: 1232 })
      : i % 3 === 0 ? buildQuery(`${(i % 250) + 1}.${i % 256}.2.192.in-addr.arpa`, 'PTR', { id: i & 0xffff })
        : buildQuery(`${'x'.repeat(60)}${i}.${'y'.repeat(60)}.svc${i % 7}.edge.${ZONE}`, 'A', { id: i & 0xffff });
    sock.send(q, srv.port, '127.0.0.1');
    // paced at ~20,000 queries a second: a flood, not a burst the kernel's socket buffer would drop
    if (i % 100 === 99) await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 1500));
  const w = prober.worst(from, performance.now());
  t.comment(`flood: ${answered}/${SENT} answered, probe worst ${w.maxMs.toFixed(0)} ms, longest gap ${w.maxGapMs.toFixed(0)} ms`);
  t.ok(answered > SENT / 2, 'the flood is answered');
  t.ok(w.maxGapMs < 1000, `the server never stopped answering for a second (longest gap ${w.maxGapMs.toFixed(0)} ms)`);
  const after = await query(srv.port, `good.edge.${ZONE}`, 'A');
  t.equal(after.rcode, 'NOERROR', 'still answering afterwards');
});
