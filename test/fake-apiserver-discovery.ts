// Discovery for the fake API server: what kubectl reads before anything else, to map `svc` to services and know
// which verbs it may use. Both forms kube-apiserver serves: the aggregated one kubectl 1.26+ asks for first
// (apidiscovery.k8s.io/v2 APIGroupDiscoveryList on /api and /apis, one request each), and the legacy one it falls
// back to (APIVersions, APIGroupList, then one APIResourceList per group version).
type Raw = Record<string, any>;

export interface ServedResource {
  name: string;
  singular: string;
  kind: string;
  group: string;
  version: string;
  namespaced: boolean;
  shortNames: string[];
  /** `kubectl get all` lists the resources in category "all" */
  categories: string[];
}

export const SERVED: readonly ServedResource[] = [
  { name: 'namespaces', singular: 'namespace', kind: 'Namespace', group: '', version: 'v1', namespaced: false, shortNames: ['ns'], categories: [] },
  { name: 'services', singular: 'service', kind: 'Service', group: '', version: 'v1', namespaced: true, shortNames: ['svc'], categories: ['all'] },
  { name: 'pods', singular: 'pod', kind: 'Pod', group: '', version: 'v1', namespaced: true, shortNames: ['po'], categories: ['all'] },
  { name: 'endpoints', singular: 'endpoints', kind: 'Endpoints', group: '', version: 'v1', namespaced: true, shortNames: ['ep'], categories: [] },
  { name: 'endpointslices', singular: 'endpointslice', kind: 'EndpointSlice', group: 'discovery.k8s.io', version: 'v1', namespaced: true, shortNames: [], categories: [] },
  { name: 'serviceimports', singular: 'serviceimport', kind: 'ServiceImport', group: 'multicluster.x-k8s.io', version: 'v1alpha1', namespaced: true, shortNames: ['svcim'], categories: [] },
  { name: 'ingresses', singular: 'ingress', kind: 'Ingress', group: 'networking.k8s.io', version: 'v1', namespaced: true, shortNames: ['ing'], categories: [] },
];

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
export const AGGREGATED_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** built-in resources plus the installed CRDs (fake-apiserver-crds.ts), one entry per resource and version */
const all = (extra: readonly ServedResource[]) => [...SERVED, ...extra];
const groupsOf = (rs: readonly ServedResource[]) => [...new Set(rs.filter((r) => r.group !== '').map((r) => r.group))];
/** a group's versions, the preferred one first */
const versionsOf = (rs: readonly ServedResource[], g: string): string[] => [...new Set(rs.filter((r) => r.group === g).map((r) => r.version))];

export interface DiscoveryAnswer {
  body: Raw;
  contentType: string;
}

/** The discovery document for a path, or undefined when the path is not a discovery path. */
export function discovery(pathname: string, accept: string, serverAddress: string, aggregated: boolean, crds: readonly ServedResource[] = []): DiscoveryAnswer | undefined {
  const rs = all(crds);
  const GROUPS = groupsOf(rs);
  const path = pathname.replace(/\/+$/, '');
  const json = (body: Raw): DiscoveryAnswer => ({ body, contentType: 'application/json' });
  // kubectl offers v2 and v2beta1 then plain JSON; answering plain JSON makes it fall back to the legacy form.
  const wantsAggregated = aggregated && accept.split(',').some((a) => a.includes('as=APIGroupDiscoveryList') && /(^|;)\s*v=v2\s*(;|$)/.test(a));
  if (path === '/api') {
    if (wantsAggregated) return { body: aggregatedList(rs, ['']), contentType: AGGREGATED_TYPE };
    return json({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] });
  }
  if (path === '/apis') {
    if (wantsAggregated) return { body: aggregatedList(rs, GROUPS), contentType: AGGREGATED_TYPE };
    return json({
      kind: 'APIGroupList', apiVersion: 'v1',
      groups: GROUPS.map((g) => apiGroup(rs, g)),
    });
  }
  if (path === '/api/v1') return json(resourceList(rs, '', 'v1'));
  for (const g of GROUPS) {
    if (path === `/apis/${g}`) return json({ kind: 'APIGroup', ...apiGroup(rs, g) });
    for (const v of versionsOf(rs, g)) if (path === `/apis/${g}/${v}`) return json(resourceList(rs, g, v));
  }
  return undefined;
}

function apiGroup(rs: readonly ServedResource[], g: string): Raw {
  const vs = versionsOf(rs, g);
  return { apiVersion: 'v1', name: g, versions: vs.map((v) => ({ groupVersion: `${g}/${v}`, version: v })), preferredVersion: { groupVersion: `${g}/${vs[0]}`, version: vs[0] } };
}

function resourceList(rs: readonly ServedResource[], group: string, version: string): Raw {
  return {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : 'v1',
    resources: rs.filter((r) => r.group === group && r.version === version).map((r) => ({
      name: r.name, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: VERBS,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}), ...(r.categories.length ? { categories: r.categories } : {}),
    })),
  };
}

function aggregatedList(rs: readonly ServedResource[], groups: string[]): Raw {
  return {
    kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g },
      versions: (g === '' ? ['v1'] : versionsOf(rs, g)).map((v) => ({
        version: v, freshness: 'Current',
        resources: rs.filter((r) => r.group === g && r.version === v).map((r) => ({
          resource: r.name, responseKind: { group: g, version: v, kind: r.kind }, scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.singular, verbs: VERBS,
          ...(r.shortNames.length ? { shortNames: r.shortNames } : {}), ...(r.categories.length ? { categories: r.categories } : {}),
        })),
      })),
    })),
  };
}
