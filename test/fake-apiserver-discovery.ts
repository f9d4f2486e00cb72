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
const GROUPS = ['discovery.k8s.io', 'multicluster.x-k8s.io', 'networking.k8s.io'];
/** each group serves one version */
const versionOf = (g: string): string => SERVED.find((r) => r.group === g)?.version ?? 'v1';
export const AGGREGATED_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export interface DiscoveryAnswer {
  body: Raw;
  contentType: string;
}

/** The discovery document for a path, or undefined when the path is not a discovery path. */
export function discovery(pathname: string, accept: string, serverAddress: string, aggregated: boolean): DiscoveryAnswer | undefined {
  const path = pathname.replace(/\/+$/, '');
  const json = (body: Raw): DiscoveryAnswer => ({ body, contentType: 'application/json' });
  // kubectl offers v2 and v2beta1 then plain JSON; answering plain JSON makes it fall back to the legacy form.
  const wantsAggregated = aggregated && accept.split(',').some((a) => a.includes('as=APIGroupDiscoveryList') && /(^|;)\s*v=v2\s*(;|$)/.test(a));
  if (path === '/api') {
    if (wantsAggregated) return { body: aggregatedList(['']), contentType: AGGREGATED_TYPE };
    return json({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] });
  }
  if (path === '/apis') {
    if (wantsAggregated) return { body: aggregatedList(GROUPS), contentType: AGGREGATED_TYPE };
    return json({
      kind: 'APIGroupList', apiVersion: 'v1',
      groups: GROUPS.map((g) => ({ name: g, versions: [{ groupVersion: `${g}/${versionOf(g)}`, version: versionOf(g) }], preferredVersion: { groupVersion: `${g}/${versionOf(g)}`, version: versionOf(g) } })),
    });
  }
  if (path === '/api/v1') return json(resourceList(''));
  for (const g of GROUPS) {
    const v = versionOf(g);
    if (path === `/apis/${g}`) {
      return json({ kind: 'APIGroup', apiVersion: 'v1', name: g, versions: [{ groupVersion: `${g}/${v}`, version: v }], preferredVersion: { groupVersion: `${g}/${v}`, version: v } });
    }
    if (path === `/apis/${g}/${v}`) return json(resourceList(g));
  }
  return undefined;
}

function resourceList(group: string): Raw {
  return {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${versionOf(group)}` : 'v1',
    resources: SERVED.filter((r) => r.group === group).map((r) => ({
      name: r.name, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: VERBS,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}), ...(r.categories.length ? { categories: r.categories } : {}),
    })),
  };
}

function aggregatedList(groups: string[]): Raw {
  return {
    kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g },
      versions: [{
        version: versionOf(g), freshness: 'Current',
        resources: SERVED.filter((r) => r.group === g).map((r) => ({
          resource: r.name, responseKind: { group: g, version: versionOf(g), kind: r.kind }, scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.singular, verbs: VERBS,
          ...(r.shortNames.length ? { shortNames: r.shortNames } : {}), ...(r.categories.length ? { categories: r.categories } : {}),
        })),
      }],
    })),
  };
}
