// `cache [TTL] [ZONES...] { success CAPACITY [TTL] [MINTTL]; denial ...; prefetch ...; serve_stale ...; servfail
// DURATION; disable success|denial [ZONES...]; keepttl }`, as CoreDNS reads it. What differs is said once, at start.
import type { CorefileDirective } from '../../corefile/parse.js';
import { durationArg, expectArgs, fail, intArg, zoneArg } from '../../corefile/values.js';
import type { PluginDefinition } from '../../plugin/registry.js';
import { CachePlugin } from './handler.js';
import type { TtlCaps } from './ttl.js';

export interface CacheOptions {
  zones: string[];
  caps: TtlCaps;
}

const MAX_TTL = 7 * 86400;
let told = false;

export const CACHE_DIFFERS = 'cache: clusterdns keeps no TTL-aged copies: cluster answers are computed once and kept until the cluster changes, '
  + 'forwarded replies are not kept (each query goes upstream), so TTLs do not count down between replies and capacity, prefetch, '
  + 'serve_stale, disable and keepttl have nothing to act on; every reply in the cache zones gets the TTL CoreDNS writes on a miss '
  + '(all records set to the smallest TTL, clamped to [MINTTL, TTL])';

export function parseCache(d: CorefileDirective, blockZones: readonly string[]): CacheOptions {
  expectArgs(d, 0, 100, d.file, 'cache [TTL] [ZONES...]');
  let args = d.args;
  const caps: TtlCaps = { success: { max: 3600, min: 5 }, denial: { max: 1800, min: 5 }, servfail: 5 };
  if (args.length > 0 && /^\d+$/.test(args[0]!)) {
    // CoreDNS refuses 0; the maximum wins over the minimum when they cross (computeTTL)
    const ttl = intArg(d, args[0]!, 1, MAX_TTL, 'cache TTL');
    caps.success.max = ttl;
    caps.denial.max = ttl;
    args = args.slice(1);
  }
  const zones = args.length ? args.map((z) => zoneArg(d, z)) : [...blockZones];
  for (const o of d.block ?? []) {
    switch (o.name) {
      case 'success': case 'denial': {
        expectArgs(o, 1, 3, o.file, `${o.name} CAPACITY [TTL] [MINTTL]`);
        intArg(o, o.args[0]!, 0, 1e9, `${o.name} capacity`);
        const c = caps[o.name];
        if (o.args[1] !== undefined) c.max = intArg(o, o.args[1], 0, MAX_TTL, `${o.name} TTL`);
        if (o.args[2] !== undefined) c.min = intArg(o, o.args[2], 0, MAX_TTL, `${o.name} MINTTL`);
        if (c.min > c.max) fail(`${o.name}: MINTTL ${c.min} is above TTL ${c.max}`, o.file, o.line);
        break;
      }
      case 'prefetch':
        expectArgs(o, 1, 3, o.file, 'prefetch AMOUNT [[DURATION] [PERCENTAGE%]]');
        intArg(o, o.args[0]!, 1, 1e9, 'prefetch amount');
        if (o.args[1] !== undefined) durationArg(o, o.args[1], 0, 86400, 'prefetch duration');
        if (o.args[2] !== undefined && !/^\d{1,3}%$/.test(o.args[2])) fail(`prefetch: "${o.args[2]}" is not a percentage (e.g. 10%)`, o.file, o.line);
        break;
      case 'serve_stale':
        expectArgs(o, 0, 2, o.file, 'serve_stale [DURATION] [immediate|verify]');
        if (o.args[0] !== undefined) durationArg(o, o.args[0], 0, 86400 * 30, 'serve_stale');
        if (o.args[1] !== undefined && o.args[1] !== 'immediate' && o.args[1] !== 'verify') fail(`serve_stale: "${o.args[1]}" is not immediate or verify`, o.file, o.line);
        break;
      case 'servfail':
        expectArgs(o, 1, 1, o.file, 'servfail DURATION');
        caps.servfail = Math.floor(durationArg(o, o.args[0]!, 0, 300, 'servfail'));
        break;
      case 'disable':
        expectArgs(o, 1, 100, o.file, 'disable success|denial [ZONES...]');
        if (o.args[0] !== 'success' && o.args[0] !== 'denial') fail(`disable: "${o.args[0]}" is not success or denial`, o.file, o.line);
        for (const z of o.args.slice(1)) zoneArg(o, z);
        break;
      case 'keepttl':
        expectArgs(o, 0, 0, o.file, 'keepttl');
        break;
      default:
        fail(`unknown cache option "${o.name}"`, o.file, o.line);
    }
  }
  return { zones, caps };
}

export const cacheDefinition: PluginDefinition<CacheOptions> = {
  name: 'cache',
  parse: (d, ctx) => parseCache(d, ctx.blockZones),
  build: (o, rt) => {
    if (!told) {
      told = true;
      rt.logger.info(CACHE_DIFFERS);
    }
    return new CachePlugin(o.zones, o.caps);
  },
};
