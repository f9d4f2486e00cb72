// The `ingress` directive (clusterdns's own; k8s_gateway's `resources Ingress` in one plugin of the chain):
//   ingress [ZONE...] { class NAME; gateway_class NAME; ttl TTL }
// It serves Gateway API route and listener hostnames too (gateway-lookup.ts).
// Zones default to the server block's. The command line's --external-zone / --ingress-class build the same spec
// (lib/plugin/implicit.ts). Named after what it serves first: "k8s_gateway" would promise all of its options.
import { normalizeZone, type ClusterDnsConfig } from '../../config.js';
import { encodableName } from '../../dns/encodable.js';
import { CorefileError, type CorefileDirective } from '../../corefile/parse.js';
import type { ParseContext, PluginDefinition } from '../../plugin/registry.js';
import { isReverseZone, MAX_EXTERNAL_ZONES, REVERSE_NOTE } from './flags.js';
import { IngressPlugin, type IngressOptions } from './handler.js';

const DEFAULT_TTL = 5;
const CLASS_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function zoneArg(arg: string, file: string, line: number): string {
  const z = arg === '.' ? '' : normalizeZone(arg.slice(0, 300));
  if (z === '') throw new CorefileError('ingress: the root zone would take every name from the plugins after it: name a zone (ingress dev.test)', file, line);
  if (z.length > 253 || !encodableName(`hostmaster.dns.${z}`) || z.split('.').some((l) => l === '')) throw new CorefileError(`ingress: "${arg.slice(0, 60)}" is not a domain name`, file, line);
  if (isReverseZone(z)) throw new CorefileError(`ingress: ${arg.slice(0, 60)} is ${REVERSE_NOTE}`, file, line);
  return z;
}

export function parseIngress(d: CorefileDirective, ctx: ParseContext): IngressOptions {
  const { file } = ctx;
  if (d.args.length > MAX_EXTERNAL_ZONES) throw new CorefileError(`ingress: at most ${MAX_EXTERNAL_ZONES} zones`, file, d.line);
  const zones = d.args.length > 0 ? [...new Set(d.args.map((a) => zoneArg(a, file, d.line)))] : [...ctx.blockZones];
  if (zones.length === 0 || zones.includes('')) throw new CorefileError('ingress: name its zones (ingress dev.test): the root zone would take every name', file, d.line);
  const opts: IngressOptions = { zones, ttl: DEFAULT_TTL };
  const lb = ctx.config.synthesis?.lbAddress;
  if (lb !== undefined) opts.lbAddress = lb;
  const seen = new Set<string>();
  for (const o of d.block ?? []) {
    if (seen.has(o.name)) throw new CorefileError(`ingress: ${o.name} given twice`, file, o.line);
    seen.add(o.name);
    if (o.block) throw new CorefileError(`ingress: ${o.name} takes no block`, file, o.line);
    const v = o.args.length === 1 ? o.args[0]! : undefined;
    switch (o.name) {
      case 'ttl':
        if (v === undefined || !/^\d{1,10}$/.test(v) || Number(v) > 3600) throw new CorefileError(`ingress: ttl must be in range [0, 3600]: ${(v ?? '').slice(0, 20)}`, file, o.line);
        opts.ttl = Number(v);
        break;
      case 'class':
        if (v === undefined || !CLASS_NAME.test(v)) throw new CorefileError(`ingress: expected class NAME (an IngressClass name): ${o.args.join(' ').slice(0, 60)}`, file, o.line);
        opts.className = v;
        break;
      case 'gateway_class':
        if (v === undefined || !CLASS_NAME.test(v)) throw new CorefileError(`ingress: expected gateway_class NAME (a GatewayClass name): ${o.args.join(' ').slice(0, 60)}`, file, o.line);
        opts.gatewayClass = v;
        break;
      default:
        throw new CorefileError(`ingress: unknown property '${o.name.slice(0, 40)}'`, file, o.line);
    }
  }
  return opts;
}

/** The command line's spec (--external-zone, --ingress-class, --lb-address). */
export function ingressFlagOptions(config: ClusterDnsConfig): IngressOptions | undefined {
  if (!config.ingress) return undefined;
  const opts: IngressOptions = { zones: config.ingress.zones, ttl: DEFAULT_TTL };
  if (config.ingress.className !== undefined) opts.className = config.ingress.className;
  if (config.ingress.gatewayClass !== undefined) opts.gatewayClass = config.ingress.gatewayClass;
  if (config.synthesis.lbAddress !== undefined) opts.lbAddress = config.synthesis.lbAddress;
  return opts;
}

export const ingressDefinition: PluginDefinition<IngressOptions> = {
  name: 'ingress',
  parse: parseIngress,
  build: (opts, rt) => new IngressPlugin(opts, rt.store, rt.resolverConfig),
};
