// The clusterdns command, loaded by server/main.ts once signals are taken: parse flags, start the server, stop
// cleanly on SIGTERM/SIGINT, reload on SIGHUP/SIGUSR1.
import { listIngressRecords } from '../lib/plugins/ingress/listing.js';
import { ingressFlagOptions } from '../lib/plugins/ingress/setup.js';
import { mergeSorted } from '../lib/admin/record-listing.js';
import { pino, type Logger } from 'pino';
import { ClusterStore } from '../lib/cluster/store.js';
import { formatRR } from '../lib/dns/records.js';
import { listRecords } from '../lib/dns/zone-listing.js';
import { FixtureSource } from '../lib/sources/fixtures.js';
import { FixtureError } from '../lib/sources/manifest-files.js';
import { ClusterDnsServer, ConfigError, resolverConfigFrom, VERSION } from '../lib/start.js';
import { KubeConfigError, PermissionError } from '../lib/sources/source-errors.js';
import { HELP, parseCli, UsageError } from './cli.js';
import { healthMain } from './health-command.js';
import { explainMain } from './explain-command.js';
import { resolverMain } from './resolver-command.js';
import { snapshotMain } from './snapshot-command.js';
import { diffMain } from './diff-command.js';
import { ReadyFile } from './ready-file.js';
import { compactHeap } from '../lib/compact-heap.js';
import { handleSignals } from './signals.js';
import { ReusePortError } from '../lib/wire/reuse-port.js';
import { MasterFileError } from '../lib/static/master-file.js';
import { StaticRecords } from '../lib/static/service.js';
import { writeLines, writeOut } from './stdio.js';

async function main(argv: string[]): Promise<number> {
  // Its flags (--namespace, --admin) mean the asked-about pod and server, not serve's: its own parser.
  if (argv[0] === 'explain') return explainMain(argv.slice(1));
  // Its own flags (--zone means the zones to route, --port the server's port), so it is parsed apart from serve's.
  if (argv[0] === 'resolver') return resolverMain(argv.slice(1));
  // Their own flags (snapshot: a kubeconfig to list once; diff: two fixture paths), parsed apart from serve's.
  if (argv[0] === 'snapshot') return snapshotMain(argv.slice(1));
  if (argv[0] === 'diff') return diffMain(argv.slice(1));
  let cli;
  try {
    cli = parseCli(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`clusterdns: ${err.message}\nRun 'clusterdns --help' for the flags.\n`);
      return 2;
    }
    throw err;
  }
  const { command, config } = cli;
  if (command === 'help') { await writeOut(process.stdout, HELP); return 0; }
  if (command === 'version') { await writeOut(process.stdout, `clusterdns ${VERSION}\n`); return 0; }
  if (command === 'health') return healthMain(argv, parseCli);

  const logger = pino({ level: config.logLevel, base: undefined }, pino.destination(2));
  if (cli.warnings.length > 0) logger.warn(`Corefile: ${cli.warnings.join('; ')}`);

  if (command === 'records') {
    const store = new ClusterStore({ namespaces: config.namespaces });
    const src = new FixtureSource(store, { paths: config.fixtures, namespace: config.namespace, synthesis: config.synthesis, watch: false, logger });
    await src.start();
    const statics = new StaticRecords({ zones: config.zones, defaultTtl: config.ttl, files: config.recordFiles ?? [], watch: false, logger });
    await statics.start();
    let rrs = listRecords(store, { ...resolverConfigFrom(config, []), statics: statics.table });
    const ingress = ingressFlagOptions(config);
    // External names (and their PTRs) at their places in the zone-file order, not after the cluster's.
    if (ingress) rrs = mergeSorted(rrs, listIngressRecords(store, ingress, resolverConfigFrom(config, [])));
    // process.exit() would drop what a pipe has not taken yet: wait until stdout has it all. A reader that leaves
    // early (`| head -1`) is not an error: stop writing and exit 0, like other Unix tools.
    await writeLines(process.stdout, (function* () { for (const rr of rrs) yield `${formatRR(rr)}\n`; })());
    return 0;
  }

  const readyFile = cli.readyFile !== undefined ? new ReadyFile(cli.readyFile) : undefined;
  readyFile?.clearStale();
  const srv = await ClusterDnsServer.start(config, { logger, journalSize: cli.journalSize, afterLoad: compactHeap });
  const a = srv.dnsAddress;
  const where = config.source === 'fixtures'
    ? `fixtures (${srv.fixtures?.status.files.length ?? 0} files: ${config.fixtures.join(', ')})`
    : `the Kubernetes API (${config.inCluster ? 'in-cluster service account' : config.kubeconfig ?? 'kubeconfig'}${config.context ? `, context ${config.context}` : ''}${srv.store.synced ? '' : ', not synced yet'})`;
  const host = a.host.includes(':') ? `[${a.host}]` : a.host;
  const http = srv.http.map((h) => `${h.role} http://${h.address}`).join(', ');
  // Not awaited: a supervisor that never reads our stdout must not hold the server up.
  void writeOut(process.stdout, `clusterdns ${VERSION}: serving ${config.zones.join(', ')} from ${where} on ${host}:${a.port} udp+tcp${srv.dnsAddresses().slice(1).map((x) => `, ${x.host.includes(':') ? `[${x.host}]` : x.host}:${x.port} udp+tcp`).join('')}${http ? `; ${http}` : ''}\n`);
  readyFile?.write(srv);
  // A Corefile reload that adds or drops a port: a harness reading the file sees what is served now.
  if (readyFile) {
    srv.dns.onAddressesChanged(() => {
      try {
        readyFile.write(srv);
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'reload: the listeners changed but --ready-file could not be rewritten');
      }
    });
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, lameduck: config.lameduck }, 'shutting down');
    readyFile?.remove();
    await srv.shutdown();
    process.exit(0);
  };
  handleSignals({ stop: (sig) => void stop(sig), reload: reloader(srv, logger, () => stopping), logger });
  return -1;
}

