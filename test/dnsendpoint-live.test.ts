// DNSEndpoints in live mode: the real CLI watching the fake API server. One created, changed and deleted changes the
// answers within seconds; an invalid one from the API server is skipped naming the field while the last good state
// answers. Then, as a user drives it: kubectl apply of a Gateway, an HTTPRoute and a DNSEndpoint through the fake
// API server's CLI (which publishes a Gateway address as its controller would), clusterdns answering them, kubectl
// delete removing them.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dig, digMissing, digSection } from './helpers/dig.js';
import { kubectl, kubectlMissing, startClusterDns, startFakeApiCli } from './helpers/fakeapi.js';
import { until } from './helpers/until.js';
import { data, liveSetup, ZONE } from './gateway-live-helpers.js';

const dnsEndpoint = (name: string, endpoints: object[]) => ({
  apiVersion: 'externaldns.k8s.io/v1alpha1', kind: 'DNSEndpoint', metadata: { name, namespace: 'shop' }, spec: { endpoints },
});

t.test('a DNSEndpoint created, changed, deleted: the answers follow', async (t) => {
  const { api, ask } = await liveSetup(t);
  const name = `app.${ZONE}`;
  t.equal((await until(() => ask(name), (r) => r.rcode === 'NXDOMAIN', 10_000)).rcode, 'NXDOMAIN');
  const v1 = [
    { dnsName: name, recordType: 'A', targets: ['198.51.100.70'], recordTTL: 60 },
    { dnsName: name, recordType: 'TXT', targets: ['hello'] },
    { dnsName: `_http._tcp.${ZONE}`, recordType: 'SRV', targets: ['1 2 8080 app.dev.test'] },
    { dnsName: name, recordType: 'MX', targets: ['5 mx.example.com'] },
  ];
  const started = performance.now();
  api.apply(dnsEndpoint('rec', v1));
  const a = await until(() => ask(name), (r) => data(r).length === 1, 5000);
  t.strictSame(data(a), ['198.51.100.70']);
  t.equal(a.answers?.[0]?.ttl, 60, 'recordTTL');
  t.ok(performance.now() - started < 5000, 'within seconds');
  t.strictSame((await ask(name, 'TXT')).answers?.map((x) => x.data.map(String)), [['hello']]);
  t.strictSame((await ask(`_http._tcp.${ZONE}`, 'SRV')).answers?.map((x) => x.data), [{ priority: 1, weight: 2, port: 8080, target: 'app.dev.test' }]);
  t.strictSame((await ask(name, 'MX')).answers?.map((x) => x.data), [{ preference: 5, exchange: 'mx.example.com' }]);

  api.apply(dnsEndpoint('rec', [{ dnsName: name, recordType: 'A', targets: ['198.51.100.71', '198.51.100.72'] }]));
  t.strictSame(data(await until(() => ask(name), (r) => data(r).length === 2, 5000)), ['198.51.100.71', '198.51.100.72'], 'targets changed');
  t.equal((await ask(name, 'TXT')).answers?.length ?? 0, 0, 'the TXT endpoint removed');
  t.equal((await ask(`_http._tcp.${ZONE}`, 'SRV')).rcode, 'NXDOMAIN', 'the SRV name removed');

  // bad: the whole object skipped, naming the field; the last good version keeps answering
  api.apply(dnsEndpoint('rec', [{ dnsName: name, recordType: 'A', targets: ['not-an-ip'] }]));
  api.apply(dnsEndpoint('marker', [{ dnsName: `marker.${ZONE}`, recordType: 'A', targets: ['198.51.100.99'] }]));
  await until(() => ask(`marker.${ZONE}`), (r) => data(r).length === 1, 5000);
  const r = await ask(name);
  t.equal(r.rcode, 'NXDOMAIN', 'the object that turned invalid left the store (as Ingresses and routes do)');

  api.delete('DNSEndpoint', 'shop', 'marker');
  t.equal((await until(() => ask(`marker.${ZONE}`), (x) => x.rcode === 'NXDOMAIN', 5000)).rcode, 'NXDOMAIN', 'deleted');
});

