// Wiring: store + source + resolver + wire layer + admin into one running server. Used by the CLI and, as
// startClusterDns(), by test suites that want a DNS server in-process.
import type { FastifyInstance } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import { buildAdminApp } from './admin/app.js';
import { ADMIN_CLIENT } from './admin/resolve.js';
import { externalExplain } from './plugins/ingress/explain.js';
import { Faults } from './admin/faults.js';
import { QueryJournal } from './admin/journal.js';
import { ClusterStore } from './cluster/store.js';
import { parseSelectorString } from './cluster/label-selector.js';
import { normalizeZone, type ClusterDnsConfig, type HostPort } from './config.js';
import type { Answer, RR } from './dns/records.js';
import { resolve } from './dns/resolver.js';
import type { ResolverConfig } from './dns/resolver-config.js';
import { listRecords } from './dns/zone-listing.js';
import { createMetrics, type Metrics } from './metrics/registry.js';
import { FixtureSource } from './sources/fixtures.js';
import type { KubernetesSource } from './sources/kubernetes.js';
import { Forwarder } from './upstream/forwarder.js';
import { Responder, type Upstream } from './wire/responder.js';
import type { ServerBlocks } from './plugin/chain.js';
import type { QueryEvent } from './plugin/handler.js';
import { KubernetesPlugin } from './plugins/kubernetes/handler.js';
import { RecordsPlugin } from './plugins/records/handler.js';
import type { PluginRuntime } from './plugin/registry.js';
import { implicitServer } from './plugin/implicit.js';
import { buildServerBlocks } from './server-blocks.js';
import { DnsListeners, listenerTransport } from './dns-listeners.js';
import type { CorefileReloader } from './corefile/reload.js';
import { startCorefileReload } from './corefile/reload-server.js';
import type { ServerBlockSpec } from './config.js';
import type { DnsTransport } from './wire/transport.js';
import { registerTransportMetrics } from './metrics/transport-metrics.js';
import { StaticRecords } from './static/service.js';

import { VERSION } from './package-root.js';
import { serverStatus } from './server-status.js';
import { checkAdminSecurity, ConfigError, hostPortText, isLoopback, localAddresses, resolverConfigFrom } from './server-basics.js';
import { ingressConfigured } from './plugins/ingress/configured.js';

export { VERSION };

export { ConfigError, localAddresses, isLoopback, resolverConfigFrom, hostPortText, checkAdminSecurity };

export interface ServerOptions {
  /** raw manifests to serve in addition to the fixture files */
  objects?: unknown[];
  logger: PinoLogger;
  upstream?: Upstream;
  /** query journal size (0 = off) */
  journalSize?: number;
  /** per-upstream timeout of the forwarder built from config.upstreams */
  upstreamTimeoutMs?: number;
  /** static records to serve from the start (specs or zone-file text: lib/static/spec.ts) */
  records?: unknown;
  /** called once the source has loaded, before any socket is bound (the CLI compacts the heap there) */
  afterLoad?: () => void;
}

/** One running clusterdns: DNS listeners, its source, and the optional HTTP listeners. */
export class ClusterDnsServer {
  readonly version = VERSION;
  readonly store: ClusterStore;
  readonly faults = new Faults();
  readonly journal: QueryJournal;
  readonly metrics: Metrics;
  readonly startedAt = Date.now();
  fixtures?: FixtureSource;
  kubernetes?: KubernetesSource;
  transport?: DnsTransport;
  /** bound addresses of the HTTP listeners, by role */
  readonly http: { role: string; address: string; app: FastifyInstance }[] = [];
  state: 'starting' | 'serving' | 'lameduck' | 'stopped' = 'starting';
  forwarder?: Forwarder;
  /** objects skipped because the API server would refuse them, by source and kind */
  readonly rejected: Counter<'source' | 'kind'>;
  /** names outside the zones answered from a table (--records files, the admin API, startClusterDns records) */
  readonly staticRecords: StaticRecords;
  private rcfg: ResolverConfig;
  /** the DNS listeners, the main one (the kubernetes block's, config.listen) first */
  readonly dns: DnsListeners;
  /** the Corefile's `reload` */
  reloader?: CorefileReloader;
  private k8s: KubernetesPlugin;
  /** shared forwarders a reload replaced, open a while for queries in flight; close() closes them at once */
  private retiredForwarders = new Set<Forwarder>();
  private recordsPlugin: RecordsPlugin;

