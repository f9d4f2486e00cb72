// Offline, no controller writes status.loadBalancer of a LoadBalancer Service: synthesis does what a local cluster's
// LB controller (MetalLB, cloud-provider-kind) would. A Service of type LoadBalancer with no external address gets
// either one address from the LB pool (allocated like ClusterIPs: deterministic, and stable across reloads and
// additions, see ipam.ts), or, with `lbAddress`, that one address (kind with extraPortMappings: 127.0.0.1).
import type { Service } from '../cluster/model.js';

/**
 * The default LB range: kind puts its nodes on the docker network `kind`, 172.18.0.0/16 on a fresh docker, and
 * MetalLB's kind guide hands out 172.18.255.200-172.18.255.250 from its top; this /26 (.192-.255) holds that range,
 * is aligned (a CIDR must be), and stays clear of the node addresses docker gives from the bottom.
 */
export const DEFAULT_LB_CIDR = '172.18.255.192/26';

/** Whether synthesis gives `s` an LB address: type LoadBalancer and neither externalIPs nor a status of its own. */
export function needsLBAddress(s: Service): boolean {
  return s.type === 'LoadBalancer' && !s.headless && (s.external === undefined || s.external.length === 0);
}

/** Offsets never handed out: the network and broadcast addresses (IPv4; MetalLB skips them too by default). */
export function lbPoolReserved(): number[] {
  return [0, -1];
}
