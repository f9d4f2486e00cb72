// GET /api/v1/tree, the console's cluster tree, over real HTTP on a small cluster written here: kinds, names and
// records (the same as /api/v1/records lists and DNS answers), endpoints ready or not, pods, filter, paging, the
// OpenAPI schema (ajv), and the errors.
import t from 'tap';
import { startClusterDns } from '../lib/index.js';
import { checkReply, operation, type Doc } from './helpers/openapi.js';
import { query } from './helpers/dns-client.js';

const ns = 'shop';
const objects = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { clusterIP: '10.96.5.1', ports: [{ name: 'http', port: 80 }] } },
  {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-1', namespace: ns, labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: [{ addresses: ['10.244.1.1'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'web-a' } }, { addresses: ['10.244.1.2'], conditions: { ready: false }, targetRef: { kind: 'Pod', name: 'web-b' } }],
  },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: ns }, spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] } },
  {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'db-1', namespace: ns, labels: { 'kubernetes.io/service-name': 'db' } },
    addressType: 'IPv4', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
    endpoints: [{ addresses: ['10.244.2.1'], hostname: 'db-0', conditions: { ready: true } }],
  },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: ns }, spec: { type: 'ExternalName', externalName: 'example.com' } },
  ...['a', 'b'].map((x, i) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `web-${x}`, namespace: ns }, spec: { containers: [{ name: 'c', image: 'i' }] }, status: { phase: 'Running', podIP: `10.244.1.${i + 1}`, podIPs: [{ ip: `10.244.1.${i + 1}` }], conditions: [{ type: 'Ready', status: i === 0 ? 'True' : 'False' }] } })),
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'other', namespace: 'default' }, spec: { clusterIP: '10.96.5.9', ports: [{ port: 80 }] } },
];

const dns = await startClusterDns({ objects, admin: '127.0.0.1:0', listen: '127.0.0.1:0', pods: 'insecure' } as any);
t.teardown(() => dns.close());
const base = `http://${dns.adminAddress}`;
const get = async (p: string) => {
  const res = await fetch(`${base}${p}`);
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text), bytes: Buffer.byteLength(text) };
};
const doc = (await get('/openapi.json')).body as Doc;
const op = operation(doc, 'GET', '/api/v1/tree');

t.test('the namespaces, with counts, as the OpenAPI document says', async (t) => {
  const r = await get('/api/v1/tree');
  t.equal(r.status, 200);
  t.same(checkReply(op, 200, r.body), [], 'valid against the schema');
  const shop = r.body.namespaces.find((n: any) => n.name === ns);
  const mine = objects.filter((o) => o.metadata.namespace === ns);
  t.same(shop, { name: ns, services: mine.filter((o) => o.kind === 'Service').length, pods: mine.filter((o) => o.kind === 'Pod').length });
  t.ok(r.body.namespaces.some((n: any) => n.name === 'default'), 'default is there');
  t.equal(r.body.total, r.body.namespaces.length);
  const names = r.body.namespaces.map((n: any) => n.name);
  t.same(names, [...names].sort(), 'sorted by name');
});

t.test('a namespace: Services with names and records as DNS answers them, endpoints, pods', async (t) => {
  const r = await get(`/api/v1/tree?namespace=${ns}`);
  t.equal(r.status, 200);
  t.same(checkReply(op, 200, r.body), [], 'valid against the schema');
  t.same(r.body.services.map((s: any) => s.name), ['db', 'ext', 'web'], 'sorted');
  const by = Object.fromEntries(r.body.services.map((s: any) => [s.name, s]));
  t.equal(by.web.kind, 'ClusterIP');
  t.equal(by.db.kind, 'Headless');
  t.equal(by.ext.kind, 'ExternalName');
  t.same(by.web.clusterIPs, ['10.96.5.1']);

  const listed = (await get('/api/v1/records')).body.records as any[];
  for (const s of r.body.services) {
    t.ok(s.names.includes(`${s.name}.${ns}.svc.cluster.local`), `${s.name}: its name`);
    const want = listed.filter((x) => s.names.includes(x.name.replace(/\.$/, ''))).map((x) => `${x.name.replace(/\.$/, '')} ${x.type} ${JSON.stringify(x.data)}`).sort();
    const got = s.records.map((x: any) => `${x.name} ${x.type} ${JSON.stringify(x.data)}`).sort();
    t.same(got, want, `${s.name}: the records /api/v1/records lists for its names`);
    for (const n of s.names.filter((x: string) => !x.startsWith('_'))) {
      const q = await query(dns.port, n, s.kind === 'ExternalName' ? 'CNAME' : 'A');
      t.equal(q.rcode, 'NOERROR', `dig ${n}: answered`);
    }
  }
  const slice = objects.find((o: any) => o.metadata.name === 'web-1') as any;
  t.same(by.web.endpoints.map((e: any) => ({ ip: e.ip, ready: e.ready, pod: e.pod })),
    slice.endpoints.map((e: any) => ({ ip: e.addresses[0], ready: e.conditions.ready, pod: e.targetRef.name })), 'every endpoint, ready or not');
  t.same(by.db.endpoints[0].names, [`db-0.db.${ns}.svc.cluster.local`], 'a headless endpoint\'s own name');
  const dbA = await query(dns.port, by.db.endpoints[0].names[0], 'A');
  t.same(dbA.answers!.map((a: any) => a.data), [by.db.endpoints[0].ip], 'which answers with its address');

  t.same(r.body.pods.map((p: any) => p.name), ['web-a', 'web-b']);
  for (const p of r.body.pods) {
    t.equal(p.names.length, 1, `${p.name}: its pod name (pods insecure)`);
    const q = await query(dns.port, p.names[0], 'A');
    t.same(q.answers!.map((a: any) => a.data), [p.ip], `dig ${p.names[0]} answers with its IP`);
  }
  t.equal(r.body.totalServices, 3);
  t.equal(r.body.totalPods, 2);
  t.equal(r.body.continue, undefined, 'one page');
});

