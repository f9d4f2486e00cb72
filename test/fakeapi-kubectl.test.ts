// kubectl against `npm run fake-apiserver`, as a user points it there: `kubectl --kubeconfig FILE get svc -A`,
// `get endpointslices -A`, `get pods -n shop` print the synthesised cluster, `apply -f` creates (POST) and then
// changes (strategic merge PATCH) a Service that a running live-mode clusterdns answers, and `delete` removes it.
// Both discovery forms are exercised: the aggregated one (the CLI's default) and the legacy fallback.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { FakeApiServer, kubeconfigFor } from './fake-apiserver.js';
import { query } from './helpers/dns-client.js';
import { kubectl, kubectlMissing, startClusterDns, startFakeApiCli, type FakeApiCli } from './helpers/fakeapi.js';
import { until } from './helpers/until.js';

type Raw = Record<string, any>;

/** The table kubectl printed: one object per row, keyed by column header. */
function rows(out: string): Record<string, string>[] {
  const lines = out.split('\n').filter((l) => l.trim());
  const header = lines[0].split(/\s{2,}/);
  return lines.slice(1).map((l) => Object.fromEntries(l.split(/\s{2,}/).map((c, i) => [header[i], c])));
}

async function list(api: FakeApiCli, path: string): Promise<Raw[]> {
  const res = await fetch(`${api.url}${path}`, { signal: AbortSignal.timeout(10_000) });
  return ((await res.json()) as Raw).items;
}

async function answers(port: number, name: string, type: string): Promise<{ rcode: string; data: string[] }> {
  const r = await query(port, name, type);
  return { rcode: String(r.rcode), data: (r.answers ?? []).filter((a) => a.type === type).map((a) => (typeof a.data === 'object' ? `${a.data.port} ${a.data.target}` : String(a.data))).sort() };
}

const service = (port: number) => `apiVersion: v1
kind: Service
metadata:
  name: cart
  namespace: shop
spec:
  selector: { app.kubernetes.io/name: web }
  ports:
    - { name: http, port: ${port}, targetPort: http }
`;

