// What `npm test` prints in CI (stdout not a terminal, CI set, as .ci/run runs it): with the repository's tap config,
// a line per file, a failure in full (its name, the diff, the source line, the file's stderr), skips with their
// reason, and the totals, rather than tap 21's default off a terminal: the raw TAP of every assertion.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './helpers/cli.js';
import { cleanEnv, run } from './helpers/package.js';

t.test('a failing and a passing file under the repository\'s tap config', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'clusterdns-tap-output-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const { tap } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { tap: Record<string, unknown> };
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'tap-output', private: true, type: 'module', tap: { ...tap, include: ['test/**/*.test.mjs'] } }));
  await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  await mkdir(path.join(dir, 'test'));
  const asserts = 500;
  await writeFile(path.join(dir, 'test', 'many.test.mjs'), `import t from 'tap';
t.test('many', async (t) => { for (let i = 0; i < ${asserts}; i++) t.ok(true, 'assert ' + i); });
t.test('needs a tool', { skip: 'frobnicate is not installed (apt-get install frobnicate)' }, async () => {});
`);
  await writeFile(path.join(dir, 'test', 'broken.test.mjs'), `import t from 'tap';
t.test('answers', async (t) => {
  t.same({ rcode: 'NOERROR', answers: ['10.96.0.1'] }, { rcode: 'NOERROR', answers: ['10.96.0.2'] }, 'the Service answers its ClusterIP');
});
console.error('server log: reload failed at fixtures/x.yaml:3');
`);
  const out = await run(path.join(ROOT, 'node_modules', '.bin', 'tap'), [], { cwd: dir, env: cleanEnv({ CI: 'true' }), timeout: 90_000, maxBuffer: 16 << 20 })
    .then((r) => ({ ...r, code: 0 }), (e: { stdout: string; stderr: string; code: number }) => e);
  const text = `${out.stdout}${out.stderr}`;
  const lines = text.split('\n');
  t.comment(`${lines.length} lines for ${asserts + 2} assertions in 2 files`);
  t.not(out.code, 0, 'the run fails');
  t.match(text, /FAIL\s+test\/broken\.test\.mjs/, 'the failing file is named');
  t.match(text, /answers > the Service answers its ClusterIP/, 'the failing assertion by its full name');
  t.match(text, /-\s+"10\.96\.0\.2",[\s\S]*\+\s+"10\.96\.0\.1",/, 'with the diff');
  t.match(text, /t\.same\(\{ rcode: 'NOERROR'/, 'and its source line');
  t.match(text, /server log: reload failed at fixtures\/x\.yaml:3/, 'the failing file\'s stderr');
  t.match(text, /PASS\s+test\/many\.test\.mjs|SKIP\s+test\/many\.test\.mjs/, 'a line for the passing file');
  t.match(text, /frobnicate is not installed \(apt-get install frobnicate\)/, 'a skip with its reason');
  t.match(text, /# \{ total: \d+, pass: \d+, fail: 1, skip: 1 \}/, 'the totals .ci/run reads');
  t.notMatch(text, /^\s*ok \d+ - assert \d+/m, 'no raw TAP line per passing assertion');
  t.ok(lines.length < 150, `short: ${lines.length} lines`);
});
