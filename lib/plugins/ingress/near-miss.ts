// explain's near misses for a name in an external zone (the ingress plugin's): an unknown name is not "outside every
// zone" but a host nothing lists, so say which kinds of object could list it and which listed hosts are close; a
// NODATA says which types the name has.
import type { NearMiss } from '../../admin/explain-types.js';
import { closest } from '../../admin/explain-names.js';
import type { HostView } from './hosts.js';
import { externalHosts } from './hosts.js';

export interface ExternalMissInput {
  store: HostView;
  /** as asked, no trailing dot */
  name: string;
  /** the external zone, from the negative answer's SOA */
  zone: string;
  rcode: string;
  /** the A/AAAA records of the other family (for a NODATA A/AAAA), and the type asked */
  otherFamily: string[];
  type: string;
}

export function externalNearMisses(inp: ExternalMissInput): NearMiss[] {
  const { name, zone } = inp;
  const lname = name.toLowerCase();
  const out: NearMiss[] = [];
  if (inp.rcode === 'NXDOMAIN') {
    const dot = lname.indexOf('.');
    const wild = dot > 0 && lname.slice(dot + 1) !== zone ? ` or *.${lname.slice(dot + 1)}` : dot > 0 ? ` or *.${zone}` : '';
    out.push({
      kind: 'external-name',
      message: `${name}. is in the external zone ${zone} (--external-zone / ingress): no Ingress rule or TLS host, Gateway API route or listener hostname, or Service hostname annotation names ${lname}${wild}`,
    });
    const hosts = [...externalHosts(inp.store, { zones: [zone] })].filter((h) => !h.startsWith('*.'));
    const near = closest(hosts, lname, 2, 5);
    if (near.names.length > 0) out.push({ kind: 'similar-name', message: `hosts of ${zone} close to it: ${near.names.join(', ')}`, names: near.names });
    return out;
  }
  if (inp.rcode === 'NOERROR' && inp.otherFamily.length > 0) {
    out.push({ kind: 'other-family', message: `${name}. has ${inp.type === 'A' ? 'IPv6' : 'IPv4'} addresses only (${inp.otherFamily.join(', ')}): ask ${inp.type === 'A' ? 'AAAA' : 'A'}`, names: [name] });
  } else if (inp.rcode === 'NOERROR') {
    out.push({ kind: 'no-data-type', message: `${name}. exists in the external zone ${zone} without ${inp.type} records: external names have A/AAAA (a CNAME for a hostname-only status), SRV for the named ports of Service hostname annotations, and PTRs for their addresses; an Ingress without status and no known controller has no address (--lb-address gives one)` });
  }
  return out;
}
