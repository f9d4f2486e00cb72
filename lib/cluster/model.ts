// Slim, DNS-only copies of Kubernetes API objects (the idea of CoreDNS's plugin/kubernetes/object):
// every source (fixture files, the live watch, the admin API) converts to these before the store sees them,
// so the resolver never touches a full API object and memory stays proportional to what DNS needs.

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ServicePort {
  name: string; // '' when unnamed
  protocol: Protocol;
  port: number; // -1 when the port has no number (CoreDNS's convention for "no port")
  /** targetPort as written on the Service (number or container port name); used by synthesis only. */
  targetPort?: number | string;
}

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

export interface Service {
  kind: 'Service';
  namespace: string;
  name: string;
  labels: Record<string, string>;
  type: ServiceType;
  /** true when spec.clusterIP is "None" */
  headless: boolean;
  /** spec.clusterIPs (or [spec.clusterIP]); empty for headless and ExternalName services */
  clusterIPs: string[];
  externalName: string; // '' unless type ExternalName
  ports: ServicePort[];
  publishNotReadyAddresses: boolean;
  /** spec.selector; undefined when the Service has none (its slices are then written by hand) */
  selector?: Record<string, string>;
  ipFamilies?: ('IPv4' | 'IPv6')[];
  ipFamilyPolicy?: string;
  /**
   * spec.externalIPs, then status.loadBalancer.ingress (each entry's ip, else its hostname), as CoreDNS's
   * object.Service.ExternalIPs keeps them: what the k8s_external plugin serves. undefined when there are none.
   */
  external?: string[];
  /** external-dns hostname annotations (hostname-annotations.ts): served by the ingress plugin; undefined when none */
  hostnames?: string[];
  /** the annotation key each of `hostnames` came from (provenance in /api/v1/resolve) */
  hostnameFields?: string[];
  /** fixture mode: `external` was synthesised (from the LB range, or the one --lb-address), not written */
  externalSynthesised?: 'lb-range' | 'lb-address';
}

export interface EndpointPort {
  name: string;
  protocol: Protocol;
  port: number; // -1 when absent
}

export interface Endpoint {
  addresses: string[];
  /** conditions.ready; unset counts as ready (EndpointSlice API semantics) */
  ready: boolean;
  hostname?: string;
  /** targetRef.name when the target is a Pod */
  podName?: string;
  nodeName?: string;
  zone?: string;
}

export interface EndpointSlice {
  kind: 'EndpointSlice';
  namespace: string;
  name: string;
  /** the kubernetes.io/service-name label: the Service this slice belongs to ('' = none) */
  serviceName: string;
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints: Endpoint[];
  ports: EndpointPort[];
  labels: Record<string, string>;
  /** endpoints.kubernetes.io/last-change-trigger-time, in ms since the epoch, for the programming-latency metric */
  lastChangeTriggerTime?: number;
  /** converted from a legacy v1 Endpoints object: ignored when the Service also has real EndpointSlices */
  mirrored?: boolean;
}

export interface ContainerPort {
  name: string;
  containerPort: number;
  protocol: Protocol;
}

export interface Pod {
  kind: 'Pod';
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** status.podIP ('' when none yet) */
  podIP: string;
  /** status.podIPs (podIP first) */
  podIPs: string[];
  phase: string;
  ready: boolean;
  hostname: string;
  subdomain: string;
  nodeName: string;
  containerPorts: ContainerPort[];
  /** metadata.deletionTimestamp set */
  terminating: boolean;
}

export interface Namespace {
  kind: 'Namespace';
  name: string;
  labels: Record<string, string>;
}

/**
 * An MCS API ServiceImport (multicluster.x-k8s.io/v1alpha1): a Service exported from the clusters of a cluster set,
 * served under the `multicluster` zones. Its endpoints are the EndpointSlices labelled
 * multicluster.kubernetes.io/service-name (and source-cluster, the cluster each came from).
 */
export interface ServiceImport {
  kind: 'ServiceImport';
  namespace: string;
  name: string;
  labels: Record<string, string>;
  type: 'ClusterSetIP' | 'Headless';
  /** spec.ips: the cluster-set IPs (none for Headless) */
  ips: string[];
  ports: ServicePort[];
}

