// The admin API and the answer path against objects the API server would refuse: every bad object POSTed gets 422
// naming the field to fix and changes nothing; a bad object that reaches the store anyway (here put there directly,
// as a bug or a lax API server would) leaves good answers whole; /api/v1/resolve agrees with real DNS queries.
import t from 'tap';
import { toEndpointSlice, toService } from '../lib/cluster/objects.js';
import { startClusterDns } from '../lib/index.js';
import { Prober } from '../bench/probe.js';
import { query, type Decoded } from './helpers/dns-client.js';

const GOOD = [
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { clusterIP: '10.96.2.10', ports: [{ name: 'http', port: 80 }] } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { clusterIP: 'None', ports: [{ name: 'sql', port: 5432 }] } },
  {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'db-1', labels: { 'kubernetes.io/service-name': 'db' } },
    addressType: 'IPv4', endpoints: [{ addresses: ['10.244.2.5'], hostname: 'db-0' }, { addresses: ['10.244.2.6'] }], ports: [{ name: 'sql', port: 5432 }],
  },
];

const svc = (name: string, spec: object) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec });
/** Each bad object, and the field its 422 must name. */
const BAD: [string, object, RegExp][] = [
  ['64-character name', svc(`s${'x'.repeat(63)}`, { clusterIP: '10.96.2.20' }), /metadata\.name: .*no more than 63 characters/],
  ['dotted name', svc('a.b', { clusterIP: '10.96.2.21' }), /metadata\.name: .*DNS-1035/],
  ['spaced name', svc('a b', { clusterIP: '10.96.2.22' }), /metadata\.name: .*DNS-1035/],
  ['name starting with a digit', svc('1abc', { clusterIP: '10.96.2.23' }), /metadata\.name: .*start with an alphabetic character/],
  ['clusterIP abc', svc('ip-abc', { clusterIP: 'abc' }), /spec\.clusterIP: Invalid value: "abc"/],
  ['clusterIPs entry', svc('ips', { clusterIPs: ['10.96.2.24', 'zz'] }), /spec\.clusterIPs\[1\]/],
  ['port 70000', svc('p70000', { clusterIP: '10.96.2.25', ports: [{ name: 'http', port: 70000 }] }), /spec\.ports\[0\]\.port: Invalid value: 70000: must be between 1 and 65535/],
  ['port 0', svc('p0', { clusterIP: '10.96.2.26', ports: [{ port: 0 }] }), /spec\.ports\[0\]\.port/],
  ['port name', svc('pname', { clusterIP: '10.96.2.27', ports: [{ name: 'HTTP_PORT', port: 80 }] }), /spec\.ports\[0\]\.name/],
  ['unnamed second port', svc('pdup', { clusterIP: '10.96.2.28', ports: [{ name: 'a', port: 80 }, { port: 81 }] }), /spec\.ports\[1\]\.name: Required value/],
  ['300-character externalName', svc('ext', { type: 'ExternalName', externalName: `${'a'.repeat(60)}.`.repeat(5) + 'com' }), /spec\.externalName: .*no more than 253 characters/],
  ['externalName with a space', svc('ext2', { type: 'ExternalName', externalName: 'a b.example.com' }), /spec\.externalName/],
  ['namespace', { ...svc('nsbad', { clusterIP: '10.96.2.29' }), metadata: { name: 'nsbad', namespace: 'Bad.NS' } }, /metadata\.namespace/],
  ['endpoint hostname', { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-x', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4', endpoints: [{ addresses: ['10.244.2.9'], hostname: 'web.0' }] }, /endpoints\[0\]\.hostname/],
  ['endpoint address', { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-y', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4', endpoints: [{ addresses: ['fd00::1'] }] }, /endpoints\[0\]\.addresses\[0\]: .*IPv4/],
  ['Endpoints ip', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'legacy' }, subsets: [{ addresses: [{ ip: '10.244.2.300' }] }] }, /subsets\[0\]\.addresses\[0\]\.ip/],
  ['pod hostname', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { hostname: 'A_B' }, status: { podIP: '10.244.2.40' } }, /spec\.hostname/],
  ['pod subdomain', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' }, spec: { subdomain: 'x'.repeat(64) }, status: { podIP: '10.244.2.41' } }, /spec\.subdomain/],
  ['StatefulSet pod names', {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: `s${'t'.repeat(61)}` },
    spec: { replicas: 2, serviceName: 'db', selector: { matchLabels: { app: 's' } }, template: { metadata: { labels: { app: 's' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
  }, /hostname/],
  ['Deployment template port', {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'dep' },
    spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 99999 }] }] } } },
  }, /spec\.template\.spec\.containers\[0\]\.ports\[0\]\.containerPort/],
];

