// What the console's other panels need from the admin API, over real HTTP with dig: applying YAML answers errors
// with the document, line and column an editor marks (syntax and validation), DELETE removes what was applied,
// the faults list shows hit counts that rise as queries hit, and explain answers.
import t from 'tap';
import { startClusterDns } from '../lib/index.js';
import { checkReply, operation, type Doc } from './helpers/openapi.js';
import { dig, digMissing, digStatus } from './helpers/dig.js';

const dns = await startClusterDns({ objects: [], admin: '127.0.0.1:0', listen: '127.0.0.1:0' } as any);
t.teardown(() => dns.close());
const base = `http://${dns.adminAddress}`;
const server = { host: dns.host, port: dns.port };
const doc = (await (await fetch(`${base}/openapi.json`)).json()) as Doc;
const applyOp = operation(doc, 'POST', '/api/v1/objects');

async function apply(body: string) {
  const res = await fetch(`${base}/api/v1/objects`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body });
  return { status: res.status, body: await res.json() as any };
}

/** 1-based line and column of the first occurrence of `needle` in `text`. */
function where(text: string, needle: string): { line: number; column: number } {
  const at = text.indexOf(needle);
  const before = text.slice(0, at);
  return { line: before.split('\n').length, column: at - before.lastIndexOf('\n') };
}

const svc = (name: string, extra = '') => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: default\nspec:\n  clusterIP: 10.96.7.${name.length}\n  ports:\n  - name: http\n    port: 80\n${extra}`;

t.test('a YAML syntax error: 400 with the document, line and column', async (t) => {
  const bad = `${svc('good')}---\n${svc('broken').replace('  namespace: default\n', '  namespace: default\n   bad: [unclosed\n')}`;
  const r = await apply(bad);
  t.equal(r.status, 400);
  t.same(checkReply(applyOp, 400, r.body), [], 'the documented shape');
  t.equal(r.body.errors.length, 1);
  const e = r.body.errors[0];
  t.equal(e.document, 1, 'the second document');
  const badLine = where(bad, '   bad:').line;
  t.ok(e.line >= badLine && e.line <= badLine + 1, `line ${e.line}: at or right after the bad line ${badLine}`);
  t.ok(Number.isInteger(e.column) && e.column >= 1, `column ${e.column}`);
  t.match(r.body.message, new RegExp(`<request>:${e.line}:`), 'the message names the same line');
  t.equal((await fetch(`${base}/api/v1/resolve?name=good.default.svc.cluster.local`).then((x) => x.json()) as any).rcode, 'NXDOMAIN', 'nothing applied');
});

t.test('validation errors: 422 with each refused object\'s document and line', async (t) => {
  const body = `${svc('ok')}---\n${svc('port', '').replace('port: 80', 'port: 99999')}---\n${svc('ip').replace(/clusterIP: .*/, 'clusterIP: 10.0.0.999')}`;
  const r = await apply(body);
  t.equal(r.status, 422);
  t.same(checkReply(applyOp, 422, r.body), [], 'the documented shape');
  const byObject = Object.fromEntries(r.body.errors.map((e: any) => [e.object, e]));
  t.same(Object.keys(byObject).sort(), ['Service/default/ip', 'Service/default/port']);
  t.equal(byObject['Service/default/port'].document, 1);
  t.equal(byObject['Service/default/ip'].document, 2);
  for (const [name, e] of Object.entries(byObject) as [string, any][]) {
    const docStart = where(body, `name: ${name.split('/')[2]}\n`).line;
    t.ok(e.line >= docStart - 4 && e.line <= docStart + 8, `${name}: line ${e.line} within its document (name at ${docStart})`);
  }
  t.match(byObject['Service/default/port'].message, /spec\.ports\[0\]\.port/);
});

t.test('a JSON body error names document 0', async (t) => {
  const r = await apply('{"apiVersion": "v1", "kind": "Service", "metadata": {"namespace": "default"}}');
  t.equal(r.status, 400);
  t.equal(r.body.errors[0].document, 0);
  t.equal(r.body.errors[0].line, 1);
});

t.test('apply, then DELETE: the name answers, then it does not', { skip: digMissing }, async (t) => {
  const r = await apply(svc('gone'));
  t.equal(r.status, 200);
  t.same(r.body.applied, ['Service/default/gone']);
  t.equal(digStatus(await dig(server, ['gone.default.svc.cluster.local', 'A'])), 'NOERROR');
  const del = await fetch(`${base}/api/v1/objects/Service/default/gone`, { method: 'DELETE' });
  t.equal(del.status, 200);
  t.same(await del.json(), { deleted: 'Service/default/gone' });
  t.equal(digStatus(await dig(server, ['gone.default.svc.cluster.local', 'A'])), 'NXDOMAIN');
  const again = await fetch(`${base}/api/v1/objects/Service/default/gone`, { method: 'DELETE' });
  t.equal(again.status, 404);
});

t.test('faults: the list shows hit counts that rise with each query hit', { skip: digMissing }, async (t) => {
  await apply(svc('flaky'));
  const add = await fetch(`${base}/api/v1/faults`, { method: 'POST', body: JSON.stringify({ name: 'flaky.default.svc.cluster.local', fault: 'servfail' }) });
  t.equal(add.status, 201);
  const { id } = await add.json() as any;
  const hitsOf = async () => ((await (await fetch(`${base}/api/v1/faults`)).json()) as any).faults.find((f: any) => f.id === id);
  t.match(await hitsOf(), { hits: 0, seen: 0 });
  for (let i = 1; i <= 3; i++) {
    t.equal(digStatus(await dig(server, ['flaky.default.svc.cluster.local', 'A'])), 'SERVFAIL');
    t.match(await hitsOf(), { hits: i, seen: i }, `after ${i} dig(s)`);
  }
  t.equal((await fetch(`${base}/api/v1/faults/${id}`, { method: 'DELETE' })).status, 200);
  t.equal(digStatus(await dig(server, ['flaky.default.svc.cluster.local', 'A'])), 'NOERROR', 'removed: answered again');
});

t.test('explain answers over HTTP', async (t) => {
  const r = await fetch(`${base}/api/v1/explain?name=nope.default.svc.cluster.local`);
  t.equal(r.status, 200);
  t.equal(((await r.json()) as any).rcode, 'NXDOMAIN');
});
