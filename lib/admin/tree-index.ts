// The cluster grouped by namespace for the console's tree (tree-route.ts): which Services, EndpointSlices and Pods
// each namespace holds, sorted by name. The store indexes by key, not by namespace, so this is built from one pass
// over it, in slices (DNS keeps answering at 10,000 Services), shared by concurrent requests, and rebuilt only
// when the store's generation changed.
import { BUILTIN_NAMESPACES, type EndpointSlice, type Pod, type Service } from '../cluster/model.js';
import type { ClusterStore } from '../cluster/store.js';
import { runInSlices, type Steps } from '../dns/zone-listing.js';

export interface NamespaceGroup {
  name: string;
  services: Service[];
  pods: Pod[];
  /** by Service name */
  slices: Map<string, EndpointSlice[]>;
  /** lower-case text the namespace-level filter searches: its name, its Services' and Pods' names and DNS names */
  haystack: string;
}

export interface TreeIndex {
  generation: number;
  namespaces: NamespaceGroup[];
  byName: Map<string, NamespaceGroup>;
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function* buildSteps(store: ClusterStore, zone: string): Steps<TreeIndex> {
  const generation = store.generation;
  const groups = new Map<string, NamespaceGroup>();
  const group = (ns: string) => {
    let g = groups.get(ns);
    if (!g) groups.set(ns, (g = { name: ns, services: [], pods: [], slices: new Map(), haystack: '' }));
    return g;
  };
  // They exist without objects (DNS answers for them), as in every cluster.
  for (const ns of BUILTIN_NAMESPACES) group(ns);
  let n = 0;
  for (const o of store.all()) {
    if (++n % 256 === 0) yield;
    if (o.kind === 'Namespace') group(o.name);
    else if (o.kind === 'Service') group(o.namespace).services.push(o);
    else if (o.kind === 'Pod') group(o.namespace).pods.push(o);
    else if (o.kind === 'EndpointSlice' && o.serviceName !== '') {
      const g = group(o.namespace);
      const list = g.slices.get(o.serviceName);
      if (list) list.push(o);
      else g.slices.set(o.serviceName, [o]);
    }
  }
  const namespaces: NamespaceGroup[] = [];
  for (const g of groups.values()) {
    // What DNS does not serve (CoreDNS `namespaces`, `namespace_labels`) is not in the tree either.
    if (!store.namespaceExists(g.name)) continue;
    // Fixtures keep pods only with `pods verified` (lib/sources/fixtures.ts): otherwise the pods the endpoints name.
    if (g.pods.length === 0) g.pods = podsFromEndpoints(g);
    g.services.sort(byName);
    g.pods.sort(byName);
    const parts = [g.name];
    for (const s of g.services) {
      if (++n % 256 === 0) yield;
      parts.push(s.name, serviceBase(s, zone), ...s.clusterIPs);
    }
    for (const p of g.pods) parts.push(p.name, p.podIP);
    g.haystack = parts.join('\n').toLowerCase();
    namespaces.push(g);
  }
  namespaces.sort(byName);
  return { generation, namespaces, byName: new Map(namespaces.map((g) => [g.name, g])) };
}

function podsFromEndpoints(g: NamespaceGroup): Pod[] {
  const pods = new Map<string, Pod>();
  for (const slices of g.slices.values()) {
    for (const slice of slices) {
      for (const ep of slice.endpoints) {
        if (!ep.podName || pods.has(ep.podName) || ep.addresses.length === 0) continue;
        pods.set(ep.podName, {
          kind: 'Pod', namespace: g.name, name: ep.podName, labels: {}, podIP: ep.addresses[0], podIPs: [...ep.addresses],
          phase: '', ready: ep.ready, hostname: ep.hostname ?? '', subdomain: '', nodeName: ep.nodeName ?? '', containerPorts: [], terminating: false,
        });
      }
    }
  }
  return [...pods.values()];
}

export function serviceBase(s: { name: string; namespace: string }, zone: string): string {
  return `${s.name}.${s.namespace}.svc.${zone}`;
}

/** The index of the store as it is now, built in slices; one build at a time, shared. */
export class TreeIndexer {
  private built: TreeIndex | undefined;
  private builtZone = '';
  private building: Promise<TreeIndex> | undefined;

  constructor(private store: ClusterStore) {}

  async current(zone: string): Promise<TreeIndex> {
    const b = this.built;
    if (b && b.generation === this.store.generation && this.builtZone === zone) return b;
    if (!this.building) {
      this.building = runInSlices(buildSteps(this.store, zone)).then((idx) => {
        this.built = idx;
        this.builtZone = zone;
        return idx;
      }).finally(() => { this.building = undefined; });
    }
    return this.building;
  }
}
