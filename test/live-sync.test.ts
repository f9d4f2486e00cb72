// The live source against the fake API server: first sync, then create/update/delete of each kind arriving by watch.
import t from 'tap';
import {
  clusterIPService, endpointSlice, headlessService, liveFixture, ns, pod, waitFor,
} from './live-helpers.js';

t.test('initial sync fills the store, marks it synced and logs the counts', async (t) => {
  const f = await liveFixture({
    initial: [
      ns('default'), ns('apps'),
      clusterIPService('default', 'kubernetes', '10.96.0.1'),
      clusterIPService('apps', 'web', '10.96.0.10'),
      headlessService('apps', 'db'),
      endpointSlice('apps', 'web', 'web-abc', ['10.244.0.5', '10.244.0.6']),
      endpointSlice('apps', 'db', 'db-abc', ['10.244.1.5']),
    ],
  });
  t.teardown(() => f.close());
  t.equal(f.store.synced, false, 'not synced before start');
  t.equal(f.source.synced, false);
  await f.source.start();
  t.equal(f.source.synced, true);
  t.equal(f.store.synced, true);
  t.same(f.store.counts(), { Namespace: 2, Service: 3, EndpointSlice: 2, Pod: 0 });
  t.same(f.store.service('apps', 'web')?.clusterIPs, ['10.96.0.10']);
  t.equal(f.store.ownerOf(f.store.service('apps', 'web')!), 'kubernetes');
  t.same(f.store.readyEndpoints('apps', 'db').flatMap((s) => s.endpoints.flatMap((e) => e.addresses)), ['10.244.1.5']);
  t.ok(f.logger.lines.some((l) => l.level === 'info' && /^synced 3 services, 2 endpoint slices in \d+ ms$/.test(l.msg)), 'sync line logged');
  t.same(f.source.status.map((s) => [s.resource, s.synced, s.restarts]),
    [['namespaces', true, 0], ['services', true, 0], ['endpointslices', true, 0]]);
  // The real client listed, then watched from the list's resourceVersion, with our bearer token.
  await waitFor('three open watches', () => f.server.openWatches === 3);
  const svcRequests = f.server.requests.filter((r) => r.resource === 'services');
  t.equal(svcRequests[0].watch, false);
  t.equal(svcRequests[1].watch, true);
  t.equal(svcRequests[1].query.resourceVersion, f.server.resourceVersion);
  t.equal(svcRequests[1].query.allowWatchBookmarks, 'true');
  t.ok(svcRequests.every((r) => r.authorization === 'Bearer test-token'));
});

t.test('create, update and delete of each kind reach the store by watch', async (t) => {
  const f = await liveFixture({ initial: [ns('default')], watchPods: true });
  t.teardown(() => f.close());
  await f.source.start();
  const gen0 = f.store.generation;

  f.server.apply(ns('team'));
  f.server.apply(clusterIPService('team', 'api', '10.96.0.20'));
  f.server.apply(endpointSlice('team', 'api', 'api-1', ['10.244.2.1']));
  f.server.apply(pod('team', 'api-0', '10.244.2.1'));
  await waitFor('created objects', () => f.store.namespaceExists('team') && f.store.service('team', 'api')
    && f.store.readyEndpoints('team', 'api').length === 1 && f.store.podIPExists('team', '10.244.2.1'));
  t.ok(f.store.generation > gen0);

  f.server.apply(clusterIPService('team', 'api', '10.96.0.21'));
  f.server.apply(endpointSlice('team', 'api', 'api-1', ['10.244.2.1', '10.244.2.2']));
  f.server.apply(pod('team', 'api-0', '10.244.2.9'));
  f.server.apply(ns('team', { env: 'prod' }));
  await waitFor('updated service', () => f.store.service('team', 'api')?.clusterIPs[0] === '10.96.0.21');
  t.same(f.store.servicesByClusterIP('10.96.0.21'), ['team/api']);
  t.same(f.store.servicesByClusterIP('10.96.0.20'), []);
  await waitFor('updated slice', () => f.store.readyEndpoints('team', 'api')[0]?.endpoints.length === 2);
  await waitFor('updated pod', () => f.store.podIPExists('team', '10.244.2.9') && !f.store.podIPExists('team', '10.244.2.1'));
  await waitFor('updated namespace', () => (f.store.get('Namespace', '', 'team') as any)?.labels?.env === 'prod');

  // A pod leaving the watched phases is a DELETED event for a field-selected watch.
  f.server.apply(pod('team', 'api-0', '10.244.2.9', 'Succeeded'));
  await waitFor('succeeded pod dropped', () => !f.store.get('Pod', 'team', 'api-0'));

  f.server.delete('EndpointSlice', 'team', 'api-1');
  f.server.delete('Service', 'team', 'api');
  await waitFor('deleted service and slice', () => !f.store.service('team', 'api') && f.store.readyEndpoints('team', 'api').length === 0);
  f.server.delete('Namespace', '', 'team');
  await waitFor('deleted namespace', () => !f.store.get('Namespace', '', 'team'));
  t.equal(f.restarts.length, 0, 'no restarts on a healthy watch');
});

