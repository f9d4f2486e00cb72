// The `k8s_external` directive (CoreDNS's plugin/k8s_external/setup.go):
//   k8s_external [ZONE...] { apex APEX; ttl TTL; headless; fallthrough [ZONE...] }
// Zones default to the server block's; a CIDR zone becomes its reverse zone, as CoreDNS normalises them.
import { cidrToReverseZone, normalizeZone } from '../../config.js';
import { encodableName } from '../../dns/encodable.js';
import { CorefileError, type CorefileDirective } from '../../corefile/parse.js';
import type { ParseContext, PluginDefinition } from '../../plugin/registry.js';
import { K8sExternalPlugin, type ExternalOptions } from './handler.js';

/** more zones than any real Corefile names; each is matched against every query */
const MAX_ZONES = 64;
const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i;

function zoneArg(arg: string, what: string, file: string, line: number): string {
  if (arg.length > 253) throw new CorefileError(`${what}: zone "${arg.slice(0, 40)}..." is longer than 253 characters`, file, line);
  let z: string;
  try {
    z = /\/\d+$/.test(arg) ? cidrToReverseZone(arg) : arg === '.' ? '' : normalizeZone(arg);
  } catch (err) {
    throw new CorefileError(`${what}: ${(err as Error).message}`, file, line);
  }
  if (z !== '' && (!encodableName(z) || z.split('.').some((l) => l === ''))) throw new CorefileError(`${what}: "${arg}" is not a domain name`, file, line);
  return z;
}

function zoneArgs(args: readonly string[], what: string, file: string, line: number): string[] {
  if (args.length > MAX_ZONES) throw new CorefileError(`${what}: at most ${MAX_ZONES} zones`, file, line);
  return [...new Set(args.map((a) => zoneArg(a, what, file, line)))];
}

export function parseK8sExternal(d: CorefileDirective, ctx: ParseContext): ExternalOptions {
  const { file } = ctx;
  const zones = d.args.length > 0 ? zoneArgs(d.args, 'k8s_external', file, d.line) : [...ctx.blockZones];
  if (zones.length === 0) throw new CorefileError('k8s_external: no zone to serve', file, d.line);
  if (zones.includes('')) {
    // As in CoreDNS: it then answers every name, and the plugins after it (kubernetes, forward) see only its fallthrough.
    ctx.warnings.push(`${file} line ${d.line}: k8s_external serves the root zone ".": every name is answered by it; name its zones (k8s_external example.org)`);
  }
  const opts: ExternalOptions = { zones, apex: 'dns', ttl: 5, headless: false, fallthrough: null };
  const seen = new Set<string>();
  for (const o of d.block ?? []) {
    if (seen.has(o.name)) throw new CorefileError(`k8s_external: ${o.name} given twice`, file, o.line);
    seen.add(o.name);
    const one = (usage: string) => {
      if (o.args.length !== 1) throw new CorefileError(`k8s_external: expected ${usage}`, file, o.line);
      return o.args[0]!;
    };
    if (o.block) throw new CorefileError(`k8s_external: ${o.name} takes no block`, file, o.line);
    switch (o.name) {
      case 'ttl': {
        const v = one('ttl TTL');
        if (!/^\d{1,10}$/.test(v) || Number(v) > 3600) throw new CorefileError(`k8s_external: ttl must be in range [0, 3600]: ${v.slice(0, 20)}`, file, o.line);
        opts.ttl = Number(v);
        break;
      }
      case 'apex': {
        const v = normalizeZone(one('apex APEX'));
        // ns1.<apex>.<zone> must stay a name: labels of letters, digits, '-' and '_', at most 4 of them.
        const labels = v.split('.');
        if (labels.length > 4 || !labels.every((l) => LABEL.test(l))) throw new CorefileError(`k8s_external: apex "${o.args[0]!.slice(0, 64)}" is not a DNS label`, file, o.line);
        opts.apex = v;
        break;
      }
      case 'headless':
        if (o.args.length > 0) throw new CorefileError('k8s_external: headless takes no arguments', file, o.line);
        opts.headless = true;
        break;
      case 'fallthrough':
        opts.fallthrough = zoneArgs(o.args, 'k8s_external fallthrough', file, o.line);
        break;
      default:
        throw new CorefileError(`k8s_external: unknown property '${o.name.slice(0, 40)}'`, file, o.line);
    }
  }
  // Every negative answer carries hostmaster.<apex>.<zone>: it must fit in a name.
  const tooLong = opts.zones.find((z) => !encodableName(['hostmaster', opts.apex, z].filter(Boolean).join('.')));
  if (tooLong !== undefined) throw new CorefileError(`k8s_external: hostmaster.${opts.apex}.${tooLong.slice(0, 40)}... is longer than a DNS name may be: use a shorter zone or apex`, file, d.line);
  return opts;
}

export const k8sExternal: PluginDefinition<ExternalOptions> = {
  name: 'k8s_external',
  parse: parseK8sExternal,
  build: (opts, rt) => new K8sExternalPlugin(opts, rt.store, rt.resolverConfig),
};

export type { ParseContext };
