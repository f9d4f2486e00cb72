// The admin API: every route, status code and error, through fastify's inject and one real socket.
import t from 'tap';
import type { InjectOptions } from 'fastify';
import { promises as dnsp } from 'node:dns';
import { startClusterDns } from '../lib/index.js';
import { checkAdminSecurity } from '../lib/start.js';
import { defaultConfig } from '../lib/config.js';
import { query } from './helpers/dns-client.js';

const svc = (name: string, ip: string) => `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: default }
spec: { clusterIP: ${ip}, ports: [ { name: http, port: 80 } ] }
`;

t.test('admin routes', async (t) => {
  const dns = await startClusterDns({ admin: '127.0.0.1:0', objects: [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' }, spec: { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] } },
  ] });
  t.teardown(() => dns.close());
  const app = dns.server.http[0].app;
  const inject = (o: InjectOptions) => app.inject(o);

  t.test('probes', async (t) => {
    const h = await inject({ method: 'GET', url: '/health' });
    t.equal(h.statusCode, 200);
    t.equal(h.body, 'OK');
    const r = await inject({ method: 'GET', url: '/ready' });
    t.equal(r.statusCode, 200);
    t.equal(r.body, 'OK');
  });

  t.test('status', async (t) => {
    const s = await inject({ method: 'GET', url: '/api/v1/status' });
    t.equal(s.statusCode, 200);
    const j = s.json();
    t.equal(j.source, 'fixtures');
    t.equal(j.ready, true);
    t.equal(j.objects.Service, 1);
    t.match(j.version, /^\d+\.\d+\.\d+/);
    t.type(j.uptimeSeconds, 'number');
    t.same(j.faults, []);
  });

  t.test('records, JSON and zone-file text, filtered', async (t) => {
    const all = (await inject({ method: 'GET', url: '/api/v1/records' })).json();
    t.ok(all.records.some((r: any) => r.name === 'api.default.svc.cluster.local.' && r.type === 'A' && r.data === '10.96.0.20'));
    const srv = await inject({ method: 'GET', url: '/api/v1/records?name=_http._tcp.api.default.svc.cluster.local&type=SRV' });
    t.same(srv.json().records.map((r: any) => r.text), ['_http._tcp.api.default.svc.cluster.local.\t5\tIN\tSRV\t0 100 80 api.default.svc.cluster.local.']);
    const text = await inject({ method: 'GET', url: '/api/v1/records?type=PTR', headers: { accept: 'text/plain' } });
    t.equal(text.headers['content-type'], 'text/plain');
    t.equal(text.body, '20.0.96.10.in-addr.arpa.\t5\tIN\tPTR\tapi.default.svc.cluster.local.\n');
    const bad = await inject({ method: 'GET', url: '/api/v1/records?type=NOPE' });
    t.equal(bad.statusCode, 400);
    t.match(bad.json(), { error: 'Bad Request', message: /not a DNS type/ });
    const extra = await inject({ method: 'GET', url: '/api/v1/records?colour=red' });
    t.equal(extra.statusCode, 400, 'unknown query parameters are rejected by the schema');
  });

  t.test('resolve explains the answer and where each record came from', async (t) => {
    const r = (await inject({ method: 'GET', url: '/api/v1/resolve?name=api.default.svc.cluster.local&type=A' })).json();
    t.match(r, { rcode: 'NOERROR', aa: true, answer: [{ data: '10.96.0.20', source: 'Service/default/api' }] });
    const nx = (await inject({ method: 'GET', url: '/api/v1/resolve?name=nope.default.svc.cluster.local' })).json();
    t.equal(nx.rcode, 'NXDOMAIN');
    t.equal(nx.authority[0].type, 'SOA');
    const out = (await inject({ method: 'GET', url: '/api/v1/resolve?name=example.com' })).json();
    t.equal(out.rcode, 'REFUSED');
    t.match(out.note, /outside the cluster zones/);
    const missing = await inject({ method: 'GET', url: '/api/v1/resolve' });
    t.equal(missing.statusCode, 400);
    t.match(missing.json().message, /name/);
  });

  t.test('objects: apply YAML and JSON, delete, errors', async (t) => {
    const ok = await inject({ method: 'POST', url: '/api/v1/objects', headers: { 'content-type': 'application/yaml' }, payload: svc('web', '10.96.0.21') + '---\n' + svc('db', '10.96.0.22') });
    t.equal(ok.statusCode, 200);
    t.same(ok.json().applied, ['Service/default/web', 'Service/default/db']);
    t.equal((await query(dns.port, 'db.default.svc.cluster.local', 'A')).answers?.[0]?.data, '10.96.0.22', 'applied objects answer over DNS');
    const json = await inject({ method: 'POST', url: '/api/v1/objects', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'cache' }, spec: { clusterIP: '10.96.0.23' } }] }) });
    t.equal(json.statusCode, 200);
    t.same(json.json().applied, ['Service/default/cache']);

    const badYaml = await inject({ method: 'POST', url: '/api/v1/objects', headers: { 'content-type': 'application/yaml' }, payload: 'kind: Service\nmetadata:\n  name: [x\n' });
    t.equal(badYaml.statusCode, 400);
    t.match(badYaml.json().message, /<request>:\d+:/, 'bad YAML names the line');
    const noName = await inject({ method: 'POST', url: '/api/v1/objects', payload: 'kind: Service\nmetadata: {}\n' });
    t.equal(noName.statusCode, 400);
    t.match(noName.json().message, /metadata\.name/);
    const empty = await inject({ method: 'POST', url: '/api/v1/objects', payload: '' });
    t.equal(empty.statusCode, 400);
    t.match(empty.json().message, /empty/);

    const del = await inject({ method: 'DELETE', url: '/api/v1/objects/Service/default/web' });
    t.equal(del.statusCode, 200);
    t.equal((await query(dns.port, 'web.default.svc.cluster.local', 'A')).rcode, 'NXDOMAIN');
    const again = await inject({ method: 'DELETE', url: '/api/v1/objects/Service/default/web' });
    t.equal(again.statusCode, 404);
    t.match(again.json().message, /no Service default\/web/);
  });

  t.test('reload', async (t) => {
    const r = await inject({ method: 'POST', url: '/api/v1/reload' });
    t.equal(r.statusCode, 200);
    t.equal(r.json().reloaded, true);
  });

  t.test('faults through the API, listed in status, removable', async (t) => {
    const bad = await inject({ method: 'POST', url: '/api/v1/faults', payload: '{"name":"x","fault":"explode"}' });
    t.equal(bad.statusCode, 400);
    t.match(bad.json().message, /"fault" must be one of nxdomain, servfail, refused, delay, drop, truncate/);
    const notJson = await inject({ method: 'POST', url: '/api/v1/faults', payload: 'servfail please' });
    t.equal(notJson.statusCode, 400);
    const f = await inject({ method: 'POST', url: '/api/v1/faults', payload: JSON.stringify({ name: 'api.default.svc.cluster.local', fault: 'nxdomain', type: 'A' }) });
    t.equal(f.statusCode, 201);
    const id = f.json().id;
    t.equal((await query(dns.port, 'api.default.svc.cluster.local', 'A')).rcode, 'NXDOMAIN', 'the fault answers');
    t.equal((await query(dns.port, 'api.default.svc.cluster.local', 'SRV')).rcode, 'NOERROR', 'other types are untouched');
    t.equal((await inject({ method: 'GET', url: '/api/v1/status' })).json().faults.length, 1);
    t.equal((await inject({ method: 'DELETE', url: `/api/v1/faults/${id}` })).statusCode, 200);
    t.equal((await inject({ method: 'DELETE', url: `/api/v1/faults/${id}` })).statusCode, 404);
    t.equal((await query(dns.port, 'api.default.svc.cluster.local', 'A')).rcode, 'NOERROR', 'removed faults stop');
  });

  t.test('query journal', async (t) => {
    await inject({ method: 'DELETE', url: '/api/v1/queries' });
    const r = new dnsp.Resolver();
    r.setServers([dns.address]);
    await r.resolve4('api.default.svc.cluster.local');
    const j = (await inject({ method: 'GET', url: '/api/v1/queries?name=api.default.svc.cluster.local&type=A' })).json();
    t.equal(j.count, 1);
    t.match(j.queries[0], { name: 'api.default.svc.cluster.local', type: 'A', transport: 'udp', client: '127.0.0.1', rcode: 'NOERROR', answers: 1 });
    const bad = await inject({ method: 'GET', url: '/api/v1/queries?limit=0' });
    t.equal(bad.statusCode, 400);
  });

  t.test('unknown routes and the OpenAPI page', async (t) => {
    const nf = await inject({ method: 'GET', url: '/api/v1/nothing' });
    t.equal(nf.statusCode, 404);
    t.match(nf.json(), { error: 'Not Found', message: /\/docs/ });
    const spec = (await inject({ method: 'GET', url: '/openapi.json' })).json();
    t.ok(spec.paths['/api/v1/resolve'], 'routes are described');
    t.equal((await inject({ method: 'GET', url: '/docs' })).statusCode < 400, true);
  });

  t.test('one request through a real socket', async (t) => {
    const res = await fetch(`http://${dns.adminAddress}/api/v1/resolve?name=api.default.svc.cluster.local`);
    t.equal(res.status, 200);
    t.equal((await res.json()).answer[0].data, '10.96.0.20');
  });
});

