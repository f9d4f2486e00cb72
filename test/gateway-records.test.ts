// `clusterdns records --external-zone ZONE` lists Gateway API route and listener hostnames with what a query for
// each answers; a route with no usable parent Gateway is left out.
import t from 'tap';
import { runCli } from './helpers/cli.js';
import { GATEWAY_FIXTURE, gatewayAddressOf, gatewayStatusOf } from './helpers/gateway.js';
import { manifest } from './helpers/ingress.js';

t.test('records lists route and listener hostnames', async (t) => {
  const r = await runCli(['records', '--fixtures', GATEWAY_FIXTURE, '--external-zone', 'gw.test']);
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => /\.gw\.test\.\s/.test(l)).map((l) => l.split(/\s+/));
  const owners = [...new Set(lines.map((l) => l[0]))];
  const routeHosts = ['HTTPRoute/shop', 'HTTPRoute/both', 'GRPCRoute/rpc', 'TLSRoute/tls', 'HTTPRoute/wild', 'HTTPRoute/exact']
    .flatMap((k) => manifest(k.split('/')[0]!, k.split('/')[1]!, GATEWAY_FIXTURE).spec.hostnames as string[]);
  const listenerHosts = (manifest('Gateway', 'public', GATEWAY_FIXTURE).spec.listeners as any[]).map((l) => l.hostname as string);
  const ingressOnly = ['legacy.gw.test'];
  // zone-file order: labels compared from the right, as the cluster's names are listed
  const zoneOrder = (h: string) => h.split('.').reverse().join('.');
  t.strictSame(owners, [...new Set([...routeHosts, ...listenerHosts, ...ingressOnly])].sort((a, b) => (zoneOrder(a) < zoneOrder(b) ? -1 : 1)).map((h) => `${h}.`), 'every served host, in zone-file order; the orphan route and the refused objects absent');
  const pub = gatewayAddressOf('infra', 'public');
  t.strictSame(lines.filter((l) => l[0] === 'www.shop.gw.test.').map((l) => l[4]), pub);
  t.strictSame(lines.filter((l) => l[0] === 'rpc.gw.test.').map((l) => l[4]), gatewayStatusOf(manifest('Gateway', 'internal', GATEWAY_FIXTURE)));
  t.strictSame(lines.filter((l) => l[0] === 'secure.gw.test.').map((l) => `${l[3]} ${l[4]}`), gatewayStatusOf(manifest('Gateway', 'aws', GATEWAY_FIXTURE)).map((h) => `CNAME ${h}.`));
});
