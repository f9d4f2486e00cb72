// Kubeconfigs that cannot work: the CLI stops at start-up (exit 1, as for every live-mode start-up error) with a
// message naming the file and the field to fix, and reads nothing without a bound (file sizes, plugin output and
// run time). The rarer cases go through the loader directly, which the CLI uses.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExecCredentialSource } from '../lib/sources/kubeconfig/exec-credential.js';
import { loadKubeConfig } from '../lib/sources/kubeconfig/load.js';
import { FakeApiServer } from './fake-apiserver.js';
import { runCli } from './helpers/cli.js';
import { execPlugin, simpleKubeconfig, tempDir, writeKubeconfig } from './kubeconfig-helpers.js';

const CLI_ARGS = ['--listen', '127.0.0.1:0', '--admin', 'off'];

t.test('the CLI names the file and field: missing context, bad base64, unreadable CA', async (t) => {
  const api = await FakeApiServer.start({ tls: true });
  t.teardown(() => api.close());
  const dir = tempDir(t);
  const good = { server: api.url, 'insecure-skip-tls-verify': true };
  const noContext = simpleKubeconfig(join(dir, 'no-context'), good, { token: 'x' });
  const badBase64 = simpleKubeconfig(join(dir, 'bad-base64'), { server: api.url, 'certificate-authority-data': 'LS0tLS1CRUdJTi!!!' }, { token: 'x' });
  const noCa = simpleKubeconfig(join(dir, 'no-ca'), { server: api.url, 'certificate-authority': 'certs/ca.crt' }, { token: 'x' });
  const [a, b, c] = await Promise.all([
    runCli(['--kubeconfig', noContext, '--context', 'prod', ...CLI_ARGS]),
    runCli(['--kubeconfig', badBase64, ...CLI_ARGS]),
    runCli(['--kubeconfig', noCa, ...CLI_ARGS]),
  ]);
  t.equal(a.code, 1);
  t.match(a.stderr, `kubeconfig ${noContext} has no context "prod" (contexts: test); it was named by --context`);
  t.equal(b.code, 1);
  t.match(b.stderr, `kubeconfig ${badBase64}: clusters[0] "test-cluster": certificate-authority-data is not valid base64`);
  t.equal(c.code, 1);
  t.match(c.stderr, `kubeconfig ${noCa}: clusters[0] "test-cluster": certificate-authority: ${join(dir, 'certs/ca.crt')} cannot be read (ENOENT)`,
    'the relative path is shown resolved against the kubeconfig folder');
  t.equal(api.requests.length, 0, 'nothing was sent to the API server');
});

t.test('the loader refuses what kubectl refuses, naming file and field', async (t) => {
  const dir = tempDir(t);
  const server = { server: 'https://127.0.0.1:6443', 'insecure-skip-tls-verify': true };
  const cases: [string, () => string, RegExp | string][] = [
    ['YAML error with its line', () => { writeFileSync(join(dir, 'yaml'), 'apiVersion: v1\nclusters:\n- name: a\n  cluster: {server: x\n'); return join(dir, 'yaml'); }, /kubeconfig .*yaml line \d+: not valid YAML/],
    ['a file over the size cap', () => { writeFileSync(join(dir, 'huge'), `# ${'x'.repeat(5 * 1024 * 1024)}\n`); return join(dir, 'huge'); }, /is \d+ bytes, over the 4194304-byte limit/],
    ['current-context naming nothing', () => writeKubeconfig(join(dir, 'cc'), { contexts: [], 'current-context': 'gone' }), /has no context "gone" \(contexts: none\); it was named by current-context in .*cc/],
    ['no current-context', () => writeKubeconfig(join(dir, 'none'), {}), /current-context is not set/],
    ['a context whose user does not exist', () => writeKubeconfig(join(dir, 'nouser'), {
      clusters: [{ name: 'c', cluster: server }], contexts: [{ name: 'x', context: { cluster: 'c', user: 'ghost' } }], 'current-context': 'x',
    }), /contexts\[0\] "x": user "ghost" does not exist/],
    ['a CA that is base64 but not PEM', () => simpleKubeconfig(join(dir, 'notpem'), { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from('hello').toString('base64') }, {}),
      /clusters\[0\] "test-cluster": certificate-authority-data: not a usable PEM CA certificate/],
    ['insecure and a CA together', () => simpleKubeconfig(join(dir, 'both'), { ...server, 'certificate-authority': '/etc/hostname' }, {}), /insecure-skip-tls-verify and certificate-authority are both set/],
    ['proxy-url', () => simpleKubeconfig(join(dir, 'proxy'), { ...server, 'proxy-url': 'socks5://127.0.0.1:1080' }, {}), /clusters\[0\] "test-cluster": proxy-url is not supported/],
    ['a server that is not a URL', () => simpleKubeconfig(join(dir, 'url'), { server: '127.0.0.1:6443:x' }, {}), /server "127.0.0.1:6443:x" is not/],
    ['a certificate without its key', () => simpleKubeconfig(join(dir, 'nokey'), server, { 'client-certificate-data': 'AAAA' }), /users\[0\] "test-user": client-certificate is set without client-key/],
    ['a token file that is missing', () => simpleKubeconfig(join(dir, 'tf'), server, { tokenFile: 'nope' }), `users[0] "test-user": tokenFile: ${join(dir, 'nope')} cannot be read (ENOENT)`],
    ['a numeric token', () => simpleKubeconfig(join(dir, 'num'), server, { token: 12345 }), /users\[0\] "test-user": token must be a string \(quote it\)/],
    ['token and basic auth together', () => simpleKubeconfig(join(dir, 'tb'), server, { token: 't', username: 'u', password: 'p' }), /token and username\/password are both set/],
    ['exec v1alpha1', () => simpleKubeconfig(join(dir, 'alpha'), server, { exec: { apiVersion: 'client.authentication.k8s.io/v1alpha1', command: 'x' } }), /exec.apiVersion is "client.authentication.k8s.io\/v1alpha1"; supported/],
    ['exec that must ask the user', () => simpleKubeconfig(join(dir, 'ia'), server, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'x', interactiveMode: 'Always' } }), /interactiveMode is Always/],
    ['a context with the in-cluster account', () => '', /a context \("x"\) needs a kubeconfig/],
  ];
  for (const [what, make, expected] of cases) {
    const file = make();
    const opts = file ? { kubeconfig: file } : { inCluster: true, context: 'x' };
    await t.rejects(loadKubeConfig(opts, { HOME: dir }), { name: 'KubeConfigError', message: expected }, what);
  }
});

