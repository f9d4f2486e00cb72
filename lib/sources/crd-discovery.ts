// Which optional resources (CRDs: the Gateway API kinds, external-dns's DNSEndpoint) a cluster serves, found by API
// discovery as kubectl finds them: GET /apis/<group> (the group's versions; 404 = no CRD of the group installed),
// then /apis/<group>/<version> for the versions we read (which resources, with which verbs). A resource is taken in
// the first version of our preference list that serves it with list and watch (v1, then v1beta1, then the alphas):
// clusters carry every mix (only HTTPRoute v1beta1 from an old release, TLSRoute only in the experimental channel).
import type { ApiClient } from './api-client.js';
import { statusCodeOf } from './api-errors.js';

/** A resource we watch when the cluster has it. */
export interface CrdWant {
  resource: string;
  kind: string;
  group: string;
  /** versions we can read, most preferred first */
  versions: readonly string[];
}

export interface FoundResource extends CrdWant {
  version: string;
  /** the collection path: /apis/<group>/<version>/<resource> */
  path: string;
}

export interface DiscoveryResult {
  found: FoundResource[];
  /** wanted but not served (or not with list and watch) */
  missing: CrdWant[];
  /** discovery itself failed for these groups (not a 404): unknown, asked again at the next check */
  failed: { group: string; error: string }[];
}

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const GATEWAY_VERSIONS = ['v1', 'v1beta1', 'v1alpha3', 'v1alpha2'];

export const GATEWAY_WANTS: readonly CrdWant[] = [
  { resource: 'gateways', kind: 'Gateway' },
  { resource: 'httproutes', kind: 'HTTPRoute' },
  { resource: 'grpcroutes', kind: 'GRPCRoute' },
  { resource: 'tlsroutes', kind: 'TLSRoute' },
  { resource: 'tcproutes', kind: 'TCPRoute' },
  { resource: 'udproutes', kind: 'UDPRoute' },
].map((w) => ({ ...w, group: GATEWAY_GROUP, versions: GATEWAY_VERSIONS }));

export const DNSENDPOINT_WANT: CrdWant = { resource: 'dnsendpoints', kind: 'DNSEndpoint', group: 'externaldns.k8s.io', versions: ['v1alpha1'] };

type Raw = Record<string, any>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
/** a discovery document's lists are bounded: a real group has a handful of versions and a few dozen resources */
const MAX_ENTRIES = 1000;

export async function discoverCrds(api: ApiClient, wants: readonly CrdWant[], signal: AbortSignal): Promise<DiscoveryResult> {
  const out: DiscoveryResult = { found: [], missing: [], failed: [] };
  for (const group of [...new Set(wants.map((w) => w.group))]) {
    const groupWants = wants.filter((w) => w.group === group);
    try {
      const served = await groupVersions(api, group, signal);
      const byVersion = new Map<string, Set<string>>();
      for (const w of groupWants) {
        // resources of a version are fetched lazily, in preference order, so a cluster with v1 asks for v1 only
        const version = await firstServing(api, group, w, served, byVersion, signal);
        if (version === undefined) out.missing.push(w);
        else out.found.push({ ...w, version, path: `/apis/${group}/${version}/${w.resource}` });
      }
    } catch (err) {
      if (statusCodeOf(err) === 404) out.missing.push(...groupWants);
      else out.failed.push({ group, error: (err as Error).message ?? String(err) });
    }
  }
  return out;
}

async function firstServing(
  api: ApiClient, group: string, w: CrdWant, served: Set<string>, byVersion: Map<string, Set<string>>, signal: AbortSignal,
): Promise<string | undefined> {
  for (const v of w.versions) {
    if (!served.has(v)) continue;
    let rs = byVersion.get(v);
    if (!rs) {
      try {
        rs = await resourceNames(api, group, v, signal);
      } catch (err) {
        // a version listed by the group but gone meanwhile (a CRD being upgraded): as if not served
        if (statusCodeOf(err) !== 404) throw err;
        rs = new Set();
      }
      byVersion.set(v, rs);
    }
    if (rs.has(w.resource)) return v;
  }
  return undefined;
}

async function groupVersions(api: ApiClient, group: string, signal: AbortSignal): Promise<Set<string>> {
  const doc = await api.getJson(api.url(`/apis/${group}`, {}), signal);
  const versions = isObj(doc) && Array.isArray(doc.versions) ? doc.versions.slice(0, MAX_ENTRIES) : [];
  return new Set(versions.filter(isObj).map((v) => String(v.version ?? '')));
}

/** the resources of a group version that can be listed and watched */
async function resourceNames(api: ApiClient, group: string, version: string, signal: AbortSignal): Promise<Set<string>> {
  const doc = await api.getJson(api.url(`/apis/${group}/${version}`, {}), signal);
  const list = isObj(doc) && Array.isArray(doc.resources) ? doc.resources.slice(0, MAX_ENTRIES) : [];
  const names = new Set<string>();
  for (const r of list) {
    if (!isObj(r) || typeof r.name !== 'string' || r.name.includes('/')) continue;
    const verbs = Array.isArray(r.verbs) ? r.verbs : [];
    if (verbs.includes('list') && verbs.includes('watch')) names.add(r.name);
  }
  return names;
}