t.test('POST /api/v1/objects: 422 naming the field, state unchanged', async (t) => {
  const dns = await startClusterDns({ admin: '127.0.0.1:0', objects: GOOD });
  t.teardown(() => dns.close());
  const base = `http://${dns.adminAddress}`;
  const records = async () => (await fetch(`${base}/api/v1/records`, { headers: { accept: 'text/plain' } })).text();
  const before = await records();
  const generation = dns.store.generation;
  const probe = new Prober(dns.port, 'web.default.svc.cluster.local');
  t.teardown(() => probe.stop());
  probe.start(1);
  const from = performance.now();
  for (const [what, obj, field] of BAD) {
    for (const [type, body] of [['application/json', JSON.stringify(obj)], ['application/yaml', JSON.stringify(obj)]] as const) {
      const res = await fetch(`${base}/api/v1/objects`, { method: 'POST', headers: { 'content-type': type }, body });
      t.equal(res.status, 422, `${what}: 422`);
      const j = await res.json();
      t.equal(j.error, 'Unprocessable Entity');
      t.match(j.message, field, `${what}: names the field`);
      t.match(j.message, /nothing was applied/);
    }
  }
  // A good object and a bad one in one request: nothing is applied, as kubectl apply of an invalid list would not.
  const mixed = `apiVersion: v1\nkind: Service\nmetadata: { name: fresh }\nspec: { clusterIP: 10.96.2.50 }\n---\napiVersion: v1\nkind: Service\nmetadata: { name: bad-fresh }\nspec: { clusterIP: 10.96.2.51, ports: [ { port: 70000 } ] }\n`;
  const m = await fetch(`${base}/api/v1/objects`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: mixed });
  t.equal(m.status, 422);
  t.match((await m.json()).message, /<request>:6: Service default\/"bad-fresh" is invalid: spec\.ports\[0\]\.port/, 'the line in the request');
  const to = performance.now();
  const w = probe.worst(from, to);
  t.comment(`probe across ${BAD.length * 2 + 1} refused applies: longest gap ${w.maxGapMs.toFixed(1)} ms, ${w.answered} answered`);
  t.ok(w.maxGapMs < 1000, 'DNS kept answering throughout');
  t.ok(probe.replies.every((r) => r.rcode === 'NOERROR' && r.address === '10.96.2.10'), 'with the good answer every time');
  probe.stop();
  t.equal(dns.store.generation, generation, 'the store never changed');
  t.equal(await records(), before, 'every record as before');
  t.equal((await query(dns.port, 'fresh.default.svc.cluster.local', 'A')).rcode, 'NXDOMAIN', 'the good half was not applied');
  t.equal((await query(dns.port, 'web.default.svc.cluster.local', 'A')).answers?.[0]?.data, '10.96.2.10', 'DNS answers as before');
  // In-process apply refuses the same way.
  await t.rejects(dns.apply([BAD[0][1]]), /metadata\.name/);
  const ok = await fetch(`${base}/api/v1/objects`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: mixed.split('---')[0] });
  t.equal(ok.status, 200, 'a valid apply still works');
});

/** rcode, AA and each section's records as text, from a dns-packet decode. */
function wireView(d: Decoded) {
  const data = (r: any) => (typeof r.data === 'string' ? r.data
    : r.type === 'SRV' ? `${r.data.priority} ${r.data.weight} ${r.data.port} ${r.data.target}` : r.type);
  const rows = (list: any[] | undefined) => (list ?? []).filter((r) => r.type !== 'OPT').map((r) => `${r.name.toLowerCase()} ${r.type} ${data(r)}`).sort();
  return { rcode: d.rcode, aa: !!d.flag_aa, answer: rows(d.answers), authority: rows(d.authorities), additional: rows(d.additionals) };
}

function apiView(j: any) {
  const data = (r: any) => (typeof r.data === 'string' ? r.data
    : r.type === 'SRV' ? `${r.data.priority} ${r.data.weight} ${r.data.port} ${r.data.target}` : r.type);
  const rows = (list: any[]) => list.map((r) => `${r.name.replace(/\.$/, '').toLowerCase()} ${r.type} ${data(r)}`).sort();
  return { rcode: j.rcode, aa: j.aa, answer: rows(j.answer), authority: rows(j.authority), additional: rows(j.additional) };
}

