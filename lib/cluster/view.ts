// What the resolver and the plugins may read of the cluster (a pure view: the store implements it), and what the
// store tells its listeners when objects change.
import type { GatewayIndex } from './gateway.js';
import type { DnsEndpointIndex } from './dnsendpoint.js';
import type { ClusterObject, Endpoint, EndpointSlice, Ingress, ObjectKind, Service, ServiceImport } from './model.js';
import type { MulticlusterSlice } from './multicluster-index.js';

/** What the resolver may read: a pure view of the cluster. */
export interface ClusterView {
  readonly generation: number;
  readonly serial: number;
  /** false until every source has loaded or synced once (NXDOMAIN then becomes SERVFAIL, as in CoreDNS) */
  readonly synced: boolean;
  namespaceExists(ns: string): boolean;
  service(ns: string, name: string): Service | undefined;
  /** the slices DNS uses for a Service, with ready endpoints only (publishNotReadyAddresses applied) */
  readyEndpoints(ns: string, svc: string): readonly ReadySlice[];
  /** keys "ns/name" of Services with this cluster IP, sorted */
  servicesByClusterIP(ip: string): readonly string[];
  /** keys "ns/name" of Services with a ready endpoint at this address, sorted */
  servicesByEndpointIP(ip: string): readonly string[];
  /** keys "ns/name" of Services with this external address (externalIPs, LB ingress), sorted (k8s_external PTR) */
  servicesByExternalIP(ip: string): readonly string[];
  /** a Pod in `ns` with exactly this status.podIP (pods verified) */
  podIPExists(ns: string, ip: string): boolean;
  /** MCS API: the ServiceImport `ns/name` (multicluster zones) */
  serviceImport(ns: string, name: string): ServiceImport | undefined;
  /** MCS API: the ready endpoints of the EndpointSlices labelled multicluster.kubernetes.io/service-name=name in ns */
  multiclusterEndpoints(ns: string, name: string): readonly MulticlusterSlice[];
  /** the Ingresses naming exactly `host` (a wildcard as `*.x`), sorted by namespace/name */
  ingressesForHost(host: string): readonly Ingress[];
  /** the Services whose external-dns hostname annotations name exactly `host`, sorted by namespace/name */
  servicesForHost(host: string): readonly Service[];
  /** whether some Ingress host lies below `name` */
  ingressHostBelow(name: string): boolean;
  /** Gateway API routes and Gateways by hostname (gateway.ts) */
  readonly gateways: GatewayIndex;
  /** external-dns DNSEndpoint records by name (dnsendpoint.ts) */
  readonly dnsEndpoints: DnsEndpointIndex;
}

export interface ReadySlice {
  endpoints: readonly Endpoint[];
  ports: EndpointSlice['ports'];
}

export interface StoreChange {
  kind: ObjectKind;
  type: 'added' | 'modified' | 'deleted';
  object: ClusterObject;
}
