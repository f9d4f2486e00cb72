// The real executable on a fixture folder of one file, with its admin API on a free port and a JSON client for it:
// what the admin-route tests of faults drive.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCli, stopCli } from './cli.js';

export interface AdminCli extends Awaited<ReturnType<typeof startCli>> {
  /** host:port of the admin API */
  admin: string;
  /** one JSON request to the admin API: its status and parsed body */
  api(method: string, route: string, body?: unknown): Promise<{ status: number; json: any }>;
}

export async function startAdminCli(t: { teardown(fn: () => unknown): void }, manifests: string, prefix = 'admin-cli-'): Promise<AdminCli> {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  writeFileSync(path.join(dir, 'services.yaml'), manifests);
  const cli = await startCli(['--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--fixtures', dir, '--log-level', 'warn']);
  t.teardown(async () => { await stopCli(cli.proc); rmSync(dir, { recursive: true, force: true }); });
  const admin = /admin http:\/\/([^\s,]+)/.exec(cli.line)![1]!;
  const api = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`http://${admin}${route}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}), signal: AbortSignal.timeout(10_000) });
    return { status: res.status, json: await res.json() as any };
  };
  return { ...cli, admin, api };
}
