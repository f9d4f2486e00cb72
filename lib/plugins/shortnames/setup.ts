// `shortnames` (not a CoreDNS directive: clusterdns's own) and the command line's --short-names: a server-side
// search list for hosts that cannot have one. Takes no arguments: the zones are the kubernetes plugin's.
import { Counter, type Registry } from 'prom-client';
import { CorefileError } from '../../corefile/parse.js';
import type { PluginDefinition } from '../../plugin/registry.js';
import { ShortnamesPlugin } from './handler.js';

export type ShortnamesOptions = Record<string, never>;

function expandedCounter(reg: Registry): Counter<'server'> {
  const name = 'clusterdns_shortnames_expanded_total';
  return (reg.getSingleMetric(name) as Counter<'server'> | undefined)
    ?? new Counter({ name, help: 'Queries for short names answered from their cluster name.', labelNames: ['server'], registers: [reg] });
}

export const shortnamesDefinition: PluginDefinition<ShortnamesOptions> = {
  name: 'shortnames',

  parse(d, ctx) {
    if (d.args.length > 0 || d.block) throw new CorefileError('shortnames: takes no arguments and no block', ctx.file, d.line);
    return {};
  },

  build(_o, rt) {
    const counter = expandedCounter(rt.metrics);
    return new ShortnamesPlugin({
      resolverConfig: rt.resolverConfig,
      namespaceExists: (ns) => rt.store.namespaceExists(ns),
      resolve: (n, t) => rt.kubernetes.resolve(n, t),
      generation: () => rt.kubernetes.generation(),
      onExpanded: () => counter.inc({ server: rt.server }),
    });
  },
};