t.test('a token guards the routes that change state; read-only routes stay open', async (t) => {
  const dns = await startClusterDns({ admin: '127.0.0.1:0', adminToken: 's3cret-token-0123456' });
  t.teardown(() => dns.close());
  const app = dns.server.http[0].app;
  const no = await app.inject({ method: 'POST', url: '/api/v1/objects', payload: svc('a', '10.96.0.30') });
  t.equal(no.statusCode, 401);
  t.match(no.json().message, /Authorization: Bearer/);
  const wrong = await app.inject({ method: 'DELETE', url: '/api/v1/faults', headers: { authorization: 'Bearer nope' } });
  t.equal(wrong.statusCode, 401);
  const yes = await app.inject({ method: 'POST', url: '/api/v1/objects', payload: svc('a', '10.96.0.30'), headers: { authorization: 'Bearer s3cret-token-0123456' } });
  t.equal(yes.statusCode, 200);
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/status' })).statusCode, 200, 'reading needs no token');
});

t.test('an admin listener beyond loopback without a token refuses to start', async (t) => {
  const cfg = { ...defaultConfig(), admin: { host: '0.0.0.0', port: 8080 } };
  t.throws(() => checkAdminSecurity(cfg), /--admin-token or CLUSTERDNS_ADMIN_TOKEN/);
  t.doesNotThrow(() => checkAdminSecurity({ ...cfg, adminToken: 'long-enough-token-1' }));
  t.doesNotThrow(() => checkAdminSecurity(defaultConfig()), 'loopback needs no token');
});

t.test('the body limit answers 413', async (t) => {
  const dns = await startClusterDns({ admin: '127.0.0.1:0' });
  t.teardown(() => dns.close());
  const res = await dns.server.http[0].app.inject({ method: 'POST', url: '/api/v1/objects', payload: 'x'.repeat(9 * 1024 * 1024) });
  t.equal(res.statusCode, 413);
  t.match(res.json().message, /over \d+ bytes/);
});
