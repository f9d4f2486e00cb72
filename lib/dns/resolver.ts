// The resolver: a pure function of (cluster view, config, question) → answer, following CoreDNS's kubernetes
// plugin handler (handler.go + the record builders of plugin/backend_lookup.go) case by case.
// Record types are built here: A/AAAA → addressRecords, SRV → srvRecords, PTR → ptrRecords (reverse.ts finds
// the names), CNAME → ExternalName items, TXT → dns-version, SOA/NS → apex.ts.
import type { ClusterView } from '../cluster/store.js';
import { nameServers, soaRecord } from './apex.js';
import { keepEncodable } from './encodable.js';
import { inZone, splitLabels } from './names.js';
import { QTYPE, RCODE, type Answer, type RR } from './records.js';
import type { ResolverConfig } from './resolver-config.js';
import { reverseLookup } from './reverse.js';
import { lookupRecords, type Item, type Lookup } from './service-records.js';
import { isMulticlusterZone, lookupMulticluster } from './multicluster.js';
import { staticAnswer } from '../static/answer.js';
import { fallsThrough } from './fallthrough.js';
import { withoutEndpoints } from './no-endpoints.js';
import { isZonalName } from './zonal.js';

export const DNS_SCHEMA_VERSION = '1.1.0';
const DNS_VERSION_TTL = 28800;
/** CoreDNS stops following in-zone CNAME chains after this many links */
const MAX_CNAME_CHAIN = 8;

interface Ctx {
  view: ClusterView;
  cfg: ResolverConfig;
  /** zone as the query spelled it */
  zone: string;
  /** lower-case zone */
  lzone: string;
  reverse: boolean;
}

interface ZoneMatch {
  lzone: string;
  reverse: boolean;
}

/** Longest configured zone containing `lname`. */
export function matchZone(cfg: ResolverConfig, lname: string): ZoneMatch | undefined {
  let best: ZoneMatch | undefined;
  const consider = (z: string, reverse: boolean) => {
    if (inZone(lname, z) && (!best || z.length > best.lzone.length)) {
      best = { lzone: z, reverse };
    }
  };
  for (const z of cfg.zones) consider(z, false);
  for (const z of cfg.reverseZones) consider(z, true);
  return best;
}

function baseLabels(lname: string, lzone: string): string[] {
  if (lname.length === lzone.length) return [];
  return splitLabels(lzone === '' ? lname : lname.slice(0, lname.length - lzone.length - 1));
}

const empty = (): Answer => ({ rcode: RCODE.NOERROR, aa: true, answer: [], authority: [], additional: [] });

export function resolve(view: ClusterView, cfg: ResolverConfig, qname: string, qtype: number): Answer {
  const a = resolveCluster(view, cfg, qname, qtype);
  // Static names answer what the zones do not: names outside them, and PTRs a reverse zone would pass upstream.
  if (cfg.statics && (a.outOfZone || a.fallthrough)) {
    return staticAnswer(cfg.statics, qname, qtype, (n, t) => resolveCluster(view, cfg, n, t)) ?? a;
  }
  return a;
}

