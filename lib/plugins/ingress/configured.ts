// Whether any server block serves Ingress hostnames (the command line's --external-zone, or an `ingress` directive
// in the Corefile): only then does live mode watch Ingresses, so a cluster without the plugin needs no RBAC for them.
import type { ClusterDnsConfig } from '../../config.js';

export function ingressConfigured(config: Pick<ClusterDnsConfig, 'ingress' | 'servers'>): boolean {
  if (config.ingress && config.ingress.zones.length > 0) return true;
  return (config.servers ?? []).some((b) => b.plugins.some((p) => p.name === 'ingress'));
}
