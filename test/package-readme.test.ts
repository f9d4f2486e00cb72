// The README as a new user meets it in a clone: its test-suite snippet runs as written (the package imports itself by
// name from the repository, as it would from node_modules), and every link stays inside the repository and lands.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './helpers/cli.js';
import { cleanEnv, fixtureClusterIP, run } from './helpers/package.js';

const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The first ```js block after the heading `title`. */
function snippetUnder(title: string): string {
  const at = README.indexOf(`\n## ${title}\n`);
  if (at < 0) throw new Error(`README.md has no "## ${title}" section`);
  const m = /```js\n([\s\S]*?)```/.exec(README.slice(at));
  if (!m) throw new Error(`README.md: no js block under "## ${title}"`);
  return m[1]!;
}

t.test('the "In a test suite" snippet runs as written', async (t) => {
  const snippet = snippetUnder('In a test suite');
  t.match(snippet, /from 'clusterdns'/, 'it imports the package by name');
  // The service the snippet applies, and the fixture name it asks: the answers come from those, not from this test.
  const applied = /clusterIP: ([\d.]+)/.exec(snippet)?.[1];
  t.ok(applied, 'the snippet applies a Service with a clusterIP');
  const myapp = fixtureClusterIP('myapp.yaml', 'default', 'myapp');
  // --input-type=module: the code is resolved from the repository root, where 'clusterdns' is the package itself.
  const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', snippet], { cwd: ROOT, env: cleanEnv(), timeout: 30_000 })
    .catch((e: { stdout?: string; stderr?: string; message: string }) => ({ stdout: e.stdout ?? '', stderr: `${e.stderr ?? ''}${e.message}` }));
  t.equal(stderr, '', 'nothing on stderr (in-process logging stays quiet, no error)');
  const lines = stdout.split('\n');
  t.equal(lines[0], `[ '${myapp}' ]`, 'the fixture Service resolves to its ClusterIP');
  t.ok(lines.includes('ESERVFAIL'), 'the fault answers SERVFAIL once');
  t.ok(lines.includes(`[ '${applied}' ]`), 'then the applied Service answers');
  t.match(stdout, /SERVFAIL/, 'the journal shows the failed query');
  t.match(stdout, /billing\.shop\.svc\.cluster\.local A NOERROR/, 'and the answered one');
});

t.test('every link stays inside the repository and lands', async (t) => {
  const headings = new Set([...README.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.toLowerCase().replace(/`/g, '').replace(/[^\w\- ]/g, '').replace(/ /g, '-')));
  const links = [...README.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
  t.ok(links.length > 5, `${links.length} links`);
  for (const link of links) {
    if (/^https?:\/\//.test(link)) continue;
    if (link.startsWith('#')) {
      t.ok(headings.has(link.slice(1)), `${link}: a heading of the README`);
      continue;
    }
    const target = path.resolve(ROOT, link.split('#')[0]!);
    t.ok(target.startsWith(ROOT + path.sep), `${link}: inside the repository (a clone has nothing beside it)`);
    t.ok(existsSync(target), `${link}: exists`);
  }
  // Paths in code spans count too: a reader follows `../shared/x.md` as readily as a link.
  t.same(README.match(/(^|[\s`(])\.\.\/[\w./-]+/g) ?? [], [], 'no path that leaves the repository');
});
