// One configuration object for the whole server. The CLI (server/cli.ts), a Corefile and the programmatic API all
// produce this shape; everything downstream reads only this.
import { isIP } from 'node:net';

export type PodsMode = 'disabled' | 'insecure' | 'verified';

export interface HostPort {
  host: string;
  port: number;
}

export interface SynthesisConfig {
  /** pod IPv4 CIDR (kind: 10.244.0.0/16) */
  podCIDR: string;
  /** service IPv4 CIDR (kind: 10.96.0.0/12) */
  serviceCIDR: string;
  podCIDRv6: string;
  serviceCIDRv6: string;
  /** nodes a DaemonSet runs on */
  nodes: number;
  /** --lb-range: LoadBalancer Services without a status get an address from it [synth/loadbalancer.ts DEFAULT_LB_CIDR] */
  lbCIDR?: string;
  /** --lb-address: every such Service gets this one address instead (127.0.0.1 for kind with extraPortMappings) */
  lbAddress?: string;
}

/** A Corefile directive as read, ready to build into a plugin (lib/plugin/registry.ts). */
export interface PluginSpec {
  name: string;
  /** where it was written: `Corefile line 12` */
  where: string;
  options: unknown;
}

/** A Corefile server block: the zones it serves ('' = the root) and its plugins in execution order. */
export interface ServerBlockSpec {
  zones: string[];
  port: number;
  plugins: PluginSpec[];
  /** the `bind` address (unset: the main listener's host) */
  host?: string;
  /** the block holding kubernetes: its port is the main listener's (config.listen, which --listen overrides) */
  main?: boolean;
}

