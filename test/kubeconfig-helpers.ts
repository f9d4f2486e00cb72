// Kubeconfig files, client certificates and credential plugins for the kubeconfig tests, made as a user makes them.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsyaml from 'js-yaml';
import type { FakeApiServer } from './fake-apiserver.js';
import { clusterIPService, ns } from './live-helpers.js';

export function tempDir(t: { teardown(fn: () => void): void }, prefix = 'kubeconfig-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A client CA and a client certificate (CN=clusterdns-test) it signed, as PEM, made with the openssl CLI. */
export function clientCertificate(): { caPem: string; certPem: string; keyPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'client-cert-'));
  const f = (n: string) => join(dir, n);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    execFileSync('openssl', ['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=test-client-ca',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'], { stdio: 'pipe' });
    execFileSync('openssl', ['req', ...ec, '-keyout', f('client.key'), '-out', f('client.csr'), '-subj', '/CN=clusterdns-test/O=system:masters'], { stdio: 'pipe' });
    writeFileSync(f('ext'), 'extendedKeyUsage=clientAuth\n');
    execFileSync('openssl', ['x509', '-req', '-in', f('client.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial',
      '-out', f('client.pem'), '-days', '2', '-extfile', f('ext')], { stdio: 'pipe' });
    return { caPem: readFileSync(f('ca.pem'), 'utf8'), certPem: readFileSync(f('client.pem'), 'utf8'), keyPem: readFileSync(f('client.key'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface KubeconfigDoc {
  clusters?: { name: string; cluster: Record<string, unknown> }[];
  users?: { name: string; user: Record<string, unknown> }[];
  contexts?: { name: string; context: Record<string, unknown> }[];
  'current-context'?: string;
}

export function writeKubeconfig(file: string, doc: KubeconfigDoc): string {
  writeFileSync(file, jsyaml.dump({ apiVersion: 'v1', kind: 'Config', ...doc }));
  return file;
}

/** One cluster, one user, one context "test" using them. */
export function simpleKubeconfig(file: string, cluster: Record<string, unknown>, user: Record<string, unknown>): string {
  return writeKubeconfig(file, {
    clusters: [{ name: 'test-cluster', cluster }],
    users: [{ name: 'test-user', user }],
    contexts: [{ name: 'test', context: { cluster: 'test-cluster', user: 'test-user' } }],
    'current-context': 'test',
  });
}

/** A credential plugin: a Node script that prints what `body` (JS source of a function of run count) returns. */
export function execPlugin(dir: string, name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, [
    `#!${process.execPath}`,
    "const fs = require('node:fs');",
    `const counter = ${JSON.stringify(`${file}.runs`)};`,
    "const n = (fs.existsSync(counter) ? Number(fs.readFileSync(counter, 'utf8')) : 0) + 1;",
    'fs.writeFileSync(counter, String(n));',
    `fs.writeFileSync(${JSON.stringify(`${file}.info`)}, process.env.KUBERNETES_EXEC_INFO ?? '');`,
    `const out = (${body})(n);`,
    'if (out !== undefined) process.stdout.write(typeof out === "string" ? out : JSON.stringify(out));',
    '',
  ].join('\n'));
  chmodSync(file, 0o755);
  return file;
}

export function pluginRuns(plugin: string): number {
  try {
    return Number(readFileSync(`${plugin}.runs`, 'utf8'));
  } catch {
    return 0;
  }
}

export function pluginInfo(plugin: string): any {
  return JSON.parse(readFileSync(`${plugin}.info`, 'utf8'));
}

/** The objects every kubeconfig test serves: one Service to resolve. */
export function loadShop(api: FakeApiServer): void {
  api.load([ns('shop'), clusterIPService('shop', 'cart', '10.96.7.7')] as any);
}

export function bearerOf(req: { headers: { authorization?: string } }): string | undefined {
  return /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
}
