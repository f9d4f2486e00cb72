// Shared by the reuseport tests: several CLI processes on one port, told apart by their own /metrics.
import type { ChildProcess } from 'node:child_process';
import { startCli, stopCli } from './helpers/cli.js';

export interface Instance {
  proc: ChildProcess;
  port: number;
  admin: string;
  stderr: () => string;
}

/** A clusterdns CLI with --reuse-port and its own admin listener (for its /metrics); port 0 = a free one. */
export async function startShared(port: number, extra: string[] = []): Promise<Instance> {
  const srv = await startCli(['--listen', `127.0.0.1:${port}`, '--admin', '127.0.0.1:0', '--reuse-port', '--log-level', 'warn', ...extra]);
  const admin = /admin http:\/\/(\S+)/.exec(srv.line)?.[1];
  if (!admin) throw new Error(`no admin address in: ${srv.line}`);
  return { proc: srv.proc, port: srv.port, admin, stderr: srv.stderr };
}

/** DNS requests this process counted, by protocol (coredns_dns_requests_total summed over its labels). */
export async function requestsByProto(admin: string): Promise<{ udp: number; tcp: number }> {
  const text = await (await fetch(`http://${admin}/metrics`)).text();
  const out = { udp: 0, tcp: 0 };
  for (const m of text.matchAll(/^coredns_dns_requests_total\{[^}]*proto="(udp|tcp)"[^}]*\} (\d+(?:\.\d+)?(?:e\+?\d+)?)$/gm)) {
    out[m[1] as 'udp' | 'tcp'] += Number(m[2]);
  }
  return out;
}

const gone = (proc: ChildProcess) => proc.exitCode !== null || proc.signalCode !== null;

export function exited(proc: ChildProcess): Promise<number | null> {
  return new Promise((r) => (gone(proc) ? r(proc.exitCode) : proc.once('exit', (code) => r(code))));
}

/** SIGKILL to those still running (helpers/cli.ts's stopCli waits forever on one a signal already ended). */
export async function stopAll(list: Instance[]): Promise<void> {
  await Promise.all(list.filter((i) => !gone(i.proc)).map((i) => stopCli(i.proc, 'SIGKILL')));
}
