// Live mode against an API that answers 200 with something that is not the API server's JSON: an auth proxy's
// login page, JSON of another shape, a watch line that does not parse, a watch line that never ends. None of it may
// count as "synced with zero objects", lose the last good state, spin the watch, or flood the log.
import t from 'tap';
import { Prober } from '../bench/probe.js';
import { answer, base, fakeApi, liveServer, sleep } from './hostile-live-helpers.js';
import { clusterIPService, waitFor } from './live-helpers.js';

const WEB = 'web.default.svc.cluster.local';

t.test('an auth proxy\'s login page (200 text/html) is not a cluster with zero objects', async (t) => {
  const { api, kubeconfig } = await fakeApi(t);
  api.impostor = 'html';
  const live = await liveServer(t, kubeconfig);
  t.equal(live.source.synced, false, 'not synced');
  const ready = (await waitFor('a reason on /ready', async () => {
    const r = await live.ready();
    return /text\/html/.test(r.body) ? r : undefined;
  }))!;
  t.equal(ready.status, 503, '/ready 503');
  t.match(ready.body, /^kubernetes: \w+: list failed: text\/html \(not JSON\) from http:\/\/127\.0\.0\.1:\d+\/api(s\/discovery\.k8s\.io)?\/v1\/\w+/, `the reason says what came back and from where (${ready.body})`);
  for (const name of [WEB, 'nothing.default.svc.cluster.local']) {
    t.equal((await answer(live.port, name)).rcode, 'SERVFAIL', `${name}: SERVFAIL before the first sync, not NXDOMAIN`);
  }
  t.equal(live.warnings(/text\/html/).length <= 3, true, 'one line per informer, not one per retry');

  // The real API server answers again: synced, answers right, NXDOMAIN authoritative.
  api.impostor = undefined;
  await waitFor('synced', () => live.source.synced, 20_000);
  t.equal((await live.ready()).status, 200);
  t.same((await answer(live.port, WEB)).addresses, ['10.96.0.10']);
  const nx = await answer(live.port, 'nothing.default.svc.cluster.local');
  t.same([nx.rcode, nx.aa], ['NXDOMAIN', true], 'authoritative NXDOMAIN once really synced');
});

t.test('after a sync, a login page keeps the last good state answering', async (t) => {
  const { api, kubeconfig } = await fakeApi(t);
  const live = await liveServer(t, kubeconfig);
  t.equal(live.source.synced, true);
  const prober = new Prober(live.port, WEB);
  t.teardown(() => prober.stop());
  prober.start(1);
  const from = performance.now();
  api.impostor = 'html';
  api.cutWatches();
  await waitFor('the html answer is the error', () => live.source.status.some((s) => /text\/html/.test(s.lastError ?? '')), 10_000);
  await sleep(2000);
  const w = prober.worst(from, performance.now());
  t.ok(w.answered > 100 && w.maxGapMs < 1000, `answers kept coming (${w.answered} answers, longest gap ${w.maxGapMs.toFixed(1)} ms)`);
  t.ok(prober.replies.filter((r) => r.sentAt >= from).every((r) => r.rcode === 'NOERROR' && r.address === '10.96.0.10'), 'every answer the last good one');
  t.equal((await answer(live.port, 'api.default.svc.cluster.local')).addresses[0], '10.96.0.11', 'nothing deleted');
  t.equal((await live.ready()).status, 200, 'still ready: the state is stale, not missing');
  t.ok(await live.metric('clusterdns_watch_restarts_total') >= 3, 'restarts counted');

  // Back to the API server: a change made meanwhile arrives.
  api.impostor = undefined;
  api.apply(clusterIPService('default', 'later', '10.96.0.12'));
  await waitFor('change made meanwhile served', async () => (await answer(live.port, 'later.default.svc.cluster.local')).rcode === 'NOERROR', 40_000);
});