export interface ClusterDnsConfig {
  /** DNS over UDP and TCP on the same port */
  listen: HostPort;
  /** forward zones served, lower case, no trailing dot; the first is the primary zone (PTR targets) */
  zones: string[];
  /** serve PTR under in-addr.arpa and ip6.arpa (kubeadm's `kubernetes cluster.local in-addr.arpa ip6.arpa`) */
  reverseZones: string[];
  ttl: number;
  pods: PodsMode;
  endpointPodNames: boolean;
  /** where objects come from */
  source: 'fixtures' | 'kubernetes';
  /** fixture files or folders */
  fixtures: string[];
  /** static record files (RFC 1035 master-file subset) for names outside the zones: lib/static */
  recordFiles?: string[];
  /** --hosts FILE: an /etc/hosts-style file answered before the cluster (CoreDNS's `hosts FILE { fallthrough }`) */
  hostsFile?: string;
  /** watch fixture files and reload on change */
  watch: boolean;
  /** namespace for manifests without metadata.namespace (kubectl's --namespace) */
  namespace: string;
  synthesis: SynthesisConfig;
  /** live mode */
  kubeconfig?: string;
  context?: string;
  /** use the pod's service account (also when KUBERNETES_SERVICE_HOST is set and no kubeconfig is given) */
  inCluster?: boolean;
  /** the Corefile's `endpoint URL` and `tls CERT KEY CACERT`: the API server without a kubeconfig */
  apiEndpoint?: { url: string; certFile?: string; keyFile?: string; caFile?: string; where?: string; tlsWhere?: string };
  /** CoreDNS's startup_timeout: how long start-up waits for the first sync before serving anyway */
  startupTimeoutMs: number;
  /** CoreDNS `ignore empty_service`, `noendpoints`, `zonal` (lib/dns/resolver-config.ts) */
  ignoreEmptyService?: boolean;
  noEndpoints?: boolean;
  zonal?: boolean;
  /** CoreDNS `fallthrough [ZONES]` (a Corefile's; [] when it has none). Unset: PTR NXDOMAIN in the reverse zones */
  fallthrough?: string[];
  /** CoreDNS `apiserver_qps`, `apiserver_burst`, `apiserver_max_inflight` (0 or unset: no limit) */
  apiQps?: number;
  apiBurst?: number;
  apiMaxInflight?: number;
  /** CoreDNS `namespaces`: only these are served (empty = all) */
  namespaces: string[];
  /** CoreDNS `labels`: label selector on Services */
  labels?: string;
  /** CoreDNS `namespace_labels`: only namespaces whose labels match this selector are served */
  namespaceLabels?: string;
  /** CoreDNS `multicluster`: zones (among `zones`) answered from MCS ServiceImports; live mode watches them */
  multiclusterZones?: string[];
  /** resolvers for names outside our zones (empty = REFUSED) */
  upstreams: HostPort[];
  /** bytes of encoded answers kept in the answer cache (0 = no cache) [32 MiB] */
  cacheBytes?: number;
  /** admin HTTP API (null = off) */
  admin: HostPort | null;
  adminToken?: string;
  /** which admin routes need the token: 'writes' or 'all' (reads too); unset = 'all' beyond loopback, else 'writes' */
  adminAuth?: 'all' | 'writes';
  /** separate listeners, CoreDNS style (null = only on the admin listener) */
  health: HostPort | null;
  ready: HostPort | null;
  metrics: HostPort | null;
  /** seconds /health fails before the process stops on SIGTERM */
  lameduck: number;
  /** listening on a wildcard: how often (ms) to look for local addresses to bind a UDP socket on [5000] */
  addressPollMs?: number;
  /** open the DNS sockets with SO_REUSEPORT: other clusterdns processes with it can serve the same port */
  reusePort?: boolean;
  /** --autopath: the command line's block walks pods' search lists (autopath @kubernetes; needs pods verified) */
  autopath?: boolean;
  /** the resolv.conf read as the host's (autopath's host search domains) instead of /etc/resolv.conf */
  resolvConf?: string;
  /** --short-names: the command line's block answers `api.shop` as `api.shop.svc.<zone>` (lib/plugins/shortnames) */
  shortNames?: boolean;
  /** --transfer-to: clients (IP, CIDR or *) that may AXFR/IXFR the cluster zones over TCP (unset: transfers REFUSED) */
  transferTo?: string[];
  /** shuffle A/AAAA/MX in replies (the command line's block; a Corefile says `loadbalance`) */
  loadbalance?: boolean;
  /** a fixed seed for loadbalance's shuffle, in the command line's block or the Corefile's (tests) */
  loadbalanceSeed?: number;
  /** --external-zone/--ingress-class: the command line's block serves Ingress hostnames under these zones */
  ingress?: { zones: string[]; className?: string; gatewayClass?: string };
  /** from a Corefile: the server blocks and their plugin chains (unset: the command line's one implicit block) */
  servers?: ServerBlockSpec[];
  /** the Corefile read (--corefile), and its `reload` directive: seconds between checks, and their jitter */
  corefile?: string;
  reload?: { interval: number; jitter: number; where: string };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export const DEFAULT_ZONE = 'cluster.local';

export function defaultConfig(): ClusterDnsConfig {
  return {
    listen: { host: '127.0.0.1', port: 1053 },
    zones: [DEFAULT_ZONE],
    reverseZones: ['in-addr.arpa', 'ip6.arpa'],
    ttl: 5,
    pods: 'disabled',
    endpointPodNames: false,
    source: 'fixtures',
    fixtures: [],
    watch: true,
    namespace: 'default',
    synthesis: {
      podCIDR: '10.244.0.0/16',
      serviceCIDR: '10.96.0.0/12',
      podCIDRv6: 'fd00:10:244::/56',
      serviceCIDRv6: 'fd00:10:96::/112',
      nodes: 1,
    },
    namespaces: [],
    startupTimeoutMs: 5000,
    upstreams: [],
    admin: { host: '127.0.0.1', port: 8053 },
    health: null,
    ready: null,
    metrics: null,
    lameduck: 0,
    logLevel: 'info',
  };
}

/** Normalises a zone name: lower case, no trailing dot. */
export function normalizeZone(z: string): string {
  return z.trim().toLowerCase().replace(/\.+$/, '');
}

/** Whether a (normalised) zone is a reverse zone: served for PTR, not as a cluster domain. */
export function isReverseZone(z: string): boolean {
  return z === 'in-addr.arpa' || z.endsWith('.in-addr.arpa') || z === 'ip6.arpa' || z.endsWith('.ip6.arpa');
}

/**
 * `10.0.0.0/8` → `10.in-addr.arpa`, as CoreDNS normalises CIDR zone arguments (octet boundaries only here). Throws
 * an Error saying what to write instead.
 */
export function cidrToReverseZone(arg: string): string {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(arg);
  if (!m || isIP(m[1]!) !== 4) throw new Error(`zone "${arg}": only IPv4 CIDRs are supported as zones`);
  const bits = Number(m[2]);
  if (bits % 8 !== 0 || bits === 0 || bits > 32) throw new Error(`zone "${arg}": the prefix length must be 8, 16, 24 or 32`);
  return [...m[1]!.split('.').slice(0, bits / 8).reverse(), 'in-addr.arpa'].join('.');
}

/** "host:port", ":port", "[v6]:port" → HostPort; a missing host means `defaultHost`. */
export function parseHostPort(s: string, defaultHost = '127.0.0.1'): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(s.trim());
  if (!m) throw new Error(`"${s}" is not HOST:PORT`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`"${s}": port ${port} is out of range (0-65535)`);
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? defaultHost : host, port };
}
