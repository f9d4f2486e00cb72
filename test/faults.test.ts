// Fault injection as a test suite uses it, seen by a real client (node:dns) and raw packets.
import t from 'tap';
import { promises as dnsp } from 'node:dns';
import { startClusterDns } from '../lib/index.js';
import { query, udpExchange, buildQuery } from './helpers/dns-client.js';

const objects = [
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'flaky' }, spec: { clusterIP: '10.96.3.1' } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'steady' }, spec: { clusterIP: '10.96.3.2' } },
];

t.test('each fault kind, mixed with real answers for other names', async (t) => {
  const dns = await startClusterDns({ objects });
  t.teardown(() => dns.close());
  const r = new dnsp.Resolver({ timeout: 300, tries: 1 });
  r.setServers([dns.address]);

  const f1 = dns.fault({ name: 'flaky.default.svc.cluster.local', fault: 'servfail' });
  await t.rejects(r.resolve4('flaky.default.svc.cluster.local'), { code: 'ESERVFAIL' });
  t.same(await r.resolve4('steady.default.svc.cluster.local'), ['10.96.3.2'], 'other names answer normally');
  dns.removeFault(f1.id);

  dns.fault({ name: '*.default.svc.cluster.local', fault: 'nxdomain', type: 'A' });
  await t.rejects(r.resolve4('steady.default.svc.cluster.local'), { code: 'ENOTFOUND' });
  const nx = await query(dns.port, 'steady.default.svc.cluster.local', 'A');
  t.equal(nx.authorities?.[0]?.type, 'SOA', 'an injected NXDOMAIN carries the SOA like a real one');
  dns.clearFaults();

  dns.fault({ name: 'flaky.default.svc.cluster.local', fault: 'refused' });
  await t.rejects(r.resolve4('flaky.default.svc.cluster.local'), { code: 'EREFUSED' });
  dns.clearFaults();

  dns.fault({ name: 'flaky.default.svc.cluster.local', fault: 'drop' });
  await t.rejects(r.resolve4('flaky.default.svc.cluster.local'), { code: 'ETIMEOUT' });
  t.equal(dns.queries({ name: 'flaky.default.svc.cluster.local', rcode: 'DROPPED' }).length, 1, 'the journal shows the drop');
  dns.clearFaults();

  dns.fault({ name: 'flaky.default.svc.cluster.local', fault: 'delay', delayMs: 150 });
  const t0 = Date.now();
  t.same(await r.resolve4('flaky.default.svc.cluster.local'), ['10.96.3.1']);
  t.ok(Date.now() - t0 >= 140, 'the answer came after the delay');
  dns.clearFaults();

  dns.fault({ name: 'flaky.default.svc.cluster.local', fault: 'truncate' });
  const raw = await udpExchange(dns.port, buildQuery('flaky.default.svc.cluster.local', 'A'));
  t.equal(raw[2] & 0x02, 0x02, 'TC over UDP');
  t.same(await r.resolve4('flaky.default.svc.cluster.local'), ['10.96.3.1'], 'the client retries over TCP and gets the answer');
  t.ok(dns.queries({ name: 'flaky.default.svc.cluster.local' }).some((q) => q.transport === 'tcp'), 'the journal shows the TCP retry');
  dns.clearFaults();
});

t.test('times: fail twice, then answer (a client retry test)', async (t) => {
  const dns = await startClusterDns({ objects });
  t.teardown(() => dns.close());
  dns.fault({ name: 'flaky.default.svc.cluster.local', fault: 'servfail', times: 2 });
  t.equal((await query(dns.port, 'flaky.default.svc.cluster.local', 'A')).rcode, 'SERVFAIL');
  t.equal((await query(dns.port, 'flaky.default.svc.cluster.local', 'A')).rcode, 'SERVFAIL');
  t.equal((await query(dns.port, 'flaky.default.svc.cluster.local', 'A')).rcode, 'NOERROR');
  t.same(dns.server.faults.list(), [], 'the spent fault removed itself');
});

t.test('waitForQuery sees a pod-style search-path fan-out', async (t) => {
  const dns = await startClusterDns({ objects });
  t.teardown(() => dns.close());
  // What a pod with ndots:5 in namespace "default" sends for "steady": search domains first.
  const waited = dns.waitForQuery({ name: 'steady.default.svc.cluster.local', type: 'A' }, 2000);
  for (const n of ['steady.default.svc.cluster.local.default.svc.cluster.local', 'steady.default.svc.cluster.local.svc.cluster.local', 'steady.default.svc.cluster.local']) {
    await query(dns.port, n, 'A');
  }
  const e = await waited;
  t.equal(e.rcode, 'NOERROR');
  const names = dns.queries().map((q) => `${q.name} ${q.rcode}`);
  t.same(names, [
    'steady.default.svc.cluster.local.default.svc.cluster.local NXDOMAIN',
    'steady.default.svc.cluster.local.svc.cluster.local NXDOMAIN',
    'steady.default.svc.cluster.local NOERROR',
  ]);
  await t.rejects(dns.waitForQuery({ name: 'never.asked' }, 100), /no query matching/);
});