t.test('200 with JSON of the wrong shape: every restart backs off, one log line per cause', async (t) => {
  const { api, kubeconfig } = await fakeApi(t);
  api.impostor = 'wrong-json';
  const started = performance.now();
  const live = await liveServer(t, kubeconfig);
  await sleep(6000);
  const seconds = (performance.now() - started) / 1000;
  const restarts = live.restarts();
  // With 0.5 s doubling backoff, 6 s hold about 4 restarts per informer (the report: 4,633 in 15 s).
  t.ok(restarts >= 3 && restarts <= 3 * 6, `${restarts} restarts of 3 informers in ${seconds.toFixed(1)} s`);
  t.equal(await live.metric('clusterdns_watch_restarts_total'), restarts, 'counted in clusterdns_watch_restarts_total');
  const lines = live.warnings(/not a Kubernetes list/);
  t.ok(lines.length >= 1 && lines.length <= 3, `${lines.length} warning lines for ${restarts} restarts`);
  t.ok(live.logs.length < 200, `${live.logs.length} log lines in all`);
  const ready = await live.ready();
  t.equal(ready.status, 503);
  t.match(ready.body, /not a Kubernetes list \(kind undefined; got an object with keys status, user, redirect\) from http:/);
  t.equal((await answer(live.port, WEB)).rcode, 'SERVFAIL');

  api.impostor = undefined;
  await waitFor('synced once the API answers properly', () => live.source.synced, 30_000);
  t.same((await answer(live.port, WEB)).addresses, ['10.96.0.10']);
});

t.test('a watch line that is not JSON: the event is lost, so the informer relists; the process lives', async (t) => {
  const { api, kubeconfig } = await fakeApi(t);
  const live = await liveServer(t, kubeconfig);
  await waitFor('watches open', () => api.openWatches === 3);
  const lists = () => api.requests.filter((r) => r.resource === 'services' && !r.watch && r.query.limit !== '1').length;
  const before = lists();
  // The change is held back, the garbage goes out, the change is "lost" to the watch: only a relist can find it.
  api.freeze();
  api.apply(clusterIPService('default', 'missed', '10.96.0.13'));
  api.writeToWatches('<html>502 Bad Gateway</html>\n{"type":"ADDED","object":{"metadata":{"name":\n');
  api.compact();
  api.thaw();
  await waitFor('the missed service served after a relist', async () => (await answer(live.port, 'missed.default.svc.cluster.local')).rcode === 'NOERROR', 15_000);
  t.ok(lists() > before, 'relisted');
  t.ok(live.logs.some((l) => /unparseable watch line .*"<html>502 Bad Gateway<\/html>"/.test(l.msg)), 'the bad line is quoted in the log');
  t.same((await answer(live.port, WEB)).addresses, ['10.96.0.10'], 'the rest kept answering');
});

t.test('a watch line that never ends is cut at 16 MiB, then the informer relists', async (t) => {
  const { api, kubeconfig } = await fakeApi(t, base());
  const live = await liveServer(t, kubeconfig);
  await waitFor('watches open', () => api.openWatches === 3);
  const prober = new Prober(live.port, WEB);
  t.teardown(() => prober.stop());
  prober.start(1);
  const from = performance.now();
  await api.writeEndlessLine(40 * 1024 * 1024);
  await waitFor('the long line refused', () => live.logs.some((l) => /watch event over 16 MiB from http:/.test(l.msg)), 20_000);
  api.apply(clusterIPService('default', 'after', '10.96.0.14'));
  await waitFor('live again after the relist', async () => (await answer(live.port, 'after.default.svc.cluster.local')).rcode === 'NOERROR', 20_000);
  const w = prober.worst(from, performance.now());
  t.ok(w.maxGapMs < 1000, `longest gap in answers ${w.maxGapMs.toFixed(1)} ms`);
  t.ok(prober.replies.filter((r) => r.sentAt >= from).every((r) => r.address === '10.96.0.10'), 'the last good answer throughout');
});

t.test('a server that sends one event on every watch and hangs up is re-watched with backoff, not in a loop', async (t) => {
  const { api, kubeconfig } = await fakeApi(t);
  const s = await liveServer(t, kubeconfig);
  t.same((await answer(s.port, 'web.default.svc.cluster.local')).addresses, ['10.96.0.10'], 'synced');
  const watchesBefore = api.requests.filter((r) => r.watch).length;
  // Every 5 ms: an event to each open watch, then a clean end, so every watch lives for one event.
  let n = 0;
  const churn = setInterval(() => {
    api.apply(clusterIPService('default', `churn-${n++ % 3}`, `10.96.1.${n % 200}`));
    api.endWatches();
  }, 5);
  await sleep(3000);
  clearInterval(churn);
  const watches = api.requests.filter((r) => r.watch).length - watchesBefore;
  // Three informers; with backoff from 0.5 s doubling, about 3 x 3 watches fit in 3 s. Without it, hundreds.
  t.ok(watches <= 40, `${watches} watch requests in 3 s`);
  t.same((await answer(s.port, 'web.default.svc.cluster.local')).addresses, ['10.96.0.10'], 'the last state keeps answering');
});
