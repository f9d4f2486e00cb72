// What the package tests share: the tarball `npm pack` makes, and the bundled fixture's answers read from the
// manifests themselves (so no test hard-codes an address).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { ROOT } from './cli.js';

export const run = promisify(execFile);

/**
 * The environment for an npm or node child: without what a parent `npm test` or test runner exported (npm_config_*
 * would point a nested npm at this repository; NODE_OPTIONS and NODE_TEST_CONTEXT would change how node runs).
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) || /^TAP/.test(k) || k === 'NODE_OPTIONS' || k === 'NODE_TEST_CONTEXT' || k === 'INIT_CWD') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

export interface PackedFile { path: string; size: number }
export interface Packed { filename: string; size: number; unpackedSize: number; files: PackedFile[] }

/** `npm pack` of the repository as built (pretest builds dist/), into `dest`; prepare is not run again. */
export async function pack(dest: string): Promise<Packed & { file: string }> {
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dest], { cwd: ROOT, env: cleanEnv(), timeout: 120_000, maxBuffer: 16 << 20 });
  const packed = (JSON.parse(stdout) as Packed[])[0]!;
  return { ...packed, file: path.join(dest, packed.filename) };
}

/** The ClusterIP of Service `name` in the bundled fixture file `file`. */
export function fixtureClusterIP(file: string, namespace: string, name: string): string {
  const docs = parseAllDocuments(readFileSync(path.join(ROOT, 'fixtures', file), 'utf8')).map((d) => d.toJS() as Record<string, any> | null);
  const svc = docs.find((d) => d?.kind === 'Service' && d.metadata?.name === name && (d.metadata?.namespace ?? 'default') === namespace);
  if (typeof svc?.spec?.clusterIP !== 'string') throw new Error(`fixtures/${file}: no Service ${namespace}/${name} with a clusterIP`);
  return svc.spec.clusterIP as string;
}
