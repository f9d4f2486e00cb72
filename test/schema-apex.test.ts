// Zone apex, special names, namespaces, the NXDOMAIN/NODATA table and the SOA: reference §4, §5.7, §6, §7, §13.2–3.
import t from 'tap';
import { runCases, type Case } from './helpers/cases.js';
import { queryUdp, query, type Transport } from './helpers/dns-wire.js';
import { expectNoData } from './helpers/expect.js';
import { answers } from './helpers/records.js';
import { startSchemaServer } from './helpers/server.js';

const cases: Case[] = [
  { q: 'dns-version.cluster.local', type: 'TXT', rcode: 'NOERROR', answer: ['dns-version.cluster.local 28800 TXT "1.1.0"'], why: 'schema version, TTL 28800' },
  { q: 'dns-version.cluster.local', type: 'A', rcode: 'NXDOMAIN' },
  // Apex: NODATA for everything but SOA (and NS), TXT is NXDOMAIN (quirk).
  { q: 'cluster.local', type: 'A', rcode: 'NODATA' },
  { q: 'cluster.local', type: 'AAAA', rcode: 'NODATA' },
  { q: 'cluster.local', type: 'MX', rcode: 'NODATA' },
  { q: 'cluster.local', type: 'HINFO', rcode: 'NODATA' },
  { q: 'cluster.local', type: 'SRV', rcode: 'NODATA' },
  { q: 'cluster.local', type: 'TXT', rcode: 'NXDOMAIN', why: 'TXT at the apex (quirk), §5.7' },
  // Bound to loopback only: no server address to publish, so NS and ns.dns are empty (§5.7).
  { q: 'cluster.local', type: 'NS', rcode: 'NODATA', why: 'loopback-only server: empty NS set' },
  { q: 'ns.dns.cluster.local', type: 'A', rcode: 'NODATA' },
  { q: 'ns.dns.cluster.local', type: 'TXT', rcode: 'NXDOMAIN' },
  { q: 'svc.cluster.local', type: 'A', rcode: 'NODATA' },
  { q: 'svc.cluster.local', type: 'NS', rcode: 'NODATA' },
  { q: 'svc.cluster.local', type: 'TXT', rcode: 'NXDOMAIN' },
  { q: 'pod.cluster.local', type: 'TXT', rcode: 'NXDOMAIN' },
  { q: 'foo.cluster.local', type: 'A', rcode: 'NXDOMAIN', why: 'last label is neither svc nor pod' },
  { q: 'foo.cluster.local', type: 'NS', rcode: 'NXDOMAIN' },
  { q: 'foo.svc.cluster.local', type: 'NS', rcode: 'NXDOMAIN', why: 'namespace foo does not exist' },
  { q: 'foo.cluster.local', type: 'SOA', rcode: 'NODATA', why: 'SOA below the apex is always NODATA' },
  // Namespace existence: Namespace object, objects living in it, or built in (§8).
  { q: 'testns.svc.cluster.local', type: 'A', rcode: 'NODATA', why: 'Namespace object' },
  { q: 'emptyns.svc.cluster.local', type: 'A', rcode: 'NODATA', why: 'Namespace object, nothing in it' },
  { q: 'objns.svc.cluster.local', type: 'A', rcode: 'NODATA', why: 'no Namespace object, a Service lives in it' },
  { q: 'podns.svc.cluster.local', type: 'A', rcode: 'NODATA', why: 'no Namespace object, Pods live in it' },
  { q: 'kube-system.svc.cluster.local', type: 'A', rcode: 'NODATA', why: 'built-in namespace' },
  { q: 'default.svc.cluster.local', type: 'AAAA', rcode: 'NODATA' },
  { q: 'kube-public.svc.cluster.local', type: 'A', rcode: 'NODATA' },
  { q: 'kube-node-lease.svc.cluster.local', type: 'A', rcode: 'NODATA' },
  { q: 'testns.svc.cluster.local', type: 'TXT', rcode: 'NXDOMAIN', why: 'TXT at <ns>.svc (quirk)' },
  { q: 'nsnoexist.svc.cluster.local', type: 'A', rcode: 'NXDOMAIN' },
  { q: 'svc1.nsnoexist.svc.cluster.local', type: 'A', rcode: 'NXDOMAIN', why: 'missing namespace: NXDOMAIN below it' },
  { q: 'svc0.svc-nons.svc.cluster.local', type: 'A', rcode: 'NXDOMAIN' },
  { q: 'svc0.emptyns.svc.cluster.local', type: 'A', rcode: 'NXDOMAIN' },
];

