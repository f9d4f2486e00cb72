// Gateway API hostnames as a user asks for them: the real CLI with --external-zone on a fixture
// (test/fixtures/gateway/cluster.yaml), dig. Expected addresses come from the fixture and the library's synthesis.
import t from 'tap';
import { startCli, stopCli } from './helpers/cli.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { GATEWAY_FIXTURE, gatewayAddressOf, gatewayStatusOf } from './helpers/gateway.js';
import { manifest } from './helpers/ingress.js';

const rr = (name: string, type: string, data: string) => `${name}. 5 IN ${type} ${data}`;
const v4 = (l: string[]) => l.filter((a) => !a.includes(':'));
const v6 = (l: string[]) => l.filter((a) => a.includes(':'));
const m = (kind: string, name: string) => manifest(kind, name, GATEWAY_FIXTURE);

t.test('Gateway API hostnames under --external-zone', { skip: digMissing }, async (t) => {
  const srv = await startCli(['--fixtures', GATEWAY_FIXTURE, '--external-zone', 'gw.test', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const ask = (...a: string[]) => dig({ host: '127.0.0.1', port: srv.port }, a);
  const answer = async (name: string, type = 'A') => digSection(await ask(name, type), 'ANSWER');
  const pub = gatewayAddressOf('infra', 'public');
  const internal = gatewayStatusOf(m('Gateway', 'internal'));
  t.equal(pub.length, 1, 'the Gateway without status got a synthesised LB address');
  t.equal(gatewayStatusOf(m('Gateway', 'public')).length, 0, 'the fixture gives it none');

  await t.test('HTTPRoute hostnames: the parent Gateway in another namespace (parentRefs namespace)', async (t) => {
    for (const h of m('HTTPRoute', 'shop').spec.hostnames as string[]) t.strictSame(await answer(h), pub.map((ip) => rr(h, 'A', ip)), h);
  });
  await t.test('a route with two parents: each Gateway\'s addresses, parentRefs order, per family', async (t) => {
    t.strictSame(await answer('both.gw.test'), [...v4(internal), ...pub].map((ip) => rr('both.gw.test', 'A', ip)));
    t.strictSame(await answer('both.gw.test', 'AAAA'), v6(internal).map((ip) => rr('both.gw.test', 'AAAA', ip)));
  });
  await t.test('GRPCRoute: the parent namespace defaults to the route\'s; IPAddress status → A and AAAA', async (t) => {
    t.strictSame(await answer('rpc.gw.test'), v4(internal).map((ip) => rr('rpc.gw.test', 'A', ip)));
    t.strictSame(await answer('rpc.gw.test', 'AAAA'), v6(internal).map((ip) => rr('rpc.gw.test', 'AAAA', ip)));
  });
  await t.test('TLSRoute (v1alpha2) to a Gateway with a Hostname address: CNAME to it', async (t) => {
    const [target] = gatewayStatusOf(m('Gateway', 'aws'));
    t.strictSame(await answer('secure.gw.test', 'CNAME'), [rr('secure.gw.test', 'CNAME', `${target}.`)]);
    t.match((await answer('secure.gw.test'))[0], rr('secure.gw.test', 'CNAME', `${target}.`));
  });
  await t.test('TCPRoute has no hostnames: its Gateway\'s listener hostname answers, exact and wildcard', async (t) => {
    t.strictSame(await answer('db.gw.test'), pub.map((ip) => rr('db.gw.test', 'A', ip)));
    t.strictSame(await answer('anything.edge.gw.test'), pub.map((ip) => rr('anything.edge.gw.test', 'A', ip)));
  });
  await t.test('wildcard route hostname: one label; the exact route wins over it', async (t) => {
    t.strictSame(await answer('x.apps.gw.test'), v4(internal).map((ip) => rr('x.apps.gw.test', 'A', ip)));
    t.strictSame(await answer('special.apps.gw.test'), pub.map((ip) => rr('special.apps.gw.test', 'A', ip)));
    t.equal(digStatus(await ask('a.b.apps.gw.test', 'A')), 'NXDOMAIN', 'two labels below the wildcard');
    const ent = await ask('apps.gw.test', 'A');
    t.equal(digStatus(ent), 'NOERROR', 'hosts below it: an empty non-terminal');
    t.strictSame(digSection(ent, 'ANSWER'), []);
  });
  await t.test('an HTTPRoute and an Ingress naming the same host: the route wins; the Ingress keeps its other hosts', async (t) => {
    const ing = m('Ingress', 'shop-legacy').status.loadBalancer.ingress.map((e: any) => e.ip);
    t.strictSame(await answer('shop.gw.test'), pub.map((ip) => rr('shop.gw.test', 'A', ip)));
    t.strictSame(await answer('legacy.gw.test'), ing.map((ip: string) => rr('legacy.gw.test', 'A', ip)));
  });
  await t.test('a route whose parent Gateway does not exist: NXDOMAIN', async (t) => {
    t.equal(digStatus(await ask('orphan.gw.test', 'A')), 'NXDOMAIN');
  });
  await t.test('bad route and Gateway objects are named with the field to fix; the rest serve', async (t) => {
    t.match(srv.stderr(), /HTTPRoute shop\/\\?"broken\\?" is invalid: spec\.hostnames\[1\]/);
    t.match(srv.stderr(), /Gateway infra\/\\?"broken-gw\\?" is invalid: status\.addresses\[0\]\.value/);
    t.equal(digStatus(await ask('ok.gw.test', 'A')), 'NXDOMAIN', 'the bad route is skipped whole');
    t.equal(digStatus(await ask('brokengw.gw.test', 'A')), 'NXDOMAIN', 'the bad Gateway is skipped whole');
    t.equal(digStatus(await ask('rpc.gw.test', 'A')), 'NOERROR');
  });
});
