// Each way a kubeconfig user proves who it is, driven as a user runs clusterdns (the CLI with --kubeconfig, or the
// live source in-process) against the fake API server over TLS, which checks that credential and nothing else:
// client certificates (files relative to the kubeconfig, and -data), a token file rotated while running, basic
// auth, exec plugins (v1 and v1beta1; cached until expiry, re-run after expiry and after a 401; failures named).
import t from 'tap';
import type { TLSSocket } from 'node:tls';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterStore } from '../lib/cluster/store.js';
import { KubernetesSource } from '../lib/sources/kubernetes.js';
import { FakeApiServer } from './fake-apiserver.js';
import { runCli, startCli, stopCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';
import { until } from './helpers/until.js';
import {
  bearerOf, clientCertificate, execPlugin, loadShop, pluginInfo, pluginRuns, simpleKubeconfig, tempDir,
} from './kubeconfig-helpers.js';
import { clusterIPService, fakeInClusterPod, recordingLogger, waitFor } from './live-helpers.js';

async function tlsApi(t: { teardown(fn: () => unknown): void }, authorize: (req: import('node:http').IncomingMessage) => boolean, tlsOptions = {}) {
  const api = await FakeApiServer.start({ tls: true, authorize, tlsOptions });
  t.teardown(() => api.close());
  loadShop(api);
  return api;
}

function caFile(dir: string, api: FakeApiServer): string {
  writeFileSync(join(dir, 'ca.crt'), api.caPem!);
  return join(dir, 'ca.crt');
}

async function resolvesCart(port: number) {
  const a = await until(() => query(port, 'cart.shop.svc.cluster.local', 'A'), (r) => r.rcode === 'NOERROR', 5000);
  return a.answers?.[0]?.data;
}

function liveSource(kubeconfig: string) {
  const store = new ClusterStore();
  const logger = recordingLogger();
  const source = new KubernetesSource(store, { kubeconfig, namespaces: [], watchPods: false, logger, backoff: { minMs: 20, maxMs: 100 } });
  return { store, logger, source };
}

t.test('client certificate and key from files relative to the kubeconfig, CA too', async (t) => {
  const client = clientCertificate();
  const api = await tlsApi(t, (req) => {
    const s = req.socket as TLSSocket;
    return s.authorized && s.getPeerCertificate().subject?.CN === 'clusterdns-test';
  }, { requestCert: true, rejectUnauthorized: false, ca: client.caPem });
  const dir = tempDir(t);
  mkdirSync(join(dir, 'certs'));
  writeFileSync(join(dir, 'certs', 'client.pem'), client.certPem);
  writeFileSync(join(dir, 'certs', 'client.key'), client.keyPem);
  caFile(dir, api);
  // Relative paths: the CLI runs in the repository root, not next to the kubeconfig.
  const kubeconfig = simpleKubeconfig(join(dir, 'kubeconfig'), { server: api.url, 'certificate-authority': 'ca.crt' },
    { 'client-certificate': 'certs/client.pem', 'client-key': 'certs/client.key' });
  const srv = await startCli(['--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  t.equal(await resolvesCart(srv.port), '10.96.7.7', 'synced over mutual TLS');
  t.ok(api.requests.length >= 3 && api.requests.every((r) => r.authorization === undefined), 'no Authorization header: the certificate is the credential');

  // The same as inline base64 (-data), in-process.
  const inline = simpleKubeconfig(join(dir, 'inline'), { server: api.url, 'certificate-authority-data': Buffer.from(api.caPem!).toString('base64') },
    { 'client-certificate-data': Buffer.from(client.certPem).toString('base64'), 'client-key-data': Buffer.from(client.keyPem).toString('base64') });
  const l = liveSource(inline);
  t.teardown(() => l.source.stop());
  await l.source.start();
  t.ok(l.store.service('shop', 'cart'), '-data fields work the same');
});

t.test('basic auth: username and password', async (t) => {
  const want = `Basic ${Buffer.from('alice:s3cret:x').toString('base64')}`;
  const api = await tlsApi(t, (req) => req.headers.authorization === want);
  const dir = tempDir(t);
  const kubeconfig = simpleKubeconfig(join(dir, 'kubeconfig'), { server: api.url, 'certificate-authority': caFile(dir, api) },
    { username: 'alice', password: 's3cret:x' });
  const l = liveSource(kubeconfig);
  t.teardown(() => l.source.stop());
  await l.source.start();
  t.ok(l.store.service('shop', 'cart'));
  t.ok(api.requests.every((r) => r.authorization === want), 'every request carried the basic credentials');
});

t.test('tokenFile rotated while running: a 401 re-reads the file, the watch goes on with the new token', async (t) => {
  let current = 'token-one';
  const api = await tlsApi(t, (req) => bearerOf(req) === current);
  const dir = tempDir(t);
  writeFileSync(join(dir, 'token'), 'token-one\n');
  const kubeconfig = simpleKubeconfig(join(dir, 'kubeconfig'), { server: api.url, 'certificate-authority': 'ca.crt' },
    { tokenFile: 'token', token: 'an-inline-token-the-file-overrides' });
  caFile(dir, api);
  const l = liveSource(kubeconfig);
  t.teardown(() => l.source.stop());
  await l.source.start();
  t.ok(l.store.service('shop', 'cart'));

  // The kubelet (or the user) writes a new token; the server stops accepting the old one.
  writeFileSync(join(dir, 'token'), 'token-two\n');
  current = 'token-two';
  const before = api.requests.length;
  api.endWatches();
  api.apply(clusterIPService('shop', 'pay', '10.96.7.8') as any);
  await waitFor('the new Service arrives with the rotated token', () => l.store.service('shop', 'pay'));
  const after = api.requests.slice(before);
  t.ok(after.some((r) => r.authorization === 'Bearer token-two'), 'the rotated token was sent');
  t.equal(l.source.synced, true);
  t.notOk(l.logger.lines.some((lg) => /401|rejected our credentials/.test(lg.msg)), 'the 401 was absorbed by the retry, not logged as a failure');
});

const v1 = 'client.authentication.k8s.io/v1';
const v1beta1 = 'client.authentication.k8s.io/v1beta1';

t.test('exec plugin (v1): cached until expirationTimestamp, then run again; KUBERNETES_EXEC_INFO has the cluster', async (t) => {
  const api = await tlsApi(t, (req) => /^exec-\d+$/.test(bearerOf(req) ?? ''));
  const dir = tempDir(t);
  // Expires 11 s out: inside the 10 s safety margin after ~1 s, so the second use runs it again.
  const plugin = execPlugin(dir, 'get-token', `(n) => ({ apiVersion: '${v1}', kind: 'ExecCredential',
    status: { token: 'exec-' + n, expirationTimestamp: new Date(Date.now() + 11000).toISOString() } })`);
  const kubeconfig = simpleKubeconfig(join(dir, 'kubeconfig'), {
    server: api.url, 'certificate-authority': caFile(dir, api),
    extensions: [{ name: 'client.authentication.k8s.io/exec', extension: { audience: 'clusterdns-test' } }],
  }, { exec: { apiVersion: v1, command: './get-token', args: ['--flag'], env: [{ name: 'PLUGIN_MODE', value: 'test' }], provideClusterInfo: true, interactiveMode: 'Never' } });
  const srv = await startCli(['--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  t.equal(await resolvesCart(srv.port), '10.96.7.7');
  t.equal(pluginRuns(plugin), 1, 'one run served every list and watch of the first sync');
  const info = pluginInfo(plugin);
  t.equal(info.kind, 'ExecCredential');
  t.equal(info.apiVersion, v1);
  t.equal(info.spec.interactive, false);
  t.equal(info.spec.cluster.server, api.url, 'provideClusterInfo: the server');
  t.equal(Buffer.from(info.spec.cluster['certificate-authority-data'], 'base64').toString(), api.caPem, 'and its CA');
  t.same(info.spec.cluster.config, { audience: 'clusterdns-test' }, 'and the exec extension config');

  await new Promise((r) => setTimeout(r, 1500));
  api.endWatches();
  api.apply(clusterIPService('shop', 'pay', '10.96.7.8') as any);
  const pay = await until(() => query(srv.port, 'pay.shop.svc.cluster.local', 'A'), (a) => a.rcode === 'NOERROR', 10_000);
  t.equal(pay.answers?.[0]?.data, '10.96.7.8');
  t.ok(pluginRuns(plugin) >= 2, `run again once the credential was near expiry (${pluginRuns(plugin)} runs)`);
  t.ok(api.requests.some((r) => r.authorization === 'Bearer exec-2'), 'the new token was used');
});

t.test('exec plugin (v1beta1) without expiry: run again only after a 401', async (t) => {
  let accepted = 'gen-1';
  const api = await tlsApi(t, (req) => bearerOf(req) === accepted);
  const dir = tempDir(t);
  const plugin = execPlugin(dir, 'gen', `(n) => ({ apiVersion: '${v1beta1}', kind: 'ExecCredential', status: { token: 'gen-' + n } })`);
  const kubeconfig = simpleKubeconfig(join(dir, 'kubeconfig'), { server: api.url, 'certificate-authority': caFile(dir, api) },
    { exec: { apiVersion: v1beta1, command: plugin } });
  const l = liveSource(kubeconfig);
  t.teardown(() => l.source.stop());
  await l.source.start();
  api.endWatches();
  await waitFor('re-watched', () => api.openWatches >= 3);
  t.equal(pluginRuns(plugin), 1, 'no expiry: cached across re-watches');
  t.equal(pluginInfo(plugin).spec.cluster, undefined, 'no cluster info unless provideClusterInfo');
  accepted = 'gen-2';
  api.endWatches();
  api.apply(clusterIPService('shop', 'pay', '10.96.7.8') as any);
  await waitFor('synced with the re-run token', () => l.store.service('shop', 'pay'));
  t.equal(pluginRuns(plugin), 2, 'the 401 ran the plugin once more');
});

t.test('an exec plugin that fails stops start-up with a message naming the file, the user and what the plugin said', async (t) => {
  const api = await tlsApi(t, () => true);
  const dir = tempDir(t);
  const plugin = execPlugin(dir, 'broken', `(n) => { process.stderr.write('error: you must be logged in to the server (token expired)\\n'); process.exit(3); }`);
  const kubeconfig = simpleKubeconfig(join(dir, 'kubeconfig'), { server: api.url, 'certificate-authority': caFile(dir, api) },
    { exec: { apiVersion: v1, command: plugin, interactiveMode: 'IfAvailable' } });
  const r = await runCli(['--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.equal(r.code, 1);
  t.match(r.stderr, kubeconfig);
  t.match(r.stderr, 'users[0] "test-user": exec');
  t.match(r.stderr, /exited with 3/);
  t.match(r.stderr, /you must be logged in/);

  const missing = simpleKubeconfig(join(dir, 'missing'), { server: api.url, 'certificate-authority': caFile(dir, api) },
    { exec: { apiVersion: v1, command: 'no-such-auth-plugin-4711', installHint: 'Install it with: brew install no-such-auth-plugin' } });
  const m = await runCli(['--kubeconfig', missing, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.equal(m.code, 1);
  t.match(m.stderr, /no-such-auth-plugin-4711 is not installed or not on PATH/);
  t.match(m.stderr, 'Install it with: brew install no-such-auth-plugin', 'the kubeconfig\'s installHint is shown');

  const garbage = execPlugin(dir, 'garbage', `(n) => '<html>login</html>'`);
  const g = simpleKubeconfig(join(dir, 'garbage.kubeconfig'), { server: api.url, 'certificate-authority': caFile(dir, api) },
    { exec: { apiVersion: v1, command: garbage } });
  const gr = await runCli(['--kubeconfig', g, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.equal(gr.code, 1);
  t.match(gr.stderr, /not an ExecCredential/);
});

t.test('tls-server-name is the name the server certificate is checked against', async (t) => {
  const api = await tlsApi(t, () => true);
  const dir = tempDir(t);
  const ca = caFile(dir, api);
  // The certificate is for 127.0.0.1 and localhost: reaching it by IP but checking "localhost" works...
  const good = liveSource(simpleKubeconfig(join(dir, 'good'), { server: api.url, 'certificate-authority': ca, 'tls-server-name': 'localhost' }, {}));
  t.teardown(() => good.source.stop());
  await good.source.start();
  t.ok(good.store.service('shop', 'cart'));
  // ...and checking a name it does not carry fails verification, with the name in the logged error.
  const bad = liveSource(simpleKubeconfig(join(dir, 'bad'), { server: api.url, 'certificate-authority': ca, 'tls-server-name': 'api.example.internal' }, {}));
  t.teardown(() => bad.source.stop());
  void bad.source.start().catch(() => undefined);
  await waitFor('TLS name mismatch logged', () => bad.logger.lines.some((l) => /api\.example\.internal/.test(l.msg)));
  t.equal(bad.source.synced, false);
});

t.test('in-cluster: the kubelet rotates the service account token; a 401 re-reads it', async (t) => {
  let current = 'sa-token-1';
  const api = await tlsApi(t, (req) => bearerOf(req) === current);
  const prefix = fakeInClusterPod(t, api, 'sa-token-1');
  const store = new ClusterStore();
  const source = new KubernetesSource(store, { inCluster: true, namespaces: [], watchPods: false, logger: recordingLogger(), backoff: { minMs: 20, maxMs: 100 } });
  t.teardown(() => source.stop());
  await source.start();
  // The kubelet writes the projected token anew (it swaps a symlinked folder; a rewrite is the same to a reader).
  writeFileSync(join(prefix, 'var/run/secrets/kubernetes.io/serviceaccount/token'), 'sa-token-2');
  current = 'sa-token-2';
  api.endWatches();
  api.apply(clusterIPService('shop', 'pay', '10.96.7.8') as any);
  await waitFor('synced with the rotated token', () => store.service('shop', 'pay'));
  t.ok(api.requests.some((r) => r.authorization === 'Bearer sa-token-2'));
});