export function resolveCluster(clusterView: ClusterView, cfg: ResolverConfig, qname: string, qtype: number): Answer {
  const view = cfg.noEndpoints ? withoutEndpoints(clusterView) : clusterView;
  const lname = qname.toLowerCase();
  const m = matchZone(cfg, lname);
  if (!m) return { ...empty(), rcode: RCODE.REFUSED, aa: false, outOfZone: true };
  if (qtype === QTYPE.AXFR || qtype === QTYPE.IXFR) return { ...empty(), rcode: RCODE.REFUSED, aa: false };
  const ctx: Ctx = {
    view, cfg, reverse: m.reverse, lzone: m.lzone,
    // Keep the query's spelling of the zone for every name we generate (CoreDNS does).
    zone: m.lzone === '' ? '' : qname.slice(qname.length - m.lzone.length),
  };
  const apex = lname === m.lzone;
  let records: RR[] = [];
  let extra: RR[] = [];
  let lookup: Lookup | undefined;
  let chase: Answer['chase'];

  switch (qtype) {
    case QTYPE.A:
    case QTYPE.AAAA: {
      const r = addressRecords(ctx, qname, qtype, 0);
      lookup = r.lookup;
      records = r.records;
      chase = r.chase;
      break;
    }
    case QTYPE.TXT:
      ({ lookup, records } = txtRecords(ctx, qname, lname));
      break;
    case QTYPE.CNAME:
      lookup = services(ctx, lname, qtype);
      if (!lookup.nx) {
        for (const it of lookup.items) {
          if (it.cname) records.push({ name: qname, type: QTYPE.CNAME, ttl: cfg.ttl, data: it.host, source: it.source });
        }
      }
      break;
    case QTYPE.PTR:
      ({ lookup, records } = ptrRecords(ctx, qname, lname));
      break;
    case QTYPE.SRV:
      ({ lookup, records, extra } = srvRecords(ctx, qname, lname, apex));
      break;
    case QTYPE.SOA:
      // There is no SOA below the apex: NODATA, whether the name exists or not.
      if (apex) records = [soaRecord(ctx.zone, cfg, view)];
      lookup = { nx: false, items: [] };
      break;
    case QTYPE.NS:
      if (apex) {
        ({ records, extra } = nsRecords(ctx, qname));
        lookup = { nx: false, items: [] };
        break;
      }
    // falls through: below the apex NS is "any other type"
    default:
      // Existence decides between NODATA and NXDOMAIN: CoreDNS does a fake A lookup.
      lookup = addressRecords(ctx, qname, QTYPE.A, 0).lookup;
      records = [];
  }

  if (lookup.nx) {
    const a = negative(ctx, RCODE.NXDOMAIN);
    // Consulted before the "not synced" rule, as CoreDNS does: a SERVFAIL for want of sync falls through too.
    if (fallsThrough(cfg, lname, qtype, m.reverse)) a.fallthrough = true;
    return a;
  }
  if (records.length === 0) return negative(ctx, RCODE.NOERROR);
  // Records that cannot be encoded are left out; an answer with nothing else left is SERVFAIL (as an encoding
  // failure is in CoreDNS), never a silent NODATA.
  const sendable = keepEncodable(records);
  if (sendable.length === 0) return { ...empty(), rcode: RCODE.SERVFAIL, aa: false, leftOut: records.length };
  const additional = keepEncodable(extra);
  const answer: Answer = { ...empty(), answer: sendable, additional };
  const leftOut = records.length - sendable.length + extra.length - additional.length;
  if (leftOut > 0) answer.leftOut = leftOut;
  if (chase) answer.chase = chase;
  return answer;
}

function negative(ctx: Ctx, rcode: number): Answer {
  // Until every source has synced, "does not exist" is not known yet: SERVFAIL, as CoreDNS does.
  const rc = rcode === RCODE.NXDOMAIN && !ctx.view.synced ? RCODE.SERVFAIL : rcode;
  return { ...empty(), rcode: rc, authority: [soaRecord(ctx.zone, ctx.cfg, ctx.view)] };
}

/** CoreDNS's Services(): Records plus the ns.dns special name and the TXT rule. */
function services(ctx: Ctx, lname: string, qtype: number): Lookup {
  const base = baseLabels(lname, ctx.lzone);
  if (!ctx.reverse && base.length === 2 && base[0] === 'ns' && base[1] === 'dns') {
    if (qtype !== QTYPE.A && qtype !== QTYPE.AAAA) return { nx: false, items: [] };
    const items: Item[] = nameServers(ctx.view, ctx.cfg, ctx.zone)
      .map((ns) => ({ host: ns.ip, cname: false, port: -1, target: ns.name, source: ns.source }));
    return { nx: false, items };
  }
  return zoneLookup(ctx, base);
}

/** A multicluster zone answers from ServiceImports, every other zone from Services. */
function zoneLookup(ctx: Ctx, base: readonly string[]): Lookup {
  if (!ctx.reverse && isMulticlusterZone(ctx.cfg, ctx.lzone)) return lookupMulticluster(ctx.view, ctx.cfg, base, ctx.zone);
  return lookupRecords(ctx.view, ctx.cfg, base, ctx.zone, ctx.reverse);
}

function isV6(ip: string): boolean {
  return ip.includes(':');
}

function addressRecords(ctx: Ctx, qname: string, qtype: number, depth: number,
  seen: Set<string> = new Set()): { lookup: Lookup; records: RR[]; chase?: Answer['chase'] } {
  const lname = qname.toLowerCase();
  const lookup = services(ctx, lname, qtype);
  if (lookup.nx) return { lookup, records: [] };
  const records: RR[] = [];
  const dup = new Set<string>();
  let chase: Answer['chase'];
  const want6 = qtype === QTYPE.AAAA;
  for (const it of lookup.items) {
    if (it.cname) {
      const ltarget = it.host.toLowerCase();
      if (ltarget === lname || seen.has(ltarget) || depth >= MAX_CNAME_CHAIN) continue;
      const cname: RR = { name: qname, type: QTYPE.CNAME, ttl: ctx.cfg.ttl, data: it.host, source: it.source };
      const tm = matchZone(ctx.cfg, ltarget);
      if (tm && !tm.reverse) {
        seen.add(lname);
        // The target may sit in another of our zones: resolve it there, spelled as the ExternalName spells it.
        const tctx: Ctx = { ...ctx, lzone: tm.lzone, reverse: false, zone: tm.lzone === '' ? '' : it.host.slice(it.host.length - tm.lzone.length) };
        const next = addressRecords(tctx, it.host, qtype, depth + 1, seen);
        // The CNAME is only worth sending when the chase found something (CoreDNS's rule).
        if (!next.lookup.nx && next.records.length > 0) records.push(cname, ...next.records);
      } else {
        // A static record (lib/static) answers the target before the upstreams would.
        const st = ctx.cfg.statics ? staticAnswer(ctx.cfg.statics, it.host, qtype, (n, t) => resolveCluster(ctx.view, ctx.cfg, n, t)) : undefined;
        records.push(cname);
        if (st) {
          records.push(...st.answer);
          if (st.chase) chase = st.chase;
        } else {
          chase = { name: it.host, type: qtype };
        }
      }
      continue;
    }
    if (isV6(it.host) !== want6 || dup.has(it.host)) continue;
    dup.add(it.host);
    records.push({ name: qname, type: want6 ? QTYPE.AAAA : QTYPE.A, ttl: ctx.cfg.ttl, data: it.host, source: it.source });
  }
  return chase ? { lookup, records, chase } : { lookup, records };
}