/**
 * A networking.k8s.io/v1 Ingress, as the ingress plugin needs it: its hostnames and the addresses its controller
 * published (see ingress.ts).
 */
/** What Ingresses and Gateways share: a class, the hostnames they claim, and the addresses those answer with. */
interface HostClaim {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  className: string;
  /** lower case, deduplicated; `*.x` for a wildcard */
  hosts: string[];
  /** IPs, and hostnames (CNAME targets) */
  addresses: string[];
  /** the field each of `hosts` was first written in (`spec.rules[0].host`): provenance in /api/v1/resolve */
  hostFields?: string[];
}

export interface Ingress extends HostClaim {
  kind: 'Ingress';
  /** spec.ingressClassName, else the kubernetes.io/ingress.class annotation; '' when neither */
  className: string;
  /** spec.rules[].host and spec.tls[].hosts, in that order */
  hosts: string[];
  /** status.loadBalancer.ingress: each entry's ip, else its hostname */
  addresses: string[];
}

/** A gateway.networking.k8s.io Gateway: its class, listener hostnames and status.addresses (see gateway.ts). */
export interface Gateway extends HostClaim {
  kind: 'Gateway';
  /** spec.gatewayClassName */
  className: string;
  /** spec.listeners[].hostname */
  hosts: string[];
  /** status.addresses (IPAddress: an IP, Hostname: a CNAME target); offline, synthesis fills an empty one */
  addresses: string[];
  /** fixture mode: `addresses` was synthesised (from the LB range, or the one --lb-address), not written */
  addressesSynthesised?: 'lb-range' | 'lb-address';
}

export type RouteKind = 'HTTPRoute' | 'GRPCRoute' | 'TLSRoute' | 'TCPRoute' | 'UDPRoute';

/** A Gateway API route: its spec.hostnames and the Gateways (spec.parentRefs of kind Gateway) it attaches to. */
export interface GatewayRoute {
  kind: RouteKind;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** spec.hostnames, lower case, deduplicated (none for TCPRoute/UDPRoute) */
  hosts: string[];
  /** the field each of `hosts` was written in (`spec.hostnames[1]`) */
  hostFields?: string[];
  /** "namespace/name" of each parent Gateway (namespace defaults to the route's) */
  parents: string[];
}

export type DnsRecordType = 'A' | 'AAAA' | 'CNAME' | 'TXT' | 'SRV' | 'MX';

/** One spec.endpoints[] entry of a DNSEndpoint, of a served type (see dnsendpoint.ts). */
export interface DnsEndpointRecord {
  /** dnsName, lower case, no trailing dot; `*.x` for a wildcard */
  name: string;
  type: DnsRecordType;
  /** as external-dns writes them, normalised: "10 5 5060 sip.x" (SRV), "10 mail.x" (MX), TXT text unquoted */
  targets: string[];
  /** recordTTL when set (> 0) */
  ttl?: number;
}

/** external-dns's DNSEndpoint (externaldns.k8s.io/v1alpha1): records published as written. */
export interface DNSEndpoint {
  kind: 'DNSEndpoint';
  namespace: string;
  name: string;
  labels: Record<string, string>;
  records: DnsEndpointRecord[];
}

export type ClusterObject = Service | EndpointSlice | Pod | Namespace | ServiceImport | Ingress | Gateway | GatewayRoute | DNSEndpoint;
export type ObjectKind = ClusterObject['kind'];

export const OBJECT_KINDS: readonly ObjectKind[] = ['Namespace', 'Service', 'EndpointSlice', 'Pod', 'ServiceImport'];

/** Store key of an object: "Kind/namespace/name" (namespace empty for Namespaces). */
export function objectKey(o: ClusterObject): string {
  return o.kind === 'Namespace' ? `Namespace//${o.name}` : `${o.kind}/${o.namespace}/${o.name}`;
}

/** Namespaces every Kubernetes cluster has, so fixtures need not spell them out. */
export const BUILTIN_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
