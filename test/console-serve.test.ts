// How the admin listener serves the console: the page and its files with their content types, a self-only CSP,
// no-cache with an ETag (304 on a match), nothing but the console's own files (no path from the URL reaches the
// disk), open without the token (the page holds no data) while the API stays closed, Swagger still at /docs; every
// module the page imports is served; the files stay small (one concept each); `npm pack` ships them.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ROOT } from './helpers/cli.js';
import { startConsoleServer } from './helpers/browser.js';
import { cleanEnv, run } from './helpers/package.js';

const DIR = path.join(ROOT, 'console');
const FILES = readdirSync(DIR);
const token = randomBytes(16).toString('hex');

t.test('the page and its files', async (t) => {
  const server = await startConsoleServer(t, { args: ['--admin-token', token, '--admin-auth', 'all'] });
  const page = await fetch(server.url);
  t.equal(page.status, 200, 'GET / without the token: the page');
  t.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  const csp = page.headers.get('content-security-policy') ?? '';
  t.match(csp, /default-src 'none'/, 'CSP: nothing by default');
  t.match(csp, /script-src 'self'(;|$)/, 'scripts from the page\'s origin only (no inline, no eval)');
  t.match(csp, /connect-src 'self'/);
  t.notMatch(csp, /unsafe|https?:|\*/, 'no unsafe-*, no other host');
  t.equal(page.headers.get('x-content-type-options'), 'nosniff');
  t.equal(page.headers.get('cache-control'), 'no-cache', 'revalidated each time: an upgraded server is seen at once');
  const etag = page.headers.get('etag')!;
  t.match(etag, /^"[\w-]+"$/, 'a strong ETag');
  const html = await page.text();
  t.notMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  t.notMatch(html, /\sstyle=|https?:\/\/(?!www\.w3\.org)/, 'no inline style, no other host');
  const again = await fetch(server.url, { headers: { 'if-none-match': etag } });
  t.equal(again.status, 304, 'If-None-Match: 304');

  const types: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };
  for (const f of FILES.filter((x) => x !== 'index.html')) {
    const r = await fetch(`${server.url}console/${f}`);
    t.equal(r.status, 200, `console/${f}`);
    t.equal(r.headers.get('content-type'), types[path.extname(f)], `${f}: its content type`);
    t.equal(await r.text(), readFileSync(path.join(DIR, f), 'utf8'), `${f}: the file as shipped`);
  }
  for (const bad of ['nope.js', '..%2Fpackage.json', '%2E%2E%2Flib%2Fadmin%2Fapp.ts', '.hidden.js']) {
    const r = await fetch(`${server.url}console/${bad}`);
    t.equal(r.status, 404, `console/${bad}: 404`);
  }
  t.equal((await fetch(`${server.url}api/v1/status`)).status, 401, 'the API still needs the token');
  t.equal((await fetch(`${server.url}docs/`)).status, 200, 'Swagger UI still at /docs');
  const spec = (await (await fetch(`${server.url}openapi.json`)).json()) as { paths: Record<string, unknown> };
  t.notOk(spec.paths['/'] || spec.paths['/console/{file}'], 'the console\'s routes are not API routes in the OpenAPI');
});

t.test('every module the page imports is a shipped file', async (t) => {
  const imports = new Set<string>();
  const html = readFileSync(path.join(DIR, 'index.html'), 'utf8');
  for (const m of html.matchAll(/(?:src|href)="\/console\/([^"]+)"/g)) imports.add(m[1]!);
  for (const f of FILES.filter((x) => x.endsWith('.js'))) {
    for (const m of readFileSync(path.join(DIR, f), 'utf8').matchAll(/(?:from|import\()\s*'\.\/([^']+)'/g)) imports.add(m[1]!);
  }
  for (const f of imports) t.ok(FILES.includes(f), `${f} exists in console/`);
  t.ok(imports.size >= 10, `${imports.size} files referenced`);
});

t.test('one concept per file: no console file over 400 lines', async (t) => {
  for (const f of FILES) {
    const lines = readFileSync(path.join(DIR, f), 'utf8').split('\n').length - 1;
    t.ok(lines <= 400, `console/${f}: ${lines} lines`);
  }
});

t.test('npm pack ships the console', async (t) => {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: ROOT, env: cleanEnv(), timeout: 120_000, maxBuffer: 16 << 20 });
  const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
  for (const f of FILES) t.ok(files.includes(`console/${f}`), `console/${f} in the tarball`);
  t.ok(files.includes('dist/lib/admin/console-route.js'), 'and the route that serves it, which finds console/ from the package root');
});