function txtRecords(ctx: Ctx, qname: string, lname: string): { lookup: Lookup; records: RR[] } {
  const base = baseLabels(lname, ctx.lzone);
  if (!ctx.reverse && base.length === 1 && base[0] === 'dns-version') {
    return {
      lookup: { nx: false, items: [] },
      records: [{ name: qname, type: QTYPE.TXT, ttl: DNS_VERSION_TTL, data: [DNS_SCHEMA_VERSION], source: 'schema' }],
    };
  }
  // No TXT data exists in the cluster zone: NODATA where a name holds other records, NXDOMAIN everywhere else
  // (the apex and `<ns>.svc` included: CoreDNS's quirk).
  const l = zoneLookup(ctx, base);
  const exists = !l.nx && (l.items.length > 0 || isZonalName(ctx.view, ctx.cfg, base, ctx.zone));
  return { lookup: exists ? { nx: false, items: [] } : { nx: true }, records: [] };
}

function ptrRecords(ctx: Ctx, qname: string, lname: string): { lookup: Lookup; records: RR[] } {
  const r = reverseLookup(ctx.view, ctx.cfg, lname);
  if (r === undefined) {
    // Not a reverse address: PTR at a forward name is NODATA where the name exists.
    const l = services(ctx, lname, QTYPE.PTR);
    return { lookup: l.nx ? l : { nx: false, items: [] }, records: [] };
  }
  if (r.length === 0) return { lookup: { nx: true }, records: [] };
  return {
    lookup: { nx: false, items: [] },
    records: r.map((p) => ({ name: qname, type: QTYPE.PTR, ttl: ctx.cfg.ttl, data: p.target, source: p.source })),
  };
}

function srvRecords(ctx: Ctx, qname: string, lname: string, apex: boolean): { lookup: Lookup; records: RR[]; extra: RR[] } {
  // At the apex CoreDNS looks up ns.dns.<zone> instead, which never has SRV data.
  const lookup = apex ? { nx: false as const, items: [] } : services(ctx, lname, QTYPE.SRV);
  if (lookup.nx) return { lookup, records: [], extra: [] };
  const items = lookup.items.filter((it) => !it.cname);
  const records: RR[] = [];
  const extra: RR[] = [];
  // Weight: 100 split evenly over every (address × port) item, before de-duplication, at least 1.
  const weight = Math.max(1, Math.floor(100 / Math.max(1, items.length)));
  const dup = new Set<string>();
  for (const it of items) {
    if (it.port === -1) continue;
    const k = `${it.target.toLowerCase()}\u0000${it.port}`;
    if (!dup.has(k)) {
      dup.add(k);
      records.push({ name: qname, type: QTYPE.SRV, ttl: ctx.cfg.ttl, data: { priority: 0, weight, port: it.port, target: it.target }, source: it.source });
    }
    const g = `${it.target.toLowerCase()}\u0000${it.host}`;
    if (!dup.has(g)) {
      dup.add(g);
      extra.push({ name: it.target, type: isV6(it.host) ? QTYPE.AAAA : QTYPE.A, ttl: ctx.cfg.ttl, data: it.host, source: it.source });
    }
  }
  return { lookup, records, extra };
}

function nsRecords(ctx: Ctx, qname: string): { records: RR[]; extra: RR[] } {
  const records: RR[] = [];
  const extra: RR[] = [];
  const seen = new Set<string>();
  for (const ns of nameServers(ctx.view, ctx.cfg, ctx.zone)) {
    if (!seen.has(ns.name)) {
      seen.add(ns.name);
      records.push({ name: qname, type: QTYPE.NS, ttl: ctx.cfg.ttl, data: ns.name, source: ns.source });
    }
    extra.push({ name: ns.name, type: isV6(ns.ip) ? QTYPE.AAAA : QTYPE.A, ttl: ctx.cfg.ttl, data: ns.ip, source: ns.source });
  }
  return { records, extra };
}
