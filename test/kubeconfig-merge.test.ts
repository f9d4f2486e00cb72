// Which kubeconfig the CLI reads, as kubectl reads it: KUBECONFIG with several files merged by client-go's rules (the
// first file to set a cluster, user, context or current-context wins; missing files are skipped), --context picking
// another context across files, and ~/.kube/config when KUBECONFIG is unset.
import t from 'tap';
import { mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { FakeApiServer } from './fake-apiserver.js';
import { startCli, stopCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';
import { until } from './helpers/until.js';
import { bearerOf, loadShop, tempDir, writeKubeconfig } from './kubeconfig-helpers.js';

const DEAD = 'http://127.0.0.1:9';
const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME, KUBERNETES_SERVICE_HOST: process.env.KUBERNETES_SERVICE_HOST };
t.teardown(() => {
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
});
delete process.env.KUBERNETES_SERVICE_HOST;

async function serves(t: { teardown(fn: () => unknown): void }, args: string[]): Promise<void> {
  const srv = await startCli([...args, '--source', 'kubernetes', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const a = await until(() => query(srv.port, 'cart.shop.svc.cluster.local', 'A'), (r) => r.rcode === 'NOERROR', 5000);
  if (a.answers?.[0]?.data !== '10.96.7.7') throw new Error(`unexpected answer ${JSON.stringify(a)}`);
}

t.test('KUBECONFIG=A:missing:B merges: first file wins per name and for current-context; --context reaches into B', async (t) => {
  const api = await FakeApiServer.start({ authorize: (req) => ['token-a', 'token-b'].includes(bearerOf(req) ?? '') });
  t.teardown(() => api.close());
  loadShop(api);
  const dir = tempDir(t);
  const a = writeKubeconfig(join(dir, 'a.yaml'), {
    clusters: [{ name: 'shared', cluster: { server: api.url } }],
    users: [{ name: 'a-user', user: { token: 'token-a' } }],
    contexts: [{ name: 'a-ctx', context: { cluster: 'shared', user: 'a-user' } }],
    'current-context': 'a-ctx',
  });
  const b = writeKubeconfig(join(dir, 'b.yaml'), {
    // Both lose to a.yaml's entries of the same name: this cluster and this context are never used.
    clusters: [{ name: 'shared', cluster: { server: DEAD } }],
    users: [{ name: 'b-user', user: { token: 'token-b' } }, { name: 'a-user', user: { token: 'wrong' } }],
    contexts: [{ name: 'b-ctx', context: { cluster: 'shared', user: 'b-user' } }, { name: 'a-ctx', context: { cluster: 'shared', user: 'b-user' } }],
    'current-context': 'b-ctx',
  });
  process.env.KUBECONFIG = [a, join(dir, 'missing.yaml'), b].join(delimiter);

  await serves(t, []);
  t.ok(api.requests.length > 0 && api.requests.every((r) => r.authorization === 'Bearer token-a'), 'current-context a-ctx from the first file, with its user');

  const before = api.requests.length;
  await serves(t, ['--context', 'b-ctx']);
  const seen = api.requests.slice(before);
  t.ok(seen.length > 0 && seen.every((r) => r.authorization === 'Bearer token-b'), 'b-ctx: the user from b.yaml, the cluster "shared" from a.yaml');
});

t.test('without KUBECONFIG: ~/.kube/config', async (t) => {
  const api = await FakeApiServer.start({ token: 'home-token' });
  t.teardown(() => api.close());
  loadShop(api);
  const home = tempDir(t);
  mkdirSync(join(home, '.kube'));
  writeKubeconfig(join(home, '.kube', 'config'), {
    clusters: [{ name: 'c', cluster: { server: api.url } }],
    users: [{ name: 'u', user: { token: 'home-token' } }],
    contexts: [{ name: 'home', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'home',
  });
  delete process.env.KUBECONFIG;
  process.env.HOME = home;
  await serves(t, []);
  t.ok(api.requests.length > 0, 'the default kubeconfig was used');
});
