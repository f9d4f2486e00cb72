// Live mode on clusters with none, some or older Gateway API CRDs, found by API discovery: start-up never fails for a
// missing CRD (logged once at info), only what is installed is listed and watched, in the most preferred version
// served; a 403 on one resource is a warning naming the RBAC rule while the rest serves; a CRD installed or removed
// while running is picked up at the next discovery (every CLUSTERDNS_CRD_RECHECK_MS, 300 ms here).
import t from 'tap';
import { until } from './helpers/until.js';
import { data, gateway, GW, ingress, liveSetup, route, ZONE } from './gateway-live-helpers.js';

process.env.CLUSTERDNS_CRD_RECHECK_MS = '300';

t.test('a cluster without the CRDs starts and serves Ingress names', async (t) => {
  const { api, srv, ask } = await liveSetup(t, { crds: {} }, ['--external-zone', ZONE], (a) => a.load([ingress('shop', `shop.${ZONE}`, '198.51.100.10')]));
  t.strictSame(data(await until(() => ask(`shop.${ZONE}`), (r) => data(r).length === 1, 10_000)), ['198.51.100.10'], 'the Ingress answers');
  // the Ingress may answer before discovery is through (the store fills as each list arrives)
  await until(async () => srv.stderr(), (e) => e.includes('no Gateway API or DNSEndpoint resource watched'), 10_000);
  t.match(srv.stderr(), /httproutes\.gateway\.networking\.k8s\.io is not installed \(no CRD\): not watched/, 'logged at info');
  t.match(srv.stderr(), /dnsendpoints\.externaldns\.k8s\.io is not installed/);
  t.match(srv.stderr(), /no Gateway API or DNSEndpoint resource watched/);
  const lines = srv.stderr().split('\n').filter((l) => l.includes('httproutes.gateway.networking.k8s.io is not installed'));
  await until(async () => api.requests.filter((r) => r.path === `/apis/${GW}`).length, (n) => n >= 3, 3000);
  t.equal(srv.stderr().split('\n').filter((l) => l.includes('httproutes.gateway.networking.k8s.io is not installed') && l.includes('"level":30')).length, lines.length, 'logged once, not at every discovery');
  t.strictSame(api.requests.filter((r) => r.path.includes('/routes') || r.path.endsWith('/gateways') || r.path.endsWith('routes')), [], 'no list or watch of an absent resource');
});

