// The console's tree, a page at a time: namespaces with their counts, then one namespace's Services (with their
// DNS names, records, endpoints and external names) and Pods. Names and records come from the resolver itself
// (the questions the zone listing asks, lib/dns/zone-listing.ts serviceQuestions), external names from the DNS
// chain (the responder answers them, as dig would be answered), so the tree can never show a name DNS does not
// answer. Paged by name with an opaque `continue` token, so 10,000 Services are never one response.
import type { EndpointSlice, Pod, Service } from '../cluster/model.js';
import type { ClusterStore } from '../cluster/store.js';
import type { PluginSpec } from '../config.js';
import { dashedIP } from '../dns/names.js';
import { QTYPE, typeName, type RR } from '../dns/records.js';
import type { ResolverConfig } from '../dns/resolver-config.js';
import { resolve } from '../dns/resolver.js';
import { serviceQuestions } from '../dns/zone-listing.js';
import type { HandleResult } from '../wire/responder.js';
import { resolveThroughDns } from './resolve.js';
import { serviceBase, TreeIndexer, type NamespaceGroup } from './tree-index.js';

export const DEFAULT_TREE_PAGE = 100;
export const MAX_TREE_PAGE = 500;
/** Per Service: a Service with 5,000 endpoints must not make its page megabytes. */
export const MAX_ENDPOINTS_SHOWN = 50;
export const MAX_RECORDS_SHOWN = 50;
export const MAX_NAMES_SHOWN = 50;
export const MAX_FILTER_LENGTH = 253;
/** JSON bytes a namespace page stops at (one Service is at most ~20 KB with the caps above): well under 64 KiB. */
export const PAGE_BUDGET = 48 * 1024;

export class TreeError extends Error {
  readonly statusCode = 400;
}

export interface TreeSource {
  store: ClusterStore;
  resolverConfig(): ResolverConfig;
  /** the server blocks' plugins (external zones: k8s_external, ingress) */
  plugins(): readonly PluginSpec[];
  handle(msg: Buffer, transport: 'udp' | 'tcp', client: string): HandleResult;
}

export interface TreeRecord { name: string; type: string; ttl: number; data: unknown }
export interface TreeEndpoint { ip: string; ready: boolean; hostname?: string; pod?: string; node?: string; names: string[] }
export interface TreeService {
  name: string;
  kind: string;
  clusterIPs: string[];
  externalName?: string;
  ports: { name: string; port: number; protocol: string }[];
  names: string[];
  namesLeftOut?: number;
  records: TreeRecord[];
  recordsLeftOut?: number;
  endpoints: TreeEndpoint[];
  endpointsLeftOut?: number;
  externalNames: string[];
}
export interface TreePod { name: string; ip: string; ips: string[]; ready: boolean; phase: string; names: string[] }

export interface NamespacesPage {
  namespaces: { name: string; services: number; pods: number }[];
  total: number;
  continue?: string;
}
export interface NamespacePage {
  namespace: string;
  services: TreeService[];
  pods: TreePod[];
  /** Services and Pods in the namespace that match the filter (all pages) */
  totalServices: number;
  totalPods: number;
  continue?: string;
}

function encodeToken(v: unknown[]): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

function decodeToken(token: string, shape: (v: unknown[]) => boolean): unknown[] {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(v) && shape(v)) return v;
  } catch { /* below */ }
  throw new TreeError('"continue" is not a token this server gave for this listing: pass the "continue" of the previous page unchanged, or leave it out to start again');
}

const kindOf = (s: Service) => (s.type === 'ExternalName' ? 'ExternalName' : s.headless ? 'Headless' : s.type);

export class Tree {
  private index: TreeIndexer;

  constructor(private src: TreeSource) {
    this.index = new TreeIndexer(src.store);
  }

  private zone(): string {
    return this.src.resolverConfig().zones[0] ?? 'cluster.local';
  }

  async namespaces(filter: string | undefined, limit: number, token: string | undefined): Promise<NamespacesPage> {
    const after = token !== undefined ? String(decodeToken(token, (v) => v.length === 2 && v[0] === 'ns' && typeof v[1] === 'string')[1]) : undefined;
    const idx = await this.index.current(this.zone());
    const f = filter?.trim().toLowerCase();
    const matching = f ? idx.namespaces.filter((g) => g.haystack.includes(f)) : idx.namespaces;
    const start = after === undefined ? 0 : lowerBoundAfter(matching, after);
    const page = matching.slice(start, start + limit);
    const out: NamespacesPage = {
      namespaces: page.map((g) => f && !g.name.includes(f)
        ? { name: g.name, services: g.services.filter((s) => svcMatches(s, f, this.zone())).length, pods: g.pods.filter((p) => podMatches(p, f)).length }
        : { name: g.name, services: g.services.length, pods: g.pods.length }),
      total: matching.length,
    };
    if (start + limit < matching.length) out.continue = encodeToken(['ns', page[page.length - 1].name]);
    return out;
  }

