// Every Corefile directive clusterdns builds into a plugin chain, by name. kubernetes and forward are wired by the
// server itself (one cluster source, one forwarder); the rest are listed here, one line each.
import type { PluginDefinition } from '../plugin/registry.js';
import { cacheDefinition } from './cache/setup.js';
import { errorsDefinition } from './errors/setup.js';
import { logDefinition } from './log/setup.js';

const DEFINITIONS: PluginDefinition<any>[] = [
  cacheDefinition,
  errorsDefinition,
  logDefinition,
];

export const PLUGINS: ReadonlyMap<string, PluginDefinition<any>> = new Map(DEFINITIONS.map((d) => [d.name, d]));
