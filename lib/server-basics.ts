// What the server needs before it starts and what the CLI and the admin API share with it: its own addresses (CoreDNS
// names itself by them), the resolver's view of the configuration, and the refusal to start an unsafe admin listener.
import os from 'node:os';
import { adminTokenProblem } from './admin/auth.js';
import { normalizeZone, type ClusterDnsConfig, type HostPort } from './config.js';
import type { ResolverConfig } from './dns/resolver-config.js';

export class ConfigError extends Error {}

/** The server's own non-loopback addresses: CoreDNS names itself by them (NS, ns.dns.<zone>). */
export function localAddresses(host: string): string[] {
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  if (!wildcard) return isLoopback(host) ? [] : [host];
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

export function isLoopback(host: string): boolean {
  return /^127\./.test(host) || host === '::1' || host === 'localhost';
}

export function resolverConfigFrom(cfg: ClusterDnsConfig, localIPs: string[]): ResolverConfig {
  return {
    zones: cfg.zones.map(normalizeZone),
    reverseZones: cfg.reverseZones.map(normalizeZone),
    ttl: cfg.ttl,
    pods: cfg.pods,
    endpointPodNames: cfg.endpointPodNames,
    localIPs,
    ...(cfg.multiclusterZones?.length ? { multiclusterZones: cfg.multiclusterZones.map(normalizeZone) } : {}),
    ...(cfg.ignoreEmptyService ? { ignoreEmptyService: true } : {}),
    ...(cfg.noEndpoints ? { noEndpoints: true } : {}),
    ...(cfg.zonal ? { zonal: true } : {}),
    ...(cfg.fallthrough ? { fallthrough: cfg.fallthrough.map(normalizeZone) } : {}),
  };
}

export function hostPortText(a: HostPort): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** Changing state over a non-loopback admin listener needs a token: refuse to start without one, or with a weak one. */
export function checkAdminSecurity(config: ClusterDnsConfig): void {
  const weak = config.adminToken !== undefined ? adminTokenProblem(config.adminToken) : undefined;
  if (weak) throw new ConfigError(`${weak} (--admin-token, CLUSTERDNS_ADMIN_TOKEN or adminToken)`);
  if (config.adminAuth === 'all' && config.adminToken === undefined) throw new ConfigError('--admin-auth all (adminAuth) needs a token to require: set --admin-token or CLUSTERDNS_ADMIN_TOKEN (adminToken)');
  if (config.admin && !isLoopback(config.admin.host) && !config.adminToken) {
    throw new ConfigError(`the admin API would listen on ${hostPortText(config.admin)}, beyond loopback, with no token: set --admin-token or CLUSTERDNS_ADMIN_TOKEN (or bind it to 127.0.0.1, or --admin off)`);
  }
}
