// `multicluster` in live mode: the Corefile's kubeconfig points at the fake API server, which serves the MCS API's
// ServiceImports; clusterdns watches them (and only when the option is on), and ServiceImports and imported
// EndpointSlices added, changed and deleted while it runs change the answers.
import t, { type Test } from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeApiServer, kubeconfigFor } from './fake-apiserver.js';
import { startCli, stopCli } from './helpers/cli.js';
import { query, type Decoded } from './helpers/dns-client.js';
import { until } from './helpers/until.js';
import { ns } from './live-helpers.js';
import { corefile, mcsSlice, serviceImport, type Raw } from './multicluster-helpers.js';

const Z = 'clusterset.local';
const addresses = (a: Decoded) => (a.answers ?? []).map((r) => r.data as string).sort();

async function start(t: Test, objects: Raw[], inner: string[]) {
  const api = await FakeApiServer.start();
  t.teardown(() => api.close());
  api.load(objects as any);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-mcs-live-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(api));
  const cf = corefile(dir, [`kubeconfig ${kubeconfig}`, ...inner]);
  const srv = await startCli(['--corefile', cf, '--source', 'kubernetes', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  return { api, srv };
}

t.test('ServiceImports and imported slices are watched and followed', async (t) => {
  const { api, srv } = await start(t, [
    ns('shop'),
    serviceImport('shop', 'web', { type: 'ClusterSetIP', ips: ['10.42.0.1'], ports: [{ name: 'http', protocol: 'TCP', port: 80 }] }),
    serviceImport('shop', 'db', { type: 'Headless', ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }] }),
    mcsSlice('shop', 'db', 'east', [{ ip: '10.1.0.5', hostname: 'db-0' }]),
  ], [`multicluster ${Z}`]);
  t.notMatch(srv.stderr(), /not implemented/);
  const si = api.requests.filter((r) => r.resource === 'serviceimports');
  t.ok(si.some((r) => !r.watch) && si.some((r) => r.watch), 'serviceimports are listed and watched');
  t.ok(si.every((r) => r.path.startsWith('/apis/multicluster.x-k8s.io/v1alpha1/')), 'at the MCS API group version');

  const web = await until(() => query(srv.port, `web.shop.svc.${Z}`, 'A'), (a) => a.rcode === 'NOERROR', 5000);
  t.same(addresses(web), ['10.42.0.1']);
  t.same(addresses(await query(srv.port, `db.shop.svc.${Z}`, 'A')), ['10.1.0.5']);

  api.apply(serviceImport('shop', 'web', { type: 'ClusterSetIP', ips: ['10.42.0.2'], ports: [{ name: 'http', protocol: 'TCP', port: 80 }] }) as any);
  const moved = await until(() => query(srv.port, `web.shop.svc.${Z}`, 'A'), (a) => addresses(a)[0] === '10.42.0.2', 5000);
  t.same(addresses(moved), ['10.42.0.2'], 'a changed ServiceImport answers its new IP');

  api.apply(mcsSlice('shop', 'db', 'west', [{ ip: '10.2.0.5', hostname: 'db-0' }]) as any);
  const grown = await until(() => query(srv.port, `db.shop.svc.${Z}`, 'A'), (a) => addresses(a).length === 2, 5000);
  t.same(addresses(grown), ['10.1.0.5', '10.2.0.5'], 'a slice imported from another cluster adds its endpoints');
  t.same(addresses(await query(srv.port, `db-0.west.db.shop.svc.${Z}`, 'A')), ['10.2.0.5'], 'named with its cluster');

  api.apply(serviceImport('shop', 'api', { type: 'ClusterSetIP', ips: ['10.42.0.3'], ports: [{ name: 'http', protocol: 'TCP', port: 80 }] }) as any);
  const added = await until(() => query(srv.port, `api.shop.svc.${Z}`, 'A'), (a) => a.rcode === 'NOERROR', 5000);
  t.same(addresses(added), ['10.42.0.3'], 'a ServiceImport created while running answers');

  api.delete('EndpointSlice', 'shop', 'db-east');
  const shrunk = await until(() => query(srv.port, `db.shop.svc.${Z}`, 'A'), (a) => addresses(a).length === 1, 5000);
  t.same(addresses(shrunk), ['10.2.0.5'], 'a deleted slice takes its endpoints along');
  api.delete('ServiceImport', 'shop', 'web');
  const gone = await until(() => query(srv.port, `web.shop.svc.${Z}`, 'A'), (a) => a.rcode === 'NXDOMAIN', 5000);
  t.equal(gone.rcode, 'NXDOMAIN', 'a deleted ServiceImport is gone');
  t.equal(gone.authorities?.[0]?.name, Z, 'with the multicluster zone\'s SOA');
});

t.test('without multicluster, ServiceImports are not watched', async (t) => {
  const { api, srv } = await start(t, [ns('shop'), serviceImport('shop', 'web', { type: 'ClusterSetIP', ips: ['10.42.0.1'], ports: [{ port: 80 }] })], []);
  const a = await query(srv.port, `web.shop.svc.${Z}`, 'A');
  t.equal(a.rcode, 'NXDOMAIN', 'clusterset.local is then an ordinary cluster zone');
  t.notOk(api.requests.some((r) => r.resource === 'serviceimports'), 'and the MCS API is never asked (no RBAC needed for it)');
});

t.test('the fake API server advertises the MCS API in discovery', async (t) => {
  const api = await FakeApiServer.start();
  t.teardown(() => api.close());
  const list = await (await fetch(`${api.url}/apis/multicluster.x-k8s.io/v1alpha1`)).json();
  t.equal(list.groupVersion, 'multicluster.x-k8s.io/v1alpha1');
  t.ok(list.resources.some((r: Raw) => r.name === 'serviceimports' && r.kind === 'ServiceImport' && r.namespaced));
  const groups = await (await fetch(`${api.url}/apis`)).json();
  t.ok(groups.groups.some((g: Raw) => g.name === 'multicluster.x-k8s.io' && g.preferredVersion.version === 'v1alpha1'));
});

t.test('a cluster without the MCS API: /ready says which watch fails, cluster names keep answering', async (t) => {
  const api = await FakeApiServer.start();
  t.teardown(() => api.close());
  api.load([ns('shop'), { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { clusterIP: '10.96.5.5', ports: [{ port: 80 }] } }] as any);
  api.failResource('serviceimports', 404);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-mcs-live-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(api));
  const cf = corefile(dir, [`kubeconfig ${kubeconfig}`, `multicluster ${Z}`]);
  const srv = await startCli(['--corefile', cf, '--source', 'kubernetes', '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0'], 30_000);
  t.teardown(() => stopCli(srv.proc));
  const admin = /admin http:\/\/(\S+)/.exec(srv.line)![1];
  const ready = await until(() => fetch(`http://${admin}/ready`).then(async (r) => ({ status: r.status, body: await r.text() })), (r) => /serviceimports/.test(r.body), 5000);
  t.equal(ready.status, 503, 'not ready: the ServiceImport watch has not synced (as CoreDNS\'s HasSynced)');
  t.match(ready.body, /serviceimports/, 'and /ready names it');
  const web = await query(srv.port, 'web.shop.svc.cluster.local', 'A');
  t.same(web.answers?.map((a) => a.data), ['10.96.5.5'], 'positive answers are served meanwhile');
  t.equal((await query(srv.port, `nope.shop.svc.${Z}`, 'A')).rcode, 'SERVFAIL', '"does not exist" is not known yet: SERVFAIL, as CoreDNS');
});
