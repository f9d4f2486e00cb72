// Processes the fakeapi tests drive as a user would: the fake API server CLI (`npm run fake-apiserver`), clusterdns
// CLIs found through their ready files, and kubectl against the fake server (with its own discovery cache, so two
// fake servers that reuse a port never share one).
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { MAIN, ROOT, stopCli } from './cli.js';
import { until } from './until.js';

/** Why kubectl tests cannot run here, or false. .ci/run installs Debian's kubernetes-client when it is missing. */
export const kubectlMissing: string | false = (() => {
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8', timeout: 20_000 });
  return r.error || r.status !== 0 ? 'kubectl is not installed (apt-get install kubernetes-client)' : false;
})();

/**
 * kubectl's minor version (0 when unknown). Before 1.25 kubectl validates a manifest itself against the server's
 * OpenAPI v2, which the fake server does not serve: `apply` then needs --validate=false (Debian 12's
 * kubernetes-client is 1.20). From 1.25 it leaves validation to the server (fieldValidation), which works.
 */
export const kubectlMinor: number = (() => {
  if (kubectlMissing) return 0;
  const r = spawnSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8', timeout: 20_000 });
  try {
    return Number.parseInt(JSON.parse(r.stdout).clientVersion.minor, 10) || 0;
  } catch {
    return 0;
  }
})();

export interface Teardown { teardown(fn: () => unknown): void }

export interface FakeApiCli {
  proc: ChildProcess;
  url: string;
  kubeconfig: string;
  dir: string;
  /** every stdout and stderr line so far */
  lines: string[];
}

/** Starts `test/fake-apiserver-cli.ts` on a free port and waits for its kubeconfig line. */
export async function startFakeApiCli(t: Teardown, args: string[]): Promise<FakeApiCli> {
  const dir = mkdtempSync(join(tmpdir(), 'fakeapi-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/fake-apiserver-cli.ts', '--kubeconfig-out', kubeconfig, ...args], { cwd: ROOT });
  t.teardown(async () => { await stopCli(proc, 'SIGKILL'); rmSync(dir, { recursive: true, force: true }); });
  const lines: string[] = [];
  createInterface(proc.stdout!).on('line', (l) => lines.push(l));
  createInterface(proc.stderr!).on('line', (l) => lines.push(l));
  await until(async () => lines.some((l) => l.startsWith('try: ')) || proc.exitCode !== null, Boolean, 30_000);
  const m = lines.map((l) => /^fake API server on (\S+) serving/.exec(l)).find(Boolean);
  if (!m) throw new Error(`fake API server did not start: ${lines.join('\n')}`);
  return { proc, url: m[1], kubeconfig, dir, lines };
}

export interface ClusterDnsCli {
  proc: ChildProcess;
  dns: { host: string; port: number };
  admin: string;
  output: () => string;
}

/** Starts the built clusterdns CLI on free ports and reads its addresses from its ready file. */
export async function startClusterDns(t: Teardown, args: string[]): Promise<ClusterDnsCli> {
  const dir = mkdtempSync(join(tmpdir(), 'fakeapi-dns-'));
  const ready = join(dir, 'ready.json');
  const proc = spawn(process.execPath, [MAIN, '--log-level', 'warn', '--listen', '127.0.0.1:0', '--ready-file', ready, ...args], { cwd: ROOT });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  t.teardown(async () => { await stopCli(proc, 'SIGKILL'); rmSync(dir, { recursive: true, force: true }); });
  const r = await until(async () => (existsSync(ready) ? JSON.parse(readFileSync(ready, 'utf8')) : null), (v) => v?.pid === proc.pid || proc.exitCode !== null, 30_000);
  if (!r || r.pid !== proc.pid) throw new Error(`clusterdns did not start: ${out}`);
  return { proc, dns: { host: r.dns.host, port: r.dns.port }, admin: r.http.admin.url, output: () => out };
}

export interface RecordLine { text: string; source: string }

/**
 * Every record the server answers, as "zone-file line  ; source" strings, sorted. The SOA serial is blanked: it
 * counts changes (and their time), not what the zone holds, so two servers of the same cluster differ there.
 */
export async function records(admin: string): Promise<string[]> {
  const res = await fetch(`${admin}/api/v1/records`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET /api/v1/records: ${res.status}`);
  const body = await res.json() as { records: RecordLine[] };
  return body.records.map((r) => {
    const text = /\tSOA\t/.test(r.text) ? r.text.replace(/^(.*\tSOA\t\S+ \S+ )\d+/, '$1<serial>') : r.text;
    return `${text}\t; ${r.source}`;
  }).sort();
}

/** Runs kubectl against the fake server (bounded): its exit code and output. */
export function kubectl(api: FakeApiCli, args: string[], timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const extra = args[0] === 'apply' && kubectlMinor < 25 ? ['--validate=false'] : [];
    execFile('kubectl', ['--kubeconfig', api.kubeconfig, '--cache-dir', join(api.dir, 'kube-cache'), '--request-timeout', '10s', ...args, ...extra],
      { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
}
