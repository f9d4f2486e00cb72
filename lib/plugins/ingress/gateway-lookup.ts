// Which Gateway API objects a hostname belongs to, and the addresses it answers with. A route's hostname answers
// with the status.addresses of its parent Gateways (spec.parentRefs, in the order written; the namespace defaults
// to the route's; a parent missing or of another class gives nothing); a Gateway's listener hostname with that
// Gateway's own addresses. Offline, synthesis has already given a Gateway without status an LB address.
import type { ClusterView } from '../../cluster/store.js';
import type { Gateway } from '../../cluster/model.js';
import { gatewayAddresses, hostField } from './provenance.js';

export interface HostMatch {
  /** "Kind/namespace/name" of each object that gave the name */
  sources: string[];
  /** IPs and hostnames (a hostname is a CNAME target), deduplicated */
  addresses: string[];
  /** which rule gave the name: the host as written (`*.dev.test` for a wildcard) */
  host: string;
  /** for each source, the field that named the host and where its addresses came from, in words */
  rules: string[];
}

export interface GatewayMatchOptions {
  gatewayClass?: string;
  /** live mode: a Gateway with no status.addresses answers this (fixture mode synthesises one) */
  lbAddress?: string;
}

/** at most this many objects are read for one name */
const MAX_PER_NAME = 64;
/** and at most this many addresses kept (64 routes × 32 parents × 16 addresses would be 32,768) */
export const MAX_ADDRESSES_PER_NAME = 100;

export function matchGatewayHost(view: ClusterView, host: string, opts: GatewayMatchOptions): HostMatch | undefined {
  const ok = (g: Gateway | undefined): g is Gateway => g !== undefined && (opts.gatewayClass === undefined || g.className === opts.gatewayClass);
  const addrs = (g: Gateway) => (g.addresses.length > 0 ? g.addresses : opts.lbAddress !== undefined ? [opts.lbAddress] : []);
  const sources: string[] = [];
  const rules: string[] = [];
  const addresses = new Set<string>();
  const take = (source: string, rule: string, list: readonly string[]) => {
    if (list.length === 0) return;
    sources.push(source);
    rules.push(rule);
    for (const a of list) if (addresses.size < MAX_ADDRESSES_PER_NAME) addresses.add(a);
  };
  const fallback = opts.lbAddress !== undefined;
  for (const r of view.gateways.routesForHost(host).slice(0, MAX_PER_NAME)) {
    const list: string[] = [];
    const via: string[] = [];
    for (const key of r.parents) {
      const g = view.gateways.gateway(key);
      if (ok(g) && addrs(g).length > 0) { list.push(...addrs(g)); via.push(gatewayAddresses(g, fallback)); }
    }
    take(`${r.kind}/${r.namespace}/${r.name}`, `${hostField(r, host)} via ${via.join(' and ')}`, list);
  }
  // A Gateway's listener hostname answers only when no route names the host (routes are the more specific source).
  if (sources.length === 0) {
    for (const g of view.gateways.listenersForHost(host).slice(0, MAX_PER_NAME)) {
      if (ok(g)) take(`Gateway/${g.namespace}/${g.name}`, `${hostField(g, host)}, answered with its ${gatewayAddresses(g, fallback).replace(/^Gateway \S+ /, '')}`, addrs(g));
    }
  }
  return sources.length > 0 ? { sources, addresses: [...addresses], host, rules } : undefined;
}
