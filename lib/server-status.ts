// What GET /api/v1/status shows of a running server: state, sources, listeners, caches, faults.
import type { ClusterDnsServer } from './start.js';
import { hostPortText } from './server-basics.js';

export function serverStatus(srv: ClusterDnsServer): Record<string, unknown> {
  const f = srv.fixtures?.status;
  return {
    version: srv.version,
    uptimeSeconds: Math.round((Date.now() - srv.startedAt) / 1000),
    state: srv.state,
    ready: srv.readiness().ready,
    source: srv.config.source,
    synced: srv.store.synced,
    dns: hostPortText(srv.dnsAddress),
    dnsListeners: srv.dnsAddresses().map(hostPortText),
    zones: srv.config.zones,
    objects: srv.store.counts(),
    generation: srv.store.generation,
    serial: srv.store.serial,
    ...(f ? { fixtures: { files: f.files, reloads: f.reloads, failedReloads: f.failedReloads, lastReload: f.lastReload ?? null, lastError: f.lastError ?? null, podsNotStored: f.podsNotStored ?? 0, rejectedCount: f.rejectedCount ?? 0, rejected: f.rejected ?? [], cidrExhausted: f.cidrExhausted ?? null } } : {}),
    ...(srv.kubernetes ? { kubernetes: srv.kubernetes.status, rejected: srv.kubernetes.rejected } : {}),
    faults: srv.faults.list(),
    upstreams: srv.config.upstreams.map(hostPortText),
    ...(srv.forwarder ? { forwardLoop: srv.forwarder.loopStatus } : {}),
    answerCache: srv.responder.cacheStats(),
    staticRecords: srv.staticRecords.status(),
  };
}