t.test('apex, special names and namespaces over UDP and TCP', async (t) => {
  const { server } = await startSchemaServer(t);
  await runCases(t, server, cases);

  for (const transport of ['udp', 'tcp'] as Transport[]) {
    await t.test(`${transport}: SOA at the apex`, async (t) => {
      const before = Math.floor(Date.now() / 1000);
      const r = await query(transport, server, 'cluster.local', 'SOA');
      t.equal(r.msg.rcode, 'NOERROR');
      t.equal(r.msg.flag_aa, true, 'AA');
      t.equal(r.msg.answers.length, 1, 'one SOA in the answer');
      const soa = r.msg.answers[0];
      t.has(soa, {
        name: 'cluster.local', type: 'SOA', ttl: 5,
        data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', refresh: 7200, retry: 1800, expire: 86400, minimum: 5 },
      });
      // The serial is the Unix time of the last change (here: loading the fixtures, moments ago).
      t.ok(soa.data.serial > before - 3600 && soa.data.serial <= before + 5, `serial ${soa.data.serial} is a recent Unix time`);
    });
  }
});

t.test('RA is never set: the server is authoritative only (§1)', async (t) => {
  const { server } = await startSchemaServer(t);
  for (const [name, type] of [['svc1.testns.svc.cluster.local', 'A'], ['svc0.testns.svc.cluster.local', 'A'], ['cluster.local', 'SOA']]) {
    const r = await queryUdp(server, name, type);
    t.equal(r.msg.flag_ra, false, `${name} ${type}: RA=0`);
    t.equal(r.msg.flag_rd, true, `${name} ${type}: RD copied from the query`);
  }
});

t.test('ttl option: every record, SOA minimum = ttl, SOA TTL = min(ttl, 300)', async (t) => {
  for (const ttl of [30, 600, 0]) {
    await t.test(`ttl ${ttl}`, async (t) => {
      const { server } = await startSchemaServer(t, { ttl });
      const a = await queryUdp(server, 'svc1.testns.svc.cluster.local', 'A');
      t.same(answers(a), [`svc1.testns.svc.cluster.local ${ttl} A 10.0.0.1`]);
      const srv = await queryUdp(server, '_http._tcp.svc1.testns.svc.cluster.local', 'SRV');
      t.same(srv.msg.additionals.filter((r) => r.type === 'A').map((r) => r.ttl), [ttl], 'glue TTL');
      const neg = await queryUdp(server, 'svc1.testns.svc.cluster.local', 'AAAA');
      expectNoData(t, neg, { ttl });
      const ver = await queryUdp(server, 'dns-version.cluster.local', 'TXT');
      t.equal(ver.msg.answers[0]?.ttl, 28800, 'dns-version keeps TTL 28800');
    });
  }
});

t.test('zones option: several zones, the query\'s zone owns the SOA; names outside every zone are REFUSED', async (t) => {
  const { server } = await startSchemaServer(t, { zones: ['cluster.local', 'example.org'] });
  await runCases(t, server, [
    { q: 'svc1.testns.svc.example.org', type: 'A', rcode: 'NOERROR', answer: ['svc1.testns.svc.example.org 5 A 10.0.0.1'] },
    { q: '_http._tcp.svc1.testns.svc.example.org', type: 'SRV', rcode: 'NOERROR', answer: ['_http._tcp.svc1.testns.svc.example.org 5 SRV 0 100 80 svc1.testns.svc.example.org'], extra: ['svc1.testns.svc.example.org 5 A 10.0.0.1'] },
    { q: 'svc0.testns.svc.example.org', type: 'A', rcode: 'NXDOMAIN', zone: 'example.org' },
    { q: 'svc1.testns.svc.cluster.local', type: 'A', rcode: 'NOERROR', answer: ['svc1.testns.svc.cluster.local 5 A 10.0.0.1'] },
  ], ['udp']);
  const r = await queryUdp(server, 'svc1.testns.svc.example.com', 'A');
  t.equal(r.msg.rcode, 'REFUSED', 'outside every zone');

  const custom = await startSchemaServer(t, { zones: ['k8s.internal'] });
  const off = await queryUdp(custom.server, 'svc1.testns.svc.cluster.local', 'A');
  t.equal(off.msg.rcode, 'REFUSED', 'cluster.local is not served once --zone replaces it');
  const on = await queryUdp(custom.server, 'svc1.testns.svc.k8s.internal', 'A');
  t.same(answers(on), ['svc1.testns.svc.k8s.internal 5 A 10.0.0.1']);
});
