#!/usr/bin/env node
// The clusterdns executable: parse flags, start the server, stop cleanly on SIGTERM/SIGINT.
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { FixtureError } from '../lib/sources/manifest-files.js';
import { startDnsServer, resolverConfigFrom } from '../lib/start.js';
import { listRecords } from '../lib/dns/zone-listing.js';
import { formatRR } from '../lib/dns/records.js';
import { ClusterStore } from '../lib/cluster/store.js';
import { FixtureSource } from '../lib/sources/fixtures.js';
import { HELP, parseCli, UsageError } from './cli.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

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
  if (command === 'version') { process.stdout.write(`clusterdns ${pkg.version}\n`); return 0; }

  const logger = pino({ level: config.logLevel, base: undefined }, pino.destination(2));

  if (command === 'records') {
    const store = new ClusterStore({ namespaces: config.namespaces });
    const src = new FixtureSource(store, { paths: config.fixtures, namespace: config.namespace, watch: false, logger });
    await src.start();
    for (const rr of listRecords(store, resolverConfigFrom(config, []))) process.stdout.write(`${formatRR(rr)}\n`);
    return 0;
  }

  const parts = await startDnsServer(config, { logger });
  const a = parts.transport.address!;
  const where = config.source === 'fixtures' ? `fixtures (${parts.fixtures?.status.files.length ?? 0} files: ${config.fixtures.join(', ')})` : config.source;
  const host = a.host.includes(':') ? `[${a.host}]` : a.host;
  process.stdout.write(`clusterdns ${pkg.version}: serving ${config.zones.join(', ')} from ${where} on ${host}:${a.port} udp+tcp\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await parts.transport.close();
    await parts.fixtures?.stop();
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
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') {
    process.stderr.write(`clusterdns: cannot listen: ${e.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`clusterdns: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
