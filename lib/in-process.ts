// The programmatic API: startClusterDns() runs a clusterdns inside a test suite's process, on the same server class
// the CLI runs, with options checked as flags are.
import { pino, type Logger as PinoLogger } from 'pino';
import type { Fault, FaultSpec } from './admin/faults.js';
import type { JournalEntry, QueryMatch } from './admin/journal.js';
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
  logger?: PinoLogger;
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
  /** recent queries, oldest first */
  queries(filter?: QueryMatch): JournalEntry[];
  /** the first matching query already received, or the next one */
  waitForQuery(match: QueryMatch, timeoutMs?: number): Promise<JournalEntry>;
  close(): Promise<void>;
}

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
  const config: ClusterDnsConfig = {
    ...base,
    ...rest,
    synthesis: { ...base.synthesis, ...(rest.synthesis ?? {}) },
    listen: listen ?? { host: '127.0.0.1', port: 0 },
    admin: admin ?? null,
    health: null, ready: null, metrics: null,
    // Tests call reload() or apply(); watching is for long-running servers.
    watch: rest.watch ?? false,
  };
  const logger = givenLogger ?? pino({ level: rest.logLevel ?? 'warn', base: undefined });
  const srv = await ClusterDnsServer.start(config, { ...(objects ? { objects } : {}), logger, ...(journalSize !== undefined ? { journalSize } : {}) });
  const addr = srv.dnsAddress;
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
    resolve: (name, type) => srv.resolve(name, type),
    fault: (spec) => srv.faults.add(spec),
    removeFault: (id) => srv.faults.remove(id),
    clearFaults: () => srv.faults.clear(),
    queries: (filter) => srv.journal.entries(filter),
    waitForQuery: (m, t) => srv.journal.waitFor(m, t),
    close: () => srv.close(),
  };
}
