// The Prometheus registry: CoreDNS's metrics (names, labels, buckets as CoreDNS exports them), Node process
// metrics, and clusterdns's own (objects per kind, reloads, source errors, watch restarts).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ClusterStore } from '../cluster/store.js';
import { DnsMetrics } from './dns-metrics.js';

/** 1 ms × 2^k, 20 buckets (CoreDNS plugin/kubernetes/metrics.go). */
export const PROGRAMMING_BUCKETS = Array.from({ length: 20 }, (_, k) => 0.001 * 2 ** k);

export interface Metrics {
  registry: Registry;
  dns: DnsMetrics;
  programmingDuration: Histogram<'service_kind'>;
  panics: Counter;
  reloads: Counter<'result'>;
  reloadFailed: Counter;
  sourceErrors: Counter<'source' | 'resource'>;
  watchRestarts: Counter<'resource'>;
  /** once the DNS port is bound: the `server` label CoreDNS uses (dns://host:port) */
  setServer(server: string): void;
}

export function createMetrics(opts: { server: string; version: string; store: ClusterStore; plugins: () => { zone: string; name: string }[] }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const dns = new DnsMetrics(opts.server);
  dns.register(registry);

  new Gauge({
    name: 'coredns_build_info', help: 'A metric with a constant \'1\' value labeled by version, revision, and goversion from which CoreDNS was built.',
    labelNames: ['version', 'revision', 'goversion'], registers: [registry],
  }).set({ version: opts.version, revision: 'clusterdns', goversion: process.version }, 1);
  const panics = new Counter({ name: 'coredns_panics_total', help: 'A metrics that counts the number of panics.', registers: [registry] });
  // Read at each scrape: a reloaded Corefile's plugins replace the start-up one's, as in CoreDNS.
  new Gauge({
    name: 'coredns_plugin_enabled', help: 'A metric that indicates whether a plugin is enabled on per server and zone basis.',
    labelNames: ['server', 'zone', 'view', 'name'], registers: [registry],
    collect() {
      this.reset();
      for (const { zone, name } of opts.plugins()) this.set({ server: dns.server, zone, view: '', name }, 1);
    },
  });
  const setServer = (server: string) => {
    dns.server = server;
  };
  setServer(opts.server);
  const programmingDuration = new Histogram({
    name: 'coredns_kubernetes_dns_programming_duration_seconds',
    help: 'Histogram of the time (in seconds) it took to program a dns instance.',
    labelNames: ['service_kind'], buckets: PROGRAMMING_BUCKETS, registers: [registry],
  });
  const reloadFailed = new Counter({ name: 'coredns_reload_failed_total', help: 'Counter of the number of failed reload attempts.', registers: [registry] });
  const reloads = new Counter({ name: 'clusterdns_fixture_reloads_total', help: 'Fixture reloads by result.', labelNames: ['result'], registers: [registry] });
  const sourceErrors = new Counter({ name: 'clusterdns_source_errors_total', help: 'Errors reading a source (fixture parse errors, API errors).', labelNames: ['source', 'resource'], registers: [registry] });
  const watchRestarts = new Counter({ name: 'clusterdns_watch_restarts_total', help: 'Kubernetes watches restarted, by resource.', labelNames: ['resource'], registers: [registry] });
  const store = opts.store;
  new Gauge({
    name: 'clusterdns_objects', help: 'Objects in the cluster store, by kind.', labelNames: ['kind'], registers: [registry],
    collect() {
      for (const [kind, n] of Object.entries(store.counts())) this.set({ kind }, n);
    },
  });
  new Gauge({
    name: 'clusterdns_store_generation', help: 'Changes applied to the cluster store since start.', registers: [registry],
    collect() { this.set(store.generation); },
  });
  return { registry, dns, programmingDuration, panics, reloads, reloadFailed, sourceErrors, watchRestarts, setServer };
}