  /** the main listener's server blocks (lib/plugin/chain.ts) */
  get blocks(): ServerBlocks {
    return this.dns.main.blocks;
  }

  /** the main listener's responder (the admin API's /resolve answers through it) */
  get responder(): Responder {
    return this.dns.main.responder;
  }

  private constructor(readonly config: ClusterDnsConfig, readonly logger: PinoLogger, private opts: ServerOptions) {
    this.store = new ClusterStore({
      namespaces: config.namespaces,
      ...(config.namespaceLabels !== undefined ? { namespaceLabels: parseSelectorString(config.namespaceLabels) } : {}),
    });
    const staticReloads = new Counter({ name: 'clusterdns_static_reloads_total', help: 'Reloads of --records files, by result.', labelNames: ['result'], registers: [] });
    this.staticRecords = new StaticRecords({
      zones: config.zones.map(normalizeZone), defaultTtl: config.ttl, files: config.recordFiles ?? [], watch: config.watch, logger,
      onReload: (ok) => staticReloads.inc({ result: ok ? 'success' : 'failure' }),
    });
    this.rcfg = { ...resolverConfigFrom(config, []), statics: this.staticRecords.table };
    this.journal = new QueryJournal(opts.journalSize ?? 1000);
    const server = `dns://${hostPortText(config.listen)}`;
    this.metrics = createMetrics({ server, version: VERSION, store: this.store, plugins: () => this.enabledPlugins() });
    if (!opts.upstream && config.upstreams.length > 0) {
      this.forwarder = new Forwarder(config.upstreams, { logger, ...(opts.upstreamTimeoutMs ? { timeoutMs: opts.upstreamTimeoutMs } : {}) });
    }
    this.metrics.registry.registerMetric(staticReloads);
    this.rejected = new Counter({
      name: 'clusterdns_objects_rejected_total', help: 'Objects skipped because the API server would refuse them (invalid names, IPs, ports), by source and kind.',
      labelNames: ['source', 'kind'], registers: [this.metrics.registry],
    });
    this.k8s = new KubernetesPlugin(this.store, () => this.rcfg);
    const k8s = this.k8s;
    this.recordsPlugin = new RecordsPlugin(this.staticRecords.table, (n, t) => k8s.resolve(n, t), () => k8s.generation());
    this.dns = new DnsListeners({
      build: (servers) => this.buildBlocks(servers),
      responder: (l) => new Responder(() => l.blocks, this.store, () => this.rcfg, {
        onQuery: (e) => this.onQuery(e, l.blocks),
        // A look through /api/v1/resolve sees a fault as DNS would, but is no DNS query: it uses up no `times`.
        fault: (q, client, transport) => this.faults.match(q, client, transport, client !== ADMIN_CLIENT),
      }, this.config.cacheBytes !== undefined ? { cacheBytes: this.config.cacheBytes } : {}),
      transport: (l) => listenerTransport(l, this.config, this.logger, () => this.metrics.panics.inc()),
    });
    this.dns.apply(config.servers);
  }

  /** Each block zone's Corefile plugins, for coredns_plugin_enabled (zones as CoreDNS writes them: `cluster.local.`). */
  private enabledPlugins(): { zone: string; name: string }[] {
    const servers = this.dns.servers ?? [implicitServer(this.config, !!(this.opts.upstream ?? this.forwarder))];
    return servers.flatMap((b) => b.zones.flatMap((z) => b.plugins.map((p) => ({ zone: `${z}.`.replace(/^\.$/, '.'), name: p.name }))));
  }