t.test('programming latency is reported for slices with a trigger time and exactly one known service', async (t) => {
  const f = await liveFixture({ initial: [ns('default'), clusterIPService('default', 'web', '10.96.0.30'), headlessService('default', 'db')] });
  t.teardown(() => f.close());
  await f.source.start();
  const trigger = new Date(Date.now() - 1500);
  f.server.apply(endpointSlice('default', 'web', 'web-1', ['10.244.0.1'], { triggerTime: trigger }));
  f.server.apply(endpointSlice('default', 'db', 'db-1', ['10.244.0.2'], { triggerTime: trigger }));
  f.server.apply(endpointSlice('default', 'ghost', 'ghost-1', ['10.244.0.3'], { triggerTime: trigger }));
  f.server.apply(endpointSlice('default', 'web', 'web-2', ['10.244.0.4']));
  await waitFor('slices stored', () => f.store.counts().EndpointSlice === 4);
  t.same(f.latencies.map((l) => l.kind), ['cluster_ip', 'headless_with_selector'], 'no sample without a known service or trigger time');
  for (const l of f.latencies) t.ok(l.seconds >= 1.4 && l.seconds < 60, `latency ${l.seconds}s measured from the trigger time`);
});

t.test('lists are read page by page (limit/continue), all at the first page\'s resourceVersion', async (t) => {
  const services = Array.from({ length: 7 }, (_, i) => clusterIPService('default', `s${i}`, `10.96.1.${i}`));
  const f = await liveFixture({ initial: [ns('default'), ...services], listPageSize: 3 });
  t.teardown(() => f.close());
  const rv = f.server.resourceVersion;
  await f.source.start();
  t.equal(f.store.counts().Service, 7);
  const lists = f.server.requests.filter((r) => r.resource === 'services' && !r.watch);
  t.same(lists.map((r) => [r.query.limit, r.query.continue !== undefined]), [['3', false], ['3', true], ['3', true]], 'three pages');
  await waitFor('services watch', () => f.server.requests.some((r) => r.resource === 'services' && r.watch));
  t.equal(f.server.requests.find((r) => r.resource === 'services' && r.watch)?.query.resourceVersion, rv, 'watch from the list snapshot');
});

t.test('startWithin: serves unsynced after the startup timeout, then syncs in the background', async (t) => {
  const f = await liveFixture({ initial: [ns('default'), clusterIPService('default', 'web', '10.96.0.10')] });
  t.teardown(() => f.close());
  await f.server.goDown();
  t.equal(await f.source.startWithin(300), false, 'not synced in time');
  t.equal(f.store.synced, false);
  t.ok(f.logger.lines.some((l) => l.level === 'warn' && /not synced after 300 ms: serving anyway/.test(l.msg)));
  await f.server.comeUp();
  await waitFor('synced in the background', () => f.source.synced && f.store.synced, 10_000);
  t.ok(f.store.service('default', 'web'));
});

t.test('startWithin: early failures still reject', async (t) => {
  const f = await liveFixture({ initial: [ns('default')] });
  t.teardown(() => f.close());
  f.server.failResource('services', 403);
  await t.rejects(f.source.startWithin(5000), { name: 'PermissionError' });
});
