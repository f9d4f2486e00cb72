// The ingress plugin in live mode, fed the way users run it: the fixture-derived fake cluster serving a fixture's
// Ingresses (FakeCluster `ingresses`), a Corefile `ingress` directive turning the watch on, and a Service's
// external-dns hostname annotation written and removed through the API while running.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../lib/config.js';
import { FakeApiServer, kubeconfigFor } from './fake-apiserver.js';
import { FakeCluster } from './fake-apiserver-cluster.js';
import { startCli, stopCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';
import { INGRESS_FIXTURE, manifest, statusOf } from './helpers/ingress.js';
import { until } from './helpers/until.js';

const ZONE = 'dev.test';
const ips = (r: Awaited<ReturnType<typeof query>>, type = 'A') => (r.answers ?? []).filter((a) => a.type === type).map((a) => a.data).sort();

async function serve(t: any, cluster: (api: FakeApiServer) => Promise<void>, corefile: (kubeconfig: string) => string) {
  const api = await FakeApiServer.start({ token: 't' });
  t.teardown(() => api.close());
  await cluster(api);
  const dir = mkdtempSync(join(tmpdir(), 'live-ingress-src-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'kubeconfig'), kubeconfigFor(api));
  writeFileSync(join(dir, 'Corefile'), corefile(join(dir, 'kubeconfig')));
  const srv = await startCli(['--corefile', join(dir, 'Corefile'), '--source', 'kubernetes', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  return { api, ask: (name: string, type = 'A') => query(srv.port, name, type) };
}

const corefile = (kubeconfig: string) => ['. {', '  kubernetes cluster.local {', `    kubeconfig ${kubeconfig}`, '  }', `  ingress ${ZONE}`, '}'].join('\n');

t.test('a fixture\'s Ingresses served by the fake cluster, answered through a Corefile ingress directive', async (t) => {
  const { api, ask } = await serve(t, async (api) => {
    const fc = new FakeCluster(api, { paths: [INGRESS_FIXTURE], namespace: 'default', synthesis: defaultConfig().synthesis, ingresses: true });
    api.writable = fc;
    await fc.readFiles();
    fc.sync();
  }, corefile);
  const blog = statusOf(manifest('Ingress', 'blog'));
  const r = await until(() => ask(`blog.${ZONE}`), (x) => x.rcode === 'NOERROR', 10_000);
  t.strictSame(ips(r), blog.filter((ip) => !ip.includes(':')).sort(), 'the status the fixture wrote');
  t.strictSame(ips(await ask(`blog.${ZONE}`, 'AAAA'), 'AAAA'), blog.filter((ip) => ip.includes(':')).sort());
  t.ok(api.requests.some((x) => x.resource === 'ingresses' && x.watch), 'Ingresses are watched');
});

t.test('a Service\'s hostname annotation written and removed while running', async (t) => {
  const { api, ask } = await serve(t, async (api) => {
    api.load([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }]);
  }, corefile);
  const base = {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' } as Record<string, unknown>,
    spec: { type: 'LoadBalancer', clusterIP: '10.96.9.9', ports: [{ port: 80, protocol: 'TCP' }] },
    status: { loadBalancer: { ingress: [{ ip: '198.51.100.30' }] } },
  };
  await until(() => ask(`web.${ZONE}`), (x) => x.rcode === 'NXDOMAIN', 10_000);
  api.apply({ ...base, metadata: { ...base.metadata, annotations: { 'external-dns.alpha.kubernetes.io/hostname': `web.${ZONE},shop.${ZONE}`, 'coredns.io/hostname': `alt.${ZONE}` } } });
  for (const h of ['web', 'shop', 'alt']) {
    const r = await until(() => ask(`${h}.${ZONE}`), (x) => x.rcode === 'NOERROR', 5000);
    t.strictSame(ips(r), ['198.51.100.30'], `${h}: the LoadBalancer status`);
  }
  api.apply({ ...base, status: { loadBalancer: { ingress: [{ ip: '198.51.100.31' }] } }, metadata: { ...base.metadata, annotations: { 'coredns.io/hostname': `alt.${ZONE}` } } });
  const r = await until(() => ask(`alt.${ZONE}`), (x) => ips(x).includes('198.51.100.31'), 5000);
  t.strictSame(ips(r), ['198.51.100.31'], 'a new status follows');
  t.equal((await ask(`web.${ZONE}`)).rcode, 'NXDOMAIN', 'a host dropped from the annotation is gone');
  api.delete('Service', 'shop', 'web');
  t.equal((await until(() => ask(`alt.${ZONE}`), (x) => x.rcode === 'NXDOMAIN', 5000)).rcode, 'NXDOMAIN', 'deleted');
});
