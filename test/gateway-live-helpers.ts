// Shared by the Gateway API / DNSEndpoint live-mode tests: the real CLI watching the fake API server (with the CRDs
// it is told to have), manifests, and answers as lists.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeApiServer, kubeconfigFor, type FakeApiServerOptions } from './fake-apiserver.js';
import { startCli, stopCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';

export const ZONE = 'dev.test';
export const TOKEN = 't';
export const GW = 'gateway.networking.k8s.io';

export const gateway = (name: string, opts: { version?: string; listeners?: (string | undefined)[]; addresses?: string[]; className?: string } = {}) => ({
  apiVersion: `${GW}/${opts.version ?? 'v1'}`, kind: 'Gateway', metadata: { name, namespace: 'shop' },
  spec: {
    gatewayClassName: opts.className ?? 'eg',
    listeners: (opts.listeners ?? [undefined]).map((hostname, i) => ({ name: `l${i}`, port: 80, protocol: 'HTTP', ...(hostname ? { hostname } : {}) })),
  },
  ...(opts.addresses ? { status: { addresses: opts.addresses.map((value) => ({ type: 'IPAddress', value })) } } : {}),
});

export const route = (kind: string, name: string, hostnames: string[], parents: string[], version = 'v1') => ({
  apiVersion: `${GW}/${version}`, kind, metadata: { name, namespace: 'shop' },
  spec: { parentRefs: parents.map((p) => ({ name: p })), ...(hostnames.length ? { hostnames } : {}) },
});

export const ingress = (name: string, host: string, ip: string) => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: 'shop' },
  spec: { rules: [{ host }] }, status: { loadBalancer: { ingress: [{ ip }] } },
});

export async function liveSetup(t: any, apiOpts: FakeApiServerOptions = {}, extra: string[] = ['--external-zone', ZONE], before?: (api: FakeApiServer) => void) {
  const api = await FakeApiServer.start({ token: TOKEN, ...apiOpts });
  t.teardown(() => api.close());
  api.load([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }]);
  before?.(api);
  const dir = mkdtempSync(join(tmpdir(), 'gateway-live-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'kubeconfig'), kubeconfigFor(api));
  const srv = await startCli(['--source', 'kubernetes', '--kubeconfig', join(dir, 'kubeconfig'), '--listen', '127.0.0.1:0', '--admin', 'off', ...extra]);
  t.teardown(() => stopCli(srv.proc));
  return { api, srv, ask: (name: string, type = 'A') => query(srv.port, name, type) };
}

export type Reply = Awaited<ReturnType<typeof query>>;
export const data = (r: Reply, type = 'A') => (r.answers ?? []).filter((a) => a.type === type).map((a) => String(a.data)).sort();

/** A merge PATCH over HTTP, as a controller writes a status. */
export async function patch(api: FakeApiServer, path: string, body: unknown): Promise<number> {
  const res = await fetch(`${api.url}${path}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}
