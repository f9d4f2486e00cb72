// `namespace_labels` in live mode: the Namespace watch's labels decide which namespaces exist; a label changed in the
// cluster, a namespace created or deleted, changes the answers while clusterdns runs.
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeApiServer, kubeconfigFor } from './fake-apiserver.js';
import { startCli, stopCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';
import { until } from './helpers/until.js';
import { clusterIPService, ns } from './live-helpers.js';
import { corefile } from './multicluster-helpers.js';

t.test('namespace labels changed in the cluster take effect while running', async (t) => {
  const api = await FakeApiServer.start();
  t.teardown(() => api.close());
  api.load([
    ns('blue', { dns: 'on' }), ns('red', { dns: 'off' }), ns('plain'),
    clusterIPService('blue', 'web', '10.96.2.1'), clusterIPService('red', 'web', '10.96.2.2'), clusterIPService('plain', 'web', '10.96.2.3'),
  ] as any);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-nslabels-live-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(api));
  const cf = corefile(dir, [`kubeconfig ${kubeconfig}`, 'namespace_labels dns=on'], 'kubernetes cluster.local');
  const srv = await startCli(['--corefile', cf, '--source', 'kubernetes', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  t.notMatch(srv.stderr(), /not implemented/);
  const rcode = async (n: string) => (await query(srv.port, `web.${n}.svc.cluster.local`, 'A')).rcode;

  const blue = await until(() => query(srv.port, 'web.blue.svc.cluster.local', 'A'), (a) => a.rcode === 'NOERROR', 5000);
  t.equal(blue.answers?.[0]?.data, '10.96.2.1', 'dns=on: served');
  t.equal(await rcode('red'), 'NXDOMAIN', 'dns=off: as if absent');
  t.equal(await rcode('plain'), 'NXDOMAIN', 'no label: as if absent');

  api.apply(ns('red', { dns: 'on' }) as any);
  const red = await until(() => query(srv.port, 'web.red.svc.cluster.local', 'A'), (a) => a.rcode === 'NOERROR', 5000);
  t.equal(red.answers?.[0]?.data, '10.96.2.2', 'relabelled to match: served');
  api.apply(ns('blue', { dns: 'off' }) as any);
  const off = await until(() => query(srv.port, 'web.blue.svc.cluster.local', 'A'), (a) => a.rcode === 'NXDOMAIN', 5000);
  t.equal(off.rcode, 'NXDOMAIN', 'relabelled not to match: gone');
  api.apply(ns('green', { dns: 'on' }) as any);
  api.apply(clusterIPService('green', 'web', '10.96.2.4') as any);
  const green = await until(() => query(srv.port, 'web.green.svc.cluster.local', 'A'), (a) => a.rcode === 'NOERROR', 5000);
  t.equal(green.answers?.[0]?.data, '10.96.2.4', 'a matching namespace created while running');
  api.delete('Namespace', '', 'red');
  const redGone = await until(() => query(srv.port, 'web.red.svc.cluster.local', 'A'), (a) => a.rcode === 'NXDOMAIN', 5000);
  t.equal(redGone.rcode, 'NXDOMAIN', 'its Namespace deleted: its Services are no longer served');
});
