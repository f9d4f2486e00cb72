// The fake API server serves the cluster fixture mode serves: clusterdns in live mode against
// `npm run fake-apiserver -- --fixtures DIR` answers every name with every record that `clusterdns --fixtures DIR`
// answers, no more and no fewer, because the fake server's Services, Pods and EndpointSlices are what fixture
// mode's synthesis made of the same manifests (ClusterIPs, workload pods, pod IPs, slices).
import t from 'tap';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { records, startClusterDns, startFakeApiCli } from './helpers/fakeapi.js';
import { until } from './helpers/until.js';

for (const [label, paths] of [['fixtures/', ['fixtures']], ['test/fixtures/schema', ['test/fixtures/schema']]] as const) {
  t.test(`live mode against the fake API server answers exactly what fixture mode answers (${label})`, async (t) => {
    const fixtureArgs = paths.flatMap((p) => ['--fixtures', p]);
    const api = await startFakeApiCli(t, fixtureArgs);
    // pods verified: the live source then watches Pods too, so pod records are compared as well.
    const fixtureDns = await startClusterDns(t, [...fixtureArgs, '--pods', 'verified']);
    const liveDns = await startClusterDns(t, ['--source', 'kubernetes', '--kubeconfig', api.kubeconfig, '--pods', 'verified']);
    const want = await records(fixtureDns.admin);
    t.ok(want.length > 20, `fixture mode serves ${want.length} records`);
    // The ready file is written once the first list is in; poll briefly anyway in case a watch event is in flight.
    const got = await until(() => records(liveDns.admin), (r) => r.length === want.length, 10_000);
    t.same(got.filter((r) => !want.includes(r)), [], 'no record only live mode has');
    t.same(want.filter((r) => !got.includes(r)), [], 'no record only fixture mode has');
    t.equal(got.length, want.length);
  });
}

t.test('an object created through the fake API server is synthesised as fixture mode synthesises an applied one', async (t) => {
  const api = await startFakeApiCli(t, ['--fixtures', 'fixtures']);
  const fixtureDns = await startClusterDns(t, ['--fixtures', 'fixtures', '--pods', 'verified']);
  const liveDns = await startClusterDns(t, ['--source', 'kubernetes', '--kubeconfig', api.kubeconfig, '--pods', 'verified']);
  // A selector Service over the shop's web pods, and a bare Pod: a ClusterIP, a slice, a pod IP to hand out.
  const objects = [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'cart', namespace: 'shop' }, spec: { selector: { 'app.kubernetes.io/name': 'web' }, ports: [{ name: 'http', port: 8081, targetPort: 'http' }] } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: 'shop', labels: { app: 'debug' } }, spec: { containers: [{ name: 'sh', image: 'busybox' }] } },
  ];
  const applied = await fetch(`${fixtureDns.admin}/api/v1/objects`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) });
  t.equal(applied.status, 200, 'fixture mode applied them');
  for (const o of objects) {
    const plural = o.kind === 'Service' ? 'services' : 'pods';
    const res = await fetch(`${api.url}/api/v1/namespaces/shop/${plural}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(o), signal: AbortSignal.timeout(10_000) });
    t.equal(res.status, 201, `the fake API server created ${o.kind} ${o.metadata.name}`);
  }
  const want = await records(fixtureDns.admin);
  t.ok(want.some((r) => r.startsWith('cart.shop.svc.cluster.local.')), 'fixture mode answers cart.shop');
  const got = await until(() => records(liveDns.admin), (r) => r.length === want.length, 10_000);
  t.same(got.filter((r) => !want.includes(r)), [], 'no record only live mode has');
  t.same(want.filter((r) => !got.includes(r)), [], 'no record only fixture mode has');
});

t.test('dig through the live server: api.shop and postgres.shop answer as in fixture mode', { skip: digMissing }, async (t) => {
  const api = await startFakeApiCli(t, ['--fixtures', 'fixtures']);
  const fixtureDns = await startClusterDns(t, ['--fixtures', 'fixtures']);
  const liveDns = await startClusterDns(t, ['--source', 'kubernetes', '--kubeconfig', api.kubeconfig]);
  for (const [name, type] of [['api.shop.svc.cluster.local', 'A'], ['postgres.shop.svc.cluster.local', 'A'],
    ['postgres-0.postgres.shop.svc.cluster.local', 'A'], ['_grpc._tcp.api.shop.svc.cluster.local', 'SRV']] as const) {
    const live = await dig(liveDns.dns, [name, type]);
    const fixture = await dig(fixtureDns.dns, [name, type]);
    t.equal(digStatus(live), 'NOERROR', `${name} ${type}: NOERROR`);
    t.ok(digSection(live, 'ANSWER').length > 0, `${name} ${type} has answers`);
    t.same(digSection(live, 'ANSWER'), digSection(fixture, 'ANSWER'), `${name} ${type}: the same answers as fixture mode`);
  }
  // postgres is headless over a two-replica StatefulSet: one A per pod.
  t.equal(digSection(await dig(liveDns.dns, ['postgres.shop.svc.cluster.local', 'A']), 'ANSWER').length, 2);
});
