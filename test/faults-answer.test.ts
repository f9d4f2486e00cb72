// Wrong-data faults as a test suite uses them: "answer" (chosen addresses, optionally behind a CNAME) and "empty"
// (NODATA), seen by dig and a raw client over UDP and TCP, next to the real answers they replace.
import t from 'tap';
import { promises as dnsp } from 'node:dns';
import { startClusterDns } from '../lib/index.js';
import { query } from './helpers/dns-client.js';
import { dig, digMissing, digSection, digStatus, digFlags } from './helpers/dig.js';

const objects = [
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' }, spec: { clusterIP: '10.96.4.1' } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { clusterIP: '10.96.4.2' } },
];
const API = 'api.default.svc.cluster.local';
const DB = 'db.default.svc.cluster.local';

const faultResponses = async (dns: { server: { metrics: { registry: { metrics(): Promise<string> } } } }, rcode: string) => {
  const text = await dns.server.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith('coredns_dns_responses_total{') && l.includes('plugin="fault"') && l.includes(`rcode="${rcode}"`));
  return line ? Number(line.split(' ').pop()) : 0;
};

t.test('answer: the chosen address over UDP and TCP, the real one once removed or used up', async (t) => {
  const dns = await startClusterDns({ objects });
  t.teardown(() => dns.close());
  const real = await query(dns.port, API, 'A');
  t.same(real.answers?.map((a) => a.data), ['10.96.4.1'], 'the real answer first (and now cached)');

  const f = dns.fault({ name: API, fault: 'answer', addresses: ['192.0.2.10', '2001:db8::10'] });
  t.same(f.addresses, ['192.0.2.10', '2001:db8::10'], 'the fault echoes its addresses');
  const udp = await query(dns.port, API, 'A');
  t.same(udp.answers?.map((a) => [a.name, a.type, a.data]), [[API, 'A', '192.0.2.10']], 'UDP: the chosen IPv4 address, not the cached real one');
  t.equal(udp.rcode, 'NOERROR');
  t.equal(udp.flag_aa, real.flag_aa, 'AA as on the real answer');
  t.equal(udp.answers?.[0]?.ttl, real.answers?.[0]?.ttl, 'the TTL of a real answer');
  const tcp = await query(dns.port, API, 'A', { tcp: true });
  t.same(tcp.answers?.map((a) => a.data), ['192.0.2.10'], 'TCP: the chosen address too');
  const v6 = await query(dns.port, API, 'AAAA', { tcp: true });
  t.same(v6.answers?.map((a) => [a.type, a.data]), [['AAAA', '2001:db8::10']], 'AAAA: the chosen IPv6 address');
  t.same((await query(dns.port, DB, 'A')).answers?.map((a) => a.data), ['10.96.4.2'], 'other names answer normally');
  const r = new dnsp.Resolver({ timeout: 1000, tries: 1 });
  r.setServers([dns.address]);
  t.same(await r.resolve4(API), ['192.0.2.10'], 'node:dns gets the chosen address');
  t.equal(dns.server.faults.list()[0].hits, 4, 'each of the 4 queries for the name counted as a hit');
  t.equal(await faultResponses(dns, 'NOERROR'), 4, 'metrics: 4 NOERROR responses written by plugin "fault"');
  t.equal(dns.queries({ name: API }).length, 5, 'the journal has them, beside the real answer');

  dns.removeFault(f.id);
  t.same((await query(dns.port, API, 'A')).answers?.map((a) => a.data), ['10.96.4.1'], 'removed: the real answer (the fake was never cached)');

  dns.fault({ name: API, fault: 'answer', addresses: ['192.0.2.11'], times: 2 });
  t.same((await query(dns.port, API, 'A')).answers?.map((a) => a.data), ['192.0.2.11']);
  t.same((await query(dns.port, API, 'A', { tcp: true })).answers?.map((a) => a.data), ['192.0.2.11']);
  t.same((await query(dns.port, API, 'A')).answers?.map((a) => a.data), ['10.96.4.1'], 'times used up: the real answer');
  t.same(dns.server.faults.list(), [], 'the spent fault removed itself');
});

