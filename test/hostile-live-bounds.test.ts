// Live mode against a list that never ends and a list that never gets an answer: both are bounded (bytes, time),
// the process stays small and answering, /ready says why, retries back off, and it recovers when the API does.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { startCli, stopCli } from './helpers/cli.js';
import { answer, fakeApi, liveServer, sleep } from './hostile-live-helpers.js';
import { clusterIPService, waitFor } from './live-helpers.js';

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

t.test('a list body that never ends: given up at 16 MiB a page, RSS bounded, then recovers (CLI)', async (t) => {
  const { api, kubeconfig } = await fakeApi(t);
  api.impostor = 'endless-list';
  // Without the test runner's --import hooks (NODE_OPTIONS).
  const nodeOptions = process.env.NODE_OPTIONS;
  delete process.env.NODE_OPTIONS;
  const started = startCli(['--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--startup-timeout', '1'], 60_000);
  if (nodeOptions !== undefined) process.env.NODE_OPTIONS = nodeOptions;
  const srv = await started;
  t.teardown(() => stopCli(srv.proc));
  const admin = /admin http:\/\/(\S+)/.exec(srv.line)![1];
  const pid = srv.proc.pid!;
  const idle = rssMiB(pid);
  let peak = idle;
  const ready = await waitFor('the bound named on /ready', async () => {
    peak = Math.max(peak, rssMiB(pid));
    const r = await fetch(`http://${admin}/ready`);
    const body = await r.text();
    return /over 16 MiB/.test(body) ? { status: r.status, body } : undefined;
  }, 30_000, 100);
  t.equal(ready!.status, 503);
  t.match(ready!.body, /list failed: list answer over 16 MiB from http:\/\/127\.0\.0\.1:\d+\/api.*\(the limit of one page\)/, ready!.body);
  // Keep it streaming for a while: each retry reads up to the bound again, and nothing accumulates.
  const sample = async (ms: number) => {
    let max = 0;
    for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) max = Math.max(max, rssMiB(pid));
    return max;
  };
  const early = Math.max(peak, await sample(3000));
  const late = await sample(6000);
  t.ok(srv.proc.exitCode === null, 'the process lives');
  // The report: +1.1 GB in a minute. Three informers may each hold one page (16 MiB) at once; freed memory is not
  // all given back, but it is reused: the peak stops growing. What it settles at depends on the runtime: ~220 MiB run
  // by hand, ~380-410 MiB under the test runner on Node 20 and ~560-570 MiB on Node 24 (a larger young generation,
  // and Buffers freed only when V8 next collects). The bound stated for this case is 768 MiB, and flat.
  t.ok(late <= early + 48, `RSS not growing: peak ${early.toFixed(0)} MiB in the first seconds, ${late.toFixed(0)} MiB in the next 6 s`);
  t.ok(Math.max(early, late) < 768, `RSS peak ${Math.max(early, late).toFixed(0)} MiB (at start ${idle.toFixed(0)} MiB)`);
  t.equal((await answer(srv.port, 'web.default.svc.cluster.local')).rcode, 'SERVFAIL', 'never synced: SERVFAIL');
  const lists = api.requests.filter((r) => r.resource === 'services' && !r.watch);
  t.ok(lists.length >= 2 && lists.length <= 8, `${lists.length} list attempts for services in ~10 s: retried with backoff`);
  t.ok(lists.some((r) => Number(r.query.limit) < 500), `page size halved after an oversize page (${lists.map((r) => r.query.limit).join(',')})`);

  api.impostor = undefined;
  await waitFor('ready once the API behaves', async () => (await fetch(`http://${admin}/ready`)).status === 200, 40_000, 200);
  t.same((await answer(srv.port, 'web.default.svc.cluster.local')).addresses, ['10.96.0.10']);
  t.ok(rssMiB(pid) < 768, `RSS after recovery ${rssMiB(pid).toFixed(0)} MiB`);
});

t.test('a list that never gets an answer times out and is retried with backoff', async (t) => {
  const { api, kubeconfig } = await fakeApi(t);
  api.impostor = 'hang-list';
  // The default is 60 s, as kube-apiserver's own --request-timeout; a test cannot wait that long.
  const saved = process.env.CLUSTERDNS_API_LIMITS;
  process.env.CLUSTERDNS_API_LIMITS = 'requestTimeoutMs=1000';
  t.teardown(() => { if (saved === undefined) delete process.env.CLUSTERDNS_API_LIMITS; else process.env.CLUSTERDNS_API_LIMITS = saved; });
  const live = await liveServer(t, kubeconfig);
  const ready = (await waitFor('the timeout named on /ready', async () => {
    const r = await live.ready();
    return /no complete list answer within 1 s/.test(r.body) ? r : undefined;
  }, 10_000))!;
  t.equal(ready.status, 503);
  t.match(ready.body, /^kubernetes: \w+: list failed: no complete list answer within 1 s from http:\/\/127\.0\.0\.1:\d+\/api/);
  await sleep(7000);
  const times = api.requests.filter((r) => r.resource === 'services' && !r.watch).length;
  // Each attempt: 1 s of waiting, then 0.5, 1, 2, 4 s of backoff: about 4 attempts in 8 s, not a tight loop.
  t.ok(times >= 3 && times <= 6, `${times} list attempts for services in ~8 s`);
  t.ok(live.warnings(/no complete list answer/).length <= 3, 'logged once per informer');
  t.equal((await answer(live.port, 'web.default.svc.cluster.local')).rcode, 'SERVFAIL');

  api.impostor = undefined;
  await waitFor('synced once the API answers', () => live.source.synced, 30_000);
  t.same((await answer(live.port, 'web.default.svc.cluster.local')).addresses, ['10.96.0.10']);
  t.equal((await live.ready()).status, 200);
});

t.test('a watch that never gets an answer times out and is retried with backoff; the last state keeps answering', async (t) => {
  const { api, kubeconfig } = await fakeApi(t);
  const saved = process.env.CLUSTERDNS_API_LIMITS;
  process.env.CLUSTERDNS_API_LIMITS = 'requestTimeoutMs=1000';
  t.teardown(() => { if (saved === undefined) delete process.env.CLUSTERDNS_API_LIMITS; else process.env.CLUSTERDNS_API_LIMITS = saved; });
  const live = await liveServer(t, kubeconfig);
  t.equal(live.source.synced, true);
  api.impostor = 'hang-watch';
  api.cutWatches();
  await waitFor('the watch timeout reported', () => live.source.status.some((s) => /^watch failed: no answer to a watch within 1 s from http:/.test(s.lastError ?? '')), 10_000);
  await sleep(4000);
  const watches = api.requests.filter((r) => r.resource === 'services' && r.watch).length;
  t.ok(watches >= 2 && watches <= 6, `${watches} watch attempts for services in ~5 s`);
  t.same((await answer(live.port, 'web.default.svc.cluster.local')).addresses, ['10.96.0.10'], 'the last state answers');
  t.equal((await live.ready()).status, 200, 'still ready: stale, not missing');

  api.impostor = undefined;
  api.apply(clusterIPService('default', 'later', '10.96.0.12'));
  await waitFor('watching again', async () => (await answer(live.port, 'later.default.svc.cluster.local')).rcode === 'NOERROR', 30_000);
});
