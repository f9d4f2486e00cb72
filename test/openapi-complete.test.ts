// The OpenAPI document describes every admin route: each route in the sources is in it, with a response schema for
// every status it can return (checked by provoking them: no token, a wrong parameter, a right call) and a request
// body where it takes one.
import t from 'tap';
import { startClusterDns } from '../lib/index.js';
import { checkReply, operation, responseSchema, routesInSources, type Doc } from './helpers/openapi.js';

const TOKEN = 'openapi-test-token-0123456789';
const dns = await startClusterDns({ fixtures: ['fixtures'], admin: '127.0.0.1:0', adminToken: TOKEN, adminAuth: 'all', logLevel: 'silent' });
t.teardown(() => dns.close());
const base = `http://${dns.adminAddress}`;
const doc = await (await fetch(`${base}/openapi.json`)).json() as Doc;
// Not API routes: the document itself, and the web console's page and files (test/console-serve.test.ts).
const routes = routesInSources().filter(([, p]) => p !== '/openapi.json' && p !== '/' && !p.startsWith('/console/'));
const BODY_ROUTES = new Set(['POST /api/v1/objects', 'POST /api/v1/faults', 'POST /api/v1/static-records']);

t.test('every route in the sources is documented, with schemas for its statuses', async (t) => {
  t.ok(routes.length >= 20, `${routes.length} routes found in the sources`);
  for (const [method, p] of routes) {
    const op = operation(doc, method, p);
    if (!t.ok(op, `${method} ${p} is in the document`)) continue;
    const statuses = Object.keys(op.responses ?? {});
    t.ok(statuses.some((s) => s.startsWith('2')), `${method} ${p}: a success response`);
    for (const s of statuses) t.ok(responseSchema(op, s), `${method} ${p} ${s}: has a schema`);
    if (p.startsWith('/api/')) {
      for (const s of ['401', '500']) t.match(responseSchema(op, s), { required: ['error', 'message'] }, `${method} ${p} ${s}: the error schema`);
      if (op.parameters?.length || op.requestBody) t.match(responseSchema(op, 400), { required: ['error', 'message'] }, `${method} ${p}: 400 declared`);
    }
    if (method === 'POST' && p === '/api/v1/faults') t.ok(op.responses['201'] && !op.responses['200'], 'faults answer 201, not "200 Default Response"');
    if (BODY_ROUTES.has(`${method} ${p}`)) {
      t.ok(op.requestBody?.content && Object.keys(op.requestBody.content).length > 0, `${method} ${p}: a request body`);
      for (const [type, media] of Object.entries<any>(op.requestBody.content)) t.ok(media.schema, `${method} ${p} ${type}: a body schema`);
    }
  }
  t.same(Object.keys(operation(doc, 'POST', '/api/v1/objects').requestBody.content).sort(), ['application/json', 'application/yaml', 'text/plain'], 'objects: YAML, JSON and text');
});

t.test('the statuses routes really return are the ones documented, with matching bodies', async (t) => {
  for (const [method, p] of routes) {
    const op = operation(doc, method, p);
    if (!op || !p.startsWith('/api/')) continue;
    const url = `${base}${p.replace(/\{(\w+)\}/g, (_m, k) => (k === 'id' ? '999' : 'nothing-here'))}`;
    // No token (--admin-auth all): 401.
    const anon = await fetch(url, { method });
    t.ok(op.responses[String(anon.status)], `${method} ${p} without token: ${anon.status} is documented`);
    t.same(checkReply(op, anon.status, await anon.json()), [], `${method} ${p} ${anon.status}: body matches`);
    const auth = { authorization: `Bearer ${TOKEN}` };
    // A parameter the route does not take: 400 when it has a query schema.
    if (op.parameters?.some((x: any) => x.in === 'query')) {
      const bad = await fetch(`${url}?bogus=1`, { method, headers: auth });
      t.equal(bad.status, 400, `${method} ${p}?bogus=1`);
      t.same(checkReply(op, bad.status, await bad.json()), [], `${method} ${p} 400: body matches`);
    }
    // A plain call (GETs without required parameters; deletes of nothing): whatever comes back is documented.
    if (method === 'GET' && !op.parameters?.some((x: any) => x.required) && !p.endsWith('/wait') && !p.endsWith('/stream')) {
      const ok = await fetch(url, { headers: auth });
      t.ok(op.responses[String(ok.status)], `${method} ${p}: ${ok.status} documented`);
      t.same(checkReply(op, ok.status, await ok.json()), [], `${method} ${p} ${ok.status}: body matches`);
    }
    if (method === 'DELETE' && p.includes('{')) {
      const gone = await fetch(url, { method, headers: auth });
      t.ok(op.responses[String(gone.status)], `${method} ${p} of nothing: ${gone.status} documented`);
      t.same(checkReply(op, gone.status, await gone.json()), [], `${method} ${p} ${gone.status}: body matches`);
    }
  }
  const wait = operation(doc, 'GET', '/api/v1/queries/wait');
  const timedOut = await fetch(`${base}/api/v1/queries/wait?timeout=50ms&name=never.test`, { headers: { authorization: `Bearer ${TOKEN}` } });
  t.equal(timedOut.status, 408);
  t.same(checkReply(wait, 408, await timedOut.json()), [], 'the long poll\'s 408 matches its schema');
  const big = await fetch(`${base}/api/v1/objects`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/yaml' }, body: 'x'.repeat(9 * 1024 * 1024) });
  t.equal(big.status, 413);
  t.same(checkReply(operation(doc, 'POST', '/api/v1/objects'), 413, await big.json()), [], 'objects 413 documented');
  const yamlError = await fetch(`${base}/api/v1/objects`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/yaml' }, body: 'kind: Service\nmetadata: [\n' });
  t.ok(operation(doc, 'POST', '/api/v1/objects').responses[String(yamlError.status)], `a YAML error: ${yamlError.status} documented`);
  t.match((await yamlError.json() as any).message, /<request>:\d+:/, 'the YAML parser still names the line (bodies parsed as before)');
});
