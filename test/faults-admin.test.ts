// The new fault kinds and selectors through the admin HTTP API of the real executable, and the OpenAPI description
// of the faults routes ("Try it out" sends the documented example and gets a fault back).
import t from 'tap';
import { query } from './helpers/dns-client.js';
import { startAdminCli } from './helpers/admin-cli.js';

const SERVICES = `apiVersion: v1
kind: Service
metadata: { name: api, namespace: default }
spec: { clusterIP: 10.96.6.1 }
`;
const API = 'api.default.svc.cluster.local';

t.test('POST /api/v1/faults: answer, every, transport; GET shows seen and hits; DELETE restores', async (t) => {
  const cli = await startAdminCli(t, SERVICES, 'faults-admin-');
  const { admin, api } = cli;

  const made = await api('POST', '/api/v1/faults', { name: API, fault: 'answer', addresses: ['203.0.113.5', '2001:DB8:0:0::5'], every: 2, transport: 'udp' });
  t.equal(made.status, 201);
  t.same(made.json, { name: API, fault: 'answer', addresses: ['203.0.113.5', '2001:db8::5'], every: 2, transport: 'udp', id: made.json.id, hits: 0, seen: 0 },
    'every field echoed (the IPv6 address in canonical form), none dropped by the response schema');
  const udp: string[] = [];
  for (let i = 0; i < 4; i++) udp.push((await query(cli.port, API, 'A')).answers?.[0]?.data);
  t.same(udp, ['10.96.6.1', '203.0.113.5', '10.96.6.1', '203.0.113.5'], 'every 2nd UDP query gets the chosen address');
  t.equal((await query(cli.port, API, 'A', { tcp: true })).answers?.[0]?.data, '10.96.6.1', 'TCP is not selected');
  const listed = await api('GET', '/api/v1/faults');
  t.match(listed.json.faults, [{ id: made.json.id, seen: 5, hits: 2, every: 2, transport: 'udp' }], 'seen 5 (the TCP query too: its name matched), hits 2');

  const again = await api('POST', '/api/v1/faults', listed.json.faults[0]);
  t.equal(again.status, 201, 'a fault as GET lists it can be posted back (a saved set restored)');
  t.match(again.json, { every: 2, transport: 'udp', hits: 0, seen: 0 });
  t.not(again.json.id, made.json.id, 'with an id of its own');
  t.equal((await api('DELETE', `/api/v1/faults/${again.json.id}`)).status, 200);

  const empty = await api('POST', '/api/v1/faults', { name: '*.svc.cluster.local', fault: 'empty', type: 'AAAA' });
  t.equal(empty.status, 201);
  const nodata = await query(cli.port, API, 'AAAA');
  t.same([nodata.rcode, nodata.answers, nodata.authorities?.[0]?.type], ['NOERROR', [], 'SOA'], 'empty: NOERROR, no answer, SOA in authority');

  t.equal((await api('DELETE', `/api/v1/faults/${made.json.id}`)).status, 200);
  t.equal((await api('DELETE', '/api/v1/faults')).status, 200);
  t.equal((await query(cli.port, API, 'A')).answers?.[0]?.data, '10.96.6.1', 'removed: the real answer');

  const metrics = await (await fetch(`http://${admin}/metrics`)).text();
  t.match(metrics, /coredns_dns_responses_total\{[^}]*rcode="NOERROR"[^}]*plugin="fault"[^}]*\} 3/, 'metrics: the 3 fault answers (2 addresses, 1 empty) under plugin "fault"');

  const spec = await api('GET', '/openapi.json');
  const post = spec.json.paths['/api/v1/faults'].post;
  const body = post.requestBody.content['application/json'].schema;
  t.same(Object.keys(body.properties).sort(), ['addresses', 'client', 'cname', 'delayMs', 'every', 'fault', 'name', 'probability', 'seed', 'times', 'transport', 'type'], 'the request body schema lists every field');
  t.same(body.required, ['name', 'fault']);
  t.ok(body.properties.fault.enum.includes('answer') && body.properties.fault.enum.includes('empty'), 'the kinds are enumerated');
  const created = post.responses['201'].content['application/json'].schema;
  t.ok(['id', 'hits', 'seen', 'addresses', 'every', 'probability', 'seed', 'client', 'transport'].every((k) => k in created.properties), 'the 201 schema describes the fault returned');
  const tryIt = await api('POST', '/api/v1/faults', body.example);
  t.equal(tryIt.status, 201, '"Try it out" with the documented example creates a fault');
  t.match(tryIt.json, body.example);
  const listedSchema = spec.json.paths['/api/v1/faults'].get.responses['200'].content['application/json'].schema;
  t.ok(listedSchema.properties.faults.items.properties.seen, 'GET describes the listed faults');
});