/**
 * SIGHUP/SIGUSR1 → one reload at a time; signals that arrive while one runs are folded into a single next one
 * (a burst of signals is not a queue of full re-reads). One log line per reload, naming the signal(s).
 */
function reloader(srv: ClusterDnsServer, logger: Logger, stopping: () => boolean): (signal: string) => void {
  let running = false;
  let next: string[] = [];
  const run = (signals: string[]) => {
    running = true;
    const by = signals.join(', ');
    const started = performance.now();
    srv.reload().then((reloaded) => {
      const ms = Math.round(performance.now() - started);
      if (reloaded) logger.info({ signal: by, files: srv.fixtures?.status.files.length ?? 0, ms }, `${by}: fixtures reloaded`);
      else logger.info({ signal: by }, `${by}: nothing to reload (live mode: the watch keeps the cluster's state current)`);
    }, (err: Error) => {
      logger.warn({ signal: by }, `${by}: reload failed, still serving the last good state: ${err.message}`);
    }).finally(() => {
      running = false;
      if (next.length > 0 && !stopping()) run(next.splice(0));
    });
  };
  return (signal) => {
    if (stopping()) return;
    if (running) { if (!next.includes(signal)) next.push(signal); return; }
    run([signal]);
  };
}

main(process.argv.slice(2)).then((code) => {
  if (code >= 0) process.exit(code);
}, (err) => {
  if (err instanceof FixtureError) {
    process.stderr.write(`clusterdns: fixture error: ${err.message}\n`);
    process.exit(1);
  }
  if (err instanceof MasterFileError) {
    process.stderr.write(`clusterdns: --records ${err.message}\n`);
    process.exit(2);
  }
  if (err instanceof KubeConfigError || err instanceof PermissionError) {
    process.stderr.write(`clusterdns: ${err.message}\n`);
    process.exit(1);
  }
  if (err instanceof ReusePortError) {
    process.stderr.write(`clusterdns: ${err.message}\n`);
    process.exit(1);
  }
  if (err instanceof ConfigError) {
    process.stderr.write(`clusterdns: ${err.message}\n`);
    process.exit(2);
  }
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') {
    process.stderr.write(`clusterdns: cannot listen: ${e.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`clusterdns: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