t.test('paging: the pages joined are the whole namespace, once each', async (t) => {
  const all = (await get(`/api/v1/tree?namespace=${ns}`)).body;
  const seen: string[] = [];
  let token: string | undefined;
  for (let i = 0; i < 10; i++) {
    const r = await get(`/api/v1/tree?namespace=${ns}&limit=2${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
    t.equal(r.status, 200);
    t.ok(r.body.services.length + r.body.pods.length <= 2, 'at most limit items');
    seen.push(...r.body.services.map((s: any) => `svc/${s.name}`), ...r.body.pods.map((p: any) => `pod/${p.name}`));
    token = r.body.continue;
    if (!token) break;
  }
  t.same(seen, [...all.services.map((s: any) => `svc/${s.name}`), ...all.pods.map((p: any) => `pod/${p.name}`)]);
  const nsPage = await get('/api/v1/tree?limit=1');
  t.equal(nsPage.body.namespaces.length, 1);
  const next = await get(`/api/v1/tree?limit=1&continue=${encodeURIComponent(nsPage.body.continue)}`);
  t.ok(next.body.namespaces[0].name > nsPage.body.namespaces[0].name, 'the next namespace page');
});

t.test('filter: names, DNS names and addresses', async (t) => {
  const byDns = await get(`/api/v1/tree?filter=${encodeURIComponent('DB.shop.svc')}`);
  t.same(byDns.body.namespaces, [{ name: ns, services: 1, pods: 0 }], 'a DNS name finds its namespace, counting what matches');
  const inNs = await get(`/api/v1/tree?namespace=${ns}&filter=10.244.1.2`);
  t.same(inNs.body.services.map((s: any) => s.name), []);
  t.same(inNs.body.pods.map((p: any) => p.name), ['web-b'], 'a pod by its address');
  const nsName = await get(`/api/v1/tree?namespace=${ns}&filter=sho`);
  t.equal(nsName.body.services.length, 3, 'the namespace\'s own name matches everything in it');
  const byIp = await get('/api/v1/tree?filter=10.96.5.1');
  t.same(byIp.body.namespaces, [{ name: ns, services: 1, pods: 0 }], 'a ClusterIP finds its namespace');
  const none = await get('/api/v1/tree?filter=nothing-is-called-this');
  t.same(none.body, { namespaces: [], total: 0 });
});

t.test('errors', async (t) => {
  const missing = await get('/api/v1/tree?namespace=nope');
  t.equal(missing.status, 404);
  t.same(checkReply(op, 404, missing.body), []);
  const bad = await get(`/api/v1/tree?namespace=${ns}&continue=bm9wZQ`);
  t.equal(bad.status, 400);
  t.match(bad.body.message, /"continue"/);
  const otherNs = (await get('/api/v1/tree?limit=1')).body.continue;
  const mixed = await get(`/api/v1/tree?namespace=${ns}&continue=${encodeURIComponent(otherNs)}`);
  t.equal(mixed.status, 400, 'a namespace-list token is not a namespace-page token');
  t.equal((await get('/api/v1/tree?limit=501')).status, 400);
  t.equal((await get(`/api/v1/tree?filter=${'x'.repeat(300)}`)).status, 400);
});