  /** Replaces the upstream every block forwards to (the fuzz worker swaps in a deterministic stand-in). */
  setUpstream(u: Upstream | undefined): void {
    this.opts = { ...this.opts, upstream: u };
    this.dns.apply(this.dns.servers);
  }

  private onQuery(e: QueryEvent, blocks: ServerBlocks): void {
    // /api/v1/resolve answers through the main responder too; it is not DNS traffic.
    if (e.client === ADMIN_CLIENT) return;
    this.metrics.dns.record(e, performance.now());
    this.journal.record(e);
    blocks.notify(e);
  }

  /** The chains of server blocks from specs (the Corefile's, or the command line's implicit block). */
  private buildBlocks(servers: ServerBlockSpec[] | undefined) {
    const shared = this.opts.upstream ?? this.forwarder;
    const dns = this.metrics.dns;
    const rt: PluginRuntime = {
      store: this.store, kubernetes: this.k8s, resolverConfig: () => this.rcfg, ...(shared ? { upstream: shared } : {}),
      logger: this.logger, metrics: this.metrics.registry,
      // Read when used: with port 0 the label is known only once the port is bound (as the other metrics' label).
      get server() { return dns.server; },
    };
    return buildServerBlocks(servers ?? [implicitServer(this.config, !!shared)], {
      rt, records: this.recordsPlugin, shared, override: this.opts.upstream,
      ...(this.config.loadbalanceSeed !== undefined ? { loadbalanceSeed: this.config.loadbalanceSeed } : {}),
      forwarderOptions: { logger: this.logger, ...(this.opts.upstreamTimeoutMs ? { timeoutMs: this.opts.upstreamTimeoutMs } : {}) },
    });
  }

  static async start(config: ClusterDnsConfig, opts: ServerOptions): Promise<ClusterDnsServer> {
    checkAdminSecurity(config);
    const srv = new ClusterDnsServer(config, opts.logger, opts);
    try {
      await srv.staticRecords.start(opts.records);
      await srv.startSource();
      opts.afterLoad?.();
      await srv.startDns();
      await srv.startHttp();
      srv.startReload();
    } catch (err) {
      await srv.close();
      throw err;
    }
    srv.state = 'serving';
    return srv;
  }

  private startReload(): void {
    if (this.config.corefile) this.reloader = startCorefileReload(this, this.config.corefile, this.config.reload, this.metrics.registry, this.metrics.reloadFailed);
  }

  /** lib/corefile/reload-server.ts: the server's own forwarder, and whether --upstream (or a test) fixed it */
  sharedUpstreams(): { upstreams: HostPort[]; fixed: boolean } {
    return { upstreams: this.config.upstreams, fixed: !!this.opts.upstream };
  }

  replaceSharedUpstreams(ups: HostPort[]): void {
    const old = this.forwarder;
    this.forwarder = ups.length ? new Forwarder(ups, { logger: this.logger, ...(this.opts.upstreamTimeoutMs ? { timeoutMs: this.opts.upstreamTimeoutMs } : {}) }) : undefined;
    this.config.upstreams = ups;
    if (old) {
      this.retiredForwarders.add(old);
      setTimeout(() => { this.retiredForwarders.delete(old); old.close(); }, 10_000).unref();
    }
  }

  setTtl(ttl: number): void {
    this.rcfg = { ...this.rcfg, ttl };
    this.config.ttl = ttl;
  }