  async namespace(ns: string, filter: string | undefined, limit: number, token: string | undefined): Promise<NamespacePage | undefined> {
    const cur = token !== undefined ? decodeToken(token, (v) => v.length === 4 && v[0] === 'in' && v[1] === ns && (v[2] === 's' || v[2] === 'p') && typeof v[3] === 'string') : undefined;
    const zone = this.zone();
    const idx = await this.index.current(zone);
    const g = idx.byName.get(ns);
    if (!g) return undefined;
    const f = filter?.trim().toLowerCase();
    // A namespace whose name matches shows everything in it.
    const all = !f || g.name.includes(f);
    const services = all ? g.services : g.services.filter((s) => svcMatches(s, f!, zone));
    const pods = all ? g.pods : g.pods.filter((p) => podMatches(p, f!));
    // One sequence, Services then Pods, cut into pages of `limit` items.
    let si = 0;
    let pi = 0;
    if (cur) {
      if (cur[2] === 's') si = lowerBoundAfter(services, String(cur[3]));
      else { si = services.length; pi = lowerBoundAfter(pods, String(cur[3])); }
    }
    // A page ends at `limit` items or at PAGE_BUDGET bytes of JSON, whichever comes first (as the Kubernetes API
    // may return fewer items than the limit, with a continue token): Services with many records stay small pages.
    const out: NamespacePage = { namespace: ns, services: [], pods: [], totalServices: services.length, totalPods: pods.length };
    let bytes = 0;
    let items = 0;
    const full = () => items >= limit || bytes >= PAGE_BUDGET;
    for (; si < services.length && !full(); si++) {
      const item = await this.service(services[si], g);
      const size = JSON.stringify(item).length;
      // The first item always goes in, so a page always moves on.
      if (items > 0 && bytes + size > PAGE_BUDGET) { bytes = PAGE_BUDGET; break; }
      out.services.push(item);
      bytes += size;
      items++;
    }
    if (si >= services.length) {
      for (; pi < pods.length && !full(); pi++) {
        const item = this.pod(pods[pi]);
        const size = JSON.stringify(item).length;
        if (items > 0 && bytes + size > PAGE_BUDGET) { bytes = PAGE_BUDGET; break; }
        out.pods.push(item);
        bytes += size;
        items++;
      }
    }
    if (si < services.length) out.continue = encodeToken(['in', ns, 's', si > 0 ? services[si - 1].name : '']);
    else if (pi < pods.length) out.continue = encodeToken(['in', ns, 'p', pi > 0 ? pods[pi - 1].name : '']);
    return out;
  }

