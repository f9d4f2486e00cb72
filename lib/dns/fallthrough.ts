// Which NXDOMAIN answers go on down the plugin chain. A Corefile says it with `fallthrough [ZONES]` (every type, only
// NXDOMAIN, never NODATA: CoreDNS's Fall.Through on the query name); the command line has one rule: PTR NXDOMAIN in
// the reverse zones, so `--upstream` answers addresses no Service has.
import { QTYPE } from './records.js';
import type { ResolverConfig } from './resolver-config.js';
import { inZone } from './names.js';

export function fallsThrough(cfg: ResolverConfig, lname: string, qtype: number, reverse: boolean): boolean {
  if (cfg.fallthrough === undefined) return reverse && qtype === QTYPE.PTR;
  return cfg.fallthrough.some((z) => inZone(lname, z));
}