t.test('kubectl get, apply and delete against the fake API server, answered by live-mode clusterdns', { skip: kubectlMissing }, async (t) => {
  const api = await startFakeApiCli(t, ['--fixtures', 'fixtures']);
  const dns = await startClusterDns(t, ['--source', 'kubernetes', '--kubeconfig', api.kubeconfig]);

  const svc = await kubectl(api, ['get', 'svc', '-A']);
  t.equal(svc.code, 0, `get svc -A exits 0 ${svc.stderr}`);
  const svcRows = rows(svc.stdout);
  const served = await list(api, '/api/v1/services');
  t.same(svcRows.map((r) => `${r.NAMESPACE}/${r.NAME}`).sort(), served.map((s) => `${s.metadata.namespace}/${s.metadata.name}`).sort(), 'one row per Service served');
  t.same(Object.keys(svcRows[0]), ['NAMESPACE', 'NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'], 'the server-side Table columns');
  for (const name of ['web', 'api']) {
    const row = svcRows.find((r) => r.NAMESPACE === 'shop' && r.NAME === name)!;
    t.match(row['CLUSTER-IP'], /^10\.\d+\.\d+\.\d+$/, `shop/${name} has a ClusterIP`);
    t.same((await answers(dns.dns.port, `${name}.shop.svc.cluster.local`, 'A')).data, [row['CLUSTER-IP']], `${name}.shop answers the ClusterIP kubectl shows`);
  }
  t.equal(svcRows.find((r) => r.NAME === 'postgres')!['CLUSTER-IP'], 'None', 'postgres is headless');

  const slices = await kubectl(api, ['get', 'endpointslices', '-A']);
  t.equal(slices.code, 0, `get endpointslices -A exits 0 ${slices.stderr}`);
  const sliceRows = rows(slices.stdout);
  t.equal(sliceRows.length, (await list(api, '/apis/discovery.k8s.io/v1/endpointslices')).length, 'one row per EndpointSlice');
  const pg = sliceRows.find((r) => r.NAMESPACE === 'shop' && r.NAME.startsWith('postgres-'))!;
  t.same(pg.ENDPOINTS.split(',').sort(), (await answers(dns.dns.port, 'postgres.shop.svc.cluster.local', 'A')).data, 'the postgres slice holds the addresses postgres.shop answers');

  const ep = await kubectl(api, ['get', 'ep', '-n', 'shop']);
  t.equal(ep.code, 0, `get ep -n shop exits 0 ${ep.stderr}`);
  const pgEp = rows(ep.stdout).find((r) => r.NAME === 'postgres')!;
  t.same(pgEp.ENDPOINTS.split(',').sort(), (await answers(dns.dns.port, 'postgres.shop.svc.cluster.local', 'A')).data.map((ip) => `${ip}:5432`),
    'the Endpoints the endpoints controller would write match the slice');

  const pods = await kubectl(api, ['get', 'pods', '-n', 'shop', '-o', 'wide']);
  t.equal(pods.code, 0, `get pods -n shop exits 0 ${pods.stderr}`);
  const podRows = rows(pods.stdout);
  const servedPods = (await list(api, '/api/v1/namespaces/shop/pods'));
  t.same(podRows.map((r) => r.NAME).sort(), servedPods.map((p) => p.metadata.name).sort(), 'one row per Pod in shop');
  t.ok(podRows.length >= 7, `${podRows.length} pods: the Deployments' and the StatefulSet's`);
  t.ok(podRows.every((r) => r.STATUS === 'Running' && r.READY === '1/1' && /^10\.244\./.test(r.IP)), 'running, ready, with pod IPs');

  const shortNames = await kubectl(api, ['get', 'po,svc,ns', '-n', 'shop', '-o', 'name']);
  t.equal(shortNames.code, 0, `short names resolve ${shortNames.stderr}`);
  t.match(shortNames.stdout, /^service\/api$/m);
  t.match(shortNames.stdout, /^namespace\/shop$/m);

  // apply: GET (404), then POST. The new Service gets a ClusterIP and a slice; live DNS answers it.
  const dir = mkdtempSync(join(tmpdir(), 'fakeapi-kubectl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'svc.yaml');
  writeFileSync(file, service(8081));
  // kubectl get -w, open across the apply: watch events come as one-row Tables, so it prints full rows.
  let watched = '';
  const watcher = spawn('kubectl', ['--kubeconfig', api.kubeconfig, '--cache-dir', join(api.dir, 'kube-cache'), 'get', 'svc', '-n', 'shop', '-w'], { timeout: 60_000, killSignal: 'SIGKILL' });
  t.teardown(() => { watcher.kill('SIGKILL'); });
  watcher.stdout.on('data', (d) => (watched += d));
  await until(async () => watched, (w) => /^payments\s/m.test(w), 15_000);
  const created = await kubectl(api, ['apply', '-f', file]);
  t.equal(created.code, 0, `apply exits 0 ${created.stderr}`);
  t.match(created.stdout, /service\/cart created/);
  const ip = (await kubectl(api, ['get', 'svc', 'cart', '-n', 'shop', '-o', 'jsonpath={.spec.clusterIP}'])).stdout;
  t.match(ip, /^10\.\d+\.\d+\.\d+$/, 'the created Service has a ClusterIP');
  const a = await until(() => answers(dns.dns.port, 'cart.shop.svc.cluster.local', 'A'), (r) => r.data.length > 0, 10_000);
  t.same(a.data, [ip], 'live clusterdns answers the new name with it');
  const srv = await until(() => answers(dns.dns.port, '_http._tcp.cart.shop.svc.cluster.local', 'SRV'), (r) => r.data.length > 0, 10_000);
  t.same(srv.data, ['8081 cart.shop.svc.cluster.local'], 'and its named port');
  const row = await until(async () => watched, (w) => /^cart\s/m.test(w), 10_000);
  t.match(row, new RegExp(`^cart\\s+ClusterIP\\s+${ip.replaceAll('.', '\\.')}\\s+<none>\\s+8081/TCP`, 'm'), 'kubectl get -w printed the new Service as a full row');
  watcher.kill('SIGKILL');

  // apply again, changed: GET (found), then a strategic merge PATCH built from the last-applied annotation.
  writeFileSync(file, service(8082));
  const patched = await kubectl(api, ['apply', '-f', file]);
  t.equal(patched.code, 0, `second apply exits 0 ${patched.stderr}`);
  t.match(patched.stdout, /service\/cart configured/);
  const srv2 = await until(() => answers(dns.dns.port, '_http._tcp.cart.shop.svc.cluster.local', 'SRV'), (r) => r.data[0]?.startsWith('8082 '), 10_000);
  t.same(srv2.data, ['8082 cart.shop.svc.cluster.local'], 'the patched port is answered (the old one gone)');
  t.same((await answers(dns.dns.port, 'cart.shop.svc.cluster.local', 'A')).data, [ip], 'the ClusterIP stays');

  const labeled = await kubectl(api, ['label', 'svc', 'cart', '-n', 'shop', 'tier=frontend']);
  t.equal(labeled.code, 0, `kubectl label (a merge patch) exits 0 ${labeled.stderr}`);
  t.equal((await kubectl(api, ['get', 'svc', '-n', 'shop', '-l', 'tier=frontend', '-o', 'name'])).stdout.trim(), 'service/cart', 'the label selects it');
  const jsonPatch = await kubectl(api, ['patch', 'svc', 'cart', '-n', 'shop', '--type', 'json', '-p', '[{"op":"remove","path":"/spec/selector"}]']);
  t.not(jsonPatch.code, 0, 'a JSON patch is refused');
  t.match(jsonPatch.stderr, /strategic merge or a merge patch/, 'saying what to use instead');

  const deleted = await kubectl(api, ['delete', 'svc', 'cart', '-n', 'shop']);
  t.equal(deleted.code, 0, `delete exits 0 ${deleted.stderr}`);
  t.match(deleted.stdout, /service "cart" deleted/);
  const gone = await until(() => answers(dns.dns.port, 'cart.shop.svc.cluster.local', 'A'), (r) => r.rcode === 'NXDOMAIN', 10_000);
  t.equal(gone.rcode, 'NXDOMAIN', 'the deleted name is gone');
  t.equal((await list(api, '/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices')).filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'cart').length, 0, 'and its slice');

  const missing = await kubectl(api, ['delete', 'svc', 'cart', '-n', 'shop']);
  t.not(missing.code, 0, 'deleting it again fails');
  t.match(missing.stderr, /services "cart" not found/);

  // Deleting a namespace deletes what is in it, workloads' pods included (the namespace controller's cascade).
  const ns = await kubectl(api, ['delete', 'ns', 'shop']);
  t.equal(ns.code, 0, `delete ns shop exits 0 ${ns.stderr}`);
  const apiGone = await until(() => answers(dns.dns.port, 'api.shop.svc.cluster.local', 'A'), (r) => r.rcode === 'NXDOMAIN', 10_000);
  t.equal(apiGone.rcode, 'NXDOMAIN', 'api.shop is gone with its namespace');
  t.equal((await list(api, '/api/v1/namespaces/shop/pods')).length, 0, 'and so are its pods');
  t.same((await answers(dns.dns.port, 'myapp.default.svc.cluster.local', 'A')).data.length, 1, 'other namespaces still answer');
});

t.test('kubectl falls back to legacy discovery when the aggregated form is not served', { skip: kubectlMissing }, async (t) => {
  const srv = await FakeApiServer.start();
  t.teardown(() => srv.close());
  srv.aggregatedDiscovery = false;
  srv.apply({ kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { clusterIP: '10.96.0.10', ports: [{ port: 80, protocol: 'TCP' }] } });
  const dir = mkdtempSync(join(tmpdir(), 'fakeapi-legacy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'kubeconfig'), kubeconfigFor(srv));
  const api: FakeApiCli = { proc: undefined as never, url: srv.url, kubeconfig: join(dir, 'kubeconfig'), dir, lines: [] };
  const out = await kubectl(api, ['get', 'svc', '-A']);
  t.equal(out.code, 0, `get svc -A exits 0 ${out.stderr}`);
  t.same(rows(out.stdout).map((r) => [r.NAME, r['CLUSTER-IP'], r['PORT(S)']]), [['web', '10.96.0.10', '80/TCP']]);
  const paths = srv.requests.map((r) => r.path);
  t.ok(paths.includes('/api/v1'), 'it read the core APIResourceList');
  t.ok(paths.includes('/apis/discovery.k8s.io/v1'), 'and the discovery.k8s.io one');

  // Without the CLI's synthesising cluster, writes land on the server's objects as sent (what the in-process tests use).
  writeFileSync(join(dir, 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: { name: db, namespace: shop }\nspec: { clusterIP: 10.96.0.20, ports: [{ port: 5432 }] }\n');
  const applied = await kubectl(api, ['apply', '-f', join(dir, 'svc.yaml')]);
  t.equal(applied.code, 0, `apply exits 0 ${applied.stderr}`);
  t.equal(srv.get('Service', 'shop', 'db')?.spec.clusterIP, '10.96.0.20', 'the Service is stored as applied');
  const del = await kubectl(api, ['delete', 'svc', 'db', '-n', 'shop']);
  t.equal(del.code, 0, `delete exits 0 ${del.stderr}`);
  t.equal(srv.get('Service', 'shop', 'db'), undefined, 'and deleted');
});
