// Shared by the hostile live-mode tests: the fake API server with a kubeconfig for it, clusterdns started on it in
// live mode with its admin API, and every log line it writes kept as JSON.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startClusterDns, type StartOptions } from '../lib/in-process.js';
import { FakeApiServer, kubeconfigFor, type FakeApiServerOptions } from './fake-apiserver.js';
import { query } from './helpers/dns-client.js';
import { clusterIPService, endpointSlice, ns } from './live-helpers.js';

export interface JsonLog {
  level: number;
  msg: string;
  [k: string]: unknown;
}

export const base = () => [
  ns('default'),
  clusterIPService('default', 'web', '10.96.0.10'),
  clusterIPService('default', 'api', '10.96.0.11'),
  endpointSlice('default', 'web', 'web-1', ['10.244.0.1']),
];

export async function fakeApi(
  t: { teardown(fn: () => unknown): void }, initial = base(), opts: FakeApiServerOptions = {},
): Promise<{ api: FakeApiServer; kubeconfig: string }> {
  const api = await FakeApiServer.start({ token: 't', ...opts });
  t.teardown(() => api.close());
  api.load(initial);
  const dir = mkdtempSync(join(tmpdir(), 'hostile-live-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(api));
  return { api, kubeconfig };
}

/** clusterdns in live mode on the fake API server, with its admin API; logs are kept (pino JSON lines). */
export async function liveServer(t: { teardown(fn: () => unknown): void }, kubeconfig: string, extra: Partial<StartOptions> = {}) {
  const logs: JsonLog[] = [];
  const logger = pino({ level: 'debug' }, {
    write(line: string) {
      logs.push(JSON.parse(line) as JsonLog);
      if (process.env.LIVE_TEST_LOG === '1') process.stderr.write(line);
    },
  });
  const dns = await startClusterDns({ source: 'kubernetes', kubeconfig, logger, admin: '127.0.0.1:0', startupTimeoutMs: 300, ...extra });
  t.teardown(() => dns.close());
  const admin = `http://${dns.adminAddress}`;
  const source = dns.server.kubernetes!;
  return {
    dns, source, logs, admin, port: dns.port,
    async ready(): Promise<{ status: number; body: string }> {
      const r = await fetch(`${admin}/ready`);
      return { status: r.status, body: await r.text() };
    },
    async metric(name: string): Promise<number> {
      const text = await (await fetch(`${admin}/metrics`)).text();
      let sum = 0;
      for (const line of text.split('\n')) if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.split(' ').pop());
      return sum;
    },
    restarts: () => source.status.reduce((n, s) => n + s.restarts, 0),
    /** log lines at warn or above whose message matches */
    warnings: (re: RegExp) => logs.filter((l) => l.level >= 40 && re.test(l.msg)),
  };
}

export async function answer(port: number, name: string, type = 'A') {
  const r = await query(port, name, type);
  return { rcode: r.rcode ?? 'NOERROR', aa: Boolean(r.flag_aa), addresses: (r.answers ?? []).filter((a) => a.type === 'A').map((a) => String(a.data)) };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