t.test('exec plugins are bounded: output size and run time', async (t) => {
  const dir = tempDir(t);
  const spew = execPlugin(dir, 'spew', `(n) => 'x'.repeat(3 * 1024 * 1024)`);
  const big = simpleKubeconfig(join(dir, 'big'), { server: 'http://127.0.0.1:9' }, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: spew } });
  const began = Date.now();
  await t.rejects(loadKubeConfig({ kubeconfig: big }, {}), { message: /users\[0\] "test-user": exec: the credential plugin ".*spew" printed over 1048576 bytes/ });
  const hang = execPlugin(dir, 'hang', `(n) => { setInterval(() => {}, 1000); }`);
  const user = { name: 'u', fields: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: hang } }, file: join(dir, 'k'), where: `kubeconfig ${join(dir, 'k')}: users[0] "u"` };
  const source = new ExecCredentialSource(user, dir, { server: 'http://127.0.0.1:9' }, 300);
  await t.rejects(source.get(), { message: /the credential plugin ".*hang" did not finish within 0.3 s/ });
  t.ok(Date.now() - began < 10_000, 'both ended quickly');
});

t.test('YAML aliases that expand a tiny kubeconfig are refused at once, naming the file and line', async (t) => {
  const dir = tempDir(t);
  // 877 bytes; the exec extension (or an auth-provider's config) expands to a billion strings once it is
  // JSON.stringified into KUBERNETES_EXEC_INFO: 36 s and 2 GB before this was refused.
  const levels = ['  a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= 8; i++) levels.push(`  a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(',')}]`);
  const bomb = (at: string) => levels.map((l) => `${at}${l}`).join('\n');
  const plugin = execPlugin(dir, 'plugin', `(n) => ({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 't' } })`);
  const viaExec = join(dir, 'exec-extension');
  writeFileSync(viaExec, `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: "http://127.0.0.1:9"
    extensions:
    - name: client.authentication.k8s.io/exec
      extension:
${bomb('      ')}
users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: ${plugin}, provideClusterInfo: true}}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`);
  const viaProvider = join(dir, 'auth-provider');
  writeFileSync(viaProvider, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]
users:
- name: u
  user:
    auth-provider:
      name: oidc
      config:
${bomb('      ')}
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`);
  for (const file of [viaExec, viaProvider]) {
    const began = Date.now();
    const loaded = loadKubeConfig({ kubeconfig: file }, {}).then(async (l) => { await l.access.credentials(); });
    await t.rejects(loaded, { name: 'KubeConfigError', message: `kubeconfig ${file} line 11: excessive YAML aliasing` });
    const took = Date.now() - began;
    t.ok(took < 2000, `refused in ${took} ms`);
  }
  const r = await runCli(['--kubeconfig', viaExec, ...CLI_ARGS]);
  t.equal(r.code, 1, 'the CLI stops at start-up');
  t.match(r.stderr, `kubeconfig ${viaExec} line 11: excessive YAML aliasing: its aliases expand it by more than 10000 values`);

  // Sharing settings with anchors, as people write kubeconfigs by hand, still works.
  const shared = join(dir, 'shared');
  writeFileSync(shared, `apiVersion: v1
kind: Config
clusters:
- {name: a, cluster: &base {server: "http://127.0.0.1:9", extensions: [{name: client.authentication.k8s.io/exec, extension: {audience: x}}]}}
- {name: b, cluster: *base}
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: b, user: u}}]
current-context: x
`);
  const ok = await loadKubeConfig({ kubeconfig: shared }, {});
  t.match(ok.origin, shared, 'a kubeconfig sharing a cluster through an alias loads');
});
