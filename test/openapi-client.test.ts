// A client generated from the OpenAPI document drives the admin API: it knows only what /openapi.json says (the
// operation, its body's content types and examples, its security, its responses) and must be able to inject a fault
// and apply objects with it, as Swagger UI's "Try it out" or a generated client in another language would.
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { startClusterDns } from '../lib/index.js';
import { query } from './helpers/dns-client.js';
import { checkReply, exampleOf, operation, type Doc } from './helpers/openapi.js';

const TOKEN = 'openapi-client-token-0123456789';
const dns = await startClusterDns({ fixtures: ['fixtures'], admin: '127.0.0.1:0', adminToken: TOKEN, logLevel: 'silent' });
t.teardown(() => dns.close());
const base = `http://${dns.adminAddress}`;
const doc = await (await fetch(`${base}/openapi.json`)).json() as Doc;

/** One call as the document describes it: path parameters filled in, the body from `contentType`'s example (or `body`). */
async function call(method: string, path: string, opts: { params?: Record<string, string | number>; contentType?: string; body?: unknown } = {}) {
  const op = operation(doc, method, path);
  if (!op) throw new Error(`${method} ${path} is not in the document`);
  const headers: Record<string, string> = {};
  if (op.security?.some((s: any) => 'bearer' in s)) {
    const scheme = (doc as any).components.securitySchemes.bearer;
    if (scheme.type === 'http' && scheme.scheme === 'bearer') headers.authorization = `Bearer ${TOKEN}`;
  }
  let payload: string | undefined;
  let sent: unknown;
  if (op.requestBody) {
    const types = Object.keys(op.requestBody.content);
    const ct = opts.contentType ?? types[0]!;
    if (!types.includes(ct)) throw new Error(`${method} ${path} does not take ${ct} (it takes ${types.join(', ')})`);
    sent = opts.body ?? exampleOf(op.requestBody.content[ct].schema);
    if (sent === undefined) throw new Error(`${method} ${path} ${ct}: the document gives no example to send`);
    headers['content-type'] = ct;
    payload = typeof sent === 'string' ? sent : JSON.stringify(sent);
  }
  const url = base + path.replace(/\{(\w+)\}/g, (_m, k) => encodeURIComponent(String(opts.params?.[k])));
  const res = await fetch(url, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  const body = await res.json();
  return { status: res.status, body: body as any, sent, documented: op.responses[String(res.status)] !== undefined, problems: checkReply(op, res.status, body) };
}

t.test('faults: the documented example body injects a fault the DNS answers with; the documented DELETE removes it', async (t) => {
  const made = await call('POST', '/api/v1/faults');
  t.equal(made.status, 201, JSON.stringify(made.body));
  t.ok(made.documented);
  t.same(made.problems, [], 'the reply matches the 201 schema');
  const spec = made.sent as { name: string; fault: string; addresses: string[]; every?: number };
  t.match(made.body, spec, 'the fault as sent');
  const got: string[] = [];
  for (let i = 0; i < (spec.every ?? 1); i++) got.push(...((await query(dns.port, spec.name, 'A')).answers ?? []).map((a: any) => a.data));
  t.ok(spec.addresses.every((a) => got.includes(a)), `DNS answers ${spec.addresses} (got ${got})`);
  const listed = await call('GET', '/api/v1/faults');
  t.same(listed.problems, []);
  t.ok(listed.body.faults.some((f: any) => f.id === made.body.id && f.hits >= 1), 'listed, with its hit');
  const wrong = await call('POST', '/api/v1/faults', { body: { name: spec.name } });
  t.equal(wrong.status, 400);
  t.ok(wrong.documented);
  t.same(wrong.problems, [], 'the 400 is the ERROR schema');
  t.match(wrong.body.message, /fault/, 'and says which field');
  const removed = await call('DELETE', '/api/v1/faults/{id}', { params: { id: made.body.id } });
  t.equal(removed.status, 200);
  t.same(removed.problems, []);
});

t.test('objects: every documented content type\'s example applies, DNS answers it, the documented DELETE removes it', async (t) => {
  const op = operation(doc, 'POST', '/api/v1/objects');
  for (const ct of Object.keys(op.requestBody.content)) {
    const applied = await call('POST', '/api/v1/objects', { contentType: ct });
    t.equal(applied.status, 200, `${ct}: ${JSON.stringify(applied.body)}`);
    t.ok(applied.documented);
    t.same(applied.problems, [], `${ct}: the reply matches its schema`);
    const obj = (typeof applied.sent === 'string' ? parseYaml(applied.sent) : applied.sent) as any;
    const name = `${obj.metadata.name}.${obj.metadata.namespace}.svc.cluster.local`;
    const a = await query(dns.port, name, 'A');
    t.same(a.answers?.map((x: any) => x.data), [obj.spec.clusterIP], `${ct}: ${name} answers its clusterIP`);
    const del = await call('DELETE', '/api/v1/objects/{kind}/{namespace}/{name}', { params: { kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name } });
    t.equal(del.status, 200);
    t.same(del.problems, []);
    t.equal((await query(dns.port, name, 'A')).rcode, 'NXDOMAIN', `${ct}: gone from DNS`);
  }
  const bad = await call('POST', '/api/v1/objects', { contentType: 'application/yaml', body: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: Bad_Name\n' });
  t.ok(bad.documented, `a refused object: ${bad.status} documented`);
  t.same(bad.problems, []);
});
