// The real CLI on a fixture folder, with its admin API and a 1 ms probe: what the hostile-fixtures tests drive.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Prober } from '../../bench/probe.js';
import { startCli, stopCli } from './cli.js';

/** The part of a tap test these helpers use. */
interface Teardown { teardown(fn: () => unknown): void }

export interface Served {
  proc: ChildProcess;
  port: number;
  admin: string;
  dir: string;
  stderr(): string;
  status(): Promise<any>;
  metrics(): Promise<string>;
  /** POST /api/v1/objects */
  apply(yaml: string): Promise<{ status: number; body: any }>;
  /** resident memory of the process, from /proc (MB) */
  rssMB(): number;
  alive(): boolean;
}

/** Starts the CLI serving a fresh folder holding `files`; stopped and the folder removed in teardown. */
export async function serveFolder(t: Teardown, files: Record<string, string>, args: string[] = []): Promise<Served> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-hostile-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const { proc, port, line, stderr } = await startCli(['--fixtures', dir, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', ...args], 60_000);
  t.teardown(async () => {
    await stopCli(proc, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const admin = /admin (http:\/\/\S+)/.exec(line)![1];
  return {
    proc, port, admin, dir, stderr,
    status: async () => (await fetch(`${admin}/api/v1/status`)).json(),
    metrics: async () => (await fetch(`${admin}/metrics`)).text(),
    apply: async (yaml) => {
      const r = await fetch(`${admin}/api/v1/objects`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: yaml });
      return { status: r.status, body: await r.json() };
    },
    rssMB: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))![1]) / 1024,
    alive: () => proc.exitCode === null && proc.signalCode === null,
  };
}

/** Writes a file the way editors do (a new file renamed over the old one), so the watcher sees one change. */
export function writeAtomically(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

/** A probe asking `name` every millisecond; stopped in teardown. */
export function probe(t: Teardown, port: number, name: string): Prober {
  const p = new Prober(port, name);
  p.start(1);
  t.teardown(() => p.stop());
  return p;
}

/** A metric's value (the first series matching `series`, e.g. `coredns_reload_failed_total`), NaN when absent. */
export function metricValue(text: string, series: string): number {
  for (const l of text.split('\n')) {
    if (l.startsWith(series) && (l[series.length] === ' ' || l[series.length] === '{')) return Number(l.slice(l.lastIndexOf(' ') + 1));
  }
  return NaN;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A StatefulSet with its headless Service: pods `<name>-<i>` answer as `<name>-<i>.<name>.<ns>.svc.cluster.local`. */
export function statefulSet(name: string, replicas: number | string, ns = 'default'): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  clusterIP: None
  selector: {app: ${name}}
  ports: [{name: http, port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  serviceName: ${name}
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 80}]}]}
`;
}

/** A Deployment (no Service). */
export function deployment(name: string, replicas: number | string, ns = 'default'): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: nginx}]}
`;
}
