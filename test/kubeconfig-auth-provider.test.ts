// Legacy `auth-provider` users go through @kubernetes/client-node, the optional peer dependency: with it installed
// (it is a devDependency here) an oidc user with a valid id-token is a Bearer token to the API server; in an install
// without it (a test author's light install) start-up stops with an error saying what to install.
import t from 'tap';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FakeApiServer } from './fake-apiserver.js';
import { ROOT, startCli, stopCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';
import { until } from './helpers/until.js';
import { bearerOf, loadShop, simpleKubeconfig, tempDir } from './kubeconfig-helpers.js';

const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const idToken = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ iss: 'https://idp.example', sub: 'alice', exp: Math.floor(Date.now() / 1000) + 3600 })}.c2lnbmF0dXJl`;

function oidcKubeconfig(dir: string, api: FakeApiServer): string {
  return simpleKubeconfig(join(dir, 'kubeconfig'), { server: api.url }, {
    'auth-provider': {
      name: 'oidc',
      config: { 'idp-issuer-url': 'https://127.0.0.1:9/', 'client-id': 'clusterdns', 'id-token': idToken, 'refresh-token': 'unused' },
    },
  });
}

// client-node 2.x (undici 8) loads on Node >= 22.19 only; on older Node the error says so (and engines excludes it).
const [major, minor] = process.versions.node.split('.').map(Number);
const clientNodeLoads = major > 22 || (major === 22 && minor >= 19);

t.test('oidc auth-provider with a valid id-token: the API server sees it as a Bearer token', { skip: !clientNodeLoads && `client-node 2 needs Node >= 22.19 (this is ${process.versions.node})` }, async (t) => {
  const api = await FakeApiServer.start({ authorize: (req) => bearerOf(req) === idToken });
  t.teardown(() => api.close());
  loadShop(api);
  const dir = tempDir(t);
  const srv = await startCli(['--kubeconfig', oidcKubeconfig(dir, api), '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const a = await until(() => query(srv.port, 'cart.shop.svc.cluster.local', 'A'), (r) => r.rcode === 'NOERROR', 5000);
  t.equal(a.answers?.[0]?.data, '10.96.7.7');
  t.ok(api.requests.length > 0 && api.requests.every((r) => r.authorization === `Bearer ${idToken}`), 'every request carried the id-token');
});

t.test('without @kubernetes/client-node installed: a clear error naming the user and the package', async (t) => {
  const api = await FakeApiServer.start({ authorize: () => true });
  t.teardown(() => api.close());
  // An install of clusterdns whose node_modules lacks the optional peer: the built code and every other package.
  const app = tempDir(t, 'clusterdns-light-');
  // Node looks for packages in every ancestor's node_modules too; one there would be found and used.
  const ancestors: string[] = [];
  for (let d = dirname(app); ; d = dirname(d)) {
    ancestors.push(join(d, 'node_modules', '@kubernetes', 'client-node'));
    if (dirname(d) === d) break;
  }
  const found = ancestors.find((p) => existsSync(p));
  if (found) return t.fail(`${found} makes the package available to every install below it: remove it to run this test`);
  cpSync(join(ROOT, 'dist'), join(app, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(app, 'package.json'));
  cpSync(join(ROOT, 'fixtures'), join(app, 'fixtures'), { recursive: true });
  mkdirSync(join(app, 'node_modules'));
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name !== '@kubernetes') symlinkSync(join(ROOT, 'node_modules', name), join(app, 'node_modules', name));
  }
  const dir = tempDir(t);
  const kubeconfig = oidcKubeconfig(dir, api);
  const r = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const p = spawn(process.execPath, [join(app, 'dist/server/main.js'), '--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0', '--admin', 'off'], { cwd: app });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`timeout: ${stderr}`)); }, 20_000);
    p.on('exit', (code) => { clearTimeout(timer); resolve({ code, stderr }); });
  });
  t.equal(r.code, 1);
  t.match(r.stderr, `kubeconfig ${kubeconfig}: users[0] "test-user": auth-provider "oidc" needs the optional package @kubernetes/client-node`);
  t.match(r.stderr, 'npm install @kubernetes/client-node@^2');
  t.match(r.stderr, /kubelogin/, 'and the exec plugin to switch to');
  t.equal(api.requests.length, 0);

  // The same light install serves live mode for every other kind of user (here a token), with no client library.
  loadShop(api);
  const tokenConfig = simpleKubeconfig(join(dir, 'token'), { server: api.url }, { token: 'plain-token' });
  const srv = spawn(process.execPath, [join(app, 'dist/server/main.js'), '--kubeconfig', tokenConfig, '--listen', '127.0.0.1:0', '--admin', 'off'], { cwd: app });
  t.teardown(() => { srv.kill(); });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`not serving: ${out}`)), 20_000);
    srv.stdout.on('data', (d) => {
      out += d;
      const m = / on \[?[^\s\]]+?\]?:(\d+) udp\+tcp/.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
  });
  const a = await until(() => query(port, 'cart.shop.svc.cluster.local', 'A'), (r) => r.rcode === 'NOERROR', 5000);
  t.equal(a.answers?.[0]?.data, '10.96.7.7', 'live mode answers from the install without @kubernetes/client-node');
});
