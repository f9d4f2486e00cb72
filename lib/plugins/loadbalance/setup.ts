// `loadbalance [round_robin | weighted WEIGHTFILE] { prefer CIDR...; reload DURATION }`, as CoreDNS 1.14 parses it.
// `weighted` is read and checked but answered as round_robin, with a warning: see the README.
import { isIP } from 'node:net';
import { CorefileError, type CorefileDirective } from '../../corefile/parse.js';
import { ipv6Words } from '../../dns/names.js';
import type { ParseContext, PluginDefinition } from '../../plugin/registry.js';
import { LoadBalancePlugin } from './handler.js';
import type { Cidr } from './permute.js';

export interface LoadBalanceOptions {
  /** `prefer` blocks as written (CIDR text), in order */
  prefer: string[];
  /** a fixed seed for the shuffle (tests: --loadbalance-seed / startClusterDns({ loadbalanceSeed })) */
  seed?: number;
}

/** more would only slow every reply down: a real list names a few networks */
const MAX_PREFER = 64;

/** "10.0.0.0/8", "fd00::/8" (or a bare address: one host) → Cidr, or an error text. */
export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf('/');
  const ip = slash < 0 ? text : text.slice(0, slash);
  const family = isIP(ip);
  if (family === 0) return `invalid CIDR "${text}": not an IP address`;
  const max = family === 4 ? 32 : 128;
  const bitsText = slash < 0 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText) || Number(bitsText) > max) return `invalid CIDR "${text}": prefix length must be 0-${max}`;
  const bits = Number(bitsText);
  const net = new Uint8Array(family === 4 ? 4 : 16);
  if (family === 4) ip.split('.').forEach((p, i) => { net[i] = Number(p); });
  else {
    const words = ipv6Words(ip);
    if (!words) return `invalid CIDR "${text}": not an IP address`;
    for (let i = 0; i < 8; i++) { net[2 * i] = words[i]! >> 8; net[2 * i + 1] = words[i]! & 0xff; }
  }
  // Masked as Go's net.ParseCIDR masks it: 10.1.2.3/8 is 10.0.0.0/8.
  for (let k = 0; k < net.length; k++) {
    const keep = Math.max(0, Math.min(8, bits - 8 * k));
    net[k] = net[k]! & ((0xff << (8 - keep)) & 0xff);
  }
  return { net, bits };
}

export const loadbalanceDefinition: PluginDefinition<LoadBalanceOptions> = {
  name: 'loadbalance',
  parse(d: CorefileDirective, ctx: ParseContext): LoadBalanceOptions {
    const err = (msg: string, line = d.line) => new CorefileError(`loadbalance: ${msg}`, ctx.file, line);
    const [policy, ...more] = d.args;
    let weighted = false;
    if (policy === 'round_robin') {
      if (more.length > 0) throw err(`unknown property for round_robin: ${more.join(' ')}`);
    } else if (policy === 'weighted') {
      if (more.length === 0) throw err('missing weight file argument');
      if (more.length > 1) throw err('unexpected argument(s)');
      weighted = true;
      ctx.warnings.push(`${ctx.file} line ${d.line}: loadbalance weighted is not implemented: answers are shuffled as round_robin (every address equally likely first; the weight file is not read)`);
    } else if (policy !== undefined) {
      throw err(`unknown policy: ${policy} (round_robin or weighted)`);
    }
    const prefer: string[] = [];
    for (const o of d.block ?? []) {
      if (o.name === 'prefer') {
        for (const c of o.args) {
          const parsed = parseCidr(c);
          if (typeof parsed === 'string') throw err(parsed, o.line);
          prefer.push(c);
        }
        if (prefer.length > MAX_PREFER) throw err(`prefer: at most ${MAX_PREFER} CIDRs`, o.line);
      } else if (o.name === 'reload' && weighted) {
        if (o.args.length !== 1) throw err('reload takes one duration', o.line);
        if (!/^\d+(\.\d+)?(ns|us|µs|ms|s|m|h)$/.test(o.args[0]!)) throw err(`invalid reload duration '${o.args[0]}'`, o.line);
      } else {
        throw err(`unknown property '${o.name}'`, o.line);
      }
    }
    return { prefer };
  },
  build(options: LoadBalanceOptions): LoadBalancePlugin {
    return new LoadBalancePlugin(options.prefer.map((c) => parseCidr(c) as Cidr), options.seed);
  },
};
