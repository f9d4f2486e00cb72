// The server's side of `reload` (lib/corefile/reload.ts): the metrics CoreDNS's reload plugin exports, and putting a
// new mapping in service: the server blocks and their plugins swapped in, listeners bound and closed as ports come
// and go, the server's forwarder following `forward .` beside kubernetes (unless --upstream set it), the kubernetes
// ttl at once; the rest needs a restart and is returned, named (lib/corefile/changes.ts).
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ClusterDnsConfig, HostPort } from '../config.js';
import type { DnsListeners } from '../dns-listeners.js';
import { checkListenerBinds } from '../server-blocks.js';
import { corefileRestartNeeds } from './changes.js';
import { CorefileReloader, type ReloadTarget } from './reload.js';

export interface ReloadableServer {
  readonly dns: DnsListeners;
  readonly logger: Logger;
  /** the upstreams the server's own forwarder has now, and whether --upstream or a test's stand-in set them */
  sharedUpstreams(): { upstreams: HostPort[]; fixed: boolean };
  replaceSharedUpstreams(upstreams: HostPort[]): void;
  setTtl(ttl: number): void;
}

/**
 * TCP connections on a port a reload removes may finish what they asked for this long (CoreDNS's graceful restart
 * gives 5 s too); the port stops accepting at once.
 */
export const RELOAD_TCP_GRACE_MS = 5_000;

/** Watches the Corefile (every interval with the reload plugin; on SIGUSR1 always) with CoreDNS's reload metrics. */
export function startCorefileReload(srv: ReloadableServer, path: string, every: ClusterDnsConfig['reload'], registry: Registry, reloadFailed: Counter): CorefileReloader {
  const results = new Counter({ name: 'clusterdns_corefile_reloads_total', help: 'Corefile reloads (the reload plugin), by result.', labelNames: ['result'], registers: [registry] });
  const version = new Gauge({ name: 'coredns_reload_version_info', help: 'The hash of the running Corefile.', labelNames: ['hash', 'value'], registers: [registry] });
  const target: ReloadTarget = { applyCorefileChange: (next, prev) => applyCorefileChange(srv, next, prev) };
  const reloader = new CorefileReloader(path, target, srv.logger, {
    onResult: (ok, hash) => {
      if (ok !== null) results.inc({ result: ok ? 'success' : 'failure' });
      if (ok === false) reloadFailed.inc();
      else { version.reset(); version.set({ hash: 'sha512', value: hash }, 1); }
    },
  });
  reloader.start(every);
  return reloader;
}

export async function applyCorefileChange(srv: ReloadableServer, next: Partial<ClusterDnsConfig>, prev: Partial<ClusterDnsConfig>): Promise<string[]> {
  const restart = corefileRestartNeeds(next, prev);
  // What can refuse the new blocks is checked before anything changes: "the running configuration stays" must hold
  // (a new ttl set, or the old forwarder closed under the blocks still using it, would outlive a failed reload).
  checkListenerBinds(next.servers);
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
  const shared = srv.sharedUpstreams();
  if (!shared.fixed && same(prev.upstreams, shared.upstreams) && !same(next.upstreams, prev.upstreams)) srv.replaceSharedUpstreams(next.upstreams ?? []);
  const before = JSON.stringify(srv.dns.addresses());
  const gone = srv.dns.apply(next.servers);
  // After the blocks are in: the ttl is read per query, and the new blocks' generation has emptied the cache.
  if (next.ttl !== undefined) srv.setTtl(next.ttl);
  await srv.dns.closeGone(gone, RELOAD_TCP_GRACE_MS);
  const failed = await srv.dns.bindNew(true);
  for (const err of failed) srv.logger.error({ err: err.message }, 'reload: a new listener could not be bound; its server blocks are not served');
  if (JSON.stringify(srv.dns.addresses()) !== before) srv.dns.addressesChanged();
  // New forwarders are watched for loops as the first ones were (each waits 1 s at most; not awaited).
  void Promise.all(srv.dns.forwarders.map((f) => f.checkLoop()));
  return restart;
}
