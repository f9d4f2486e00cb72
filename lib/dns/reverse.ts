// PTR answers (CoreDNS's reverse.go): a cluster IP names its Service; otherwise each ready endpoint with that
// address names itself under its Service. Targets use the primary zone, lower case.
import type { ClusterView } from '../cluster/store.js';
import { endpointLabel, ipFromReverseName } from './names.js';
import type { ResolverConfig } from './resolver-config.js';

export interface PtrTarget {
  target: string;
  source: string;
}

/** undefined: `lname` is not a full reverse name; [] : a reverse name nothing answers to. */
export function reverseLookup(view: ClusterView, cfg: ResolverConfig, lname: string): PtrTarget[] | undefined {
  const ip = ipFromReverseName(lname);
  if (!ip) return undefined;
  const zone = cfg.zones[0] ?? 'cluster.local';
  const bySvc = view.servicesByClusterIP(ip);
  if (bySvc.length > 0) {
    const [ns, name] = bySvc[0].split('/');
    return [{ target: `${name}.${ns}.svc.${zone}`, source: `Service/${ns}/${name}` }];
  }
  const out: PtrTarget[] = [];
  const seen = new Set<string>();
  for (const key of view.servicesByEndpointIP(ip)) {
    const [ns, name] = key.split('/');
    for (const slice of view.readyEndpoints(ns, name)) {
      for (const ep of slice.endpoints) {
        if (!ep.addresses.includes(ip)) continue;
        const target = `${endpointLabel(ep, ip, cfg.endpointPodNames)}.${name}.${ns}.svc.${zone}`;
        if (seen.has(target)) continue;
        seen.add(target);
        out.push({ target, source: `Service/${ns}/${name}` });
      }
    }
  }
  return out;
}
