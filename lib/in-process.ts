// The programmatic API: startClusterDns() runs a clusterdns inside a test suite's process, on the same server class
// the CLI runs, with options checked as flags are.
import { pino, type Logger as PinoLogger } from 'pino';
import type { Fault, FaultSpec } from './admin/faults.js';
import type { JournalEntry, QueryMatch } from './admin/journal.js';
import type { ClusterStore } from './cluster/store.js';
import { defaultConfig, type ClusterDnsConfig, type HostPort, type SynthesisConfig } from './config.js';
import { parseType, type Answer } from './dns/records.js';
import { RecordError } from './static/rdata.js';
import type { StaticRecordSpec } from './static/spec.js';
import { staticRecordJson } from './static/routes.js';
import { checkStartOptions } from './options.js';
import { ClusterDnsServer, hostPortText } from './start.js';

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
  /** add static records (all or none; a TypeError says what to fix); returns how many */
  addRecords(records: StaticRecordSpec[] | string): number;
  /** remove static records added at run time at `name` (of `type`), or every one without a name; how many went */
  removeRecords(name?: string, type?: string | number): number;
  /** every static record, from files and added at run time */
  staticRecords(): { name: string; type: string; ttl: number; value: string; text: string; source?: string }[];
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

/**
 * Starts a clusterdns in this process. Several can run side by side; each gets its own store and port.
 *
 *   const dns = await startClusterDns({ fixtures: ['fixtures/'], listen: '127.0.0.1:0' });
 *   resolver.setServers([dns.address]);
 */
export async function startClusterDns(options: StartOptions = {}): Promise<ClusterDns> {
  const base = defaultConfig();
  // Plain JavaScript callers pass anything: a wrong option is a TypeError naming it, as a wrong flag is a usage error.
  const { listen, admin, objects, logger: givenLogger, journalSize, records, ...rest } = checkStartOptions(options);
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
  const srv = await ClusterDnsServer.start(config, { ...(objects ? { objects } : {}), ...(records !== undefined ? { records } : {}), logger, ...(journalSize !== undefined ? { journalSize } : {}) })
    .catch((err: unknown) => { throw err instanceof RecordError ? new TypeError(`startClusterDns: records: ${err.message}`) : err; });
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
    addRecords(list) {
      open('addRecords');
      try {
        return srv.staticRecords.add(list).length;
      } catch (err) {
        throw err instanceof RecordError ? new TypeError(`clusterdns: addRecords: ${err.message}`) : err;
      }
    },
    removeRecords(name, type) {
      open('removeRecords');
      const t = typeof type === 'string' ? parseType(type) : type;
      if (type !== undefined && t === undefined) throw new TypeError(`clusterdns: removeRecords: type ${JSON.stringify(type)} is not a DNS type (A, AAAA, CNAME, TXT, MX, SRV, PTR)`);
      try {
        return srv.staticRecords.remove(name, t);
      } catch (err) {
        throw err instanceof RecordError ? new Error(`clusterdns: removeRecords: ${err.message}`) : err;
      }
    },
    staticRecords: () => srv.staticRecords.list().map(staticRecordJson),
    resolve: (name, type) => srv.resolve(name, type),
    fault: (spec) => srv.faults.add(spec),
    removeFault: (id) => srv.faults.remove(id),
    clearFaults: () => srv.faults.clear(),
    queries: (filter) => srv.journal.entries(filter),
    waitForQuery: (m, t) => srv.journal.waitFor(m, t),
    close: () => srv.close(),
  };
}