t.test('a bad object that reaches the store: good answers stay whole; /api/v1/resolve agrees with DNS', async (t) => {
  const dns = await startClusterDns({ admin: '127.0.0.1:0', objects: GOOD });
  t.teardown(() => dns.close());
  const base = `http://${dns.adminAddress}`;
  // What validation keeps out, put straight into the store: a 64-character headless Service selecting db-0's
  // address, a Service whose clusterIP is not an IP, an ExternalName with a 70-byte label (which the API server
  // itself accepts: its subdomain rule bounds only the whole name).
  const long = `h${'x'.repeat(63)}`;
  dns.store.apply(toService(svc(long, { clusterIP: 'None', ports: [{ name: 'sql', port: 5432 }] })), 'test');
  dns.store.apply(toEndpointSlice({
    metadata: { name: `${long}-1`, labels: { 'kubernetes.io/service-name': long } },
    addressType: 'IPv4', endpoints: [{ addresses: ['10.244.2.5'] }], ports: [{ name: 'sql', port: 5432 }],
  }), 'test');
  dns.store.apply(toService(svc('broken', { clusterIP: 'abc' })), 'test');
  dns.store.apply(toService(svc('far', { type: 'ExternalName', externalName: `${'y'.repeat(70)}.example.com` })), 'test');
  dns.server.faults.add({ name: 'faulty.default.svc.cluster.local', fault: 'servfail' });

  const ptr = await query(dns.port, '5.2.244.10.in-addr.arpa', 'PTR');
  t.equal(ptr.rcode, 'NOERROR', 'the PTR of a pod selected by a good and a bad Service is not SERVFAIL');
  t.same(ptr.answers?.map((a) => a.data), ['db-0.db.default.svc.cluster.local'], 'it carries the good name');
  const headless = await query(dns.port, 'db.default.svc.cluster.local', 'SRV', { tcp: true });
  t.equal(headless.rcode, 'NOERROR');
  t.equal(headless.answers?.length, 2);

  const cases: [string, string, string][] = [
    ['web.default.svc.cluster.local', 'A', 'NOERROR'],
    ['WEB.default.svc.cluster.local', 'A', 'NOERROR'],
    ['web.default.svc.cluster.local', 'AAAA', 'NOERROR'],
    ['db.default.svc.cluster.local', 'SRV', 'NOERROR'],
    ['_sql._tcp.db.default.svc.cluster.local', 'SRV', 'NOERROR'],
    ['db-0.db.default.svc.cluster.local', 'A', 'NOERROR'],
    ['5.2.244.10.in-addr.arpa', 'PTR', 'NOERROR'],
    ['10.2.96.10.in-addr.arpa', 'PTR', 'NOERROR'],
    ['nope.default.svc.cluster.local', 'A', 'NXDOMAIN'],
    ['9.9.9.10.in-addr.arpa', 'PTR', 'NXDOMAIN'],
    ['broken.default.svc.cluster.local', 'A', 'SERVFAIL'],
    ['far.default.svc.cluster.local', 'CNAME', 'SERVFAIL'],
    ['faulty.default.svc.cluster.local', 'A', 'SERVFAIL'],
    ['cluster.local', 'SOA', 'NOERROR'],
    ['dns-version.cluster.local', 'TXT', 'NOERROR'],
    ['example.com', 'A', 'REFUSED'],
  ];
  for (const [name, type, expected] of cases) {
    const wire = wireView(await query(dns.port, name, type, { tcp: true, edns: 1232 }));
    const res = await fetch(`${base}/api/v1/resolve?name=${encodeURIComponent(name)}&type=${type}`);
    t.equal(res.status, 200);
    const j = await res.json();
    t.equal(wire.rcode, expected, `${name} ${type}: DNS says ${expected}`);
    t.same(apiView(j), wire, `${name} ${type}: /api/v1/resolve says what DNS says`);
  }
  const explained = await (await fetch(`${base}/api/v1/resolve?name=5.2.244.10.in-addr.arpa&type=PTR`)).json();
  t.match(explained, { answer: [{ source: 'Service/default/db' }], note: /1 record\(s\) left out/ }, 'sources kept, and what was left out is said');
  const broken = await (await fetch(`${base}/api/v1/resolve?name=broken.default.svc.cluster.local`)).json();
  t.match(broken.note, /cannot be encoded/, 'a SERVFAIL from an unencodable record says why');
  dns.server.faults.add({ name: 'dropped.default.svc.cluster.local', fault: 'drop' });
  const dropped = await (await fetch(`${base}/api/v1/resolve?name=dropped.default.svc.cluster.local`)).json();
  t.match(dropped, { rcode: 'NOREPLY', note: /no reply/ }, 'a dropped query is shown as such');
  await t.rejects(query(dns.port, 'dropped.default.svc.cluster.local', 'A'), /timeout/, 'and DNS indeed sends nothing');
  const bad = await fetch(`${base}/api/v1/resolve?name=${'z'.repeat(64)}.cluster.local`);
  t.equal(bad.status, 400, 'a name no query can carry is a 400');
  t.equal(dns.server.journal.entries({}).filter((e) => e.client === 'admin-api').length, 0, 'resolve calls are not journalled as DNS queries');
});
