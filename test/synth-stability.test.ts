import t from 'tap';
import { allIPs, ipMap, manifestsOf, synth } from './helpers/synth.js';
import { defaultConfig } from '../lib/config.js';
import { synthesizeCluster } from '../lib/synth/index.js';
import type { ClusterObject } from '../lib/cluster/model.js';

const app = (name: string, ns: string, replicas: number, dual = false) => `
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${ns} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${name} } }
  template: { metadata: { labels: { app: ${name} } }, spec: { containers: [ { name: c, image: x, ports: [ { name: http, containerPort: 8080 } ] } ] } }
---
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: ${ns} }
spec: { ${dual ? 'ipFamilyPolicy: PreferDualStack, ' : ''}selector: { app: ${name} }, ports: [ { name: http, port: 80, targetPort: http } ] }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: ${name}-db, namespace: ${ns} }
spec:
  replicas: 2
  serviceName: ${name}-db
  selector: { matchLabels: { app: ${name}-db } }
  template: { metadata: { labels: { app: ${name}-db } }, spec: { containers: [ { name: c, image: x } ] } }
---
apiVersion: v1
kind: Service
metadata: { name: ${name}-db, namespace: ${ns} }
spec: { clusterIP: None, selector: { app: ${name}-db }, ports: [ { port: 5432 } ] }
`;

const base = ['cart', 'search', 'billing', 'auth', 'catalog'].map((n, i) => app(n, i % 2 ? 'shop' : 'default', 3, i === 2)).join('');
const opts = { ...defaultConfig().synthesis, namespace: 'default' };
const sortedObjects = (objs: ClusterObject[]) =>
  [...objs].sort((a, b) => (JSON.stringify([a.kind, a.name, (a as { namespace?: string }).namespace]) < JSON.stringify([b.kind, b.name, (b as { namespace?: string }).namespace]) ? -1 : 1));

t.test('the same manifests give the same objects every time', async (t) => {
  t.same(synth(base), synth(base));
});

t.test('reordering manifests changes no IP, name or slice', async (t) => {
  const docs = manifestsOf(base);
  const a = synthesizeCluster(docs, opts);
  // A fixed shuffle: reverse, then interleave halves.
  const rev = [...docs].reverse();
  const shuffled = rev.filter((_, i) => i % 2).concat(rev.filter((_, i) => !(i % 2)));
  const b = synthesizeCluster(shuffled, opts);
  t.same(ipMap(b), ipMap(a));
  t.same(sortedObjects(b.objects), sortedObjects(a.objects));
});

t.test('adding or removing unrelated objects moves no other IP', async (t) => {
  const before = ipMap(synth(base));
  const added = ipMap(synth(base + app('extra', 'default', 5, true) + app('more', 'other', 2)));
  for (const [k, ips] of before) t.equal(added.get(k), ips, `${k} unchanged after adding`);
  t.ok(added.size > before.size);
  const without = synth(base.split(app('billing', 'default', 3, true)).join(''));
  const after = ipMap(without);
  t.equal(after.has('Service/default/billing'), false);
  for (const [k, ips] of after) t.equal(before.get(k), ips, `${k} unchanged after removing billing`);
});

t.test('collisions in crowded CIDRs never duplicate an address', async (t) => {
  const crowded = { serviceCIDR: '10.96.0.0/26', podCIDR: '10.244.0.0/25', serviceCIDRv6: 'fd00:10:96::/122', podCIDRv6: 'fd00:10:244::/121' };
  const yaml = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((n) => app(n, 'default', 8, n < 'd')).join('');
  const r = synth(yaml, crowded);
  const ips = allIPs(r);
  t.ok(ips.length > 100, `${ips.length} addresses`);
  t.equal(new Set(ips).size, ips.length, 'all distinct');
  t.same(r.warnings, []);
  // And it still holds, and is still order-independent, when the input changes around the collisions.
  const r2 = synth(yaml.split('---').reverse().join('---'), crowded);
  t.same(ipMap(r2), ipMap(r));
});
