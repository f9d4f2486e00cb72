// From server block specs (a Corefile's, or the command line's implicit one) to the running chains, grouped by
// listener: the blocks on one port share a listener (ServerBlocks picks by longest zone); each port is a listener.
// The block holding kubernetes is the main listener's (config.listen, which --listen overrides).
//
// One cluster source serves every block (KubernetesPlugin); static records (the `records` plugin) sit after
// kubernetes in its block and, in blocks without kubernetes, just before loop/forward: a static name is answered
// in whichever block its name falls in, ahead of that block's upstreams. Each `forward` with its own upstream list
// gets its own Forwarder; `forward .` beside kubernetes and --upstream share the server's (`shared`).
import type { HostPort, ServerBlockSpec } from './config.js';
import { RCODE } from './dns/records.js';
import { Chain, ServerBlocks } from './plugin/chain.js';
import type { Plugin, Upstream } from './plugin/handler.js';
import type { PluginRuntime } from './plugin/registry.js';
import { ForwardPlugin } from './plugins/forward/handler.js';
import type { ForwardOptions } from './plugins/forward/setup.js';
import { PLUGINS } from './plugins/index.js';
import type { RecordsPlugin } from './plugins/records/handler.js';
import { Forwarder, type ForwarderOptions } from './upstream/forwarder.js';

export interface ListenerPlan {
  /** the port the Corefile names (the main listener binds config.listen instead) */
  port: number;
  host: string | undefined;
  main: boolean;
  blocks: ServerBlocks;
}

export interface BuiltBlocks {
  listeners: ListenerPlan[];
  /** forwarders made for forward directives with their own upstreams (closed with the blocks) */
  forwarders: Forwarder[];
  /** every plugin built, for close() */
  plugins: Plugin[];
}

export interface BuildContext {
  rt: PluginRuntime;
  records: RecordsPlugin;
  /** the server's forwarder (config.upstreams / --upstream) or a test's stand-in */
  shared: Upstream | undefined;
  /** a test's stand-in replaces every upstream */
  override: Upstream | undefined;
  forwarderOptions: ForwarderOptions;
  /** --loadbalance-seed: the shuffle's seed, for a Corefile's loadbalance too (tests) */
  loadbalanceSeed?: number;
}

const AFTER_RECORDS = new Set(['loop', 'forward']);

/**
 * Throws when two blocks on one port bind different addresses. Pure: a reload checks it before it changes anything,
 * and the build checks it before it makes a plugin (a hosts plugin's reload timer, a forwarder's sockets).
 */
export function checkListenerBinds(servers: readonly ServerBlockSpec[] | undefined): void {
  const hosts = new Map<number, string>();
  for (const b of servers ?? []) {
    const h = hosts.get(b.port);
    if (b.host && h && b.host !== h) {
      throw new Error(`port ${b.port}: server blocks bind different addresses (${h}, ${b.host}); clusterdns binds one address per port`);
    }
    if (b.host && !h) hosts.set(b.port, b.host);
  }
}

/** `servers`: a Corefile's blocks, or the command line's implicit one (lib/plugin/implicit.ts). */
export function buildServerBlocks(servers: (ServerBlockSpec & { implicit?: true })[], ctx: BuildContext): BuiltBlocks {
  checkListenerBinds(servers);
  const specs = servers;
  const implicit = specs.length === 1 && specs[0]!.implicit === true;
  const forwarders: Forwarder[] = [];
  const built: Plugin[] = [];
  const mainSpecPort = specs.find((s) => s.main)?.port ?? specs[0]?.port;
  const groups = new Map<number, { host: string | undefined; main: boolean; blocks: { zones: string[]; chain: Chain }[] }>();
  for (const b of specs) {
    const plugins: Plugin[] = [];
    const hasK8s = b.plugins.some((p) => p.name === 'kubernetes');
    let recordsPlaced = hasK8s || implicit;
    for (const spec of b.plugins) {
      if (!recordsPlaced && AFTER_RECORDS.has(spec.name)) { plugins.push(ctx.records); recordsPlaced = true; }
      if (spec.name === 'kubernetes') plugins.push(ctx.rt.kubernetes, ctx.records);
      else if (spec.name === 'forward') {
        const f = spec.options as Partial<ForwardOptions>;
        let up = ctx.override ?? ctx.shared;
        if (!ctx.override && f.upstreams) {
          const fwd = new Forwarder(f.upstreams, ctx.forwarderOptions);
          forwarders.push(fwd);
          up = fwd;
        }
        if (up) plugins.push(new ForwardPlugin(up, f.from ?? [''], f.except ?? [], f.maxConcurrent ?? Infinity));
      } else {
        const options = spec.name === 'loadbalance' && ctx.loadbalanceSeed !== undefined ? { ...(spec.options as object), seed: ctx.loadbalanceSeed } : spec.options;
        const p = PLUGINS.get(spec.name)!.build(options, ctx.rt);
        plugins.push(p);
        built.push(p);
      }
    }
    if (!recordsPlaced) plugins.push(ctx.records);
    const port = b.port;
    const g = groups.get(port) ?? { host: b.host, main: port === mainSpecPort, blocks: [] };
    g.host ??= b.host;
    // Past its end a Corefile block answers SERVFAIL, as CoreDNS; the command line's block REFUSED.
    g.blocks.push({ zones: b.zones, chain: new Chain(plugins, b.implicit ? RCODE.REFUSED : RCODE.SERVFAIL) });
    groups.set(port, g);
  }
  const listeners = [...groups].map(([port, g]) => ({ port, host: g.host, main: g.main, blocks: new ServerBlocks(g.blocks) }))
    .sort((a, b) => Number(b.main) - Number(a.main));
  return { listeners, forwarders, plugins: built };
}

/** Where a listener binds: the main one config.listen, the others their own port on their bind address (or listen's host). */
export function listenerAddress(l: ListenerPlan, listen: HostPort): HostPort {
  return l.main ? listen : { host: l.host ?? listen.host, port: l.port };
}
