// The kubernetes options that concern the API, in live mode against the fake API server, through the real
// executable started from a Corefile: startup_timeout (serve after that long with SERVFAIL for cluster names until
// the held-back lists arrive), apiserver_qps/burst (requests spaced by the token bucket) and apiserver_max_inflight
// (lists one at a time), noendpoints (EndpointSlices never asked for), and ignore empty_service and zonal following
// watch events.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { FakeApiServer, kubeconfigFor } from './fake-apiserver.js';
import { startCli, stopCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';
import { until } from './helpers/until.js';
import { CLUSTER_IPS, NS, clusterDir, dbEndpoints, objects } from './helpers/k8sopts-cluster.js';

const saved = { KUBECONFIG: process.env.KUBECONFIG, KUBERNETES_SERVICE_HOST: process.env.KUBERNETES_SERVICE_HOST };
t.teardown(() => {
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
});
delete process.env.KUBERNETES_SERVICE_HOST;
delete process.env.KUBECONFIG;

const ZONE = 'cluster.local';

async function live(t: { teardown(fn: () => unknown): void }, kubernetesBody: string, prepare: (api: FakeApiServer) => void = () => {}) {
  const api = await FakeApiServer.start();
  t.teardown(() => api.close());
  api.load(objects() as any);
  prepare(api);
  const c = clusterDir(t, 'k8sopts-live-');
  const kubeconfig = path.join(c.dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(api));
  const corefile = c.corefile(`.:53 {\n  kubernetes ${ZONE} in-addr.arpa {\n    kubeconfig ${kubeconfig}\n${kubernetesBody}  }\n}\n`);
  const srv = await startCli(['--corefile', corefile, '--source', 'kubernetes', '--listen', '127.0.0.1:0', '--admin', 'off']);
  // From the first API request (the process's own start-up takes seconds on a loaded machine).
  const startedAfterMs = performance.now() - (api.requests[0]?.at ?? NaN);
  t.teardown(() => stopCli(srv.proc));
  return { api, srv, startedAfterMs, q: (name: string, type = 'A') => query(srv.port, name, type) };
}

t.test('startup_timeout: serves after that long, SERVFAIL for cluster names until the lists arrive', async (t) => {
  const HOLD_MS = 4000;
  const { q, startedAfterMs, api } = await live(t, '    startup_timeout 1s\n', (a) => { a.listDelayMs = HOLD_MS; });
  t.ok(startedAfterMs < HOLD_MS - 1000, `serving after ${Math.round(startedAfterMs)} ms, before the held-back lists (${HOLD_MS} ms)`);
  t.ok(startedAfterMs > 900, 'not before the startup timeout');
  const early = await q(`api.${NS}.svc.${ZONE}`);
  t.equal(early.rcode, 'SERVFAIL', 'an existing name before sync: SERVFAIL');
  t.equal((await q(`nosuch.${NS}.svc.${ZONE}`)).rcode, 'SERVFAIL', 'a missing name before sync: SERVFAIL, not NXDOMAIN');
  t.equal(api.listsServed, 0, 'the lists are still held back');
  const later = await until(() => q(`api.${NS}.svc.${ZONE}`), (r) => r.rcode === 'NOERROR', HOLD_MS + 5000);
  t.equal(later.answers?.[0]?.data, CLUSTER_IPS.api, 'answers once synced');
  t.equal((await until(() => q(`nosuch.${NS}.svc.${ZONE}`), (r) => r.rcode === 'NXDOMAIN', 3000)).rcode, 'NXDOMAIN', 'NXDOMAIN once every list is in');
});

t.test('apiserver_qps and apiserver_burst space the requests; without them nothing waits', async (t) => {
  const QPS = 4;
  const { api } = await live(t, `    apiserver_qps ${QPS}\n    apiserver_burst 1\n`);
  // 3 lists, then 3 watches: 6 requests; the token bucket lets one through every 1/QPS s.
  await until(async () => api.requests.length, (n) => n >= 6, 10_000);
  const at = api.requests.slice(0, 6).map((r) => r.at);
  for (let k = 1; k < at.length; k++) {
    // The first request may reach the server late (a TLS handshake on a busy machine): allow for that once.
    t.ok(at[k]! - at[0]! >= (k * 1000) / QPS - 150, `request ${k} after ${Math.round(at[k]! - at[0]!)} ms (>= ${(k * 1000) / QPS} ms)`);
  }
  const free = await live(t, '');
  await until(async () => free.api.requests.length, (n) => n >= 6, 10_000);
  const span = free.api.requests[5]!.at - free.api.requests[0]!.at;
  t.ok(span < (5 * 1000) / QPS, `without limits the same 6 requests took ${Math.round(span)} ms`);
});

t.test('apiserver_max_inflight 1: one list at a time; watches do not hold the slot', async (t) => {
  const DELAY = 400;
  const { api, q } = await live(t, '    apiserver_max_inflight 1\n', (a) => { a.listDelayMs = DELAY; });
  const lists = () => api.requests.filter((r) => !r.watch && r.resource);
  await until(async () => lists().length, (n) => n >= 3, 10_000);
  const at = lists().slice(0, 3).map((r) => r.at);
  t.ok(at[1]! - at[0]! >= DELAY - 50 && at[2]! - at[1]! >= DELAY - 50, `lists ${Math.round(at[1]! - at[0]!)} and ${Math.round(at[2]! - at[1]!)} ms apart (each waits for the one before)`);
  const r = await until(() => q(`api.${NS}.svc.${ZONE}`), (x) => x.rcode === 'NOERROR', 5000);
  t.equal(r.answers?.[0]?.data, CLUSTER_IPS.api, 'all three watches opened and synced');
  t.equal(api.openWatches, 3);
});

t.test('noendpoints: EndpointSlices are never asked for', async (t) => {
  const { api, q } = await live(t, '    noendpoints\n');
  const r = await until(() => q(`api.${NS}.svc.${ZONE}`), (x) => x.rcode === 'NOERROR', 5000);
  t.equal(r.answers?.[0]?.data, CLUSTER_IPS.api);
  t.equal((await q(`db.${NS}.svc.${ZONE}`)).rcode, 'NXDOMAIN', 'headless: NXDOMAIN');
  t.strictSame(api.requests.filter((x) => x.resource === 'endpointslices'), [], 'no list or watch of endpointslices');
  t.ok(api.requests.some((x) => x.resource === 'services'), 'services are watched');
});

t.test('ignore empty_service and zonal follow watch events', async (t) => {
  const { api, q } = await live(t, '    ignore empty_service\n    zonal\n');
  const empty = `empty.${NS}.svc.${ZONE}`;
  t.equal((await until(() => q(empty), (x) => x.rcode !== 'SERVFAIL', 5000)).rcode, 'NXDOMAIN', 'no endpoints: NXDOMAIN');
  api.apply({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'empty-1', namespace: NS, labels: { 'kubernetes.io/service-name': 'empty' } },
    addressType: 'IPv4', ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    endpoints: [{ addresses: ['10.244.7.7'], conditions: { ready: true }, zone: 'eu-west-1c' }],
  });
  const now = await until(() => q(empty), (x) => x.rcode === 'NOERROR', 5000);
  t.equal(now.answers?.[0]?.data, CLUSTER_IPS.empty, 'a ready endpoint arrived: the ClusterIP answers');
  const zonal = `eu-west-1a.pin._zone.db.${NS}.svc.${ZONE}`;
  const z = await q(zonal);
  t.strictSame(z.answers?.map((a) => a.data).sort(), dbEndpoints('eu-west-1a').filter((e) => !e.ip.includes(':')).map((e) => e.ip).sort(),
    'the endpoints\' zone comes through the live watch');
  api.delete('EndpointSlice', NS, 'empty-1');
  t.equal((await until(() => q(empty), (x) => x.rcode === 'NXDOMAIN', 5000)).rcode, 'NXDOMAIN', 'gone again');
});
