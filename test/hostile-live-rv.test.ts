// Live mode after the API server's history went backwards (an etcd restore, a replaced control plane): its
// resourceVersions are lower than the ones clusterdns has seen, so resuming the watch would wait for a future that
// holds none of the changes made meanwhile. Each way the server can show it must lead to a relist, and the new
// state must be served within seconds.
import t from 'tap';
import { Prober } from '../bench/probe.js';
import { answer, base, fakeApi, liveServer } from './hostile-live-helpers.js';
import { clusterIPService, endpointSlice, ns, waitFor } from './live-helpers.js';

/** What the restored server holds: web moved, api gone, fresh new. */
const restored = () => [
  ns('default'),
  clusterIPService('default', 'web', '10.96.0.99'),
  clusterIPService('default', 'fresh', '10.96.0.20'),
];

async function restoredStateServed(port: number): Promise<boolean> {
  const [web, fresh, api] = await Promise.all([
    answer(port, 'web.default.svc.cluster.local'),
    answer(port, 'fresh.default.svc.cluster.local'),
    answer(port, 'api.default.svc.cluster.local'),
  ]);
  return web.addresses[0] === '10.96.0.99' && fresh.rcode === 'NOERROR' && api.rcode === 'NXDOMAIN';
}

/** Moves the server's resourceVersion well past the restore point. */
function churn(api: { apply(o: object): unknown }, n = 40): void {
  for (let i = 0; i < n; i++) api.apply(endpointSlice('default', 'web', 'web-1', [`10.244.0.${(i % 200) + 1}`]));
}

t.test('restart from older state (down, back with lower resourceVersions): relisted, new state served', async (t) => {
  const { api, kubeconfig } = await fakeApi(t);
  const live = await liveServer(t, kubeconfig);
  churn(api);
  const seenRv = api.resourceVersion;
  await waitFor('churn seen', () => live.dns.store.readyEndpoints('default', 'web')[0]?.endpoints[0]?.addresses[0] === '10.244.0.40');
  const prober = new Prober(live.port, 'web.default.svc.cluster.local');
  t.teardown(() => prober.stop());
  prober.start(1);
  const from = performance.now();
  // etcd's answer to a watch from the future: silence (no watch cache, no bookmarks).
  await api.restartFrom(restored(), 10);
  t.ok(Number(api.resourceVersion) < Number(seenRv), `server resourceVersion ${api.resourceVersion} < ${seenRv} seen`);
  await waitFor('restored state served', () => restoredStateServed(live.port), 15_000, 100);
  const took = performance.now() - from;
  t.ok(took < 15_000, `served ${took.toFixed(0)} ms after the restart`);
  const reasons = live.logs.filter((l) => /resourceVersion went back from \d+ to \d+ \(API server restored or replaced\?\): relisting/.test(l.msg));
  t.ok(reasons.length >= 1, `the reason is logged: ${reasons[0]?.msg}`);
  const w = prober.worst(from, performance.now());
  t.ok(w.maxGapMs < 1000, `answers throughout (longest gap ${w.maxGapMs.toFixed(1)} ms)`);
  // and it is live on the new server
  api.apply(clusterIPService('default', 'next', '10.96.0.21'));
  await waitFor('watching the new server', async () => (await answer(live.port, 'next.default.svc.cluster.local')).rcode === 'NOERROR');
});

t.test('a watch cache answering "too large resource version" leads to a relist', async (t) => {
  const { api, kubeconfig } = await fakeApi(t);
  api.futureRv = 'too-large';
  api.tooLargeWaitMs = 300;
  const live = await liveServer(t, kubeconfig);
  churn(api);
  await waitFor('churn seen', () => live.dns.store.readyEndpoints('default', 'web')[0]?.endpoints[0]?.addresses[0] === '10.244.0.40');
  // No connection lost: a load balancer moved us to a restored replica between two watches.
  await api.restartFrom(restored(), 10, { goDown: false });
  await waitFor('restored state served', () => restoredStateServed(live.port), 15_000, 100);
  t.ok(live.logs.some((l) => /has not reached resourceVersion \d+ \(Too large resource version\), relisting/.test(l.msg)), 'the reason is logged');
});

t.test('a bookmark with a lower resourceVersion leads to a relist', async (t) => {
  const { api, kubeconfig } = await fakeApi(t, base(), { bookmarkIntervalMs: 200 });
  const live = await liveServer(t, kubeconfig);
  churn(api);
  await waitFor('churn seen', () => live.dns.store.readyEndpoints('default', 'web')[0]?.endpoints[0]?.addresses[0] === '10.244.0.40');
  await api.restartFrom(restored(), 10, { goDown: false });
  await waitFor('restored state served', () => restoredStateServed(live.port), 15_000, 100);
  t.ok(live.logs.some((l) => /resourceVersion went back from \d+ to \d+ .* in a watch event, relisting/.test(l.msg)), 'the reason is logged');
});

t.test('events older than the list, or with unparseable resourceVersions, are not applied: relist', async (t) => {
  const { api, kubeconfig } = await fakeApi(t);
  const live = await liveServer(t, kubeconfig);
  await waitFor('watches open', () => api.openWatches === 3);
  const fullLists = () => api.requests.filter((r) => r.resource === 'services' && !r.watch && r.query.limit !== '1').length;
  for (const rv of ['5', 'not-a-number']) {
    const before = fullLists();
    const bogus = { ...clusterIPService('default', 'web', '10.96.0.66'), metadata: { name: 'web', namespace: 'default', resourceVersion: rv } };
    api.writeToWatches(`${JSON.stringify({ type: 'MODIFIED', object: bogus })}\n`);
    await waitFor(`relisted after resourceVersion ${rv}`, () => fullLists() > before, 10_000);
    await waitFor('watching again', () => api.openWatches === 3, 10_000);
    t.same((await answer(live.port, 'web.default.svc.cluster.local')).addresses, ['10.96.0.10'], `the event at ${rv} was not applied`);
  }
  t.ok(live.logs.some((l) => /resourceVersion went back from \d+ to 5/.test(l.msg)));
  t.ok(live.logs.some((l) => /unparseable resourceVersion "not-a-number" after \d+/.test(l.msg)));
  t.ok(await live.metric('clusterdns_watch_restarts_total') >= 2, 'restarts counted');
  api.apply(clusterIPService('default', 'later', '10.96.0.12'));
  await waitFor('live after the relists', async () => (await answer(live.port, 'later.default.svc.cluster.local')).rcode === 'NOERROR', 10_000);
});
