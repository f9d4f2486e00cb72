// replaceNamespaces is how every fixture change reaches the store: it must touch exactly the owner's objects in the
// namespaces named, wherever they came from, and keep the indexes (PTR by address) right as objects come and go.
import t from 'tap';
import { ClusterStore, type StoreChange } from '../lib/cluster/store.js';
import type { EndpointSlice, Namespace, Service } from '../lib/cluster/model.js';

const svc = (namespace: string, name: string, ip: string): Service => ({
  kind: 'Service', namespace, name, labels: {}, type: 'ClusterIP', headless: false, clusterIPs: [ip], externalName: '',
  ports: [{ name: 'http', protocol: 'TCP', port: 80 }], publishNotReadyAddresses: false,
});
const slice = (namespace: string, service: string, ips: string[]): EndpointSlice => ({
  kind: 'EndpointSlice', namespace, name: `${service}-abc`, serviceName: service, addressType: 'IPv4',
  endpoints: ips.map((ip) => ({ addresses: [ip], ready: true })), ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
  labels: { 'kubernetes.io/service-name': service },
});
const ns = (name: string): Namespace => ({ kind: 'Namespace', name, labels: {} });

function recorder(store: ClusterStore): string[] {
  const seen: string[] = [];
  store.onChange((cs: readonly StoreChange[]) => {
    for (const c of cs) seen.push(`${c.type} ${c.kind} ${c.object.kind === 'Namespace' ? c.object.name : `${c.object.namespace}/${c.object.name}`}`);
  });
  return seen;
}

t.test('only the named namespaces of that owner change', async (t) => {
  const store = new ClusterStore();
  store.replaceNamespaces('fixtures', ['a', 'b'], [ns('a'), svc('a', 'web', '10.96.0.1'), svc('b', 'web', '10.96.0.2'), slice('b', 'web', ['10.244.0.5'])]);
  store.apply(svc('a', 'api', '10.96.0.3'), 'api');
  const seen = recorder(store);
  const gen = store.generation;
  const changed = store.replaceNamespaces('fixtures', ['b'], [svc('b', 'db', '10.96.0.4')]);
  t.equal(changed, 3, 'one added, two removed');
  t.same(seen.sort(), ['added Service b/db', 'deleted EndpointSlice b/web-abc', 'deleted Service b/web'].sort());
  t.equal(store.generation, gen + 1, 'one change, one generation');
  t.ok(store.service('a', 'web'), 'namespace a untouched');
  t.ok(store.service('a', 'api'), "another owner's object untouched");
  t.same(store.servicesByEndpointIP('10.244.0.5'), [], 'the removed slice left the address index');
  t.same(store.servicesByClusterIP('10.96.0.4'), ['b/db']);
  t.same(store.servicesByClusterIP('10.96.0.2'), []);
});

t.test('an unchanged reload changes nothing; a namespace emptied loses its objects', async (t) => {
  const store = new ClusterStore();
  const objs = [ns('a'), svc('a', 'web', '10.96.0.1')];
  store.replaceNamespaces('fixtures', ['a'], objs);
  const gen = store.generation;
  t.equal(store.replaceNamespaces('fixtures', ['a'], [ns('a'), svc('a', 'web', '10.96.0.1')]), 0);
  t.equal(store.generation, gen, 'no generation bump');
  t.equal(store.replaceNamespaces('fixtures', ['a'], []), 2);
  t.notOk(store.service('a', 'web'));
  t.notOk(store.get('Namespace', '', 'a'));
});

t.test('an object taken over by another owner is that owner\'s from then on', async (t) => {
  const store = new ClusterStore();
  store.replaceNamespaces('fixtures', ['a'], [svc('a', 'web', '10.96.0.1')]);
  store.apply(svc('a', 'web', '10.96.0.9'), 'api');
  t.equal(store.ownerOf(store.service('a', 'web')!), 'api');
  store.replaceNamespaces('fixtures', ['a'], []);
  t.same(store.service('a', 'web')?.clusterIPs, ['10.96.0.9'], "the fixtures' reload no longer owns it");
  store.replaceNamespaces('fixtures', ['a'], [svc('a', 'web', '10.96.0.1')]);
  t.equal(store.ownerOf(store.service('a', 'web')!), 'fixtures', 'and a later reload may take it back');
  store.delete('Service', 'a', 'web');
  t.equal(store.replaceNamespaces('fixtures', ['a'], []), 0, 'a deleted object is no one\'s');
});

t.test('addresses shared by two Services list both, sorted, and each goes when its Service goes', async (t) => {
  const store = new ClusterStore();
  store.replaceNamespaces('fixtures', ['a'], [svc('a', 'x', '10.96.0.1'), svc('a', 'y', '10.96.0.2'), slice('a', 'y', ['10.244.0.5']), slice('a', 'x', ['10.244.0.5'])]);
  t.same(store.servicesByEndpointIP('10.244.0.5'), ['a/x', 'a/y']);
  store.replaceNamespaces('fixtures', ['a'], [svc('a', 'x', '10.96.0.1'), svc('a', 'y', '10.96.0.2'), slice('a', 'y', ['10.244.0.5'])]);
  t.same(store.servicesByEndpointIP('10.244.0.5'), ['a/y']);
  store.replaceNamespaces('fixtures', ['a'], [svc('a', 'x', '10.96.0.1'), svc('a', 'y', '10.96.0.2')]);
  t.same(store.servicesByEndpointIP('10.244.0.5'), []);
});

t.test('an object outside the namespaces replaced is refused and nothing changes', async (t) => {
  const store = new ClusterStore();
  t.throws(() => store.replaceNamespaces('fixtures', ['a'], [svc('b', 'web', '10.96.0.1')]), /outside the namespaces replaced/);
  t.notOk(store.service('b', 'web'));
});
