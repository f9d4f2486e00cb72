// The lookup at the heart of the plugin (CoreDNS's Records/findServices/findPods): a parsed name → the
// "service items" (address, port, target name) every record type is then built from.
import { isIP } from 'node:net';
import type { ClusterView } from '../cluster/store.js';
import { endpointLabel, ipFromPodLabel } from './names.js';
import { matches, parseRequest, type NameRequest } from './request.js';
import type { ResolverConfig } from './resolver-config.js';
import { zonalLookup } from './zonal.js';

export interface Item {
  /** an IP, or for ExternalName services the CNAME target */
  host: string;
  cname: boolean;
  /** -1 when the Service/endpoint has no port (A/AAAA only, no SRV) */
  port: number;
  /** the name this item stands for (SRV target, PTR), in the query's spelling of the zone */
  target: string;
  source: string;
}

export type Lookup = { nx: true } | { nx: false; items: Item[] };

const NX: Lookup = { nx: true };
const EMPTY: Lookup = { nx: false, items: [] };
const NO_PORT = [{ name: '', protocol: '', port: -1 }];

/** Records for `base` (lower-cased labels left of the zone); `zone` is the zone as the query spelled it. */
export function lookupRecords(view: ClusterView, cfg: ResolverConfig, base: readonly string[], zone: string,
  reverse: boolean): Lookup {
  const r = parseRequest(base);
  if (!r) return cfg.zonal && !reverse ? zonalLookup(view, cfg, base, zone) : NX;
  if (r.podOrSvc === '') return EMPTY;
  if (reverse) return NX;
  if (!view.namespaceExists(r.namespace)) return NX;
  return r.podOrSvc === 'pod' ? findPods(view, cfg, r, zone) : findServices(view, cfg, r, zone);
}

function findPods(view: ClusterView, cfg: ResolverConfig, r: NameRequest, zone: string): Lookup {
  if (cfg.pods === 'disabled') return NX;
  if (r.service === '') return EMPTY;
  const ip = ipFromPodLabel(r.service);
  if (!ip) return NX;
  if (cfg.pods === 'verified' && !view.podIPExists(r.namespace, ip)) return NX;
  const target = `${r.service}.${r.namespace}.pod.${zone}`;
  return { nx: false, items: [{ host: ip, cname: false, port: -1, target, source: `Pod/${r.namespace}/${ip}` }] };
}

function findServices(view: ClusterView, cfg: ResolverConfig, r: NameRequest, zone: string): Lookup {
  if (r.service === '') return EMPTY;
  const svc = view.service(r.namespace, r.service);
  if (!svc) return NX;
  const base = `${svc.name}.${svc.namespace}.svc.${zone}`;
  const source = `Service/${svc.namespace}/${svc.name}`;

  if (svc.type === 'ExternalName') {
    if (r.endpoint || r.port || r.protocol) return NX;
    const target = svc.externalName.replace(/\.+$/, '');
    // An IP literal is not a name to CNAME to: CoreDNS serves nothing for it.
    if (!target || isIP(target)) return NX;
    return { nx: false, items: [{ host: target, cname: true, port: -1, target: base, source }] };
  }

  // `ignore empty_service`: no ready endpoint address hides the Service, so a client walks on through its search path.
  if (cfg.ignoreEmptyService && !svc.headless && !hasReadyAddress(view, svc.namespace, svc.name)) return NX;

  const items: Item[] = [];
  if (svc.headless || r.endpoint) {
    for (const slice of view.readyEndpoints(svc.namespace, svc.name)) {
      const ports = slice.ports.length > 0 ? slice.ports : NO_PORT;
      for (const ep of slice.endpoints) {
        for (const addr of ep.addresses) {
          const label = endpointLabel(ep, addr, cfg.endpointPodNames);
          if (r.endpoint && r.endpoint !== label.toLowerCase()) continue;
          for (const p of ports) {
            if (!(matches(r.port, p.name) && matches(r.protocol, p.protocol))) continue;
            items.push({ host: addr, cname: false, port: p.port, target: `${label}.${base}`, source });
          }
        }
      }
    }
    return items.length > 0 ? { nx: false, items } : NX;
  }

  const ports = svc.ports.length > 0 ? svc.ports : NO_PORT;
  let matched = false;
  for (const p of ports) {
    if (!(matches(r.port, p.name) && matches(r.protocol, p.protocol))) continue;
    matched = true;
    for (const ip of svc.clusterIPs) items.push({ host: ip, cname: false, port: p.port, target: base, source });
  }
  return matched ? { nx: false, items } : NX;
}

function hasReadyAddress(view: ClusterView, ns: string, name: string): boolean {
  return view.readyEndpoints(ns, name).some((s) => s.endpoints.some((e) => e.addresses.length > 0));
}