t.test('an invalid DNSEndpoint is logged naming the field; its neighbours answer', async (t) => {
  const { api, srv, ask } = await liveSetup(t);
  api.apply(dnsEndpoint('bad', [{ dnsName: `ok.${ZONE}`, recordType: 'A', targets: ['198.51.100.1'] }, { dnsName: `x.${ZONE}`, recordType: 'SRV', targets: ['80 x.dev.test'] }]));
  api.apply(dnsEndpoint('huge', [{ dnsName: `h.${ZONE}`, recordType: 'A', targets: Array.from({ length: 65 }, (_, i) => `10.0.0.${i}`) }]));
  api.apply(dnsEndpoint('good', [{ dnsName: `good.${ZONE}`, recordType: 'A', targets: ['198.51.100.2'] }]));
  t.strictSame(data(await until(() => ask(`good.${ZONE}`), (r) => data(r).length === 1, 10_000)), ['198.51.100.2']);
  await until(async () => srv.stderr(), (e) => e.includes('"huge"'), 10_000);
  t.match(srv.stderr(), /DNSEndpoint shop\/\\"bad\\" is invalid: spec\.endpoints\[1\]\.targets\[0\]: .*SRV target must be/);
  t.match(srv.stderr(), /DNSEndpoint shop\/\\"huge\\" is invalid: spec\.endpoints\[0\]\.targets: .*at most 64 items/);
  t.equal((await ask(`ok.${ZONE}`)).rcode, 'NXDOMAIN');
  t.equal((await ask(`h.${ZONE}`)).rcode, 'NXDOMAIN');
});

const manifests = (ip: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: shop}
spec:
  gatewayClassName: eg
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: gw}]
  hostnames: [web.${ZONE}]
---
apiVersion: externaldns.k8s.io/v1alpha1
kind: DNSEndpoint
metadata: {name: rec, namespace: shop}
spec:
  endpoints:
  - {dnsName: txt.${ZONE}, recordType: TXT, targets: ["v=${ip}"]}
  - {dnsName: a.${ZONE}, recordType: A, targets: ["${ip}"]}
`;

t.test('kubectl apply / get / delete of Gateway API objects and DNSEndpoints through the fake API server', { skip: kubectlMissing || digMissing }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dnsendpoint-kubectl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n');
  const api = await startFakeApiCli(t, ['--fixtures', join(dir, 'ns.yaml'), '--crds']);
  const dns = await startClusterDns(t, ['--source', 'kubernetes', '--kubeconfig', api.kubeconfig, '--external-zone', ZONE]);
  const ask = async (name: string, type = 'A') => digSection(await dig({ host: '127.0.0.1', port: dns.dns.port }, [name, type]), 'ANSWER').map((l) => l.split(' ').slice(3).join(' '));

  writeFileSync(join(dir, 'app.yaml'), manifests('198.51.100.80'));
  const applied = await kubectl(api, ['apply', '-f', join(dir, 'app.yaml')]);
  t.equal(applied.code, 0, applied.stderr);
  t.match(applied.stdout, /httproute\.gateway\.networking\.k8s\.io\/web created/);
  t.match(applied.stdout, /dnsendpoint\.externaldns\.k8s\.io\/rec created/);
  t.strictSame(await until(() => ask(`a.${ZONE}`), (x) => x.length === 1, 10_000), ['A 198.51.100.80'], 'the DNSEndpoint');
  t.strictSame(await ask(`txt.${ZONE}`, 'TXT'), ['TXT "v=198.51.100.80"']);
  // the fake cluster plays the load-balancer controller, as fixture mode does: the Gateway's status gets an address
  const gw = await (await fetch(`${api.url}/apis/gateway.networking.k8s.io/v1/namespaces/shop/gateways/gw`, { signal: AbortSignal.timeout(5000) })).json() as any;
  const published = (gw.status?.addresses ?? []).map((a: any) => `A ${a.value}`);
  t.equal(published.length, 1, 'the Gateway was given an address');
  t.strictSame(await until(() => ask(`web.${ZONE}`), (x) => x.length === 1, 5000), published, 'the route answers with its Gateway\'s address');

  // changed: kubectl apply again (a merge patch for a CRD kind)
  writeFileSync(join(dir, 'app.yaml'), manifests('198.51.100.81'));
  const again = await kubectl(api, ['apply', '-f', join(dir, 'app.yaml')]);
  t.equal(again.code, 0, again.stderr);
  t.strictSame(await until(() => ask(`a.${ZONE}`), (x) => x[0] === 'A 198.51.100.81', 5000), ['A 198.51.100.81'], 'changed');

  const got = await kubectl(api, ['get', 'httproutes,dnsendpoints', '-n', 'shop', '-o', 'name']);
  t.equal(got.code, 0, got.stderr);
  t.strictSame(got.stdout.trim().split('\n').sort(), ['dnsendpoint.externaldns.k8s.io/rec', 'httproute.gateway.networking.k8s.io/web']);

  const del = await kubectl(api, ['delete', 'dnsendpoint', 'rec', '-n', 'shop']);
  t.equal(del.code, 0, del.stderr);
  t.strictSame(await until(() => ask(`a.${ZONE}`), (x) => x.length === 0, 5000), [], 'deleted');
});
