// Synthesised objects answered over real DNS: the seed example of issue 3 and the shop example, queried with an
// independent decoder (dns-packet) over UDP against a running clusterdns.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { startClusterDns } from '../lib/in-process.js';
import { query } from './helpers/dns-client.js';
import { podOf, synth } from './helpers/synth.js';
import { SEED } from './helpers/synth.js';
import type { SynthesisResult } from '../lib/synth/index.js';


async function serve(t: { teardown(fn: () => unknown): void }, r: SynthesisResult) {
  const dns = await startClusterDns({ listen: '127.0.0.1:0' });
  t.teardown(() => dns.close());
  dns.store.replace('synthesis', r.objects);
  return dns;
}

const answers = (res: Awaited<ReturnType<typeof query>>, type: string) =>
  (res.answers ?? []).filter((a) => a.type === type).map((a) => (a as { data: unknown }).data);

t.test('seed: web-0..web-2 resolve to their pods, the headless name to all three', async (t) => {
  const r = synth(SEED);
  const dns = await serve(t, r);
  for (const n of ['web-0', 'web-1', 'web-2']) {
    const res = await query(dns.port, `${n}.web-headless.default.svc.cluster.local`, 'A');
    t.equal(res.rcode, 'NOERROR', n);
    t.same(answers(res, 'A'), [podOf(r, n).podIP], n);
  }
  const all = await query(dns.port, 'web-headless.default.svc.cluster.local', 'A');
  t.same((answers(all, 'A') as string[]).sort(), ['web-0', 'web-1', 'web-2'].map((n) => podOf(r, n).podIP).sort());
  const srv = await query(dns.port, '_http._tcp.web-headless.default.svc.cluster.local', 'SRV');
  t.equal(srv.rcode, 'NXDOMAIN', 'the port has no name, so no SRV name');
  const ptr = await query(dns.port, `${podOf(r, 'web-1').podIP.split('.').reverse().join('.')}.in-addr.arpa`, 'PTR');
  t.same(answers(ptr, 'PTR'), ['web-1.web-headless.default.svc.cluster.local']);
  const missing = await query(dns.port, 'web-3.web-headless.default.svc.cluster.local', 'A');
  t.equal(missing.rcode, 'NXDOMAIN');
});

t.test('shop example: ClusterIP, named-port SRV, StatefulSet members, ExternalName', async (t) => {
  const r = synth(readFileSync(new URL('../fixtures/shop.yaml', import.meta.url), 'utf8'));
  const dns = await serve(t, r);
  const web = r.objects.find((o) => o.kind === 'Service' && o.name === 'web')!;
  const a = await query(dns.port, 'web.shop.svc.cluster.local', 'A');
  t.same(answers(a, 'A'), web.kind === 'Service' ? web.clusterIPs : []);
  const srv = await query(dns.port, '_grpc._tcp.api.shop.svc.cluster.local', 'SRV');
  t.same(answers(srv, 'SRV'), [{ priority: 0, weight: 100, port: 9000, target: 'api.shop.svc.cluster.local' }]);
  const pg = await query(dns.port, 'postgres-1.postgres.shop.svc.cluster.local', 'A');
  t.same(answers(pg, 'A'), [podOf(r, 'postgres-1', 'shop').podIP]);
  const pgSrv = await query(dns.port, '_postgres._tcp.postgres.shop.svc.cluster.local', 'SRV');
  t.same((answers(pgSrv, 'SRV') as { target: string; port: number }[]).map((s) => [s.target, s.port]).sort(),
    [['postgres-0.postgres.shop.svc.cluster.local', 5432], ['postgres-1.postgres.shop.svc.cluster.local', 5432]]);
  const ext = await query(dns.port, 'payments.shop.svc.cluster.local', 'CNAME');
  t.same(answers(ext, 'CNAME'), ['api.payments.example.com']);
});

t.test('dual-stack and not-ready synthesis, over DNS', async (t) => {
  const r = synth(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: api }
spec:
  replicas: 2
  selector: { matchLabels: { app: api } }
  template: { metadata: { labels: { app: api } }, spec: { containers: [ { name: c, image: x } ] } }
---
apiVersion: v1
kind: Service
metadata: { name: api }
spec: { ipFamilyPolicy: RequireDualStack, selector: { app: api }, ports: [ { port: 80 } ] }
---
apiVersion: v1
kind: Service
metadata: { name: api-hl }
spec: { clusterIP: None, ipFamilyPolicy: PreferDualStack, selector: { app: api } }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: warming }
spec:
  replicas: 2
  serviceName: warming
  selector: { matchLabels: { app: warming } }
  template: { metadata: { labels: { app: warming }, annotations: { clusterdns.io/ready: "false" } }, spec: { containers: [ { name: c, image: x } ] } }
---
apiVersion: v1
kind: Service
metadata: { name: warming }
spec: { clusterIP: None, selector: { app: warming } }
`);
  const dns = await serve(t, r);
  const svc = r.objects.find((o) => o.kind === 'Service' && o.name === 'api');
  const aaaa = await query(dns.port, 'api.default.svc.cluster.local', 'AAAA');
  t.same(answers(aaaa, 'AAAA'), [svc?.kind === 'Service' ? svc.clusterIPs[1] : '']);
  const hl6 = await query(dns.port, 'api-hl.default.svc.cluster.local', 'AAAA');
  t.equal(answers(hl6, 'AAAA').length, 2);
  for (const ip of answers(hl6, 'AAAA') as string[]) t.match(ip, /^fd00:10:244::/);
  const warming = await query(dns.port, 'warming.default.svc.cluster.local', 'A');
  t.equal(warming.rcode, 'NXDOMAIN', 'a headless Service with no ready endpoint');
});
