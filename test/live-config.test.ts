// Live mode configuration: namespace and label filters, 401/403 messages, kubeconfig contexts and errors, and the
// in-cluster service account path over HTTPS.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ClusterStore } from '../lib/cluster/store.js';
import { KubernetesSource } from '../lib/sources/kubernetes.js';
import { FakeApiServer } from './fake-apiserver.js';
import {
  clusterIPService, endpointSlice, liveFixture, ns, pod, recordingLogger, waitFor,
  fakeInClusterPod,
} from './live-helpers.js';

t.test('namespaces filter: only objects of those namespaces are stored', async (t) => {
  const f = await liveFixture({
    namespaces: ['apps'],
    watchPods: true,
    initial: [
      ns('default'), ns('apps'),
      clusterIPService('default', 'kubernetes', '10.96.0.1'), clusterIPService('apps', 'web', '10.96.0.10'),
      endpointSlice('default', 'kubernetes', 'k-1', ['172.18.0.2']), endpointSlice('apps', 'web', 'web-1', ['10.244.0.5']),
      pod('default', 'p', '10.244.9.9'), pod('apps', 'web-0', '10.244.0.5'),
    ],
  });
  t.teardown(() => f.close());
  await f.source.start();
  t.same(f.store.counts(), { Namespace: 1, Service: 1, EndpointSlice: 1, Pod: 1 });
  t.ok(f.store.get('Service', 'apps', 'web'));
  t.notOk(f.store.get('Service', 'default', 'kubernetes'));
  f.server.apply(clusterIPService('default', 'other', '10.96.0.2'));
  f.server.apply(clusterIPService('apps', 'api', '10.96.0.11'));
  await waitFor('apps/api stored', () => f.store.get('Service', 'apps', 'api'));
  t.notOk(f.store.get('Service', 'default', 'other'), 'events outside the namespaces are dropped');
  f.server.delete('Service', 'default', 'other');
  f.server.delete('Service', 'apps', 'api');
  await waitFor('apps/api deleted', () => !f.store.get('Service', 'apps', 'api'));
});

t.test('labels filter: a label selector on the Service, EndpointSlice and Pod watches', async (t) => {
  const f = await liveFixture({
    labels: 'dns in (yes),tier!=hidden',
    initial: [
      ns('default'),
      clusterIPService('default', 'shown', '10.96.0.10', { labels: { dns: 'yes' } }),
      clusterIPService('default', 'hidden', '10.96.0.11', { labels: { dns: 'yes', tier: 'hidden' } }),
      clusterIPService('default', 'unlabelled', '10.96.0.12'),
      endpointSlice('default', 'shown', 'shown-1', ['10.244.0.5'], { labels: { dns: 'yes' } }),
      endpointSlice('default', 'unlabelled', 'unlabelled-1', ['10.244.0.6']),
    ],
  });
  t.teardown(() => f.close());
  await f.source.start();
  t.same([...f.store.allServices()].map((s) => s.name), ['shown']);
  t.equal(f.store.counts().EndpointSlice, 1);
  const svcList = f.server.requests.find((r) => r.resource === 'services' && !r.watch);
  t.equal(svcList?.query.labelSelector, 'dns in (yes),tier!=hidden', 'selector sent to the server on list');
  const nsList = f.server.requests.find((r) => r.resource === 'namespaces' && !r.watch);
  t.equal(nsList?.query.labelSelector, undefined, 'namespaces are not label-filtered');
  // A Service gaining the label enters the watch as ADDED; losing it leaves as DELETED.
  f.server.apply(clusterIPService('default', 'unlabelled', '10.96.0.12', { labels: { dns: 'yes' } }));
  await waitFor('labelled service appears', () => f.store.service('default', 'unlabelled'));
  f.server.apply(clusterIPService('default', 'shown', '10.96.0.10', { labels: { dns: 'no' } }));
  await waitFor('unlabelled service disappears', () => !f.store.service('default', 'shown'));
});

t.test('403 at start-up rejects with the missing permission, in RBAC terms', async (t) => {
  const f = await liveFixture({ initial: [ns('default')] });
  t.teardown(() => f.close());
  f.server.failResource('endpointslices', 403, ['list']);
  await t.rejects(f.source.start(), {
    name: 'PermissionError',
    statusCode: 403,
    message: /permission denied \(HTTP 403 Forbidden\) to list endpointslices\.discovery\.k8s\.io cluster-wide: grant a ClusterRole rule \{ apiGroups: \["discovery\.k8s\.io"\], resources: \["endpointslices"\], verbs: \["list", "watch"\] \}.*cannot list resource "endpointslices"/,
  });
  t.equal(f.source.synced, false);
  t.equal(f.store.synced, false);
  t.ok(f.logger.lines.some((l) => l.level === 'error' && /403 Forbidden/.test(l.msg)), 'logged as an error');
  await waitFor('no watches left open', () => f.server.openWatches === 0);
});

t.test('403 on watch names the watch verb', async (t) => {
  const f = await liveFixture({ initial: [ns('default')] });
  t.teardown(() => f.close());
  f.server.failResource('services', 403, ['watch']);
  await t.rejects(f.source.start(), { message: /to watch services cluster-wide.*resources: \["services"\]/ });
});

t.test('401 at start-up says the credentials were rejected', async (t) => {
  const f = await liveFixture({ initial: [ns('default')] });
  t.teardown(() => f.close());
  f.server.failResource('services', 401);
  await t.rejects(f.source.start(), { statusCode: 401, message: /rejected our credentials \(HTTP 401 Unauthorized\) when trying to list services/ });
});

