// The command line's flags for external names: --lb-range / --lb-address (synthesis of LoadBalancer addresses,
// fixture mode) and --external-zone / --ingress-class (the ingress plugin in the command line's block).
// Each bad value is an Error whose message starts with the flag; server/cli.ts turns it into a usage error.
import { isIP } from 'node:net';
import { normalizeZone, type ClusterDnsConfig } from '../../config.js';
import { encodableName } from '../../dns/encodable.js';
import { parseCidr } from '../../synth/cidr.js';

/** A reverse zone is never an external zone: it would take the cluster's own PTRs (reverse.ts fills ours in). */
export const isReverseZone = (z: string) => z === 'in-addr.arpa' || z === 'ip6.arpa' || z.endsWith('.in-addr.arpa') || z.endsWith('.ip6.arpa');
export const REVERSE_NOTE = 'a reverse zone: PTRs for the addresses external names answer with are served without it, wherever the cluster has no name for the address';

/** more zones than anyone types; each is matched against every query */
export const MAX_EXTERNAL_ZONES = 64;
const CLASS_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export interface ExternalFlags {
  'lb-range'?: string;
  'lb-address'?: string;
  'external-zone'?: string[];
  'ingress-class'?: string;
  'gateway-class'?: string;
}

export function applyExternalFlags(v: ExternalFlags, config: ClusterDnsConfig): void {
  const range = v['lb-range'];
  if (range !== undefined) {
    let c;
    try {
      c = parseCidr(range);
    } catch (err) {
      throw new Error(`--lb-range ${range.slice(0, 60)}: ${(err as Error).message}`);
    }
    if (c.family !== 'IPv4') throw new Error(`--lb-range ${range}: expected an IPv4 CIDR`);
    if (c.size < 4) throw new Error(`--lb-range ${range}: too small to allocate from (at least a /30)`);
    config.synthesis = { ...config.synthesis, lbCIDR: range };
  }
  const addr = v['lb-address'];
  if (addr !== undefined) {
    if (isIP(addr) === 0) throw new Error(`--lb-address ${addr.slice(0, 60)}: expected an IP address (127.0.0.1 for kind with extraPortMappings)`);
    if (range !== undefined) throw new Error('--lb-address and --lb-range exclude each other: one address for every LoadBalancer, or one each from the range');
    config.synthesis = { ...config.synthesis, lbAddress: addr };
  }
  const zones = v['external-zone'];
  const cls = v['ingress-class'];
  const gw = v['gateway-class'];
  if (zones === undefined) {
    if (cls !== undefined) throw new Error('--ingress-class needs --external-zone: it filters the Ingresses served there');
    if (gw !== undefined) throw new Error('--gateway-class needs --external-zone: it filters the Gateways served there');
    return;
  }
  if (config.servers) {
    // `npm start` passes --external-zone for the bundled app: say so, or `npm start -- --corefile F` is a riddle.
    const npm = process.env.npm_lifecycle_event === 'start' ? ' (npm start passes --external-zone for the bundled app: run npx clusterdns --corefile FILE instead)' : '';
    throw new Error(`--external-zone is for the command line's server block: with --corefile, write ingress ZONE... in it${npm}`);
  }
  if (zones.length > MAX_EXTERNAL_ZONES) throw new Error(`--external-zone: at most ${MAX_EXTERNAL_ZONES} zones`);
  const out: string[] = [];
  for (const z of zones) {
    const n = z === '.' ? '' : normalizeZone(z);
    if (n === '' || n.length > 253 || !encodableName(`hostmaster.${n}`) || n.split('.').some((l) => !/^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/.test(l))) {
      throw new Error(`--external-zone ${z.slice(0, 60)}: expected a domain name (e.g. dev.test)`);
    }
    if (config.zones.includes(n)) throw new Error(`--external-zone ${z}: that is a cluster zone`);
    if (isReverseZone(n)) throw new Error(`--external-zone ${z.slice(0, 60)}: ${REVERSE_NOTE}`);
    if (!out.includes(n)) out.push(n);
  }
  if (cls !== undefined && !CLASS_NAME.test(cls)) throw new Error(`--ingress-class ${cls.slice(0, 60)}: expected an IngressClass name`);
  if (gw !== undefined && !CLASS_NAME.test(gw)) throw new Error(`--gateway-class ${gw.slice(0, 60)}: expected a GatewayClass name`);
  config.ingress = { zones: out, ...(cls === undefined ? {} : { className: cls }), ...(gw === undefined ? {} : { gatewayClass: gw }) };
}
