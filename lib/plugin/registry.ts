// What a Corefile directive needs to become a running plugin: `parse` turns its arguments and block into options
// (pure, with file:line errors, run when the Corefile is read), `build` turns the options into a Plugin when the
// server starts. One definition per directive, in lib/plugins/<directive>/setup.ts, listed in lib/plugins/index.ts.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ClusterStore } from '../cluster/store.js';
import type { ClusterDnsConfig, PluginSpec, ServerBlockSpec } from '../config.js';
import type { CorefileDirective } from '../corefile/parse.js';
import type { ResolverConfig } from '../dns/resolver-config.js';
import type { KubernetesPlugin } from '../plugins/kubernetes/handler.js';
import type { Plugin, Upstream } from './handler.js';

export interface ParseContext {
  /** the Corefile's path, for errors and warnings */
  file: string;
  /** messages for the operator: what is accepted but means something else here */
  warnings: string[];
  /** the zones of the server block the directive is in, normalised ('' = the root) */
  blockZones: readonly string[];
  /** the server-wide settings the block maps to (zones, ttl, pods, upstreams ...), as far as read yet */
  config: Partial<ClusterDnsConfig>;
  /** read instead of /etc/resolv.conf (the host's search domains, `forward . /etc/resolv.conf`) */
  resolvConfPath?: string;
}

export interface PluginRuntime {
  store: ClusterStore;
  /** the cluster zones' plugin (one per server: clusterdns runs one kubernetes source) */
  kubernetes: KubernetesPlugin;
  resolverConfig: () => ResolverConfig;
  /** the forwarder built from the `forward` directive / --upstream, if any */
  upstream?: Upstream;
  logger: Logger;
  metrics: Registry;
  /** the `server` label of CoreDNS's metrics: dns://HOST:PORT */
  server: string;
}

export interface PluginDefinition<O = unknown> {
  readonly name: string;
  parse(d: CorefileDirective, ctx: ParseContext): O;
  /** for a directive that may appear more than once in a block (rewrite): the options of both, joined */
  merge?(a: O, b: O): O;
  build(options: O, rt: PluginRuntime): Plugin;
}

export type { PluginSpec, ServerBlockSpec };
