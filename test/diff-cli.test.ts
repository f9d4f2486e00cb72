// `clusterdns diff A B` as a user runs it: two fixture sets that differ by one edit list exactly the names the edit
// touches, with the old records "-" and the new "+"; equal sets exit 0, differing 1, a broken file 2 naming its line.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';

const ns = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n';
const svc = (name: string, ip: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: shop}\nspec: {clusterIP: ${ip}}\n`;
const ext = (name: string, target: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: shop}\nspec: {type: ExternalName, externalName: ${target}}\n`;
const reverse = (ip: string) => `${ip.split('.').reverse().join('.')}.in-addr.arpa.`;

t.test('diff lists exactly the names an edit changes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'diff-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // The edit: cart moves from one ClusterIP to another, pay is removed, docs is added.
  const before = { cart: '10.96.50.10', pay: '10.96.50.11' };
  const afterIp = '10.96.50.12';
  const a = join(dir, 'a.yaml');
  const b = join(dir, 'b.yaml');
  writeFileSync(a, [ns, svc('cart', before.cart), svc('pay', before.pay), svc('keep', '10.96.50.20')].join('---\n'));
  writeFileSync(b, [ns, svc('cart', afterIp), ext('docs', 'docs.example.org'), svc('keep', '10.96.50.20')].join('---\n'));

  const same = await runCli(['diff', a, a]);
  t.equal(same.code, 0, 'a set against itself: exit 0');
  t.equal(same.stdout, '', 'and nothing printed');

  const r = await runCli(['diff', a, b]);
  t.equal(r.code, 1, `differing sets: exit 1 ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  t.ok(lines.every((l) => /^[+-]\S+\t\d+\tIN\t\S+\t/.test(l)), 'every line is +/- and a zone-file record');
  const names = (sign: string) => [...new Set(lines.filter((l) => l[0] === sign).map((l) => l.slice(1).split('\t')[0]))].sort();
  t.same(names('-'), ['cart.shop.svc.cluster.local.', 'pay.shop.svc.cluster.local.', reverse(before.cart), reverse(before.pay)].sort(), 'removed: the old cart address and pay, forward and reverse');
  t.same(names('+'), ['cart.shop.svc.cluster.local.', 'docs.shop.svc.cluster.local.', reverse(afterIp)].sort(), 'added: the new cart address and docs');
  t.ok(lines.includes(`-cart.shop.svc.cluster.local.\t5\tIN\tA\t${before.cart}`) || lines.some((l) => l.startsWith('-cart.') && l.endsWith(`\tA\t${before.cart}`)), 'the old A record is removed');
  t.ok(lines.some((l) => l.startsWith('+cart.') && l.endsWith(`\tA\t${afterIp}`)), 'the new A record is added');
  t.ok(lines.some((l) => l.startsWith('+docs.') && /\tCNAME\tdocs\.example\.org\.$/.test(l)), 'docs is a CNAME');
  t.notOk(lines.some((l) => l.includes('keep.shop') || l.includes(reverse('10.96.50.20'))), 'the unchanged Service is not listed');
  t.same(lines, [...lines].sort((x, y) => (x.slice(1) < y.slice(1) ? -1 : x.slice(1) > y.slice(1) ? 1 : 0)), 'sorted');

  const reversed = await runCli(['diff', b, a]);
  t.same(reversed.stdout.trim().split('\n').map((l) => l.slice(1)).sort(), lines.map((l) => l.slice(1)).sort(), 'B A lists the same lines');
  t.ok(reversed.stdout.trim().split('\n').every((l) => lines.includes(`${l[0] === '+' ? '-' : '+'}${l.slice(1)}`)), 'with the signs swapped');

  // Folders work too: the bundled fixtures against themselves.
  t.equal((await runCli(['diff', 'fixtures', 'fixtures'])).code, 0, 'a folder against itself: exit 0');
});

t.test('diff errors exit 2 and name the file and line', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'diff-err-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const good = join(dir, 'good.yaml');
  const bad = join(dir, 'bad.yaml');
  writeFileSync(good, ns);
  writeFileSync(bad, `${ns}---\napiVersion: v1\nkind: Service\nmetadata: {name: x, namespace: shop\nspec: {}\n`);
  const r = await runCli(['diff', good, bad]);
  t.equal(r.code, 2, 'a file that does not parse: exit 2');
  t.match(r.stderr, /bad\.yaml/, 'names the file');
  t.match(r.stderr, /line \d+|:\d+/, 'and the line');
  t.equal(r.stdout, '', 'no partial diff');

  const missing = await runCli(['diff', good, join(dir, 'nope.yaml')]);
  t.equal(missing.code, 2);
  t.match(missing.stderr, /nope\.yaml/);
  const one = await runCli(['diff', good]);
  t.equal(one.code, 2);
  t.match(one.stderr, /two fixture/);
});
