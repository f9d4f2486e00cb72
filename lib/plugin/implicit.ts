// The command line's server block: without a Corefile, flags describe one block that serves every name. Its chain is
// built like a Corefile block's, from specs in execution order; a flag that turns a plugin on adds its spec here.
// Unlike a Corefile block, a name nobody answers is REFUSED (as it always was without --upstream).
import type { ClusterDnsConfig, PluginSpec, ServerBlockSpec } from '../config.js';
import { inExecutionOrder } from './order.js';

export function implicitServer(config: ClusterDnsConfig, hasUpstream: boolean): ServerBlockSpec & { implicit: true } {
  const plugins: PluginSpec[] = [{ name: 'kubernetes', where: 'command line', options: {} }];
  if (hasUpstream) plugins.push({ name: 'forward', where: '--upstream', options: {} });
  if (config.loadbalance || config.loadbalanceSeed !== undefined) {
    plugins.push({ name: 'loadbalance', where: '--loadbalance', options: { prefer: [] } });
  }
  return { zones: [''], port: config.listen.port, plugins: inExecutionOrder(plugins), implicit: true };
}