  private async startSource(): Promise<void> {
    const { config, logger } = this;
    if (config.source === 'kubernetes') {
      // Until every informer has synced, "does not exist" is unknown: NXDOMAIN becomes SERVFAIL, /ready says 503.
      this.store.setSynced(false);
      const m = this.metrics;
      // Loaded only here: fixture mode never needs the live source (kubeconfig loader, informers).
      const { KubernetesSource } = await import('./sources/kubernetes.js');
      this.kubernetes = new KubernetesSource(this.store, {
        ...(config.kubeconfig ? { kubeconfig: config.kubeconfig } : {}),
        ...(config.context ? { context: config.context } : {}),
        ...(config.inCluster ? { inCluster: true } : {}),
        ...(config.apiEndpoint ? { endpoint: config.apiEndpoint } : {}),
        namespaces: config.namespaces,
        ...(config.labels ? { labels: config.labels } : {}),
        ...(config.multiclusterZones?.length ? { watchServiceImports: true } : {}),
        watchPods: config.pods === 'verified', watchIngresses: ingressConfigured(config),
        ...(config.noEndpoints ? { noEndpoints: true } : {}),
        requestLimits: { qps: config.apiQps, burst: config.apiBurst, maxInflight: config.apiMaxInflight },
        logger,
        hooks: {
          onRestart: (resource) => m.watchRestarts.inc({ resource }),
          onError: (resource) => m.sourceErrors.inc({ source: 'kubernetes', resource }),
          onProgrammingLatency: (kind, seconds) => m.programmingDuration.observe({ service_kind: kind }, seconds),
          onRejected: (kind) => this.rejected.inc({ source: 'kubernetes', kind }),
        },
      });
      await this.kubernetes.startWithin(config.startupTimeoutMs);
      return;
    }
    this.fixtures = new FixtureSource(this.store, {
      paths: config.fixtures,
      ...(this.opts.objects ? { objects: this.opts.objects } : {}),
      namespace: config.namespace,
      synthesis: config.synthesis,
      keepPods: config.pods === 'verified',
      watch: config.watch,
      logger,
      onRejected: (r) => this.rejected.inc({ source: 'fixtures', kind: r.kind }),
      onReload: (ok, err) => {
        this.metrics.reloads.inc({ result: ok ? 'success' : 'failure' });
        if (!ok) {
          this.metrics.reloadFailed.inc();
          this.metrics.sourceErrors.inc({ source: 'fixtures', resource: err?.file ?? '' });
        }
      },
    });
    await this.fixtures.start();
    // A full pod or Service CIDR leaves objects out of every answer: a gauge, so an alert sees what a log line hid.
    const fixtureStatus = this.fixtures.status;
    new Gauge({
      name: 'clusterdns_unaddressed_objects', help: 'Objects left without an address because their CIDR is full, by kind.',
      labelNames: ['kind'], registers: [this.metrics.registry],
      collect() {
        const c = fixtureStatus.cidrExhausted;
        this.set({ kind: 'Pod' }, c?.podsWithoutIP ?? 0);
        this.set({ kind: 'Service' }, c?.servicesWithoutIP ?? 0);
      },
    });
  }

  private async startDns(): Promise<void> {
    await this.dns.bindNew();
    this.transport = this.dns.main.transport!;
    const bound = this.transport.address!;
    registerTransportMetrics(this.metrics.registry, this.transport.stats);
    this.metrics.setServer(`dns://${hostPortText(bound)}`);
    this.rcfg = { ...resolverConfigFrom(this.config, localAddresses(this.config.listen.host)), statics: this.staticRecords.table };
    const forwarders = () => [...(this.forwarder ? [this.forwarder] : []), ...this.dns.forwarders];
    if (forwarders().length > 0) {
      // Forwarding loop detection (lib/upstream/loop.ts) needs our own listener up; waits 1 s at most.
      new Gauge({ name: 'clusterdns_forward_loop', help: '1 while a forwarding loop is detected (forwarded names get SERVFAIL).', registers: [this.metrics.registry], collect() { this.set(forwarders().some((f) => f.loopStatus.detected) ? 1 : 0); } });
      await Promise.all(forwarders().map((f) => f.checkLoop()));
    }
  }

