// JSON manifests (`kubectl get -o json` output) name the line of the object at fault, as YAML ones do: at start-up
// and when a broken file lands in the watched folder (the last good state keeps answering).
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/cli.js';
import { jsonObjectLines } from '../lib/sources/json-lines.js';
import { probe, serveFolder, statefulSet, writeAtomically } from './helpers/hostile-fixtures.js';
import { until } from './helpers/until.js';

const svc = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'js' }, spec: { clusterIP: '10.96.50.6', ports: [{ port: 80 }] }, ...extra });
/** A List as kubectl prints it (2-space indent), its third item missing metadata.name. */
function brokenList(): { text: string; line: number } {
  const items = [svc('a'), svc('b'), { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'js' }, spec: {} }];
  const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 2);
  const lines = text.split('\n');
  // the third `{` at the items' indentation
  const starts = lines.flatMap((l, i) => (l === '    {' ? [i + 1] : []));
  return { text, line: starts[2] };
}

t.test('the scan finds each object and each List item, whatever is in the strings', async (t) => {
  const tricky = { apiVersion: 'v1', kind: 'List', metadata: { annotations: { 'a"}]': 'items\\"[{', items: '{' } }, items: [svc('x\\"y'), 0, [1, { k: '}' }], svc('z')] };
  const text = JSON.stringify([svc('first'), tricky, 'str', svc('last')], null, 1);
  const want = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
  const got = jsonObjectLines(text);
  t.equal(got.length, 4);
  t.equal(got[0].line, 2);
  t.equal(got[0].items, undefined);
  t.equal(got[2].line, want('"str"'));
  t.equal(got[3].line, want('"last"') - 4, 'the last object starts four lines above its name (apiVersion, kind, metadata between)');
  t.equal(got[1].items?.length, 4, 'the List\'s four items, not the annotation named items');
  t.equal(got[1].items?.[1], want(' 0,'));
  t.same(jsonObjectLines(JSON.stringify(tricky)), [{ line: 1, items: [1, 1, 1, 1] }], 'one line: everything on it');
  t.same(jsonObjectLines('{"kind":"List","items":[]}'), [{ line: 1, items: [] }]);
});

t.test('a broken item of a JSON List at start-up: exit 1 naming the file and the item\'s line', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-json-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { text, line } = brokenList();
  writeFileSync(path.join(dir, 'list.json'), text);
  const r = await runCli(['--fixtures', dir, '--listen', '127.0.0.1:0', '--admin', 'off'], 30_000);
  t.equal(r.code, 1);
  t.match(r.stderr, new RegExp(`list\\.json:${line}: .*metadata\\.name`), `names list.json:${line}`);
  // a number where an object belongs
  writeFileSync(path.join(dir, 'list.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [svc('ok'), 0] }, null, 2));
  const r2 = await runCli(['--fixtures', dir, '--listen', '127.0.0.1:0', '--admin', 'off'], 30_000);
  t.equal(r2.code, 1);
  t.match(r2.stderr, /list\.json:\d+: .*not a Kubernetes object/);
  const at = Number(/list\.json:(\d+):/.exec(r2.stderr)?.[1]);
  t.equal(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [svc('ok'), 0] }, null, 2).split('\n')[at - 1].trim(), '0', 'the line holds the 0');
});

t.test('a broken JSON List written into the watched folder: reported with its line, the last good state answers', async (t) => {
  const s = await serveFolder(t, { 'web.yaml': statefulSet('web', 2) });
  const p = probe(t, s.port, 'web-0.web.default.svc.cluster.local');
  t.ok(await p.waitFor(performance.now(), (r) => r.rcode === 'NOERROR' && r.address !== '', 5000), 'web-0 answers');
  const { text, line } = brokenList();
  writeAtomically(path.join(s.dir, 'list.json'), text);
  const status = await until(async () => {
    const body = await (await fetch(`${s.admin}/api/v1/status`)).json() as { fixtures?: { lastError?: { file: string; line?: number } } };
    return body.fixtures?.lastError ?? undefined;
  }, (e) => e?.file.endsWith('list.json') === true, 10_000);
  t.equal(status?.line, line, 'the status names the item\'s line');
  t.ok(await p.waitFor(performance.now(), (r) => r.rcode === 'NOERROR' && r.address !== '', 5000), 'web-0 still answers');
});
