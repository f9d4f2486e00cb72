// CoreDNS 1.14.7's `zonal` names: `<topo-zone>.pin._zone.<svc>.<ns>.svc.<zone>` and `<topo-zone>.prefer._zone...`
// select a headless Service's ready endpoints by their EndpointSlice `zone`. The shape sits three or more labels left
// of the service, where the stock grammar says NXDOMAIN ("too long"), so with the option off nothing changes.
//   pin:    the endpoints in that topology zone; none (drained or mistyped zone) → NODATA, the name still exists
//   prefer: the same, or every endpoint of the Service when none is in that zone
// ClusterIP and ExternalName Services are NXDOMAIN under these names (a VIP has no zone); an endpoint without a zone
// is never selected. The zone value is every label left of the directive, joined (zone values may hold dots).
import type { ClusterView } from '../cluster/store.js';
import { endpointLabel } from './names.js';
import type { ResolverConfig } from './resolver-config.js';

/** service-records.ts's Item and Lookup, spelled out here so that file can import this one without a cycle */
interface Item { host: string; cname: false; port: number; target: string; source: string }
type Lookup = { nx: true } | { nx: false; items: Item[] };

const ZONE_LABEL = '_zone';
const NO_PORT = [{ name: '', protocol: '', port: -1 }];

export interface ZonalRequest {
  /** the topology zone asked for, lower case */
  topoZone: string;
  prefer: boolean;
  service: string;
  namespace: string;
}

/** `base` = the lower-cased labels left of the cluster zone; undefined when it is not a zonal name. */
export function parseZonal(base: readonly string[]): ZonalRequest | undefined {
  const n = base.length;
  // zone label(s), directive, _zone, service, namespace, svc
  if (n < 6 || base[n - 1] !== 'svc' || base[n - 4] !== ZONE_LABEL) return undefined;
  const directive = base[n - 5];
  if (directive !== 'pin' && directive !== 'prefer') return undefined;
  return { topoZone: base.slice(0, n - 5).join('.'), prefer: directive === 'prefer', service: base[n - 3]!, namespace: base[n - 2]! };
}

/** The items a zonal name stands for (CoreDNS findServices with r.zone set); NX when it is no zonal name. */
export function zonalLookup(view: ClusterView, cfg: ResolverConfig, base: readonly string[], zone: string): Lookup {
  const r = parseZonal(base);
  if (!r || !view.namespaceExists(r.namespace)) return { nx: true };
  const svc = view.service(r.namespace, r.service);
  if (!svc || !svc.headless || svc.type === 'ExternalName') return { nx: true };
  const name = `${svc.name}.${svc.namespace}.svc.${zone}`;
  const source = `Service/${svc.namespace}/${svc.name}`;
  const pick = (topoZone: string | undefined): Item[] => {
    const items: Item[] = [];
    for (const slice of view.readyEndpoints(svc.namespace, svc.name)) {
      const ports = slice.ports.length > 0 ? slice.ports : NO_PORT;
      for (const ep of slice.endpoints) {
        if (topoZone !== undefined && ep.zone?.toLowerCase() !== topoZone) continue;
        for (const addr of ep.addresses) {
          const target = `${endpointLabel(ep, addr, cfg.endpointPodNames)}.${name}`;
          for (const p of ports) items.push({ host: addr, cname: false, port: p.port, target, source });
        }
      }
    }
    return items;
  };
  let items = pick(r.topoZone);
  if (items.length === 0 && r.prefer) items = pick(undefined);
  // The name exists whatever the zone holds: an empty selection is NODATA, identical on every replica.
  return { nx: false, items };
}

/** TXT and the like at a zonal name of an existing headless Service: NODATA (CoreDNS's Services() TXT rule). */
export function isZonalName(view: ClusterView, cfg: ResolverConfig, base: readonly string[], zone: string): boolean {
  return cfg.zonal === true && !zonalLookup(view, cfg, base, zone).nx;
}
