// Every hostname the ingress plugin's zones hold, as written (a wildcard as `*.x`): Ingress rules and TLS hosts,
// Gateway API route and listener hostnames, Services' external-dns hostname annotations and DNSEndpoint names. `clusterdns records`
// lists them and the reverse index (reverse.ts) maps their addresses back to them.
import { isRouteKind } from '../../cluster/gateway.js';
import type { ClusterObject } from '../../cluster/model.js';
import type { ClusterView } from '../../cluster/store.js';
import type { StoreChange } from '../../cluster/view.js';
import { inZone } from '../../dns/names.js';

/** The view the plugin reads, every object (to enumerate hosts), and the store's change notifications if any. */
export type HostView = ClusterView & {
  all(): IterableIterator<ClusterObject>;
  onChange?(fn: (changes: readonly StoreChange[]) => void): () => void;
};

export interface HostFilter {
  zones: readonly string[];
  className?: string;
  gatewayClass?: string;
}


function hostsOf(o: ClusterObject, f: HostFilter): readonly string[] {
  if (o.kind === 'Ingress') return f.className === undefined || o.className === f.className ? o.hosts : [];
  if (o.kind === 'Gateway') return f.gatewayClass === undefined || o.className === f.gatewayClass ? o.hosts : [];
  if (o.kind === 'Service') return o.external && o.external.length > 0 ? o.hostnames ?? [] : [];
  return isRouteKind(o.kind) && 'parents' in o ? o.hosts : [];
}

/** The hosts under `f.zones`, deduplicated, unsorted. */
export function externalHosts(view: HostView, f: HostFilter): Set<string> {
  const hosts = new Set<string>();
  for (const o of view.all()) {
    for (const h of hostsOf(o, f)) if (f.zones.some((z) => inZone(h, z))) hosts.add(h);
  }
  for (const h of view.dnsEndpoints.names()) if (f.zones.some((z) => inZone(h, z))) hosts.add(h);
  return hosts;
}
