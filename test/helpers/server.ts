// Starts the real server through the programmatic API on a free loopback port, loaded with the schema fixture set,
// and stops it when the test ends.
import { fileURLToPath } from 'node:url';
import { startClusterDns } from '../../lib/index.js';
import type { ServerAddress } from './dns-wire.js';

export const SCHEMA_FIXTURES = fileURLToPath(new URL('../fixtures/schema/', import.meta.url));

export type StartOptions = NonNullable<Parameters<typeof startClusterDns>[0]>;
export type ClusterDns = Awaited<ReturnType<typeof startClusterDns>>;

export interface Running {
  dns: ClusterDns;
  server: ServerAddress;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export function addressOf(dns: ClusterDns): ServerAddress {
  return { host: dns.host, port: dns.port };
}

export async function startServer(t: Teardown, opts: Partial<StartOptions> = {}): Promise<Running> {
  const dns = await startClusterDns({ listen: '127.0.0.1:0', ...opts } as StartOptions);
  t.teardown(() => dns.close());
  return { dns, server: addressOf(dns) };
}

/** The schema fixture set (test/fixtures/schema), with any extra options. */
export function startSchemaServer(t: Teardown, opts: Partial<StartOptions> = {}): Promise<Running> {
  return startServer(t, { fixtures: [SCHEMA_FIXTURES], ...opts });
}
