// Wiring: store + source + resolver + wire layer into one running server. Used by the CLI and, as
// startClusterDns(), by test suites that want a DNS server in-process.
import os from 'node:os';
import { pino, type Logger as PinoLogger } from 'pino';
import { ClusterStore } from './cluster/store.js';
import { defaultConfig, normalizeZone, parseHostPort, type ClusterDnsConfig, type HostPort } from './config.js';
import { resolve } from './dns/resolver.js';
import type { ResolverConfig } from './dns/resolver-config.js';
import type { Answer } from './dns/records.js';
import { FixtureSource } from './sources/fixtures.js';
import { Responder, type ResponderHooks, type Upstream } from './wire/responder.js';
import { DnsTransport } from './wire/transport.js';

export interface StartOptions extends Partial<Omit<ClusterDnsConfig, 'listen' | 'admin' | 'health' | 'ready' | 'metrics'>> {
  /** "host:port" or {host, port}; default 127.0.0.1:0 (a free port) */
  listen?: string | HostPort;
  /** raw manifests (parsed objects) to serve in addition to the fixture files */
  objects?: unknown[];
  logger?: PinoLogger;
}

export interface ClusterDns {
  host: string;
  port: number;
  /** "host:port", ready for dns.Resolver#setServers */
  address: string;
  config: ClusterDnsConfig;
  store: ClusterStore;
  logger: PinoLogger;
  /** add or replace objects: raw manifests or YAML/JSON text (like kubectl apply -f) */
  apply(manifests: unknown[] | string): Promise<{ applied: string[] }>;
  /** delete one object (like kubectl delete); false when there was none */
  delete(kind: string, namespace: string, name: string): Promise<boolean>;
  /** re-read the fixture files */
  reload(): Promise<void>;
  /** the answer DNS gives, without a socket */
  resolve(name: string, type: number): Answer;
  close(): Promise<void>;
}

/** The server's own non-loopback addresses: CoreDNS names itself by them (NS, ns.dns.<zone>). */
export function localAddresses(host: string): string[] {
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  if (!wildcard) return /^(127\.|::1$)/.test(host) ? [] : [host];
  const out: string[] = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (host === '0.0.0.0' && a.family !== 'IPv4') continue;
      out.push(a.address);
    }
  }
  return out;
}

export function resolverConfigFrom(cfg: ClusterDnsConfig, localIPs: string[]): ResolverConfig {
  return {
    zones: cfg.zones.map(normalizeZone),
    reverseZones: cfg.reverseZones.map(normalizeZone),
    ttl: cfg.ttl,
    pods: cfg.pods,
    endpointPodNames: cfg.endpointPodNames,
    localIPs,
  };
}

export interface ServerParts {
  config: ClusterDnsConfig;
  store: ClusterStore;
  responder: Responder;
  transport: DnsTransport;
  fixtures?: FixtureSource;
  logger: PinoLogger;
  resolverConfig(): ResolverConfig;
}

/** Builds and starts the DNS side of a server from a full config. */
export async function startDnsServer(config: ClusterDnsConfig, opts: {
  objects?: unknown[]; logger: PinoLogger; upstream?: Upstream; hooks?: ResponderHooks;
}): Promise<ServerParts> {
  const logger = opts.logger;
  const store = new ClusterStore({ namespaces: config.namespaces });
  let rcfg = resolverConfigFrom(config, []);
  const responder = new Responder(store, () => rcfg, opts.upstream, opts.hooks ?? {});
  let fixtures: FixtureSource | undefined;
  if (config.source === 'fixtures') {
    fixtures = new FixtureSource(store, {
      paths: config.fixtures,
      ...(opts.objects ? { objects: opts.objects } : {}),
      namespace: config.namespace,
      watch: config.watch,
      logger,
    });
    await fixtures.start();
  }
  const transport = new DnsTransport({
    host: config.listen.host,
    port: config.listen.port,
    handler: (msg, t, client) => responder.handle(msg, t, client),
    onError: (err, where) => logger.debug({ err, where }, 'dns transport error'),
  });
  try {
    await transport.listen();
  } catch (err) {
    await fixtures?.stop();
    throw err;
  }
  rcfg = resolverConfigFrom(config, localAddresses(config.listen.host));
  return { config, store, responder, transport, ...(fixtures ? { fixtures } : {}), logger, resolverConfig: () => rcfg };
}

/**
 * Starts a clusterdns in this process. Several can run side by side; each gets its own store and port.
 *
 *   const dns = await startClusterDns({ fixtures: ['fixtures/'], listen: '127.0.0.1:0' });
 *   resolver.setServers([dns.address]);
 */
export async function startClusterDns(options: StartOptions = {}): Promise<ClusterDns> {
  const base = defaultConfig();
  const { listen, objects, logger: givenLogger, ...rest } = options;
  const config: ClusterDnsConfig = {
    ...base,
    ...rest,
    synthesis: { ...base.synthesis, ...(rest.synthesis ?? {}) },
    listen: typeof listen === 'string' ? parseHostPort(listen) : listen ?? { host: '127.0.0.1', port: 0 },
    // The programmatic API is for test suites: no admin listener unless the caller wires one.
    admin: null, health: null, ready: null, metrics: null,
    // Explicit objects only: watching is for long-running servers, tests call reload() or apply().
    watch: rest.watch ?? false,
  };
  const logger = givenLogger ?? pino({ level: rest.logLevel ?? 'warn', base: undefined });
  const parts = await startDnsServer(config, { ...(objects ? { objects } : {}), logger });
  const addr = parts.transport.address!;
  const fixtures = parts.fixtures;
  return {
    host: addr.host,
    port: addr.port,
    address: addr.host.includes(':') ? `[${addr.host}]:${addr.port}` : `${addr.host}:${addr.port}`,
    config,
    store: parts.store,
    logger,
    async apply(manifests) {
      if (!fixtures) throw new Error('apply() needs the fixture source: the live cluster is the source of truth');
      return fixtures.apply(manifests);
    },
    async delete(kind, namespace, name) {
      if (!fixtures) throw new Error('delete() needs the fixture source: the live cluster is the source of truth');
      return fixtures.delete(kind, namespace, name);
    },
    async reload() {
      await fixtures?.reload();
    },
    resolve(name, type) {
      return resolve(parts.store, parts.resolverConfig(), name.replace(/\.$/, ''), type);
    },
    async close() {
      await parts.transport.close();
      await fixtures?.stop();
    },
  };
}
