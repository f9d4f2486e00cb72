// The MCS API's part of the store: ServiceImports by namespace/name, and the EndpointSlices labelled
// multicluster.kubernetes.io/service-name grouped under the ServiceImport they serve (CoreDNS's svcImportLister
// and mcEpLister). A slice may also carry kubernetes.io/service-name; it then serves both names, as in CoreDNS,
// whose two EndpointSlice informers both see it.
import type { Endpoint, EndpointSlice, ServiceImport } from './model.js';
import { MCS_SERVICE_NAME_LABEL, MCS_SOURCE_CLUSTER_LABEL } from './objects.js';

export interface MulticlusterSlice {
  /** multicluster.kubernetes.io/source-cluster ('' when the label is missing) */
  cluster: string;
  /** ready endpoints only (CoreDNS drops the others when it converts a slice) */
  endpoints: readonly Endpoint[];
  ports: EndpointSlice['ports'];
}

const key = (ns: string, name: string) => `${ns}/${name}`;

export class MulticlusterIndex {
  private imports = new Map<string, ServiceImport>();
  private slices = new Map<string, Map<string, EndpointSlice>>();
  private ready = new Map<string, MulticlusterSlice[]>();

  serviceImport(ns: string, name: string): ServiceImport | undefined {
    return this.imports.get(key(ns, name));
  }

  /** Ready endpoints per slice, slices in name order (a stable answer order). */
  endpoints(ns: string, name: string): readonly MulticlusterSlice[] {
    const k = key(ns, name);
    let out = this.ready.get(k);
    if (out) return out;
    out = [];
    const m = this.slices.get(k);
    if (m) {
      for (const s of [...m.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        if (s.addressType === 'FQDN') continue;
        const endpoints = s.endpoints.every((e) => e.ready) ? s.endpoints : s.endpoints.filter((e) => e.ready);
        if (endpoints.length > 0) out.push({ cluster: s.labels[MCS_SOURCE_CLUSTER_LABEL] ?? '', endpoints, ports: s.ports });
      }
      this.ready.set(k, out);
    }
    return out;
  }

  allImports(): IterableIterator<ServiceImport> {
    return this.imports.values();
  }

  addImport(si: ServiceImport): void {
    this.imports.set(key(si.namespace, si.name), si);
  }

  removeImport(si: ServiceImport): void {
    this.imports.delete(key(si.namespace, si.name));
  }

  addSlice(s: EndpointSlice): void {
    const svc = s.labels[MCS_SERVICE_NAME_LABEL];
    if (!svc) return;
    const k = key(s.namespace, svc);
    let m = this.slices.get(k);
    if (!m) this.slices.set(k, (m = new Map()));
    m.set(s.name, s);
    this.ready.delete(k);
  }

  removeSlice(s: EndpointSlice): void {
    const svc = s.labels[MCS_SERVICE_NAME_LABEL];
    if (!svc) return;
    const k = key(s.namespace, svc);
    const m = this.slices.get(k);
    if (m) {
      m.delete(s.name);
      if (m.size === 0) this.slices.delete(k);
    }
    this.ready.delete(k);
  }
}
