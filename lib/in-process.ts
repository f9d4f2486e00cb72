// The programmatic API: startClusterDns() runs a clusterdns inside a test suite's process, on the same server class
// the CLI runs, with options checked as flags are.
import { pino, type Logger as PinoLogger } from 'pino';
import type { Fault, FaultSpec } from './admin/faults.js';
import type { JournalEntry, QueryMatch, QueryMatcher } from './admin/journal.js';
import type { QueryWaitOptions } from './admin/query-waiters.js';
import type { ClusterStore } from './cluster/store.js';
import { defaultConfig, type ClusterDnsConfig, type HostPort, type SynthesisConfig } from './config.js';
import type { Answer } from './dns/records.js';
import { checkStartOptions } from './options.js';
import { ClusterDnsServer, hostPortText } from './start.js';

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

export interface ClusterDns {
  host: string;
  port: number;
  /** "host:port", ready for dns.Resolver#setServers */
  address: string;
  /** the admin API's "host:port" when started with `admin` */
  adminAddress?: string;
  config: ClusterDnsConfig;
  store: ClusterStore;
  server: ClusterDnsServer;
  /** add or replace objects: raw manifests or YAML/JSON text (like kubectl apply -f) */
  apply(manifests: unknown[] | string): Promise<{ applied: string[] }>;
  /** delete one object (like kubectl delete); false when there was none */
  delete(kind: string, namespace: string, name: string): Promise<boolean>;
  /** re-read the fixture files */
  reload(): Promise<void>;
  /** the answer DNS gives, without a socket */
  resolve(name: string, type: number): Answer;
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

export type { JournalEntry, QueryMatch, QueryMatcher, QueryWaitOptions };

/**
 * Starts a clusterdns in this process. Several can run side by side; each gets its own store and port.
 *
 *   const dns = await startClusterDns({ fixtures: ['fixtures/'], listen: '127.0.0.1:0' });
 *   resolver.setServers([dns.address]);
 */
export async function startClusterDns(options: StartOptions = {}): Promise<ClusterDns> {
  const base = defaultConfig();
  // Plain JavaScript callers pass anything: a wrong option is a TypeError naming it, as a wrong flag is a usage error.
  const { listen, admin, objects, logger: givenLogger, journalSize, ...rest } = checkStartOptions(options);
  const logger = inProcessLogger(givenLogger, rest.logLevel);
  const config: ClusterDnsConfig = {
    ...base,
    ...rest,
    synthesis: { ...base.synthesis, ...(rest.synthesis ?? {}) },
    listen: listen ?? { host: '127.0.0.1', port: 0 },
    admin: admin ?? null,
    health: null, ready: null, metrics: null,
    // Tests call reload() or apply(); watching is for long-running servers.
    watch: rest.watch ?? false,
    logLevel: (rest.logLevel ?? logger.level) as ClusterDnsConfig['logLevel'],
  };
  const srv = await ClusterDnsServer.start(config, { ...(objects ? { objects } : {}), logger, ...(journalSize !== undefined ? { journalSize } : {}) });
  const addr = srv.dnsAddress;
  // One promise for every caller: a second close() (or the disposal after an explicit close) waits for the same end.
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= srv.close());
  const liveOnly = () => new Error('the live cluster is the source of truth: apply/delete need the fixture source');
  const open = (what: string) => {
    if (srv.state === 'stopped') throw new Error(`clusterdns: ${what}() after close(): this server is stopped; start another`);
  };
  const adminAddress = srv.http.find((h) => h.role === 'admin')?.address;
  return {
    host: addr.host,
    port: addr.port,
    address: hostPortText(addr),
    ...(adminAddress ? { adminAddress } : {}),
    config,
    store: srv.store,
    server: srv,
    async apply(manifests) {
      open('apply');
      if (!srv.fixtures) throw liveOnly();
      return srv.fixtures.apply(manifests);
    },
    async delete(kind, namespace, name) {
      open('delete');
      if (!srv.fixtures) throw liveOnly();
      return srv.fixtures.delete(kind, namespace, name);
    },
    async reload() {
      open('reload');
      await srv.fixtures?.reload();
    },
    // Reads keep working after close(): a failing test's teardown may still want the last state and the journal.
    resolve: (name, type) => srv.resolve(name, type),
    fault: (spec) => { open('fault'); return srv.faults.add(spec); },
    removeFault: (id) => { open('removeFault'); return srv.faults.remove(id); },
    clearFaults: () => { open('clearFaults'); srv.faults.clear(); },
    queries: (filter) => srv.journal.entries(filter),
    clearQueries: () => { open('clearQueries'); srv.journal.clear(); },
    async waitForQuery(m, options) {
      open('waitForQuery');
      return srv.journal.waitFor(m, options);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * A test runner's stdout is its report (TAP, a reporter's progress): the server writes nothing there. Without a
 * logger, warnings and errors go to stderr, where a test author sees a refused fixture object next to the failing
 * test; 'silent' is one option away, while silence by default would hide exactly the warning that explains why a
 * name does not resolve.
 */
function inProcessLogger(given: PinoLogger | undefined, level: ClusterDnsConfig['logLevel'] | undefined): PinoLogger {
  if (given) return level === undefined ? given : given.child({}, { level });
  // process.stderr, not fd 2: runners that capture or redirect process.stderr (and sync writes on exit) see it.
  return pino({ level: level ?? 'warn', base: undefined }, process.stderr);
}
