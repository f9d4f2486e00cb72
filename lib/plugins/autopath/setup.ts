// `autopath [ZONE...] RESOLV-CONF|@kubernetes` (CoreDNS plugin/autopath/setup.go) and the command line's --autopath.
// @kubernetes asks the kubernetes plugin for each client's search list and appends the host's search domains, read
// once at start from the server's resolv.conf as CoreDNS's kubernetes plugin does; RESOLV-CONF is a file whose
// search domains are every client's list.
import { Counter, type Registry } from 'prom-client';
import { normalizeZone } from '../../config.js';
import { CorefileError } from '../../corefile/parse.js';
import type { PluginDefinition } from '../../plugin/registry.js';
import { AutopathPlugin, type AutopathOptions } from './handler.js';
import { readBounded, searchDomains, searchDomainsOf } from './resolv-search.js';

export const HOST_RESOLV_CONF = '/etc/resolv.conf';
/** a server block has a few zones; more would only make each query's zone check longer */
const MAX_ZONES = 64;
const ZONE = /^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;
const USAGE = 'autopath [ZONE...] RESOLV-CONF|@kubernetes';

export interface AutopathSpec extends AutopathOptions {
  /** what the operator should hear about, logged when the plugin is built (the command line has no warnings list) */
  notes: string[];
}

/** The options --autopath gives the command line's block: @kubernetes for every zone. */
export function autopathFlagOptions(resolvConf: string | undefined): AutopathSpec {
  const host = searchDomainsOf(resolvConf ?? HOST_RESOLV_CONF);
  return { zones: [''], source: { kind: 'kubernetes', hostSearch: host.domains }, notes: host.problems.map((p) => `--autopath: ${p}`) };
}

function successCounter(reg: Registry): Counter<'server'> {
  const name = 'coredns_autopath_success_total';
  return (reg.getSingleMetric(name) as Counter<'server'> | undefined)
    ?? new Counter({ name, help: 'Counter of requests that did autopath.', labelNames: ['server'], registers: [reg] });
}

export const autopathDefinition: PluginDefinition<AutopathSpec> = {
  name: 'autopath',

  parse(d, ctx) {
    const fail = (msg: string): never => { throw new CorefileError(`autopath: ${msg}`, ctx.file, d.line); };
    if (d.block) fail(`takes no block (${USAGE})`);
    if (d.args.length === 0) fail(`no resolv-conf specified (${USAGE})`);
    if (d.args.length > MAX_ZONES + 1) fail(`at most ${MAX_ZONES} zones`);
    const last = d.args[d.args.length - 1]!;
    const zoneArgs = d.args.slice(0, -1);
    const zones = zoneArgs.length === 0 ? [...ctx.blockZones] : zoneArgs.map((z) => {
      const n = z === '.' ? '' : normalizeZone(z);
      if (n !== '' && (n.length > 253 || !ZONE.test(n))) fail(`"${z.slice(0, 80)}" is not a zone`);
      return n;
    });
    const where = `${ctx.file} line ${d.line}`;
    if (last.startsWith('@')) {
      // CoreDNS errors when the named plugin cannot give search lists; here only kubernetes can.
      if (last !== '@kubernetes') fail(`${last.slice(1)} does not implement the AutoPather interface (only @kubernetes does)`);
      const host = searchDomainsOf(ctx.resolvConfPath ?? HOST_RESOLV_CONF);
      ctx.warnings.push(...host.problems.map((p) => `${where}: autopath: ${p}`));
      return { zones, source: { kind: 'kubernetes', hostSearch: host.domains }, notes: [] };
    }
    let text: string;
    try {
      text = readBounded(last).text;
    } catch (err) {
      return fail(`failed to parse "${last}": ${(err as Error).message}`);
    }
    const list = searchDomains(text, last);
    ctx.warnings.push(...list.problems.map((p) => `${where}: autopath: ${p}`));
    if (list.domains.length === 0) ctx.warnings.push(`${where}: autopath: ${last} lists no search domains: autopath does nothing`);
    return { zones, source: { kind: 'file', search: list.domains }, notes: [] };
  },

  build(o, rt) {
    for (const n of o.notes) rt.logger.warn(n);
    if (o.source.kind === 'kubernetes' && rt.resolverConfig().pods !== 'verified') {
      rt.logger.warn('autopath @kubernetes does nothing without pods verified (as in CoreDNS)');
    }
    const counter = successCounter(rt.metrics);
    return new AutopathPlugin(o, {
      podNamespaceByIP: (ip) => rt.store.podNamespaceByIP(ip),
      resolverConfig: rt.resolverConfig,
      onSuccess: () => counter.inc({ server: rt.server }),
    });
  },
};
