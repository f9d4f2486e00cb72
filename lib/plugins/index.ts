// Every Corefile directive clusterdns builds into a plugin chain, by name. kubernetes and forward are wired by the
// server itself (one cluster source, one forwarder); the rest are listed here, one line each.
import type { PluginDefinition } from '../plugin/registry.js';
import { loadbalanceDefinition } from './loadbalance/setup.js';
import { rewriteDefinition } from './rewrite/setup.js';

const DEFINITIONS: PluginDefinition<any>[] = [
  loadbalanceDefinition,
  rewriteDefinition,
];

export const PLUGINS: ReadonlyMap<string, PluginDefinition<any>> = new Map(DEFINITIONS.map((d) => [d.name, d]));
