// How a harness in any language finds a CLI it started: --ready-file PATH gets one JSON object with every bound
// address once DNS and every HTTP listener are up; `--ready-file -` prints it as one line on stdout. And
// --listen HOST:0 moves the listeners the command line did not pin to free ports too, so two instances never collide.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { ClusterDnsConfig, HostPort } from '../lib/config.js';
import { ConfigError, type ClusterDnsServer } from '../lib/start.js';

export interface ReadyAddress {
  host: string;
  port: number;
  /** "host:port", IPv6 hosts in brackets */
  address: string;
}

export interface ReadyInfo {
  version: string;
  pid: number;
  /** the same port answers UDP and TCP */
  dns: ReadyAddress & { protocols: ['udp', 'tcp'] };
  /** every DNS listener (a Corefile's server blocks on several ports), the main one first */
  dnsListeners: ReadyAddress[];
  /** HTTP listeners by role (admin, health, ready, metrics), each with its base URL */
  http: Record<string, ReadyAddress & { url: string }>;
  zones: string[];
  source: ClusterDnsConfig['source'];
}

function at(host: string, port: number): ReadyAddress {
  return { host, port, address: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}` };
}

export function readyInfo(srv: ClusterDnsServer): ReadyInfo {
  const dns = srv.dnsAddress;
  const http: ReadyInfo['http'] = {};
  for (const h of srv.http) {
    const a = h.app.server.address() as AddressInfo;
    const where = at(a.address, a.port);
    http[h.role] = { ...where, url: `http://${where.address}` };
  }
  return { version: srv.version, pid: process.pid, dns: { ...at(dns.host, dns.port), protocols: ['udp', 'tcp'] }, dnsListeners: srv.dnsAddresses().map((x) => at(x.host, x.port)), http, zones: srv.config.zones, source: srv.config.source };
}

export class ReadyFile {
  constructor(readonly target: string) {}

  /** A file left by an earlier run must not look like this run's: gone before anything is bound. */
  clearStale(): void {
    if (this.target === '-') return;
    try {
      rmSync(this.target, { force: true });
    } catch (err) {
      throw new ConfigError(`--ready-file ${this.target}: ${(err as Error).message}`);
    }
  }

  write(srv: ClusterDnsServer): void {
    const line = `${JSON.stringify(readyInfo(srv))}\n`;
    if (this.target === '-') {
      process.stdout.write(line);
      return;
    }
    // Written aside and renamed: a harness polling for the file never reads half of it.
    const tmp = `${this.target}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, line);
      renameSync(tmp, this.target);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw new ConfigError(`--ready-file ${this.target}: cannot write it: ${(err as Error).message}`);
    }
  }

  /** On shutdown: a stopped server's addresses are not an answer any more. */
  remove(): void {
    if (this.target !== '-') rmSync(this.target, { force: true });
  }
}

/**
 * --listen HOST:0 asks for a free DNS port; the admin listener and any Corefile health/ready/metrics listener then
 * take a free port too (same host), unless their own flag set one: a second instance must not collide on the default admin port.
 */
export function freeUnpinnedPorts(config: ClusterDnsConfig, pinned: Record<'admin' | 'health' | 'ready' | 'metrics', boolean>): void {
  if (config.listen.port !== 0) return;
  for (const role of ['admin', 'health', 'ready', 'metrics'] as const) {
    const cur: HostPort | null = config[role];
    if (cur && !pinned[role]) config[role] = { host: cur.host, port: 0 };
  }
}
