// Live mode end to end: startClusterDns({ source: 'kubernetes' }) watching the fake API server with the real client,
// queried over real UDP with node:dns. Changes in the "cluster" must change the answers; API trouble must not lose them.
import { promises as dnsp } from 'node:dns';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { startClusterDns, type StartOptions } from '../lib/in-process.js';
import { FakeApiServer, kubeconfigFor } from './fake-apiserver.js';
import { query } from './helpers/dns-client.js';
import { clusterIPService, endpointSlice, fakeInClusterPod, headlessService, ns, pod, waitFor } from './live-helpers.js';

/** startClusterDns in live mode, fed by the fake API server through a kubeconfig file. */
async function liveDns(server: FakeApiServer, extra: Partial<StartOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'live-dns-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(server));
  const logger = pino({ level: process.env.LIVE_TEST_LOG === '1' ? 'debug' : 'silent' });
  const dns = await startClusterDns({ source: 'kubernetes', kubeconfig, logger, ...extra });
  const source = dns.server.kubernetes!;
  const resolver = new dnsp.Resolver({ timeout: 1000, tries: 2 });
  resolver.setServers([dns.address]);
  return {
    dns, source, port: dns.port, resolver,
    async close() {
      await dns.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const a = async (r: dnsp.Resolver, name: string) => (await r.resolve4(name)).sort();
const rcode = async (port: number, name: string, type = 'A') => (await query(port, name, type)).rcode;

t.test('answers follow the cluster: create, update, delete by watch', async (t) => {
  const api = await FakeApiServer.start({ token: 't' });
  t.teardown(() => api.close());
  api.load([
    ns('default'),
    clusterIPService('default', 'kubernetes', '10.96.0.1', { ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }),
    headlessService('default', 'db'),
    endpointSlice('default', 'db', 'db-1', ['10.244.0.5', '10.244.0.6']),
  ]);
  // The API is away when the server starts: it serves after its startup timeout, but knows nothing yet.
  await api.goDown();
  const dns = await liveDns(api, { startupTimeoutMs: 300 });
  t.teardown(() => dns.close());
  t.equal(dns.source.synced, false);
  t.equal(await rcode(dns.port, 'nothing.default.svc.cluster.local'), 'SERVFAIL', 'not synced: SERVFAIL, not NXDOMAIN');
  await api.comeUp();
  await waitFor('synced once the API is up', () => dns.source.synced, 20_000);
  t.equal(await rcode(dns.port, 'nothing.default.svc.cluster.local'), 'NXDOMAIN', 'synced: NXDOMAIN');
  t.same(await a(dns.resolver, 'kubernetes.default.svc.cluster.local'), ['10.96.0.1']);
  t.same(await a(dns.resolver, 'db.default.svc.cluster.local'), ['10.244.0.5', '10.244.0.6']);

  api.apply(clusterIPService('default', 'web', '10.96.0.10'));
  await waitFor('web resolves', async () => (await rcode(dns.port, 'web.default.svc.cluster.local')) === 'NOERROR');
  t.same(await a(dns.resolver, 'web.default.svc.cluster.local'), ['10.96.0.10']);
  const srv = await dns.resolver.resolveSrv('_http._tcp.web.default.svc.cluster.local');
  t.same(srv.map((s) => [s.name, s.port]), [['web.default.svc.cluster.local', 80]]);
  t.same(await dns.resolver.reverse('10.96.0.10'), ['web.default.svc.cluster.local'], 'PTR for the new cluster IP');

  api.apply(endpointSlice('default', 'db', 'db-1', ['10.244.0.5', '10.244.0.7']));
  await waitFor('db endpoints updated', async () => (await a(dns.resolver, 'db.default.svc.cluster.local')).includes('10.244.0.7'));
  t.same(await a(dns.resolver, 'db.default.svc.cluster.local'), ['10.244.0.5', '10.244.0.7']);

  api.apply(endpointSlice('default', 'db', 'db-1', ['10.244.0.5'], { ready: false }));
  await waitFor('no ready db endpoints', async () => (await rcode(dns.port, 'db.default.svc.cluster.local')) === 'NXDOMAIN');

  api.delete('Service', 'default', 'web');
  await waitFor('web gone', async () => (await rcode(dns.port, 'web.default.svc.cluster.local')) === 'NXDOMAIN');

  api.apply(ns('team'));
  await waitFor('namespace appears', async () => (await rcode(dns.port, 'team.svc.cluster.local')) === 'NOERROR');
});

t.test('answers survive a cut watch, a 410 and the API being away, then catch up', async (t) => {
  const api = await FakeApiServer.start({ token: 't' });
  t.teardown(() => api.close());
  api.load([ns('default'), clusterIPService('default', 'web', '10.96.0.10')]);
  const dns = await liveDns(api);
  t.teardown(() => dns.close());
  await waitFor('watches open', () => api.openWatches === 3);

  api.cutWatches();
  api.apply(clusterIPService('default', 'api', '10.96.0.11'));
  await waitFor('api resolves after the cut', async () => (await rcode(dns.port, 'api.default.svc.cluster.local')) === 'NOERROR');

  await waitFor('watches open', () => api.openWatches === 3);
  api.freeze();
  api.apply(clusterIPService('default', 'web', '10.96.0.12'));
  api.expire();
  api.thaw();
  await waitFor('relisted web', async () => (await a(dns.resolver, 'web.default.svc.cluster.local'))[0] === '10.96.0.12');

  await api.goDown();
  // While the API is away the last state keeps being served.
  const restarts = () => dns.source.status.reduce((n, s) => n + s.restarts, 0);
  for (let i = 0; i < 2; i++) {
    const before = restarts();
    await waitFor('another failed restart', () => restarts() > before
      && dns.source.status.some((s) => /ECONNREFUSED/.test(s.lastError ?? '')), 10_000);
    t.same(await a(dns.resolver, 'web.default.svc.cluster.local'), ['10.96.0.12'], 'served while the API is down');
  }
  await api.comeUp();
  api.apply(clusterIPService('default', 'web', '10.96.0.13'));
  // The next attempt comes after the current backoff step (default 0.5 s doubling to 30 s).
  await waitFor('updated after the API is back', async () => (await a(dns.resolver, 'web.default.svc.cluster.local'))[0] === '10.96.0.13', 20_000);
});

t.test('namespace and label filters apply to answers', async (t) => {
  const api = await FakeApiServer.start({ token: 't' });
  t.teardown(() => api.close());
  api.load([
    ns('default'), ns('apps'),
    clusterIPService('default', 'web', '10.96.0.10', { labels: { dns: 'on' } }),
    clusterIPService('apps', 'web', '10.96.0.20', { labels: { dns: 'on' } }),
    clusterIPService('apps', 'quiet', '10.96.0.21'),
  ]);
  const dns = await liveDns(api, { namespaces: ['apps'], labels: 'dns=on' });
  t.teardown(() => dns.close());
  t.same(await a(dns.resolver, 'web.apps.svc.cluster.local'), ['10.96.0.20']);
  t.equal(await rcode(dns.port, 'web.default.svc.cluster.local'), 'NXDOMAIN', 'namespace not exposed');
  t.equal(await rcode(dns.port, 'quiet.apps.svc.cluster.local'), 'NXDOMAIN', 'service without the label');
  api.apply(clusterIPService('apps', 'quiet', '10.96.0.21', { labels: { dns: 'on' } }));
  await waitFor('labelled later', async () => (await rcode(dns.port, 'quiet.apps.svc.cluster.local')) === 'NOERROR');
});

t.test('pods verified: pod A records follow the Pod watch', async (t) => {
  const api = await FakeApiServer.start({ token: 't' });
  t.teardown(() => api.close());
  api.load([ns('default')]);
  const dns = await liveDns(api, { pods: 'verified' });
  t.teardown(() => dns.close());
  t.same(dns.source.status.map((s) => s.resource), ['namespaces', 'services', 'endpointslices', 'pods'], 'pods watched');
  t.equal(await rcode(dns.port, '10-244-3-7.default.pod.cluster.local'), 'NXDOMAIN', 'no such pod yet');
  api.apply(pod('default', 'worker', '10.244.3.7'));
  await waitFor('pod record', async () => (await rcode(dns.port, '10-244-3-7.default.pod.cluster.local')) === 'NOERROR');
  t.same(await a(dns.resolver, '10-244-3-7.default.pod.cluster.local'), ['10.244.3.7']);
  api.delete('Pod', 'default', 'worker');
  await waitFor('pod record gone', async () => (await rcode(dns.port, '10-244-3-7.default.pod.cluster.local')) === 'NXDOMAIN');
});

t.test('admin /ready waits for the first sync; metrics count restarts and programming latency', async (t) => {
  const api = await FakeApiServer.start({ token: 't' });
  t.teardown(() => api.close());
  api.load([ns('default'), clusterIPService('default', 'web', '10.96.0.10')]);
  api.listDelayMs = 400;
  const live = await liveDns(api, { admin: '127.0.0.1:0', startupTimeoutMs: 50 });
  t.teardown(() => live.close());
  const admin = `http://${live.dns.adminAddress}`;
  const ready = await fetch(`${admin}/ready`);
  t.equal(ready.status, 503, 'not ready before the first sync');
  t.equal(await ready.text(), 'kubernetes', 'and says what it waits for');
  await waitFor('synced', () => live.source.synced, 10_000);
  t.equal((await fetch(`${admin}/ready`)).status, 200, 'ready once synced');
  api.listDelayMs = 0;

  api.apply(endpointSlice('default', 'web', 'web-1', ['10.244.0.1'], { triggerTime: new Date(Date.now() - 50) }));
  await waitFor('slice stored', () => live.dns.store.counts().EndpointSlice === 1);
  await waitFor('watches open', () => api.openWatches === 3);
  api.cutWatches();
  await waitFor('restart counted', () => live.source.status.every((s) => s.restarts >= 1));
  const metrics = await (await fetch(`${admin}/metrics`)).text();
  t.match(metrics, /coredns_kubernetes_dns_programming_duration_seconds_count\{service_kind="cluster_ip"\} 1\n/);
  t.match(metrics, /clusterdns_watch_restarts_total\{resource="services"\} [1-9]/);
  t.match(metrics, /clusterdns_source_errors_total\{source="kubernetes",resource="endpointslices"\} [1-9]/);
});

t.test('in-cluster: service account files and KUBERNETES_SERVICE_* env, over HTTPS, answering DNS', async (t) => {
  const api = await FakeApiServer.start({ tls: true, token: 'sa-token' });
  t.teardown(() => api.close());
  api.load([ns('kube-system'), clusterIPService('kube-system', 'kube-dns', '10.96.0.10')]);
  fakeInClusterPod(t, api, 'sa-token');

  const logger = pino({ level: 'silent' });
  const dns = await startClusterDns({ source: 'kubernetes', inCluster: true, logger });
  t.teardown(() => dns.close());
  const r = new dnsp.Resolver({ timeout: 1000, tries: 2 });
  r.setServers([dns.address]);
  t.same(await r.resolve4('kube-dns.kube-system.svc.cluster.local'), ['10.96.0.10']);
  t.ok(api.requests.every((q) => q.authorization === 'Bearer sa-token'), 'the token file is the credential');
  api.apply(clusterIPService('kube-system', 'metrics', '10.96.0.20'));
  await waitFor('watch over TLS', async () => (await rcode(dns.port, 'metrics.kube-system.svc.cluster.local')) === 'NOERROR');
});
