// The programmatic API's types: what `import ... from 'clusterdns'` shows a test author. A consumer type-checks these
// with skipLibCheck off, so this file and everything it imports must stay free of internals: no server class, no
// store, nothing that reaches @kubernetes/client-node (whose types need `ws`'s, which a consumer may not have).
// New methods go on ClusterDns here, their argument and result types in data-only files (test/package-pack.test.ts
// packs the package and type-checks a consumer against it, so a type that drags internals in fails there).
import type { Logger as PinoLogger } from 'pino';
import type { Fault, FaultSpec } from './admin/faults.js';
import type { JournalEntry, QueryMatcher } from './admin/query-match.js';
import type { QueryWaitOptions } from './admin/query-waiters.js';
import type { ClusterDnsConfig, HostPort, SynthesisConfig } from './config.js';
import type { Answer } from './dns/records.js';
import type { StaticRecordSpec } from './static/spec.js';
import type { Explanation, ExplainOptions } from './admin/explain-types.js';

export interface StartOptions extends Partial<Omit<ClusterDnsConfig, 'listen' | 'admin' | 'health' | 'ready' | 'metrics' | 'upstreams' | 'fixtures' | 'synthesis' | 'recordFiles'>> {
  /** static records for names outside the zones (api.stripe.test): specs, or zone-file text with absolute names */
  records?: StaticRecordSpec[] | string;
  /** static record files (zone-file syntax), watched when `watch` is on; a string is one file */
  recordFiles?: string | string[];
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
  /**
   * where the server logs: a pino logger (a child of it, at `logLevel` when that is given too). Default: warnings and
   * errors to stderr, nothing to stdout (a test runner's stdout is its report).
   */
  logger?: PinoLogger;
  /** 'silent' for no output at all; default 'warn' (to stderr, or the given logger's level) */
  logLevel?: ClusterDnsConfig['logLevel'];
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
  /** add static records (all or none; a TypeError says what to fix); returns how many */
  addRecords(records: StaticRecordSpec[] | string): number;
  /** remove static records added at run time at `name` (of `type`), or every one without a name; how many went */
  removeRecords(name?: string, type?: string | number): number;
  /** every static record, from files and added at run time */
  staticRecords(): { name: string; type: string; ttl: number; value: string; text: string; source?: string }[];
  /** the answer DNS gives, without a socket */
  resolve(name: string, type: number): Answer;
  /**
   * what DNS answers (through the responder, faults included) and why, as GET /api/v1/explain: the rule behind each
   * record, near misses for NXDOMAIN/NODATA, with `namespace` the search-path walk a pod there makes. A wrong
   * question rejects with a TypeError saying what to fix.
   */
  explain(name: string, options?: ExplainOptions): Promise<Explanation>;
  /**
   * inject a fault for matching names (an error rcode, delay, drop, truncate, or wrong data: "answer" with chosen
   * addresses, "empty"), optionally on every Nth, a seeded fraction, one client or one transport of their queries;
   * returns it (its id removes it). A wrong spec throws an Error saying which field to fix.
   */
  fault(spec: FaultSpec): Fault;
  removeFault(id: number): boolean;
  clearFaults(): void;
  /** recent queries, oldest first (the last journalSize) */
  queries(filter?: QueryMatcher): JournalEntry[];
  /** forget the queries received so far */
  clearQueries(): void;
  /**
   * The first query matching that arrives after the call (`includePast: true`: or the oldest already in the journal).
   * Rejects after `timeoutMs` [5000] with the last queries received in the message, with `signal.reason` on abort,
   * when the server closes, and at once for a match that cannot match or past 1000 pending waits.
   * A number as second argument is timeoutMs.
   */
  waitForQuery(match: QueryMatcher, options?: QueryWaitOptions | number): Promise<JournalEntry>;
  /** stops the server; waits for queries reject; calling it again does nothing */
  close(): Promise<void>;
  /** close(), for `await using dns = await startClusterDns(...)` */
  [Symbol.asyncDispose](): Promise<void>;
}
