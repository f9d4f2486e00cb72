// Large kubeconfigs and CA bundles, as people have them: a kubeconfig with dozens of clusters and their CAs, and a
// cluster trusting the system CA bundle (/etc/ssl/certs/ca-certificates.crt, ~200 KB) with its own CA appended.
// Files are read to their end and refused only past their limit, naming the file.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterStore } from '../lib/cluster/store.js';
import { KubernetesSource } from '../lib/sources/kubernetes.js';
import { loadKubeConfig } from '../lib/sources/kubeconfig/load.js';
import { CREDENTIAL_FILE_MAX_BYTES, KUBECONFIG_MAX_BYTES } from '../lib/sources/kubeconfig/merge.js';
import { FakeApiServer } from './fake-apiserver.js';
import { startCli, stopCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';
import { until } from './helpers/until.js';
import { loadShop, simpleKubeconfig, tempDir, writeKubeconfig } from './kubeconfig-helpers.js';
import { recordingLogger } from './live-helpers.js';

const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** The system CA bundle (or, without one, the server's CA repeated) with the API server's CA appended: over 64 KiB. */
function caBundle(api: FakeApiServer): string {
  let base = '';
  try {
    base = readFileSync(SYSTEM_BUNDLE, 'utf8');
  } catch {
    // no system bundle here: pad with copies of the server's own CA
  }
  while (base.length < 100 * 1024) base += api.caPem!;
  return `${base}\n${api.caPem!}`;
}

t.test('a CA bundle over 64 KiB works (the CLI, TLS verified against it)', async (t) => {
  const api = await FakeApiServer.start({ tls: true, token: 'big-ca' });
  t.teardown(() => api.close());
  loadShop(api);
  const dir = tempDir(t);
  const bundle = caBundle(api);
  t.ok(bundle.length > 64 * 1024, `the bundle is ${bundle.length} bytes`);
  writeFileSync(join(dir, 'bundle.crt'), bundle);
  const kubeconfig = simpleKubeconfig(join(dir, 'kubeconfig'), { server: api.url, 'certificate-authority': 'bundle.crt' }, { token: 'big-ca' });
  const srv = await startCli(['--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const a = await until(() => query(srv.port, 'cart.shop.svc.cluster.local', 'A'), (r) => r.rcode === 'NOERROR', 10_000);
  t.equal(a.answers?.[0]?.data, '10.96.7.7', 'synced over TLS trusting the bundle');
});

t.test('a kubeconfig over 64 KiB (hundreds of clusters) works; files one byte past their limit are refused', async (t) => {
  const api = await FakeApiServer.start({ token: 'many' });
  t.teardown(() => api.close());
  loadShop(api);
  const dir = tempDir(t);
  const clusters = Array.from({ length: 800 }, (_, i) => ({ name: `c${i}`, cluster: { server: `https://10.0.${i >> 8}.${i & 255}:6443`, 'insecure-skip-tls-verify': true } }));
  clusters.push({ name: 'real', cluster: { server: api.url } } as never);
  const big = writeKubeconfig(join(dir, 'big'), {
    clusters,
    users: [{ name: 'u', user: { token: 'many' } }],
    contexts: [{ name: 'x', context: { cluster: 'real', user: 'u' } }],
    'current-context': 'x',
  });
  const size = readFileSync(big).length;
  t.ok(size > 64 * 1024, `the kubeconfig is ${size} bytes`);
  const store = new ClusterStore();
  const source = new KubernetesSource(store, { kubeconfig: big, namespaces: [], watchPods: false, logger: recordingLogger(), backoff: { minMs: 20, maxMs: 100 } });
  t.teardown(() => source.stop());
  await source.start();
  t.ok(store.service('shop', 'cart'), 'synced through the last of 801 clusters');

  // Exactly at the limit is fine; one byte more is not.
  const text = readFileSync(big, 'utf8');
  const pad = (n: number) => `${text}#${'x'.repeat(n - Buffer.byteLength(text) - 2)}\n`;
  writeFileSync(join(dir, 'at-limit'), pad(KUBECONFIG_MAX_BYTES));
  t.equal(readFileSync(join(dir, 'at-limit')).length, KUBECONFIG_MAX_BYTES);
  const loaded = await loadKubeConfig({ kubeconfig: join(dir, 'at-limit') }, {});
  t.match(loaded.origin, join(dir, 'at-limit'), `a kubeconfig of exactly ${KUBECONFIG_MAX_BYTES} bytes loads`);
  writeFileSync(join(dir, 'past-limit'), pad(KUBECONFIG_MAX_BYTES + 1));
  await t.rejects(loadKubeConfig({ kubeconfig: join(dir, 'past-limit') }, {}),
    { name: 'KubeConfigError', message: `kubeconfig: ${join(dir, 'past-limit')} is ${KUBECONFIG_MAX_BYTES + 1} bytes, over the ${KUBECONFIG_MAX_BYTES}-byte limit` });

  const api2 = await FakeApiServer.start({ tls: true });
  t.teardown(() => api2.close());
  const ca = `${api2.caPem!}\n`;
  writeFileSync(join(dir, 'ca-past'), `${ca}${'#'.repeat(CREDENTIAL_FILE_MAX_BYTES + 1 - ca.length)}`);
  const past = simpleKubeconfig(join(dir, 'ca-past.kubeconfig'), { server: api2.url, 'certificate-authority': 'ca-past' }, { token: 'x' });
  await t.rejects(loadKubeConfig({ kubeconfig: past }, {}),
    { name: 'KubeConfigError', message: `certificate-authority: ${join(dir, 'ca-past')} is ${CREDENTIAL_FILE_MAX_BYTES + 1} bytes, over the ${CREDENTIAL_FILE_MAX_BYTES}-byte limit` });
  writeFileSync(join(dir, 'ca-at'), `${ca}${'#'.repeat(CREDENTIAL_FILE_MAX_BYTES - ca.length)}`);
  const at = simpleKubeconfig(join(dir, 'ca-at.kubeconfig'), { server: api2.url, 'certificate-authority': 'ca-at' }, { token: 'x' });
  t.ok(await loadKubeConfig({ kubeconfig: at }, {}), `a CA file of exactly ${CREDENTIAL_FILE_MAX_BYTES} bytes loads`);
});