t.test('only Gateway and HTTPRoute v1beta1 (an older release): read in v1beta1, the rest not watched', async (t) => {
  const { api, srv, ask } = await liveSetup(t, { crds: { gateways: ['v1beta1'], httproutes: ['v1beta1'] } });
  api.apply(gateway('gw', { version: 'v1beta1', addresses: ['198.51.100.20'] }));
  api.apply(route('HTTPRoute', 'web', [`web.${ZONE}`], ['gw'], 'v1beta1'));
  t.strictSame(data(await until(() => ask(`web.${ZONE}`), (r) => data(r).length === 1, 10_000)), ['198.51.100.20']);
  await until(async () => srv.stderr(), (e) => e.includes('"subject":"watching"'), 5000);
  const paths = new Set(api.requests.filter((r) => r.resource === 'httproutes' || r.resource === 'gateways').map((r) => r.path));
  t.strictSame([...paths].sort(), [`/apis/${GW}/v1beta1/gateways`, `/apis/${GW}/v1beta1/httproutes`], 'listed and watched in v1beta1');
  t.match(srv.stderr(), /watching gateways\.gateway\.networking\.k8s\.io\/v1beta1, httproutes\.gateway\.networking\.k8s\.io\/v1beta1"/);
  t.match(srv.stderr(), /tlsroutes\.gateway\.networking\.k8s\.io is not installed/);
});

t.test('only HTTPRoute v1 (no Gateway CRD): starts; routes have no parent address to answer with', async (t) => {
  const { api, ask } = await liveSetup(t, { crds: { httproutes: ['v1'] } }, ['--external-zone', ZONE], (a) => a.load([ingress('i', `i.${ZONE}`, '198.51.100.11')]));
  api.apply(route('HTTPRoute', 'web', [`web.${ZONE}`], ['gw']));
  t.strictSame(data(await until(() => ask(`i.${ZONE}`), (r) => data(r).length === 1, 10_000)), ['198.51.100.11'], 'serving');
  await until(async () => api.requests.some((r) => r.resource === 'httproutes' && r.watch), (x) => x, 5000);
  t.ok(api.requests.some((r) => r.resource === 'httproutes' && r.watch), 'the route is watched');
  t.equal((await ask(`web.${ZONE}`)).rcode, 'NXDOMAIN', 'no Gateway: no address');
});

t.test('a 403 on one Gateway API resource: a warning naming the rule, the rest serves', async (t) => {
  const { srv, ask } = await liveSetup(t, {}, ['--external-zone', ZONE], (a) => {
    a.failResource('httproutes', 403);
    a.load([gateway('gw', { listeners: [`gw.${ZONE}`], addresses: ['198.51.100.21'] }), ingress('shop', `shop.${ZONE}`, '198.51.100.10')]);
  });
  t.strictSame(data(await until(() => ask(`gw.${ZONE}`), (r) => data(r).length === 1, 10_000)), ['198.51.100.21'], 'Gateway listener hostnames still served');
  t.strictSame(data(await ask(`shop.${ZONE}`)), ['198.51.100.10'], 'Ingresses still served');
  await until(async () => srv.stderr(), (e) => e.includes('the rest keeps serving'), 5000);
  const warn = srv.stderr().split('\n').find((l) => l.includes('"level":40') && l.includes('httproutes'));
  t.ok(warn, 'a warning');
  t.match(warn, /resources: \[\\"httproutes\\"\]/, 'the RBAC rule to add');
  t.match(warn, /apiGroups: \[\\"gateway\.networking\.k8s\.io\\"\]/);
  t.match(warn, /the rest keeps serving/);
});

t.test('a CRD installed while running is watched at the next discovery; one removed is dropped', async (t) => {
  const { api, srv, ask } = await liveSetup(t, { crds: {} });
  t.equal((await until(() => ask(`web.${ZONE}`), (r) => r.rcode === 'NXDOMAIN', 10_000)).rcode, 'NXDOMAIN');
  api.installCrd('gateways');
  api.installCrd('httproutes');
  api.apply(gateway('gw', { addresses: ['198.51.100.22'] }));
  api.apply(route('HTTPRoute', 'web', [`web.${ZONE}`], ['gw']));
  const started = performance.now();
  t.strictSame(data(await until(() => ask(`web.${ZONE}`), (r) => data(r).length === 1, 5000)), ['198.51.100.22'], 'answered once installed');
  t.ok(performance.now() - started < 5000, 'within seconds');
  api.removeCrd('httproutes');
  t.equal((await until(() => ask(`web.${ZONE}`), (r) => r.rcode === 'NXDOMAIN', 5000)).rcode, 'NXDOMAIN', 'the CRD removed: its names go');
  // whether the watch broke before or after it synced, the CRD's absence is logged
  t.match(srv.stderr(), /httproutes\.gateway\.networking\.k8s\.io(\/v1: its CRD is no longer installed; stopped watching it|: not found \(HTTP 404\))/);
  t.strictSame(data(await ask(`web2.${ZONE}`)), [], 'nothing else changed');
  t.match(srv.stderr(), /watching gateways\.gateway\.networking\.k8s\.io\/v1"/, 'the Gateways are still watched');
});

t.test('a Gateway API resource that keeps failing holds start-up 10 s at most; the rest then syncs', async (t) => {
  const { srv, ask } = await liveSetup(t, {}, ['--external-zone', ZONE], (a) => {
    a.failResource('tlsroutes', 500);
    a.load([ingress('shop', `shop.${ZONE}`, '198.51.100.10')]);
  });
  t.strictSame(data(await until(() => ask(`shop.${ZONE}`), (r) => data(r).length === 1, 10_000)), ['198.51.100.10'], 'serving');
  const started = performance.now();
  const r = await until(() => ask(`nothing.${ZONE}`), (x) => x.rcode === 'NXDOMAIN', 15_000);
  t.equal(r.rcode, 'NXDOMAIN', 'synced without it: "does not exist" is NXDOMAIN, not SERVFAIL');
  t.ok(performance.now() - started < 15_000);
  t.match(srv.stderr(), /tlsroutes\.gateway\.networking\.k8s\.io: not synced after 10 s \(.*HTTP 500.*\); serving without it until it syncs/);
});
