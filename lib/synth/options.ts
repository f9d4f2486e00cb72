// Validation of the synthesis settings, for the CLI and config readers to call once at start-up, so a bad
// --pod-cidr is a usage error naming the flag rather than an exception on the first fixture load.
import type { SynthesisConfig } from '../config.js';
import { parseCidr, type IPFamily } from './cidr.js';

const FIELDS: [keyof SynthesisConfig, IPFamily][] = [
  ['podCIDR', 'IPv4'], ['serviceCIDR', 'IPv4'], ['podCIDRv6', 'IPv6'], ['serviceCIDRv6', 'IPv6'],
];

/** Problems with `cfg`, one message per bad field ([] when it is fine). */
export function synthesisConfigProblems(cfg: SynthesisConfig): string[] {
  const problems: string[] = [];
  for (const [field, family] of FIELDS) {
    try {
      const c = parseCidr(String(cfg[field]));
      if (c.family !== family) problems.push(`${field} ${cfg[field]}: expected an ${family} CIDR`);
      else if (c.size < 4) problems.push(`${field} ${cfg[field]}: too small to allocate from`);
    } catch (err) {
      problems.push(`${field}: ${(err as Error).message}`);
    }
  }
  if (!Number.isInteger(cfg.nodes) || cfg.nodes < 0) problems.push(`nodes ${cfg.nodes}: expected a whole number >= 0`);
  return problems;
}