  private async service(s: Service, g: NamespaceGroup): Promise<TreeService> {
    const cfg = this.src.resolverConfig();
    const questions: [string, number][] = [];
    for (const zone of cfg.zones) if (!cfg.multiclusterZones?.includes(zone)) serviceQuestions(this.src.store, cfg, s, zone, questions);
    const records: RR[] = [];
    const seen = new Set<string>();
    for (const [name, type] of questions) {
      for (const rr of resolve(this.src.store, cfg, name, type).answer) {
        // As the zone listing keeps them: the records of the type asked (an ExternalName's CNAME).
        if (rr.type !== type) continue;
        const k = `${rr.name}|${rr.type}|${JSON.stringify(rr.data)}`;
        if (seen.has(k)) continue;
        seen.add(k);
        records.push(rr);
      }
    }
    const allNames = [...new Set(records.map((r) => r.name.toLowerCase()))];
    const names = allNames.slice(0, MAX_NAMES_SHOWN);
    const bases = new Set(cfg.zones.map((z) => serviceBase(s, z)));
    const byAddress = new Map<string, string[]>();
    for (const rr of records) {
      if ((rr.type === QTYPE.A || rr.type === QTYPE.AAAA) && !bases.has(rr.name.toLowerCase())) {
        const list = byAddress.get(String(rr.data)) ?? [];
        list.push(rr.name.toLowerCase());
        byAddress.set(String(rr.data), list);
      }
    }
    const endpoints: TreeEndpoint[] = [];
    let endpointsTotal = 0;
    for (const slice of servedSlices(g.slices.get(s.name) ?? [])) {
      for (const ep of slice.endpoints) {
        for (const ip of ep.addresses) {
          endpointsTotal++;
          if (endpoints.length >= MAX_ENDPOINTS_SHOWN) continue;
          endpoints.push({
            ip, ready: ep.ready, ...(ep.hostname ? { hostname: ep.hostname } : {}), ...(ep.podName ? { pod: ep.podName } : {}),
            ...(ep.nodeName ? { node: ep.nodeName } : {}), names: [...new Set(byAddress.get(ip) ?? [])],
          });
        }
      }
    }
    const out: TreeService = {
      name: s.name, kind: kindOf(s), clusterIPs: s.clusterIPs, ...(s.externalName ? { externalName: s.externalName } : {}),
      ports: s.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })),
      names,
      records: records.slice(0, MAX_RECORDS_SHOWN).map((rr) => ({ name: rr.name, type: typeName(rr.type), ttl: rr.ttl, data: rr.data })),
      endpoints,
      externalNames: await this.externalNames(s),
    };
    if (allNames.length > names.length) out.namesLeftOut = allNames.length - names.length;
    if (records.length > MAX_RECORDS_SHOWN) out.recordsLeftOut = records.length - MAX_RECORDS_SHOWN;
    if (endpointsTotal > endpoints.length) out.endpointsLeftOut = endpointsTotal - endpoints.length;
    return out;
  }

  /** Names under external zones (k8s_external, ingress's hostname annotations) that DNS answers for this Service. */
  private async externalNames(s: Service): Promise<string[]> {
    const candidates = new Set<string>();
    for (const p of this.src.plugins()) {
      const zones = (p.options as { zones?: unknown } | undefined)?.zones;
      if (!Array.isArray(zones)) continue;
      for (const z of zones) {
        if (typeof z !== 'string' || z === '') continue;
        if (p.name === 'k8s_external' && s.external?.length) candidates.add(`${s.name}.${s.namespace}.${z}`);
        if (p.name === 'ingress') for (const h of s.hostnames ?? []) if (h === z || h.endsWith(`.${z}`)) candidates.add(h);
      }
    }
    const out: string[] = [];
    for (const name of candidates) {
      // A wildcard is listed as written; anything else only when the chain answers it.
      if (name.startsWith('*.')) { out.push(name); continue; }
      for (const type of [QTYPE.A, QTYPE.AAAA, QTYPE.CNAME]) {
        const r = await resolveThroughDns((m, t, c) => this.src.handle(m, t, c), name, type, () => { throw new Error('not needed'); }).catch(() => undefined);
        if (r?.reply && r.reply.rcode === 0 && r.reply.answer.length > 0) { out.push(name); break; }
      }
    }
    return out.sort();
  }

  private pod(p: Pod): TreePod {
    const cfg = this.src.resolverConfig();
    const names: string[] = [];
    for (const ip of p.podIPs.length ? p.podIPs : p.podIP ? [p.podIP] : []) {
      for (const zone of cfg.zones) {
        const name = `${dashedIP(ip)}.${p.namespace}.pod.${zone}`;
        const type = ip.includes(':') ? QTYPE.AAAA : QTYPE.A;
        if (resolve(this.src.store, cfg, name, type).answer.some((rr) => rr.type === type)) names.push(name);
      }
    }
    return { name: p.name, ip: p.podIP, ips: p.podIPs, ready: p.ready, phase: p.phase, names };
  }
}

/** Real EndpointSlices win over ones mirrored from a v1 Endpoints object, as the store's ready view has it. */
function servedSlices(slices: EndpointSlice[]): EndpointSlice[] {
  const real = slices.filter((s) => !s.mirrored);
  return real.length > 0 ? real : slices;
}

function svcMatches(s: Service, f: string, zone: string): boolean {
  return s.name.includes(f) || serviceBase(s, zone).includes(f) || s.clusterIPs.some((ip) => ip.includes(f));
}

function podMatches(p: Pod, f: string): boolean {
  return p.name.toLowerCase().includes(f) || (p.podIP !== '' && p.podIP.includes(f));
}

/** The index of the first item named after `name` (lists sorted by name). */
function lowerBoundAfter(list: readonly { name: string }[], name: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].name <= name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
