// A CRD deleted while its resource is watched: the watch ends and the relist is a 404. Its names must go then, not at
// the next API discovery (a minute later by default; set to ten minutes here so only the 404 can explain the drop).
import t from 'tap';
import { until } from './helpers/until.js';
import { data, gateway, liveSetup, route, ZONE } from './gateway-live-helpers.js';

process.env.CLUSTERDNS_CRD_RECHECK_MS = '600000';

t.test('a watched CRD removed: its names go at once, the rest stays', async (t) => {
  const { api, srv, ask } = await liveSetup(t, { crds: { gateways: ['v1'], httproutes: ['v1'] } });
  api.apply(gateway('gw', { listeners: [`gw.${ZONE}`], addresses: ['198.51.100.30'] }));
  api.apply(route('HTTPRoute', 'web', [`web.${ZONE}`], ['gw']));
  t.strictSame(data(await until(() => ask(`web.${ZONE}`), (r) => data(r).length === 1, 10_000)), ['198.51.100.30'], 'the route answers');
  const removed = performance.now();
  api.removeCrd('httproutes');
  const after = await until(() => ask(`web.${ZONE}`), (r) => r.rcode === 'NXDOMAIN', 10_000);
  t.equal(after.rcode, 'NXDOMAIN', `the route's name is gone ${(performance.now() - removed).toFixed(0)} ms after its CRD`);
  t.ok(performance.now() - removed < 10_000, 'well before the next discovery');
  // the log line may reach us just after the answer changed
  await until(async () => srv.stderr(), (e) => e.includes('its CRD is no longer installed'), 5000);
  t.match(srv.stderr(), /httproutes\.gateway\.networking\.k8s\.io\/v1: its CRD is no longer installed \(HTTP 404\); stopped watching it/);
  t.strictSame(data(await ask(`gw.${ZONE}`)), ['198.51.100.30'], 'the Gateway listener host still answers');
});
