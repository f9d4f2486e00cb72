// The Gateway API in live mode: the real CLI (--external-zone) watching the fake API server with every Gateway API
// CRD installed. A Gateway and its routes created, the Gateway's status written by its controller (a merge PATCH),
// a route's hostnames changed, objects deleted: the answers follow within seconds. An invalid object from the API
// server is skipped with a log naming the field while the last good state keeps answering.
import t from 'tap';
import { until } from './helpers/until.js';
import { data, gateway, GW, ingress, liveSetup, patch, route, ZONE } from './gateway-live-helpers.js';

t.test('a Gateway and its routes: created, status written, changed, deleted', async (t) => {
  const { api, ask } = await liveSetup(t);
  const host = `shop.${ZONE}`;
  t.equal((await until(() => ask(host), (r) => r.rcode === 'NXDOMAIN', 10_000)).rcode, 'NXDOMAIN', 'nothing yet');

  // created, no status yet: a route without an address is no answer (as in k8s_gateway), but the Gateway's
  // listener below it makes its parent an empty non-terminal
  api.apply(gateway('gw', { listeners: [`x.${host}`] }));
  api.apply(route('HTTPRoute', 'web', [host], ['gw']));
  const r0 = await until(() => ask(host), (r) => r.rcode === 'NOERROR', 5000);
  t.equal(r0.rcode, 'NOERROR', 'a name with hosts below it: NODATA');
  t.strictSame(data(r0), []);
  t.equal(r0.authorities?.[0]?.type, 'SOA');

  // the controller publishes the Gateway's addresses
  const addrs = ['198.51.100.30', '198.51.100.31'];
  const started = performance.now();
  t.equal(await patch(api, `/apis/${GW}/v1/namespaces/shop/gateways/gw`, { status: { addresses: addrs.map((value) => ({ type: 'IPAddress', value })) } }), 200);
  const r1 = await until(() => ask(host), (r) => data(r).length === addrs.length, 5000);
  t.strictSame(data(r1), addrs, 'the route answers with its parent Gateway\'s status.addresses');
  t.ok(performance.now() - started < 5000, 'within seconds');

  // every route kind with hostnames, through its own watch (TLSRoute in v1alpha2)
  api.apply(route('GRPCRoute', 'grpc', [`grpc.${ZONE}`], ['gw']));
  api.apply(route('TLSRoute', 'tls', [`tls.${ZONE}`], ['gw'], 'v1alpha2'));
  for (const name of [`grpc.${ZONE}`, `tls.${ZONE}`]) {
    t.strictSame(data(await until(() => ask(name), (r) => data(r).length === 2, 5000)), addrs, `${name}`);
  }

  // a Gateway listener hostname answers for TCP/UDP routes (no hostnames of their own)
  api.apply(gateway('l4', { listeners: [`db.${ZONE}`], addresses: ['198.51.100.40'] }));
  api.apply(route('TCPRoute', 'db', [], ['l4'], 'v1alpha2'));
  t.strictSame(data(await until(() => ask(`db.${ZONE}`), (r) => data(r).length === 1, 5000)), ['198.51.100.40'], 'listener hostname');

  // hostnames changed: the new one answers, the old one is gone
  api.apply(route('HTTPRoute', 'web', [`api.${ZONE}`], ['gw']));
  t.strictSame(data(await until(() => ask(`api.${ZONE}`), (r) => data(r).length === 2, 5000)), addrs, 'the new hostname');
  const old = await until(() => ask(host), (r) => data(r).length === 0, 5000);
  t.strictSame([old.rcode, data(old)], ['NOERROR', []], 'the old hostname no longer answers (NODATA: the listener below it)');
  t.equal((await ask(`y.${ZONE}`)).rcode, 'NXDOMAIN', 'a name nothing claims: NXDOMAIN');

  // a route beats an Ingress naming the same host (k8s_gateway's order)
  api.apply(ingress('same', `api.${ZONE}`, '203.0.113.1'));
  await until(() => ask(`other.${ZONE}`), () => false, 300);
  t.strictSame(data(await ask(`api.${ZONE}`)), addrs, 'the route wins over the Ingress');

  // deleted: the Ingress now answers alone; the Gateway deleted leaves the route without an address
  api.delete('HTTPRoute', 'shop', 'web');
  t.strictSame(data(await until(() => ask(`api.${ZONE}`), (r) => data(r)[0] === '203.0.113.1', 5000)), ['203.0.113.1'], 'route deleted: the Ingress answers');
  api.delete('Gateway', 'shop', 'gw');
  const r5 = await until(() => ask(`grpc.${ZONE}`), (r) => data(r).length === 0, 5000);
  t.equal(r5.rcode, 'NXDOMAIN', 'the route remains, its Gateway gone: no address, no answer');
});

t.test('an invalid object from the API server is skipped naming the field; the last good state answers', async (t) => {
  const { api, srv, ask } = await liveSetup(t);
  api.apply(gateway('gw', { addresses: ['198.51.100.30'] }));
  api.apply(route('HTTPRoute', 'good', [`good.${ZONE}`], ['gw']));
  t.strictSame(data(await until(() => ask(`good.${ZONE}`), (r) => data(r).length === 1, 10_000)), ['198.51.100.30']);
  // a server without validation lets through what the CRD schema would refuse
  api.apply(route('HTTPRoute', 'good', ['bad_host!.dev.test'], ['gw']));
  api.apply(route('HTTPRoute', 'many', Array.from({ length: 17 }, (_, i) => `h${i}.${ZONE}`), ['gw']));
  api.apply(route('HTTPRoute', 'after', [`after.${ZONE}`], ['gw']));
  await until(() => ask(`after.${ZONE}`), (r) => data(r).length === 1, 5000);
  await until(async () => srv.stderr(), (e) => e.includes('spec.hostnames: Invalid value'), 10_000);
  t.match(srv.stderr(), /HTTPRoute shop\/\\"good\\" is invalid: spec\.hostnames\[0\]/, 'the bad hostname is named');
  t.match(srv.stderr(), /HTTPRoute shop\/\\"many\\" is invalid: spec\.hostnames: .*at most 16/, 'the bound is named');
  t.not((await ask('bad_host!.dev.test')).rcode, 'NOERROR', 'the invalid host is not served');
  t.equal((await ask(`h0.${ZONE}`)).rcode, 'NXDOMAIN', 'the over-long route is not served');
  t.equal((await ask(`good.${ZONE}`)).rcode, 'NXDOMAIN', 'the route that turned invalid left with its old hostname');
  t.strictSame(data(await ask(`after.${ZONE}`)), ['198.51.100.30'], 'the rest keeps answering');
});
