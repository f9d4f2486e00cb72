// The programmatic API: startClusterDns() runs a clusterdns inside a test suite's process, on the same server class
// the CLI runs, with options checked as flags are.
import { pino, type Logger as PinoLogger } from 'pino';
import type { ClusterDns, StartOptions } from './api.js';
import type { ClusterStore } from './cluster/store.js';
import { defaultConfig, type ClusterDnsConfig } from './config.js';
import { parseType } from './dns/records.js';
import { RecordError } from './static/rdata.js';
import { staticRecordJson } from './static/routes.js';
import { checkStartOptions } from './options.js';
import { ExplainError } from './admin/explain.js';
import { explainerFor } from './admin/explain-route.js';
import { ClusterDnsServer, hostPortText } from './start.js';

export type { ClusterDns, StartOptions } from './api.js';

/** What the test suite reaches behind the public API (test/helpers/internals.ts types it there). */
interface Internals {
  store: ClusterStore;
  server: ClusterDnsServer;
}

/**
 * Starts a clusterdns in this process. Several can run side by side; each gets its own store and port.
 *
 *   const dns = await startClusterDns({ fixtures: ['fixtures/'], listen: '127.0.0.1:0' });
 *   const resolver = new (await import('node:dns')).promises.Resolver();
 *   resolver.setServers([dns.address]);
 */
export async function startClusterDns(options: StartOptions = {}): Promise<ClusterDns> {
  const base = defaultConfig();
  // Plain JavaScript callers pass anything: a wrong option is a TypeError naming it, as a wrong flag is a usage error.
  const { listen, admin, objects, logger: givenLogger, journalSize, records, ...rest } = checkStartOptions(options);
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
  const srv = await ClusterDnsServer.start(config, { ...(objects ? { objects } : {}), ...(records !== undefined ? { records } : {}), logger, ...(journalSize !== undefined ? { journalSize } : {}) })
    .catch((err: unknown) => { throw err instanceof RecordError ? new TypeError(`startClusterDns: records: ${err.message}`) : err; });
  const addr = srv.dnsAddress;
  // One promise for every caller: a second close() (or the disposal after an explicit close) waits for the same end.
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= srv.close());
  const liveOnly = () => new Error('the live cluster is the source of truth: apply/delete need the fixture source');
  const open = (what: string) => {
    if (srv.state === 'stopped') throw new Error(`clusterdns: ${what}() after close(): this server is stopped; start another`);
  };
  const adminAddress = srv.http.find((h) => h.role === 'admin')?.address;
  // The object carries the internals the test suite uses; the declared type (and so the published .d.ts) does not.
  const dns: ClusterDns & Internals = {
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
    // Reads keep working after close(): a failing test's teardown may still want the last state and the journal.
    resolve: (name, type) => srv.resolve(name, type),
    explain: (name, options) => explainerFor(srv).explain(name, options)
      .catch((err: unknown) => { throw err instanceof ExplainError ? new TypeError(`clusterdns: explain: ${err.message}`) : err; }),
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
  return dns;
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
  return pino({ level: level ?? envLogLevel() ?? 'warn', base: undefined }, process.stderr);
}

const LEVELS: readonly ClusterDnsConfig['logLevel'][] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * CLUSTERDNS_LOG_LEVEL: the level of in-process servers started without `logLevel` or `logger`, so a whole test run
 * can be quieted (or made verbose) without touching the tests. The CLI has --log-level and does not read it.
 */
function envLogLevel(): ClusterDnsConfig['logLevel'] | undefined {
  const v = process.env.CLUSTERDNS_LOG_LEVEL;
  if (v === undefined || v === '') return undefined;
  const level = LEVELS.find((l) => l === v);
  if (!level) throw new TypeError(`startClusterDns: CLUSTERDNS_LOG_LEVEL=${JSON.stringify(v.slice(0, 40))}: expected one of ${LEVELS.join(', ')}`);
  return level;
}