t.test('403 after sync keeps the last state, logs the permission and recovers once granted', async (t) => {
  const f = await liveFixture({ initial: [ns('default'), clusterIPService('default', 'web', '10.96.0.10')] });
  t.teardown(() => f.close());
  await f.source.start();
  f.server.failResource('services', 403);
  f.server.cutWatches();
  await waitFor('permission error logged', () => f.logger.lines.some((l) => l.level === 'error' && /to watch services/.test(l.msg)));
  t.ok(f.store.service('default', 'web'), 'last state kept');
  t.match(f.source.status.find((s) => s.resource === 'services')?.lastError, /403 Forbidden/);
  f.server.failResource('services', 0);
  f.server.apply(clusterIPService('default', 'api', '10.96.0.11'));
  await waitFor('recovered', () => f.store.service('default', 'api'), 10_000);
});

t.test('kubeconfig errors are clear', async (t) => {
  const store = new ClusterStore();
  const logger = recordingLogger();
  await t.rejects(new KubernetesSource(store, { kubeconfig: '/nonexistent/kubeconfig', namespaces: [], watchPods: false, logger }).start(),
    { name: 'KubeConfigError', message: 'kubeconfig /nonexistent/kubeconfig does not exist' });
  const f = await liveFixture({ context: 'nope' });
  t.teardown(() => f.close());
  await t.rejects(f.source.start(), { name: 'KubeConfigError', message: /has no context "nope" \(contexts: fake\)/ });
});

t.test('kubeconfig context selects the cluster', async (t) => {
  const f = await liveFixture({ initial: [ns('default'), clusterIPService('default', 'web', '10.96.0.10')] });
  t.teardown(() => f.close());
  // Two contexts: the current one points nowhere, the named one at the fake server.
  writeFileSync(f.kubeconfig, [
    'apiVersion: v1', 'kind: Config',
    'clusters:',
    '- name: dead', '  cluster:', '    server: http://127.0.0.1:9', '    insecure-skip-tls-verify: true',
    '- name: fake', '  cluster:', `    server: ${f.server.url}`, '    insecure-skip-tls-verify: true',
    'users:', '- name: u', '  user:', '    token: test-token',
    'contexts:', '- name: dead', '  context: {cluster: dead, user: u}', '- name: kind-fake', '  context: {cluster: fake, user: u}',
    'current-context: dead', '',
  ].join('\n'));
  const source = new KubernetesSource(f.store, { kubeconfig: f.kubeconfig, context: 'kind-fake', namespaces: [], watchPods: false, logger: f.logger });
  t.teardown(() => source.stop());
  await source.start();
  t.ok(f.store.service('default', 'web'));
});

t.test('in-cluster: service account token and CA from files, server from KUBERNETES_SERVICE_*', async (t) => {
  const server = await FakeApiServer.start({ tls: true, token: 'sa-token-123' });
  t.teardown(() => server.close());
  server.load([ns('kube-system'), clusterIPService('kube-system', 'kube-dns', '10.96.0.10')]);
  const prefix = fakeInClusterPod(t, server, 'sa-token-123');

  const store = new ClusterStore();
  const logger = recordingLogger();
  // No kubeconfig and no inCluster flag: KUBERNETES_SERVICE_HOST alone selects the service account.
  const source = new KubernetesSource(store, { namespaces: [], watchPods: false, logger });
  t.teardown(() => source.stop());
  await source.start();
  t.ok(store.service('kube-system', 'kube-dns'));
  t.ok(logger.lines.some((l) => /in-cluster service account/.test(String((l.obj as any).origin))), 'origin logged');
  t.ok(server.requests.length > 0 && server.requests.every((r) => r.authorization === 'Bearer sa-token-123'), 'token file used');
  server.apply(clusterIPService('kube-system', 'metrics', '10.96.0.20'));
  await waitFor('watch over TLS', () => store.service('kube-system', 'metrics'));

  // A wrong CA must fail TLS verification rather than be skipped.
  const other = await FakeApiServer.start({ tls: true, token: 'sa-token-123' });
  t.teardown(() => other.close());
  writeFileSync(join(prefix, 'var/run/secrets/kubernetes.io/serviceaccount', 'ca.crt'), other.caPem!);
  const store2 = new ClusterStore();
  const logger2 = recordingLogger();
  const untrusted = new KubernetesSource(store2, { inCluster: true, namespaces: [], watchPods: false, logger: logger2, backoff: { minMs: 50, maxMs: 100 } });
  t.teardown(() => untrusted.stop());
  void untrusted.start().catch(() => undefined);
  await waitFor('TLS failure logged', () => logger2.lines.some((l) => /self[- ]signed|certificate|unable to verify/i.test(l.msg)));
  t.equal(untrusted.synced, false);
});

t.test('in-cluster without mounted files says so', async (t) => {
  const store = new ClusterStore();
  const source = new KubernetesSource(store, {
    inCluster: true, inClusterPathPrefix: '/nonexistent', namespaces: [], watchPods: false, logger: recordingLogger(),
  });
  const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
  process.env.KUBERNETES_SERVICE_HOST = '127.0.0.1';
  process.env.KUBERNETES_SERVICE_PORT = '6443';
  t.teardown(() => {
    if (saved.host === undefined) delete process.env.KUBERNETES_SERVICE_HOST; else process.env.KUBERNETES_SERVICE_HOST = saved.host;
    if (saved.port === undefined) delete process.env.KUBERNETES_SERVICE_PORT; else process.env.KUBERNETES_SERVICE_PORT = saved.port;
  });
  await t.rejects(source.start(), { name: 'KubeConfigError', message: /\/nonexistent\/var\/run\/secrets\/kubernetes\.io\/serviceaccount\/token does not exist/ });
});
