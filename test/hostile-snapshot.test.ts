// An API server that sends junk (another content type, JSON that is no list, items without names, an endless
// continue chain) or oversized lists: `clusterdns snapshot` exits 1 with a message naming what came back, within
// its bounds, and with --out writes no file at all (an earlier snapshot there is left as it was).
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAIN, ROOT } from './helpers/cli.js';

type Handler = (url: URL, res: http.ServerResponse) => void;

const list = (items: object[], cont?: string) => JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '1', ...cont ? { continue: cont } : {} }, items });
const json = (res: http.ServerResponse, body: string) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(body); };

async function junkServer(t: { teardown(fn: () => unknown): void }, services: Handler): Promise<string> {
  const srv = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/api/v1/namespaces') return json(res, list([{ metadata: { name: 'shop' } }]));
    if (url.pathname === '/api/v1/services') return services(url, res);
    if (url.pathname === '/apis/discovery.k8s.io/v1/endpointslices') return json(res, list([]));
    res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"kind":"Status","code":404}');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => { srv.closeAllConnections(); srv.close(); });
  const dir = mkdtempSync(join(tmpdir(), 'hostile-snapshot-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const kc = join(dir, 'kubeconfig');
  writeFileSync(kc, `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'http://127.0.0.1:${(srv.address() as AddressInfo).port}'}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n`);
  return kc;
}

function snapshot(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [MAIN, 'snapshot', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`timeout: ${stderr}`)); }, 30_000);
    p.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr, ms: Date.now() - started }); });
  });
}

const svc = (i: number) => ({ metadata: { name: `s${i}`, namespace: 'shop' }, spec: { clusterIP: `10.96.${i >> 8 & 255}.${i & 255}` } });

const cases: [string, Handler, RegExp, Record<string, string>?][] = [
  ['an HTML login page', (_u, res) => { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end('<html>login</html>'); }, /text\/html/],
  ['JSON that is not a list', (_u, res) => json(res, '{"kind":"Status","items":"nope"}'), /not a Kubernetes list/],
  ['JSON that does not parse', (_u, res) => json(res, '{"items": [ {'), /services/],
  ['an item without a name', (_u, res) => json(res, list([{ metadata: { namespace: 'shop' } }])), /without metadata\.name/],
  ['an endless continue chain', (u, res) => json(res, list([svc(1)], `c${Number(u.searchParams.get('continue')?.slice(1) ?? 0) + 1}`)), /more than 50 objects/, { CLUSTERDNS_API_LIMITS: 'listObjects=50' }],
  ['the same continue token twice', (_u, res) => json(res, list([svc(1)], 'again')), /same continue token/],
  ['an oversized page', (_u, res) => json(res, list(Array.from({ length: 20_000 }, (_, i) => svc(i)))), /over 64 KiB/, { CLUSTERDNS_API_LIMITS: 'listPageBytes=65536' }],
  ['a page that never ends', (_u, res) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.write('{"items":['); }, /within 1 s/, { CLUSTERDNS_API_LIMITS: 'requestTimeoutMs=1000' }],
];

for (const [what, handler, message, env] of cases) {
  t.test(`${what}: exit 1, a clear message, no --out file`, async (t) => {
    const kc = await junkServer(t, handler);
    const dir = mkdtempSync(join(tmpdir(), 'hostile-snapshot-out-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const out = join(dir, 'cluster.yaml');
    const r = await snapshot(['--kubeconfig', kc, '--out', out], env);
    t.equal(r.code, 1, 'exit 1');
    t.match(r.stderr, /^clusterdns snapshot: /, 'one clear line');
    t.match(r.stderr, message, `names what came back: ${r.stderr.trim()}`);
    t.ok(r.ms < 20_000, `within its bounds (${r.ms} ms)`);
    t.notOk(existsSync(out), 'no file written');
    t.same(readdirSync(dir), [], 'no temporary file left either');

    // An earlier good snapshot at --out is left exactly as it was.
    writeFileSync(out, 'kept\n');
    const again = await snapshot(['--kubeconfig', kc, '--out', out], env);
    t.equal(again.code, 1);
    t.equal(readFileSync(out, 'utf8'), 'kept\n', 'the earlier file is untouched');
  });
}

t.test('a sane server after all: the snapshot is written', async (t) => {
  const kc = await junkServer(t, (_u, res) => json(res, list([svc(1), svc(2)])));
  const r = await snapshot(['--kubeconfig', kc]);
  t.equal(r.code, 0, r.stderr);
  t.equal([...r.stdout.matchAll(/^kind: Service$/gm)].length, 2, 'both Services');
});
