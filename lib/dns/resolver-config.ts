import type { PodsMode } from '../config.js';
import type { StaticSource } from '../static/table.js';

/** What the resolver needs to know besides the cluster: the kubernetes plugin's options. */
export interface ResolverConfig {
  /** forward zones, lower case, no trailing dot; zones[0] is the primary zone (PTR targets) */
  zones: readonly string[];
  /** reverse zones served (in-addr.arpa, ip6.arpa) */
  reverseZones: readonly string[];
  ttl: number;
  pods: PodsMode;
  endpointPodNames: boolean;
  /** the server's own non-loopback addresses (NS records and ns.dns.<zone>) */
  localIPs: readonly string[];
  /** zones (lower case, among `zones`) answered from MCS ServiceImports: CoreDNS's `multicluster` (lib/dns/multicluster.ts) */
  multiclusterZones?: readonly string[];
  /** static records for names outside the zones (lib/static): they win over the upstreams */
  statics?: StaticSource;
}
