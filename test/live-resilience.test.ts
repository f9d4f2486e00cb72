// The live source never goes quietly stale: cut watches, expired resourceVersions, clean server-side ends, stalls
// and an API server that goes away and comes back.
import t from 'tap';
import { clusterIPService, endpointSlice, liveFixture, ns, waitFor } from './live-helpers.js';

const base = () => [ns('default'), clusterIPService('default', 'web', '10.96.0.10'), endpointSlice('default', 'web', 'web-1', ['10.244.0.1'])];

t.test('a watch cut mid-stream is restarted and later events arrive', async (t) => {
  const f = await liveFixture({ initial: base() });
  t.teardown(() => f.close());
  await f.source.start();
  await waitFor('watches open', () => f.server.openWatches === 3);
  f.server.cutWatches();
  // The change is made while no watch is open: the restarted watch must catch up from its resourceVersion.
  f.server.apply(clusterIPService('default', 'api', '10.96.0.11'));
  await waitFor('service created after the cut', () => f.store.service('default', 'api'));
  await waitFor('watches open again', () => f.server.openWatches === 3);
  t.ok(f.restarts.some((r) => r.resource === 'services' && /watch failed/.test(r.cause)), 'restart counted with its cause');
  const warned = f.logger.lines.filter((l) => l.level === 'warn' && (l.obj as any).resource === 'services');
  t.ok(warned.length >= 1, 'restart logged');
  t.match(warned[0].msg, /^services: watch failed: .*(premature close|ECONNRESET|aborted|socket).*; restart #1 in \d+ ms$/i);
  t.ok(f.source.status.every((s) => s.restarts >= 1), 'each informer counts its restart');
  // No relist: the cut watch resumes from its resourceVersion, once a one-object list (limit=1) has shown the
  // server's resourceVersion did not go back.
  const lists = f.server.requests.filter((r) => r.resource === 'services' && !r.watch);
  t.equal(lists.filter((r) => r.query.limit !== '1').length, 1, 'services listed once');
  t.ok(lists.some((r) => r.query.limit === '1'), 'the server\'s resourceVersion probed after the lost connection');
});

for (const expiredAs of ['event', 'http'] as const) {
  t.test(`410 Gone (${expiredAs}) leads to a relist that brings the store up to date`, async (t) => {
    const f = await liveFixture({ initial: [...base(), clusterIPService('default', 'old', '10.96.0.12')], server: { expiredAs } });
    t.teardown(() => f.close());
    await f.source.start();
    await waitFor('watches open', () => f.server.openWatches === 3);
    // Changes the watches never see: history is compacted before they are delivered.
    f.server.freeze();
    f.server.apply(clusterIPService('default', 'new', '10.96.0.13'));
    f.server.delete('Service', 'default', 'old');
    f.server.apply(endpointSlice('default', 'web', 'web-1', ['10.244.0.1', '10.244.0.2']));
    f.server.expire();
    f.server.thaw();
    await waitFor('relisted state', () => f.store.service('default', 'new') && !f.store.service('default', 'old')
      && f.store.readyEndpoints('default', 'web')[0]?.endpoints.length === 2);
    t.equal(f.server.requests.filter((r) => r.resource === 'services' && !r.watch).length, 2, 'services listed again');
    t.ok(f.restarts.some((r) => r.resource === 'services' && r.cause.includes('410 Gone')), '410 restart counted');
    t.ok(f.logger.lines.some((l) => /^services: resourceVersion expired .*; restart #\d+$/.test(l.msg)), '410 logged');
    // and the relisted informer is watching again
    f.server.apply(clusterIPService('default', 'later', '10.96.0.14'));
    await waitFor('event after relist', () => f.store.service('default', 'later'));
  });
}

t.test('clean server-side ends (timeoutSeconds) re-watch without relisting', async (t) => {
  const f = await liveFixture({ initial: base(), watchTimeoutSeconds: 1 });
  t.teardown(() => f.close());
  await f.source.start();
  await waitFor('watches open', () => f.server.openWatches === 3);
  const timeouts = f.server.requests.filter((r) => r.watch).map((r) => Number(r.query.timeoutSeconds));
  t.ok(timeouts.every((s) => s >= 1 && s <= 2), `asked for a server-side timeout of 1-2 s (${timeouts.join(',')})`);
  await waitFor('a watch timed out and was reopened', () =>
    f.server.requests.filter((r) => r.resource === 'services' && r.watch).length >= 2, 10_000);
  t.ok(f.restarts.some((r) => /watch closed by the server/.test(r.cause)));
  f.server.apply(clusterIPService('default', 'api', '10.96.0.11'));
  await waitFor('event after re-watch', () => f.store.service('default', 'api'));
  t.equal(f.server.requests.filter((r) => r.resource === 'services' && !r.watch).length, 1, 'no relist');
});

t.test('a watch that outlives its timeout (half-open connection) is restarted', async (t) => {
  const f = await liveFixture({ initial: base(), watchTimeoutSeconds: 1 });
  t.teardown(() => f.close());
  // The server ignores timeoutSeconds: nothing ever ends the watch from its side.
  const origWatchCount = () => f.server.requests.filter((r) => r.resource === 'namespaces' && r.watch).length;
  f.server.ignoreWatchTimeouts = true;
  await f.source.start();
  await waitFor('stalled watch replaced', () => origWatchCount() >= 2, 15_000);
  t.ok(f.restarts.some((r) => r.resource === 'namespaces' && /still open .* after its \d+s timeout/.test(r.cause)), 'stall is the cause');
});

t.test('API server down for a while: last state is kept, then updated when it is back', async (t) => {
  const f = await liveFixture({ initial: base() });
  t.teardown(() => f.close());
  await f.source.start();
  await waitFor('watches open', () => f.server.openWatches === 3);
  await f.server.goDown();
  await waitFor('restarts while down', () => f.restarts.filter((r) => r.resource === 'services').length >= 3);
  t.ok(f.restarts.some((r) => /^watch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/.test(r.cause)), 'connection refused is the cause');
  t.ok(f.store.service('default', 'web'), 'last known service still served');
  t.equal(f.store.readyEndpoints('default', 'web').length, 1, 'last known endpoints still served');
  t.equal(f.store.synced, true, 'still synced: the data is stale, not missing');
  t.match(f.source.status.find((s) => s.resource === 'services')?.lastError ?? '', /ECONNREFUSED/);
  // Back up, with changes made meanwhile and history compacted, as after an apiserver restart.
  await f.server.comeUp();
  f.server.apply(clusterIPService('default', 'api', '10.96.0.11'));
  f.server.delete('Service', 'default', 'web');
  f.server.expire();
  await waitFor('store updated after the API came back', () => f.store.service('default', 'api') && !f.store.service('default', 'web'), 10_000);
  await waitFor('watches open again', () => f.server.openWatches === 3);
  await waitFor('status clean', () => f.source.status.every((s) => s.lastError === undefined));
  f.server.apply(clusterIPService('default', 'late', '10.96.0.15'));
  await waitFor('live events again', () => f.store.service('default', 'late'));
});

t.test('stop() closes the watches and stops restarting', async (t) => {
  const f = await liveFixture({ initial: base() });
  t.teardown(() => f.close());
  await f.source.start();
  await waitFor('watches open', () => f.server.openWatches === 3);
  await f.source.stop();
  await waitFor('watches closed', () => f.server.openWatches === 0);
  const n = f.server.requests.length;
  f.server.apply(clusterIPService('default', 'api', '10.96.0.11'));
  await new Promise((r) => setTimeout(r, 300));
  t.equal(f.server.requests.length, n, 'no requests after stop');
  t.notOk(f.store.service('default', 'api'));
  t.same(f.errors, [], 'no spurious errors from aborting the watches');
});

t.test('stop() while the first list is in flight starts no watch and keeps the store untouched', async (t) => {
  const f = await liveFixture({ initial: base() });
  t.teardown(() => f.close());
  f.server.listDelayMs = 200;
  const started = f.source.start();
  started.catch(() => undefined);
  await waitFor('lists requested', () => f.server.requests.filter((r) => !r.watch).length === 3);
  await f.source.stop();
  await t.rejects(started, /stopped before the first sync/);
  await waitFor('lists answered', () => f.server.listsServed === 3);
  // The answered lists reach ListWatch after this point; give them a moment to (not) start watches.
  await new Promise((r) => setTimeout(r, 100));
  t.equal(f.server.requests.filter((r) => r.watch).length, 0, 'no watch requests');
  t.equal(f.store.counts().Service, 0, 'nothing stored after stop');
  t.equal(f.store.synced, false);
});

t.test('a relist that fails (HTTP 500) is retried with backoff until it succeeds', async (t) => {
  const f = await liveFixture({ initial: base() });
  t.teardown(() => f.close());
  await f.source.start();
  await waitFor('watches open', () => f.server.openWatches === 3);
  f.server.failResource('services', 500, ['list']);
  f.server.apply(clusterIPService('default', 'missed', '10.96.0.20'));
  f.server.freeze();
  f.server.apply(clusterIPService('default', 'during', '10.96.0.21'));
  f.server.expire();
  f.server.thaw();
  await waitFor('relist failures', () => f.restarts.filter((r) => r.resource === 'services' && /^list failed: HTTP 500/.test(r.cause)).length >= 2);
  t.ok(f.store.service('default', 'web'), 'last state kept while the relist fails');
  t.match(f.source.status.find((s) => s.resource === 'services')?.lastError, /^list failed: HTTP 500: injected failure 500$/);
  f.server.failResource('services', 0);
  await waitFor('relisted', () => f.store.service('default', 'during'), 10_000);
  t.ok(f.store.service('default', 'missed'));
});

t.test('bookmarks keep a quiet watch\'s resourceVersion fresh, so a re-watch after compaction needs no relist', async (t) => {
  const f = await liveFixture({ initial: base(), server: { bookmarkIntervalMs: 50 } });
  t.teardown(() => f.close());
  await f.source.start();
  await waitFor('watches open', () => f.server.openWatches === 3);
  // Other resources move the cluster's resourceVersion on; the services watch sees only bookmarks.
  for (let i = 0; i < 5; i++) f.server.apply(endpointSlice('default', 'web', 'web-1', [`10.244.0.${i + 1}`]));
  const rvNow = f.server.resourceVersion;
  await waitFor('the slices reached the store', () => f.store.readyEndpoints('default', 'web')[0]?.endpoints[0]?.addresses[0] === '10.244.0.5');
  await new Promise((r) => setTimeout(r, 150)); // a few bookmark intervals
  // History compacted, then every watch ends (as on an apiserver restart): only a current resourceVersion re-watches.
  f.server.compact();
  f.server.endWatches();
  await waitFor('services re-watched', () => f.server.requests.filter((r) => r.resource === 'services' && r.watch).length >= 2);
  const rewatch = f.server.requests.filter((r) => r.resource === 'services' && r.watch)[1];
  t.equal(rewatch.query.resourceVersion, rvNow, 're-watch from the bookmarked resourceVersion');
  t.equal(f.server.requests.filter((r) => r.resource === 'services' && !r.watch).length, 1, 'no relist of services');
});
