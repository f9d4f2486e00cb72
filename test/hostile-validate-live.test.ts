// Live mode against an API server that serves objects a real one would refuse (validation off, a fake, a lax
// aggregated API): each is skipped, logged once and counted, and the good objects answer, at start and by watch.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { startClusterDns } from '../lib/in-process.js';
import { FakeApiServer, kubeconfigFor } from './fake-apiserver.js';
import { query } from './helpers/dns-client.js';
import { clusterIPService, endpointSlice, headlessService, ns, waitFor } from './live-helpers.js';

const LONG = `h${'x'.repeat(63)}`;

t.test('live: objects that fail validation are skipped, logged and counted; good ones answer', async (t) => {
  const api = await FakeApiServer.start({ token: 't' });
  t.teardown(() => api.close());
  const badIP = clusterIPService('default', 'bad-ip', '10.96.3.20');
  badIP.spec.clusterIP = 'abc';
  badIP.spec.clusterIPs = ['abc'];
  api.load([
    ns('default'),
    clusterIPService('default', 'web', '10.96.3.10'),
    headlessService('default', 'db'),
    endpointSlice('default', 'db', 'db-1', ['10.244.3.5']),
    // Selects the same pod address as db: before validation its PTR turned SERVFAIL.
    headlessService('default', LONG),
    endpointSlice('default', LONG, 'long-1', ['10.244.3.5']),
    badIP,
    clusterIPService('default', 'bad-port', '10.96.3.21', { ports: [{ name: 'http', port: 70000, protocol: 'TCP' }] }),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'hostile-validate-live-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(api));
  const lines: any[] = [];
  const logger = pino({ level: 'warn' }, { write: (s: string) => { lines.push(JSON.parse(s)); } });
  const dns = await startClusterDns({ source: 'kubernetes', kubeconfig, admin: '127.0.0.1:0', logger });
  t.teardown(() => dns.close());
  await waitFor('synced', () => dns.server.kubernetes!.synced, 10_000);

  t.equal((await query(dns.port, 'web.default.svc.cluster.local', 'A')).answers?.[0]?.data, '10.96.3.10', 'a good Service answers');
  const ptr = await query(dns.port, '5.3.244.10.in-addr.arpa', 'PTR');
  t.equal(ptr.rcode, 'NOERROR', 'the shared pod address keeps its PTR');
  t.same(ptr.answers?.map((a) => a.data), ['10-244-3-5.db.default.svc.cluster.local']);
  t.equal((await query(dns.port, 'bad-ip.default.svc.cluster.local', 'A')).rcode, 'NXDOMAIN', 'a refused Service does not exist');
  t.equal((await query(dns.port, 'bad-port.default.svc.cluster.local', 'SRV')).rcode, 'NXDOMAIN');

  const skipped = () => lines.filter((l) => l.level === 40 && String(l.msg).includes('should have refused'));
  t.equal(skipped().length, 4, 'one warning per refused object (the 64-character Service and its slice, whose service-name label is too long)');
  t.ok(skipped().some((l) => l.kind === 'EndpointSlice' && l.name === 'long-1' && /kubernetes\.io\/service-name/.test(l.msg)), 'the slice is named too');
  for (const [name, field] of [[LONG, /metadata\.name/], ['bad-ip', /spec\.clusterIP/], ['bad-port', /spec\.ports\[0\]\.port/]] as const) {
    const w = skipped().find((l) => l.name === name);
    t.ok(w, `${name.slice(0, 12)} is named`);
    t.match(w, { kind: 'Service', namespace: 'default' });
    t.match(w?.msg, field, 'with the field to fix');
  }
  const base = `http://${dns.adminAddress}`;
  const status = await (await fetch(`${base}/api/v1/status`)).json();
  t.equal(status.rejected.length, 4, '/api/v1/status lists them');
  const metrics = await (await fetch(`${base}/metrics`)).text();
  t.match(metrics, /clusterdns_objects_rejected_total\{source="kubernetes",kind="Service"\} 3/, 'and the metric counts them');

  // By watch: a bad object arrives, then a good version of it.
  const late = clusterIPService('default', 'late', '10.96.3.30');
  late.metadata.name = 'late.dotted';
  api.apply(late);
  api.apply(clusterIPService('default', 'later', '10.96.3.31'));
  await waitFor('the good object after it answers', async () => (await query(dns.port, 'later.default.svc.cluster.local', 'A')).rcode === 'NOERROR');
  await waitFor('the bad one is reported', () => skipped().some((l) => l.name === 'late.dotted'), 5000);
  api.apply(clusterIPService('default', 'bad-ip', '10.96.3.20'));
  await waitFor('fixed by the API: answers', async () => (await query(dns.port, 'bad-ip.default.svc.cluster.local', 'A')).rcode === 'NOERROR');
  t.equal((await query(dns.port, 'bad-ip.default.svc.cluster.local', 'A')).answers?.[0]?.data, '10.96.3.20');
  const after = await (await fetch(`${base}/api/v1/status`)).json();
  t.notOk(after.rejected.some((r: any) => r.name === 'bad-ip'), 'a fixed object leaves the list');
  t.ok(after.rejected.some((r: any) => r.name === 'late.dotted'));
  t.equal(skipped().length, 5, 'nothing reported twice');

  // A good object updated into an invalid one is no longer served (not left stale), and is reported.
  api.apply(clusterIPService('default', 'later', '10.96.3.31', { ports: [{ name: 'http', port: 0, protocol: 'TCP' }] }));
  await waitFor('the now-invalid object is gone', async () => (await query(dns.port, 'later.default.svc.cluster.local', 'A')).rcode === 'NXDOMAIN');
  t.ok(skipped().some((l) => l.name === 'later' && /spec\.ports\[0\]\.port/.test(l.msg)), 'and reported');
  t.equal((await query(dns.port, 'web.default.svc.cluster.local', 'A')).answers?.[0]?.data, '10.96.3.10', 'the rest still answers');
});