t.test('answer: NODATA for a family it has no address of; CNAME first when asked', async (t) => {
  const dns = await startClusterDns({ objects });
  t.teardown(() => dns.close());
  const realNodata = await query(dns.port, API, 'TXT');
  dns.fault({ name: API, fault: 'answer', addresses: ['192.0.2.20'] });
  const aaaa = await query(dns.port, API, 'AAAA');
  t.equal(aaaa.rcode, 'NOERROR');
  t.same(aaaa.answers, [], 'no IPv6 address given: no AAAA');
  t.same(aaaa.authorities?.map((a) => [a.name, a.type]), realNodata.authorities?.map((a) => [a.name, a.type]), 'the SOA in authority, as a real NODATA');
  dns.clearFaults();

  dns.fault({ name: `*.${'default.svc.cluster.local'}`, fault: 'answer', cname: 'elsewhere.example.org.', addresses: ['192.0.2.30', '192.0.2.31'] });
  const a = await query(dns.port, DB, 'A', { tcp: true });
  t.same(a.answers?.map((x) => [x.name, x.type, x.data]), [
    [DB, 'CNAME', 'elsewhere.example.org'],
    ['elsewhere.example.org', 'A', '192.0.2.30'],
    ['elsewhere.example.org', 'A', '192.0.2.31'],
  ], 'a CNAME to the target, then the target\'s addresses');
  const c = await query(dns.port, DB, 'CNAME');
  t.same(c.answers?.map((x) => [x.type, x.data]), [['CNAME', 'elsewhere.example.org']], 'a CNAME query gets the alias alone');
});

t.test('answer and empty through dig', { skip: digMissing }, async (t) => {
  const dns = await startClusterDns({ objects });
  t.teardown(() => dns.close());
  const server = { host: dns.host, port: dns.port };
  const realNodata = await dig(server, [API, 'TXT']);

  dns.fault({ name: API, fault: 'answer', addresses: ['198.51.100.7'], type: 'A' });
  for (const transport of ['+notcp', '+tcp']) {
    const out = await dig(server, [transport, API, 'A']);
    t.equal(digStatus(out), 'NOERROR', `${transport}: NOERROR`);
    t.match(digSection(out, 'ANSWER'), [/^api\.default\.svc\.cluster\.local\. \d+ IN A 198\.51\.100\.7$/], `${transport}: the chosen address`);
  }
  dns.clearFaults();

  dns.fault({ name: API, fault: 'empty' });
  const empty = await dig(server, [API, 'A']);
  t.equal(digStatus(empty), 'NOERROR', 'empty: NOERROR');
  t.same(digSection(empty, 'ANSWER'), [], 'empty: no answer');
  t.same(digSection(empty, 'AUTHORITY'), digSection(realNodata, 'AUTHORITY'), 'the authority section of a real NODATA for that name (the zone SOA)');
  t.same(digFlags(empty), digFlags(realNodata), 'the flags of a real NODATA (aa)');
  t.equal(dns.server.faults.list()[0].hits, 1);
  dns.clearFaults();
  const back = await dig(server, [API, 'A']);
  t.match(digSection(back, 'ANSWER'), [/ IN A 10\.96\.4\.1$/], 'cleared: the real answer');
});

t.test('empty for a name outside the zones: NOERROR, no SOA, not authoritative', async (t) => {
  const dns = await startClusterDns({ objects });
  t.teardown(() => dns.close());
  dns.fault({ name: 'ext.example.com', fault: 'empty' });
  const r = await query(dns.port, 'ext.example.com', 'A');
  t.equal(r.rcode, 'NOERROR');
  t.same(r.answers, []);
  t.same(r.authorities, [], 'no zone of ours: no SOA to give');
  t.equal(r.flag_aa, false);
  t.equal(await faultResponses(dns, 'NOERROR'), 1, 'counted as a fault response');
});

t.test('answer with 32 IPv6 addresses: truncated over UDP as a real answer is, whole over TCP', async (t) => {
  const dns = await startClusterDns({ objects });
  t.teardown(() => dns.close());
  const many = Array.from({ length: 32 }, (_, i) => `2001:db8::${(i + 1).toString(16)}`);
  dns.fault({ name: API, fault: 'answer', addresses: many });
  const udp = await query(dns.port, API, 'AAAA');
  t.equal(udp.flag_tc, true, 'over 512 bytes: TC over UDP');
  t.ok((udp.answers?.length ?? 0) < 32, `${udp.answers?.length} whole records fit in 512 bytes`);
  const tcp = await query(dns.port, API, 'AAAA', { tcp: true });
  t.equal(tcp.flag_tc, false);
  t.same(tcp.answers?.map((a) => a.data), many, 'all 32 over TCP, in the order given');
});
