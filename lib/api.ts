// The programmatic API's types: what `import ... from 'clusterdns'` shows a test author. A consumer type-checks these
// with skipLibCheck off, so this file and everything it imports must stay free of internals: no server class, no
// store, nothing that reaches @kubernetes/client-node (whose types need `ws`'s, which a consumer may not have).
// New methods go on ClusterDns here, their argument and result types in data-only files (test/package-pack.test.ts
// packs the package and type-checks a consumer against it, so a type that drags internals in fails there).
import type { Logger as PinoLogger } from 'pino';
import type { Fault, FaultSpec } from './admin/faults.js';
import type { JournalEntry, QueryMatch } from './admin/journal.js';
import type { ClusterDnsConfig, HostPort, SynthesisConfig } from './config.js';
import type { Answer } from './dns/records.js';

export interface StartOptions extends Partial<Omit<ClusterDnsConfig, 'listen' | 'admin' | 'health' | 'ready' | 'metrics' | 'upstreams' | 'fixtures' | 'synthesis'>> {
  /** "host:port" or {host, port}; default 127.0.0.1:0 (a free port) */
  listen?: string | HostPort;
  /** resolvers for names outside the zones, as the CLI's --upstream: "IP", "IP:PORT", "[v6]:PORT" or {host, port} */
  upstreams?: (string | HostPort)[];
  /** manifest files or folders; a string is one path */
  fixtures?: string | string[];
  /** the fields to change of the workload synthesis settings */
  synthesis?: Partial<SynthesisConfig>;
  /** admin HTTP API: "host:port" (port 0 = free port), or null / 'off'; off unless given */
  admin?: string | HostPort | null;
  /** raw manifests (parsed objects) to serve in addition to the fixture files */
  objects?: unknown[];
  logger?: PinoLogger;
  /** query journal size [1000] */
  journalSize?: number;
}

/** A running clusterdns, from startClusterDns(). */
export interface ClusterDns {
  host: string;
  port: number;
  /** "host:port", ready for dns.Resolver#setServers */
  address: string;
  /** the admin API's "host:port" when started with `admin` */
  adminAddress?: string;
  /** the effective configuration (defaults filled in) */
  config: ClusterDnsConfig;
  /** add or replace objects: raw manifests or YAML/JSON text (like kubectl apply -f) */
  apply(manifests: unknown[] | string): Promise<{ applied: string[] }>;
  /** delete one object (like kubectl delete); false when there was none */
  delete(kind: string, namespace: string, name: string): Promise<boolean>;
  /** re-read the fixture files */
  reload(): Promise<void>;
  /** the answer DNS gives, without a socket */
  resolve(name: string, type: number): Answer;
  /** inject a fault for matching names; returns it (its id removes it) */
  fault(spec: FaultSpec): Fault;
  removeFault(id: number): boolean;
  clearFaults(): void;
  /** recent queries, oldest first */
  queries(filter?: QueryMatch): JournalEntry[];
  /** the first matching query already received, or the next one */
  waitForQuery(match: QueryMatch, timeoutMs?: number): Promise<JournalEntry>;
  close(): Promise<void>;
}
