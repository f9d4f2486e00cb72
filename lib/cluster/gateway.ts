// Gateway API (gateway.networking.k8s.io) Gateways and routes → the slim model objects (model.ts), and the store's
// index of them by hostname: route hostnames and Gateway listener hostnames. Validation is in validate-gateway.ts.
import type { Gateway, GatewayRoute, RouteKind } from './model.js';
import { insertSorted } from './sorted-insert.js';

type Raw = Record<string, any>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
/** the versions served: v1 (GA kinds), v1beta1 and v1alpha2 (older releases, TLS/TCP/UDP routes) */
export const GATEWAY_API_VERSIONS: readonly string[] = ['v1', 'v1beta1', 'v1alpha2', 'v1alpha3'].map((v) => `${GATEWAY_GROUP}/${v}`);
export const ROUTE_KINDS: readonly RouteKind[] = ['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute'];
export const isRouteKind = (k: unknown): k is RouteKind => ROUTE_KINDS.includes(k as RouteKind);

const hostOf = (h: unknown) => str(h).toLowerCase().replace(/\.$/, '');

function meta(raw: Raw, defaultNamespace: string) {
  const m: Raw = isObj(raw.metadata) ? raw.metadata : {};
  const labels: Record<string, string> = {};
  if (isObj(m.labels)) for (const [k, v] of Object.entries(m.labels)) if (typeof v === 'string') labels[k] = v;
  return { namespace: str(m.namespace) || defaultNamespace, name: str(m.name), labels };
}

export function toGateway(raw: Raw, defaultNamespace: string): Gateway {
  const spec: Raw = isObj(raw.spec) ? raw.spec : {};
  const hosts: string[] = [];
  const hostFields: string[] = [];
  arr(spec.listeners).forEach((l, i) => {
    const h = isObj(l) ? hostOf(l.hostname) : '';
    if (h !== '' && !hosts.includes(h)) { hosts.push(h); hostFields.push(`spec.listeners[${i}].hostname`); }
  });
  const addresses: string[] = [];
  for (const a of arr(isObj(raw.status) ? raw.status.addresses : undefined)) {
    if (!isObj(a)) continue;
    // type defaults to IPAddress; a Hostname is a CNAME target; other (implementation-specific) types name nothing DNS can serve
    const type = str(a.type) || 'IPAddress';
    const v = type === 'Hostname' ? hostOf(a.value) : type === 'IPAddress' ? str(a.value) : '';
    if (v !== '' && !addresses.includes(v)) addresses.push(v);
  }
  return { kind: 'Gateway', ...meta(raw, defaultNamespace), className: str(spec.gatewayClassName), hosts, addresses, ...(hosts.length > 0 ? { hostFields } : {}) };
}

export function toRoute(kind: RouteKind, raw: Raw, defaultNamespace: string): GatewayRoute {
  const spec: Raw = isObj(raw.spec) ? raw.spec : {};
  const m = meta(raw, defaultNamespace);
  const hosts: string[] = [];
  const hostFields: string[] = [];
  // TCPRoute and UDPRoute have no spec.hostnames: what they serve is named by their Gateway's listeners.
  if (kind !== 'TCPRoute' && kind !== 'UDPRoute') {
    arr(spec.hostnames).forEach((h, i) => { const v = hostOf(h); if (v !== '' && !hosts.includes(v)) { hosts.push(v); hostFields.push(`spec.hostnames[${i}]`); } });
  }
  const parents: string[] = [];
  for (const p of arr(spec.parentRefs)) {
    if (!isObj(p)) continue;
    // only Gateway parents give addresses (a Service parent is GAMMA mesh routing, no external name)
    if ((str(p.group) || GATEWAY_GROUP) !== GATEWAY_GROUP || (str(p.kind) || 'Gateway') !== 'Gateway') continue;
    const key = `${str(p.namespace) || m.namespace}/${str(p.name)}`;
    if (str(p.name) !== '' && !parents.includes(key)) parents.push(key);
  }
  return { kind, ...m, hosts, parents, ...(hosts.length > 0 ? { hostFields } : {}) };
}

type Named = { namespace: string; name: string; kind: string };
const keyOf = (o: Named) => `${o.namespace}/${o.name}/${o.kind}`;

/** A host → objects map whose lists stay sorted (namespace/name/kind), with counts of the names above each host. */
class HostMap<T extends Named & { hosts: string[] }> {
  private byHost = new Map<string, T[]>();
  constructor(private readonly above: Map<string, number>) {}

  get(host: string): readonly T[] {
    return this.byHost.get(host) ?? [];
  }

  add(o: T): void {
    for (const h of o.hosts) {
      const list = this.byHost.get(h);
      if (!list) this.byHost.set(h, [o]);
      else insertSorted(list, o, keyOf);
    }
    ancestors(this.above, o.hosts, 1);
  }

  remove(o: T): void {
    for (const h of o.hosts) {
      const list = this.byHost.get(h);
      if (!list) continue;
      const i = list.findIndex((x) => x.kind === o.kind && x.namespace === o.namespace && x.name === o.name);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.byHost.delete(h);
    }
    ancestors(this.above, o.hosts, -1);
  }
}

/** counts every proper ancestor of each host (at most 127 labels: bounded work per change) */
function ancestors(above: Map<string, number>, hosts: readonly string[], delta: number): void {
  const bump = (name: string) => {
    const n = (above.get(name) ?? 0) + delta;
    if (n <= 0) above.delete(name);
    else above.set(name, n);
  };
  for (const h of hosts) {
    let rest = h.startsWith('*.') ? h.slice(2) : h;
    if (h.startsWith('*.')) bump(rest);
    for (let dot = rest.indexOf('.'); dot >= 0; dot = rest.indexOf('.')) {
      rest = rest.slice(dot + 1);
      bump(rest);
    }
  }
}

/** The Gateway API part of the cluster: routes and Gateway listeners by hostname, Gateways by namespace/name. */
export class GatewayIndex {
  private above = new Map<string, number>();
  private routes = new HostMap<GatewayRoute>(this.above);
  private listeners = new HostMap<Gateway>(this.above);
  private gateways = new Map<string, Gateway>();

  add(o: Gateway | GatewayRoute): void {
    if (o.kind === 'Gateway') { this.gateways.set(`${o.namespace}/${o.name}`, o); this.listeners.add(o); }
    else this.routes.add(o);
  }

  remove(o: Gateway | GatewayRoute): void {
    if (o.kind === 'Gateway') { this.gateways.delete(`${o.namespace}/${o.name}`); this.listeners.remove(o); }
    else this.routes.remove(o);
  }

  /** the routes naming exactly `host` (a wildcard as `*.x`), sorted by namespace/name/kind */
  routesForHost(host: string): readonly GatewayRoute[] {
    return this.routes.get(host);
  }

  /** the Gateways with a listener for exactly `host`, sorted by namespace/name */
  listenersForHost(host: string): readonly Gateway[] {
    return this.listeners.get(host);
  }

  gateway(key: string): Gateway | undefined {
    return this.gateways.get(key);
  }

  /** whether some route or listener host lies below `name` (an empty non-terminal: NODATA, not NXDOMAIN) */
  hasBelow(name: string): boolean {
    return (this.above.get(name) ?? 0) > 0;
  }
}
