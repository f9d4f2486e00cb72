// Shared by the live-mode tests: manifests, a logger that remembers what was logged, and a bounded wait.
import { ClusterStore } from '../lib/cluster/store.js';
import { KubernetesSource, type KubernetesSourceOptions } from '../lib/sources/kubernetes.js';
import { FakeApiServer, kubeconfigFor, type FakeApiServerOptions } from './fake-apiserver.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LogLine {
  level: 'info' | 'warn' | 'error' | 'debug';
  obj: object;
  msg: string;
}

export function recordingLogger(echo = process.env.LIVE_TEST_LOG === '1') {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (o: object | string, msg?: string) => {
    const line: LogLine = typeof o === 'string' ? { level, obj: {}, msg: o } : { level, obj: o, msg: msg ?? '' };
    lines.push(line);
    if (echo) console.error(`[${level}] ${line.msg} ${JSON.stringify(line.obj)}`);
  };
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes; the failure says what was awaited. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const ns = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels },
});

export const clusterIPService = (namespace: string, name: string, ip: string, extra: { labels?: Record<string, string>; ports?: object[] } = {}) => ({
  apiVersion: 'v1', kind: 'Service',
  metadata: { name, namespace, labels: extra.labels ?? {} },
  spec: {
    type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip], selector: { app: name },
    ports: extra.ports ?? [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
  },
});

export const headlessService = (namespace: string, name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1', kind: 'Service',
  metadata: { name, namespace, labels },
  spec: { clusterIP: 'None', clusterIPs: ['None'], selector: { app: name }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
});

export const endpointSlice = (
  namespace: string, service: string, name: string, ips: string[],
  opts: { ready?: boolean; labels?: Record<string, string>; triggerTime?: Date } = {},
) => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
  metadata: {
    name, namespace,
    labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', ...(opts.labels ?? {}) },
    ...(opts.triggerTime ? { annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': opts.triggerTime.toISOString() } } : {}),
  },
  addressType: 'IPv4',
  endpoints: ips.map((ip, i) => ({
    addresses: [ip], conditions: { ready: opts.ready ?? true, serving: true, terminating: false },
    targetRef: { kind: 'Pod', namespace, name: `${service}-pod-${i}` }, nodeName: 'node-1',
  })),
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
});

export const pod = (namespace: string, name: string, ip: string, phase = 'Running', labels: Record<string, string> = {}) => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace, labels },
  spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080, protocol: 'TCP' }] }] },
  status: { phase, podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True' }] },
});

/** A fake API server, a kubeconfig file for it, a store and a KubernetesSource on it; `close()` tears all down. */
export async function liveFixture(
  opts: Partial<KubernetesSourceOptions> & { server?: FakeApiServerOptions; initial?: object[] } = {},
) {
  const server = await FakeApiServer.start({ token: 'test-token', ...(opts.server ?? {}) });
  if (opts.initial) server.load(opts.initial as Record<string, any>[]);
  const dir = mkdtempSync(join(tmpdir(), 'live-test-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(server));
  const store = new ClusterStore({ namespaces: opts.namespaces });
  const logger = recordingLogger();
  const restarts: { resource: string; cause: string }[] = [];
  const errors: { resource: string; err: unknown }[] = [];
  const latencies: { kind: string; seconds: number }[] = [];
  const { server: _s, initial: _i, ...rest } = opts;
  const source = new KubernetesSource(store, {
    kubeconfig,
    namespaces: [],
    watchPods: false,
    logger,
    backoff: { minMs: 50, maxMs: 400 },
    hooks: {
      onRestart: (resource, cause) => restarts.push({ resource, cause }),
      onError: (resource, err) => errors.push({ resource, err }),
      onProgrammingLatency: (kind, seconds) => latencies.push({ kind, seconds }),
    },
    ...rest,
  });
  return {
    server, store, source, logger, restarts, errors, latencies, kubeconfig, dir,
    async close() {
      await source.stop();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Makes the pod a test pretends to run in: the service-account files (token, CA, namespace) under a temp prefix and
 * KUBERNETES_SERVICE_HOST/PORT pointing at the fake API server; everything is undone on teardown.
 */
export function fakeInClusterPod(t: { teardown(fn: () => void): void }, server: { port: number; caPem?: string }, token: string): string {
  const prefix = mkdtempSync(join(tmpdir(), 'incluster-'));
  t.teardown(() => rmSync(prefix, { recursive: true, force: true }));
  const sa = join(prefix, 'var/run/secrets/kubernetes.io/serviceaccount');
  mkdirSync(sa, { recursive: true });
  writeFileSync(join(sa, 'token'), token);
  writeFileSync(join(sa, 'ca.crt'), server.caPem!);
  writeFileSync(join(sa, 'namespace'), 'kube-system');
  const keys = ['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT', 'CLUSTERDNS_SERVICE_ACCOUNT_PREFIX', 'KUBECONFIG'] as const;
  const saved = keys.map((k) => process.env[k]);
  t.teardown(() => keys.forEach((k, i) => { if (saved[i] === undefined) delete process.env[k]; else process.env[k] = saved[i]; }));
  process.env.KUBERNETES_SERVICE_HOST = '127.0.0.1';
  process.env.KUBERNETES_SERVICE_PORT = String(server.port);
  process.env.CLUSTERDNS_SERVICE_ACCOUNT_PREFIX = prefix;
  delete process.env.KUBECONFIG;
  return prefix;
}
