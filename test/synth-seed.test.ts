// The seed example of issue 3: a StatefulSet and its headless Service, nothing else.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { podOf, podsOf, serviceOf, slicesOf, synth } from './helpers/synth.js';
import { SEED } from './helpers/synth.js';


t.test('web-0..web-2 with hostname and subdomain, one slice holding all three', async (t) => {
  const r = synth(SEED);
  t.same(r.warnings, []);
  t.same(r.skipped, []);
  t.same(podsOf(r).map((p) => p.name), ['web-0', 'web-1', 'web-2']);
  for (const name of ['web-0', 'web-1', 'web-2']) {
    const p = podOf(r, name);
    t.equal(p.namespace, 'default');
    t.equal(p.hostname, name);
    t.equal(p.subdomain, 'web-headless');
    t.match(p.podIP, /^10\.244\.\d+\.\d+$/);
  }
  t.same(serviceOf(r, 'web-headless').clusterIPs, [], 'headless: no ClusterIP');
  const slices = slicesOf(r, 'web-headless');
  t.equal(slices.length, 1);
  t.equal(slices[0].addressType, 'IPv4');
  t.same(slices[0].ports, [{ name: '', protocol: 'TCP', port: 80 }]);
  t.same(slices[0].endpoints.map((e) => [e.hostname, e.addresses, e.ready, e.podName]),
    ['web-0', 'web-1', 'web-2'].map((n) => [n, [podOf(r, n).podIP], true, n]));
});

t.test('the shop example synthesises cleanly', async (t) => {
  const r = synth(readFileSync(new URL('../fixtures/shop.yaml', import.meta.url), 'utf8'));
  t.same(r.warnings, []);
  t.same(r.skipped.map((s) => s.kind).sort(), ['ConfigMap', 'Secret']); // an Ingress is a DNS object now (the ingress plugin)
  const db = slicesOf(r, 'postgres', 'shop');
  t.same(db.flatMap((s) => s.endpoints.map((e) => e.hostname)), ['postgres-0', 'postgres-1']);
  t.same(serviceOf(r, 'payments', 'shop').clusterIPs, [], 'ExternalName: no ClusterIP');
  t.same(slicesOf(r, 'payments', 'shop'), []);
  t.match(serviceOf(r, 'web', 'shop').clusterIPs, [/^10\.(9[6-9]|10\d|11[01])\./]);
  t.same(slicesOf(r, 'web', 'shop').flatMap((s) => s.ports), [{ name: 'http', protocol: 'TCP', port: 8080 }]);
  t.equal(slicesOf(r, 'web', 'shop')[0].endpoints.length, 3);
});
