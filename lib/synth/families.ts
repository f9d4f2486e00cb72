// Which IP families a Service gets, the way the API server defaults them on a dual-stack-capable cluster (both a v4
// and a v6 range are configured, so a Service may ask for either or both):
//   * `ipFamilies` as written, in its order (the first is the primary family);
//   * PreferDualStack or RequireDualStack (or two `ipFamilies`) add the missing family after the primary one;
//   * nothing written means single-stack IPv4, the primary family of kind's default cluster.
// An explicit clusterIP fixes the primary family. Explicit `clusterIPs` are never extended, except that
// RequireDualStack with a single explicit IP gets its second family allocated (the API server would have done it).
// A real cluster's `kubectl get -o yaml` output always carries clusterIPs and ipFamilies that already agree, so
// these rules leave it as it is.
import type { Service } from '../cluster/model.js';
import { ipFamilyOf, type IPFamily } from './cidr.js';

const other = (f: IPFamily): IPFamily => (f === 'IPv4' ? 'IPv6' : 'IPv4');

function isDualPolicy(svc: Service): boolean {
  return svc.ipFamilyPolicy === 'PreferDualStack' || svc.ipFamilyPolicy === 'RequireDualStack';
}

/** The families a Service asks for, primary first. */
export function requestedFamilies(svc: Service): IPFamily[] {
  const fams: IPFamily[] = [];
  for (const f of svc.ipFamilies ?? []) if (!fams.includes(f)) fams.push(f);
  if (fams.length === 0) fams.push(svc.clusterIPs.length > 0 ? ipFamilyOf(svc.clusterIPs[0]) : 'IPv4');
  if (fams.length === 1 && isDualPolicy(svc)) fams.push(other(fams[0]));
  return fams;
}

/** The families to allocate ClusterIPs in, given the IPs the manifest already sets. */
export function familiesToAllocate(svc: Service): IPFamily[] {
  if (svc.headless || svc.type === 'ExternalName') return [];
  if (svc.clusterIPs.length === 0) return requestedFamilies(svc);
  if (svc.clusterIPs.length === 1 && svc.ipFamilyPolicy === 'RequireDualStack') return [other(ipFamilyOf(svc.clusterIPs[0]))];
  return [];
}

/**
 * The address types of a Service's EndpointSlices (the EndpointSlice controller's getAddressTypesForService):
 * its ClusterIP families when it has ClusterIPs, else the families it asks for.
 */
export function sliceFamilies(svc: Service): IPFamily[] {
  if (!svc.headless && svc.clusterIPs.length > 0) {
    const fams: IPFamily[] = [];
    for (const ip of svc.clusterIPs) if (!fams.includes(ipFamilyOf(ip))) fams.push(ipFamilyOf(ip));
    return fams;
  }
  return requestedFamilies(svc);
}
