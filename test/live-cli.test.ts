// Live mode as a user starts it: `clusterdns --kubeconfig FILE`, a real process, the real client library against the
// fake API server; answers over DNS, /ready after the first sync, run-time changes refused, permission errors named.
import t from 'tap';
import { promises as dnsp } from 'node:dns';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeApiServer, kubeconfigFor } from './fake-apiserver.js';
import { clusterIPService, endpointSlice, headlessService, ns } from './live-helpers.js';
import { runCli, startCli, stopCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';
import { until } from './helpers/until.js';


t.test('clusterdns --kubeconfig serves the cluster and follows it', async (t) => {
  const api = await FakeApiServer.start();
  t.teardown(() => api.close());
  api.load([
    ns('shop'),
    clusterIPService('shop', 'cart', '10.96.7.7'),
    headlessService('shop', 'db'),
    endpointSlice('shop', 'db', 'db-abc', ['10.244.7.1', '10.244.7.2']),
  ] as any);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-live-cli-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(api));

  const srv = await startCli(['--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  t.teardown(() => stopCli(srv.proc));
  t.match(srv.line, /from the Kubernetes API/);
  const admin = /admin http:\/\/(\S+)/.exec(srv.line)![1];
  t.equal((await fetch(`http://${admin}/ready`)).status, 200, 'ready once synced');

  const r = new dnsp.Resolver();
  r.setServers([`127.0.0.1:${srv.port}`]);
  t.same(await r.resolve4('cart.shop.svc.cluster.local'), ['10.96.7.7']);
  t.same((await r.resolve4('db.shop.svc.cluster.local')).sort(), ['10.244.7.1', '10.244.7.2']);

  api.apply(clusterIPService('shop', 'pay', '10.96.7.8') as any);
  const pay = await until(() => query(srv.port, 'pay.shop.svc.cluster.local', 'A'), (a) => a.rcode === 'NOERROR', 5000);
  t.equal(pay.answers?.[0]?.data, '10.96.7.8', 'a Service created in the cluster answers');
  api.delete('Service', 'shop', 'cart');
  const gone = await until(() => query(srv.port, 'cart.shop.svc.cluster.local', 'A'), (a) => a.rcode === 'NXDOMAIN', 5000);
  t.equal(gone.rcode, 'NXDOMAIN', 'a deleted one is gone');

  const post = await fetch(`http://${admin}/api/v1/objects`, { method: 'POST', body: 'kind: Service\nmetadata: {name: x}\n' });
  t.equal(post.status, 409);
  t.match((await post.json()).message, /source of truth/);
  const metrics = await (await fetch(`http://${admin}/metrics`)).text();
  t.match(metrics, 'clusterdns_objects{kind="Service"} 2');
});

t.test('a kubeconfig that cannot be read, and a missing permission, are clear errors', async (t) => {
  const missing = await runCli(['--kubeconfig', '/nonexistent/kubeconfig', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /kubeconfig/i);

  const api = await FakeApiServer.start();
  t.teardown(() => api.close());
  api.failResource('services', 403);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-live-cli-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(api));
  const denied = await runCli(['--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.equal(denied.code, 1);
  t.match(denied.stderr, /services/);
  t.match(denied.stderr, /list|watch/);
});

t.test('--source kubernetes and --fixtures exclude each other', async (t) => {
  const r = await runCli(['--source', 'kubernetes', '--fixtures', 'fixtures']);
  t.equal(r.code, 2);
  t.match(r.stderr, /exclude each other/);
});
