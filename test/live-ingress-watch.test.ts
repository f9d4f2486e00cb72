// The ingress plugin in live mode: the real CLI (--external-zone) watching the fake API server. An Ingress created,
// its status written by a controller (a merge PATCH over HTTP, as kubectl/a controller sends it), its hosts changed
// and deleted while running changes the answers; without an external zone Ingresses are never listed or watched.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeApiServer, kubeconfigFor } from './fake-apiserver.js';
import { runCli, startCli, stopCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';
import { until } from './helpers/until.js';

const ZONE = 'dev.test';
const TOKEN = 't';

const ingress = (hosts: string[], status?: unknown[]) => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'shop', namespace: 'shop' },
  spec: { ingressClassName: 'nginx', rules: hosts.map((host) => ({ host })) },
  ...(status ? { status: { loadBalancer: { ingress: status } } } : {}),
});

async function setup(t: any, extra: string[]) {
  const api = await FakeApiServer.start({ token: TOKEN });
  t.teardown(() => api.close());
  api.load([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }]);
  const dir = mkdtempSync(join(tmpdir(), 'live-ingress-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'kubeconfig'), kubeconfigFor(api));
  const srv = await startCli(['--source', 'kubernetes', '--kubeconfig', join(dir, 'kubeconfig'), '--listen', '127.0.0.1:0', '--admin', 'off', ...extra]);
  t.teardown(() => stopCli(srv.proc));
  return { api, srv, ask: (name: string, type = 'A') => query(srv.port, name, type) };
}

const ips = (r: Awaited<ReturnType<typeof query>>, type = 'A') => (r.answers ?? []).filter((a) => a.type === type).map((a) => a.data).sort();

t.test('an Ingress added, its status patched, its hosts changed, deleted: the answers follow', async (t) => {
  const { api, ask } = await setup(t, ['--external-zone', ZONE]);
  const host = `shop.${ZONE}`;
  t.equal((await until(() => ask(host), (r) => r.rcode === 'NXDOMAIN', 10_000)).rcode, 'NXDOMAIN', 'no Ingress yet: NXDOMAIN');

  // created without status (no controller yet): the name exists, with no address: NODATA with the zone's SOA
  api.apply(ingress([host]));
  const r0 = await until(() => ask(host), (r) => r.rcode === 'NOERROR', 5000);
  t.strictSame(ips(r0), [], 'no status: NODATA');
  t.equal(r0.authorities?.[0]?.type, 'SOA');

  // the controller writes the status, as a merge patch through the API
  const first = ['198.51.100.10', '198.51.100.11'];
  let started = performance.now();
  const res = await fetch(`${api.url}/apis/networking.k8s.io/v1/namespaces/shop/ingresses/shop`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify({ status: { loadBalancer: { ingress: first.map((ip) => ({ ip })) } } }),
  });
  t.equal(res.status, 200, 'the fake API server took the status patch');
  const r1 = await until(() => ask(host), (r) => ips(r).length === first.length, 5000);
  t.strictSame(ips(r1), first, 'the patched status addresses');
  t.ok(performance.now() - started < 5000, 'within seconds of the watch event');

  // a new host, the old one dropped
  api.apply(ingress([`api.${ZONE}`], first.map((ip) => ({ ip }))));
  const r2 = await until(() => ask(`api.${ZONE}`), (r) => r.rcode === 'NOERROR', 5000);
  t.strictSame(ips(r2), first, 'the new host answers');
  t.equal((await ask(host)).rcode, 'NXDOMAIN', 'the old host is gone');

  // a wildcard beside it: the exact name still wins, another name gets the wildcard's
  api.apply({ ...ingress([`*.${ZONE}`], [{ ip: '203.0.113.5' }]), metadata: { name: 'catchall', namespace: 'shop' } });
  const r3 = await until(() => ask(`other.${ZONE}`), (r) => r.rcode === 'NOERROR', 5000);
  t.strictSame(ips(r3), ['203.0.113.5'], 'the wildcard Ingress');
  t.strictSame(ips(await ask(`api.${ZONE}`)), first, 'the exact host still wins over the wildcard');

  started = performance.now();
  api.delete('Ingress', 'shop', 'shop');
  api.delete('Ingress', 'shop', 'catchall');
  const r4 = await until(() => ask(`api.${ZONE}`), (r) => r.rcode === 'NXDOMAIN', 5000);
  t.equal(r4.rcode, 'NXDOMAIN', 'deleted: NXDOMAIN');
  t.equal(r4.authorities?.[0]?.type, 'SOA');
  t.ok(performance.now() - started < 5000);
});

t.test('an invalid Ingress from the API is skipped, the others keep answering', async (t) => {
  const { api, ask } = await setup(t, ['--external-zone', ZONE]);
  api.apply({ ...ingress([`good.${ZONE}`], [{ ip: '198.51.100.20' }]), metadata: { name: 'good', namespace: 'shop' } });
  api.apply({ ...ingress(['bad_host!.dev.test'], [{ ip: '198.51.100.21' }]), metadata: { name: 'bad', namespace: 'shop' } });
  const r = await until(() => ask(`good.${ZONE}`), (x) => x.rcode === 'NOERROR', 10_000);
  t.strictSame(ips(r), ['198.51.100.20']);
  t.not((await ask('bad_host!.dev.test')).rcode, 'NOERROR', 'the invalid host is not served');
});

t.test('without an external zone, Ingresses are neither listed nor watched (no RBAC needed for them)', async (t) => {
  const { api, ask } = await setup(t, []);
  api.apply(ingress([`shop.${ZONE}`], [{ ip: '198.51.100.10' }]));
  await until(() => ask('kubernetes.default.svc.cluster.local'), (r) => r.rcode !== 'SERVFAIL', 10_000);
  t.ok(api.requests.some((r) => r.resource === 'services'), 'the Services are watched');
  t.strictSame(api.requests.filter((r) => r.resource === 'ingresses'), [], 'no request for ingresses');
  t.not((await ask(`shop.${ZONE}`)).rcode, 'NOERROR', 'its host is not answered');
});

t.test('with an external zone, a 403 on ingresses stops the start naming the resource and its group', async (t) => {
  const api = await FakeApiServer.start({ token: TOKEN });
  t.teardown(() => api.close());
  api.failResource('ingresses', 403);
  const dir = mkdtempSync(join(tmpdir(), 'live-ingress-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'kubeconfig'), kubeconfigFor(api));
  const r = await runCli(['--source', 'kubernetes', '--kubeconfig', join(dir, 'kubeconfig'), '--listen', '127.0.0.1:0', '--admin', 'off', '--external-zone', ZONE]);
  t.equal(r.code, 1);
  t.match(r.stderr, /ingresses/);
  t.match(r.stderr, /networking\.k8s\.io/);
});
