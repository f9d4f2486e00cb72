// The bench's generated cluster is what it claims to be: N Services, M Pods once synthesised, no clash.
import t from 'tap';
import { GENERATED_CLUSTER_CIDRS, generateCluster } from '../bench/gen-cluster.js';
import { synthesizeCluster } from '../lib/synth/index.js';
import { allIPs } from './helpers/synth.js';

t.test('a small generated cluster synthesises to exactly its Services and Pods', async (t) => {
  const raw = generateCluster({ services: 300, pods: 4000 });
  t.same(generateCluster({ services: 300, pods: 4000 }), raw, 'deterministic');
  const r = synthesizeCluster(raw.map((m) => ({ raw: m })), { ...GENERATED_CLUSTER_CIDRS, nodes: 3, namespace: 'default' });
  const count = (k: string) => r.objects.filter((o) => o.kind === k).length;
  t.equal(count('Service'), 300);
  t.equal(count('Pod'), 4000);
  t.same(r.warnings, []);
  const ips = allIPs(r);
  t.equal(new Set(ips).size, ips.length, 'no address twice');
  const kinds = new Set(raw.map((m) => (m as { kind: string }).kind));
  for (const k of ['Deployment', 'StatefulSet', 'ReplicaSet', 'Pod', 'EndpointSlice', 'ConfigMap']) t.ok(kinds.has(k), `has ${k}`);
  const headless = r.objects.filter((o) => o.kind === 'Service' && o.headless).length;
  const external = r.objects.filter((o) => o.kind === 'Service' && o.type === 'ExternalName').length;
  t.ok(headless > 0 && external > 0, `${headless} headless, ${external} ExternalName`);
});
