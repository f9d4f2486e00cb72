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
