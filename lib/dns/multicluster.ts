// Names in the `multicluster` zones (MCS API, CoreDNS's findMultiClusterServices): services are ServiceImports,
// endpoints the EndpointSlices labelled multicluster.kubernetes.io/service-name, and an endpoint's name carries
// the cluster it came from: `<endpoint>.<cluster>.<svc>.<ns>.svc.<zone>`. Pods and the apex answer as in a
// cluster zone; PTR is not served from ServiceImports (CoreDNS's reverse.go reads Services only).
import type { ClusterView } from '../cluster/store.js';
import { endpointLabel } from './names.js';
import { matches, parseRequest } from './request.js';
import type { ResolverConfig } from './resolver-config.js';
import { lookupRecords, type Item, type Lookup } from './service-records.js';

const NX: Lookup = { nx: true };
const NO_PORT = [{ name: '', protocol: '', port: -1 }];

export function isMulticlusterZone(cfg: ResolverConfig, lzone: string): boolean {
  return cfg.multiclusterZones !== undefined && cfg.multiclusterZones.includes(lzone);
}

/** Records for `base` (lower-cased labels left of a multicluster zone); `zone` as the query spelled it. */
export function lookupMulticluster(view: ClusterView, cfg: ResolverConfig, base: readonly string[], zone: string): Lookup {
  const r = parseRequest(base);
  if (!r) return NX;
  if (r.podOrSvc !== 'svc' || r.service === '') return lookupRecords(view, cfg, base, zone, false);
  if (!view.namespaceExists(r.namespace)) return NX;
  // Two labels left of the service: `_port._proto` when either starts with an underscore, else `endpoint.cluster`.
  let endpoint = r.endpoint;
  let cluster = '';
  let { port, protocol } = r;
  if (base.length === 5 && !base[0].startsWith('_') && !base[1].startsWith('_')) {
    endpoint = base[0];
    cluster = base[1];
    port = '';
    protocol = '';
  }
  const si = view.serviceImport(r.namespace, r.service);
  if (!si) return NX;
  const svcName = `${si.name}.${si.namespace}.svc.${zone}`;
  const source = `ServiceImport/${si.namespace}/${si.name}`;
  const items: Item[] = [];

  if (si.type === 'Headless' || endpoint) {
    for (const slice of view.multiclusterEndpoints(si.namespace, si.name)) {
      // CoreDNS compares the cluster exactly: an endpoint name without its cluster label matches no cluster.
      if (endpoint && cluster !== slice.cluster.toLowerCase()) continue;
      const ports = slice.ports.length > 0 ? slice.ports : NO_PORT;
      const clusterLabel = slice.cluster ? `${slice.cluster}.` : '';
      for (const ep of slice.endpoints) {
        for (const addr of ep.addresses) {
          const label = endpointLabel(ep, addr, cfg.endpointPodNames);
          if (endpoint && endpoint !== label.toLowerCase()) continue;
          for (const p of ports) {
            if (!(matches(port, p.name) && matches(protocol, p.protocol))) continue;
            items.push({ host: addr, cname: false, port: p.port, target: `${label}.${clusterLabel}${svcName}`, source });
          }
        }
      }
    }
    return items.length > 0 ? { nx: false, items } : NX;
  }

  // ClusterSetIP: like a ClusterIP Service, but a ServiceImport without ports has no "no port" entry (CoreDNS's
  // ToServiceImport adds none), so it answers nothing: NXDOMAIN.
  let matched = false;
  for (const p of si.ports) {
    if (!(matches(port, p.name) && matches(protocol, p.protocol))) continue;
    matched = true;
    for (const ip of si.ips) items.push({ host: ip, cname: false, port: p.port, target: svcName, source });
  }
  return matched ? { nx: false, items } : NX;
}
