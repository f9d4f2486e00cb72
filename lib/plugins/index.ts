// Every Corefile directive clusterdns builds into a plugin chain, by name. kubernetes and forward are wired by the
// server itself (one cluster source, one forwarder); the rest are listed here, one line each.
import type { PluginDefinition } from '../plugin/registry.js';
import { autopathDefinition } from './autopath/setup.js';
import { cacheDefinition } from './cache/setup.js';
import { errorsDefinition } from './errors/setup.js';
import { hostsDefinition } from './hosts/setup.js';
import { ingressDefinition } from './ingress/setup.js';
import { k8sExternal } from './k8s_external/setup.js';
import { loadbalanceDefinition } from './loadbalance/setup.js';
import { logDefinition } from './log/setup.js';
import { rewriteDefinition } from './rewrite/setup.js';
import { shortnamesDefinition } from './shortnames/setup.js';
import { transferPlugin } from './transfer/setup.js';

const DEFINITIONS: PluginDefinition<any>[] = [
  autopathDefinition,
  cacheDefinition,
  errorsDefinition,
  hostsDefinition,
  ingressDefinition,
  k8sExternal,
  loadbalanceDefinition,
  logDefinition,
  rewriteDefinition,
  shortnamesDefinition,
  transferPlugin,
];

export const PLUGINS: ReadonlyMap<string, PluginDefinition<any>> = new Map(DEFINITIONS.map((d) => [d.name, d]));