  private async startHttp(): Promise<void> {
    const { config } = this;
    const token = config.adminToken ?? null;
    const listeners: [string, HostPort | null, Parameters<typeof buildAdminApp>[2]['routes']][] = [
      ['admin', config.admin, 'all'],
      ['health', config.health, ['health']],
      ['ready', config.ready, ['ready']],
      ['metrics', config.metrics, ['metrics']],
    ];
    for (const [role, at, routes] of listeners) {
      if (!at) continue;
      const app = await buildAdminApp(this, this.logger, { token, routes: routes!, listenHost: at.host });
      const address = await app.listen({ host: at.host, port: at.port }).catch((err: NodeJS.ErrnoException) => {
        // HTTP listeners are never shared (an admin write must reach the process it means): say which one clashed.
        if (err?.code === 'EADDRINUSE') err.message += ` (--${role}${this.config.reusePort ? '; with --reuse-port only DNS is shared: give each process its own --' + role + ' port, e.g. 127.0.0.1:0' : ''})`;
        throw err;
      });
      this.http.push({ role, address: address.replace(/^http:\/\//, ''), app });
    }
  }

  get dnsAddress(): HostPort {
    return this.transport!.address!;
  }

  /** every bound DNS address, the main one first */
  dnsAddresses(): HostPort[] {
    return this.dns.addresses();
  }

  resolverConfig(): ResolverConfig {
    return this.rcfg;
  }

  resolve(name: string, type: number): Answer {
    const a = resolve(this.store, this.rcfg, name.replace(/\.$/, ''), type);
    return externalExplain(this.dns.main.blocks, name.replace(/\.$/, ''), type, a) ?? a;
  }

  records(): RR[] {
    return listRecords(this.store, this.rcfg);
  }

  readiness(): { ready: boolean; reason: string } {
    if (this.state === 'lameduck' || this.state === 'stopped') return { ready: false, reason: 'Shutting down' };
    if (this.state !== 'serving') return { ready: false, reason: 'starting' };
    if (!this.store.synced) return { ready: false, reason: this.config.source === 'kubernetes' ? (this.kubernetes?.notSyncedReason ?? 'kubernetes') : 'fixtures' };
    return { ready: true, reason: '' };
  }

  status(): Record<string, unknown> {
    return serverStatus(this);
  }

  /**
   * Re-reads the Corefile when it changed (as CoreDNS does on SIGUSR1) and every fixture file (SIGHUP, SIGUSR1). Resolves false in live mode: the watch keeps the store current
   * and there is nothing to re-read. Rejects with the FixtureError when the files do not load (already logged and
   * counted by the source); the last good state keeps serving.
   */
  async reload(): Promise<boolean> {
    // CoreDNS re-reads its Corefile on SIGUSR1, with or without the reload plugin.
    if (this.state !== 'stopped') await this.reloader?.check();
    if (!this.fixtures || this.state === 'stopped') return false;
    await this.fixtures.reload();
    return true;
  }

  /** SIGTERM: fail /health and /ready for the lame-duck period while DNS keeps answering, then stop. */
  async shutdown(lameduckSeconds = this.config.lameduck): Promise<void> {
    if (this.state === 'stopped' || this.state === 'lameduck') return;
    if (lameduckSeconds > 0) {
      this.state = 'lameduck';
      this.logger.info({ seconds: lameduckSeconds }, 'lame duck: health failing, DNS still answering');
      await new Promise((r) => setTimeout(r, lameduckSeconds * 1000));
    }
    await this.close();
  }

  async close(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    // First: a pending long poll (GET /api/v1/queries/wait) would hold the admin app's close() until its timeout.
    this.journal.close('clusterdns: the server was closed while waiting for a query');
    this.reloader?.stop();
    await this.dns.close();
    this.forwarder?.close();
    for (const f of this.retiredForwarders) f.close();
    this.retiredForwarders.clear();
    await Promise.all(this.http.map((h) => h.app.close()));
    await this.fixtures?.stop();
    await this.kubernetes?.stop();
    await this.staticRecords.stop();
    // Plugins with timers or files of their own (hosts' reload) stop with the server (Plugin.close).
    for (const chain of this.blocks.chains) for (const p of chain.plugins) await p.close?.();
  }
}
