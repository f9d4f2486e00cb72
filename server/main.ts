#!/usr/bin/env node
// The clusterdns executable: parse flags, start the server, stop cleanly on SIGTERM/SIGINT.
import { pino } from 'pino';
import { ClusterStore } from '../lib/cluster/store.js';
import { formatRR } from '../lib/dns/records.js';
import { listRecords } from '../lib/dns/zone-listing.js';
import { FixtureSource } from '../lib/sources/fixtures.js';
import { FixtureError } from '../lib/sources/manifest-files.js';
import { ClusterDnsServer, ConfigError, resolverConfigFrom, VERSION } from '../lib/start.js';
import { KubeConfigError, PermissionError } from '../lib/sources/source-errors.js';
import { HELP, parseCli, UsageError } from './cli.js';
import { ReadyFile } from './ready-file.js';
import { compactHeap } from '../lib/compact-heap.js';

async function main(argv: string[]): Promise<number> {
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
  if (command === 'help') { process.stdout.write(HELP); return 0; }
  if (command === 'version') { process.stdout.write(`clusterdns ${VERSION}\n`); return 0; }

  const logger = pino({ level: config.logLevel, base: undefined }, pino.destination(2));
  if (cli.warnings.length > 0) logger.warn(`Corefile: ${cli.warnings.join('; ')}`);

  if (command === 'records') {
    const store = new ClusterStore({ namespaces: config.namespaces });
    const src = new FixtureSource(store, { paths: config.fixtures, namespace: config.namespace, synthesis: config.synthesis, watch: false, logger });
    await src.start();
    const text = listRecords(store, resolverConfigFrom(config, [])).map((rr) => `${formatRR(rr)}\n`).join('');
    // process.exit() would drop what a pipe has not taken yet: wait until stdout has it all.
    await new Promise<void>((resolve) => process.stdout.write(text, () => resolve()));
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
  process.stdout.write(`clusterdns ${VERSION}: serving ${config.zones.join(', ')} from ${where} on ${host}:${a.port} udp+tcp${http ? `; ${http}` : ''}\n`);
  readyFile?.write(srv);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, lameduck: config.lameduck }, 'shutting down');
    readyFile?.remove();
    await srv.shutdown();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  return -1;
}

main(process.argv.slice(2)).then((code) => {
  if (code >= 0) process.exit(code);
}, (err) => {
  if (err instanceof FixtureError) {
    process.stderr.write(`clusterdns: fixture error: ${err.message}\n`);
    process.exit(1);
  }
  if (err instanceof KubeConfigError || err instanceof PermissionError) {
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
