// `npm run fake-apiserver -- --fixtures DIR` as a developer uses it: the live source syncs from the kubeconfig it
// writes, and editing the fixture files reaches the source as watch events.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';
import { ClusterStore } from '../lib/cluster/store.js';
import { KubernetesSource } from '../lib/sources/kubernetes.js';
import { recordingLogger, waitFor } from './live-helpers.js';

const manifest = (ip: string) => `apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec: { clusterIP: ${ip}, ports: [{ name: http, port: 80 }] }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: ignored }
`;

t.test('fake-apiserver CLI serves fixtures and turns file edits into watch events', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fake-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const fixtures = join(dir, 'fixtures');
  mkdirSync(fixtures);
  writeFileSync(join(fixtures, 'web.yaml'), manifest('10.96.0.10'));
  const kubeconfig = join(dir, 'kubeconfig');
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fake-apiserver-cli.ts', '--fixtures', fixtures, '--kubeconfig-out', kubeconfig], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(() => { child.kill('SIGTERM'); });
  const lines = createInterface(child.stdout);
  const out: string[] = [];
  lines.on('line', (l) => out.push(l));
  await waitFor('CLI ready', () => out.some((l) => l.startsWith('try: ')), 20_000);
  t.match(out[0], /^fake API server on http:\/\/127\.0\.0\.1:\d+ serving \d+ objects$/);
  t.match(readFileSync(kubeconfig, 'utf8'), /insecure-skip-tls-verify: true/);

  const store = new ClusterStore();
  const source = new KubernetesSource(store, { kubeconfig, namespaces: [], watchPods: false, logger: recordingLogger() });
  t.teardown(() => source.stop());
  await source.start();
  t.same(store.service('shop', 'web')?.clusterIPs, ['10.96.0.10']);
  t.ok(store.get('Namespace', '', 'shop'), 'namespaces of the objects exist');
  t.ok(store.get('Namespace', '', 'kube-system'), 'and the built-in ones');

  writeFileSync(join(fixtures, 'web.yaml'), manifest('10.96.0.11'));
  await waitFor('edit arrives by watch', () => store.service('shop', 'web')?.clusterIPs[0] === '10.96.0.11', 10_000);
  rmSync(join(fixtures, 'web.yaml'));
  await waitFor('removal arrives by watch', () => !store.service('shop', 'web'), 10_000);
});
