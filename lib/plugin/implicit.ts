// The command line's server block: without a Corefile, flags describe one block that serves every name. Its chain is
// built like a Corefile block's, from specs in execution order; a flag that turns a plugin on adds its spec here.
// Unlike a Corefile block, a name nobody answers is REFUSED (as it always was without --upstream).
import type { ClusterDnsConfig, PluginSpec, ServerBlockSpec } from '../config.js';
import { inExecutionOrder } from './order.js';
import { autopathFlagOptions } from '../plugins/autopath/setup.js';
import { commandLineHosts } from '../plugins/hosts/setup.js';
import { ingressFlagOptions } from '../plugins/ingress/setup.js';
import { transferOptionsFromFlags } from '../plugins/transfer/setup.js';

export function implicitServer(config: ClusterDnsConfig, hasUpstream: boolean): ServerBlockSpec & { implicit: true } {
  const plugins: PluginSpec[] = [{ name: 'kubernetes', where: 'command line', options: {} }];
  if (config.hostsFile) plugins.push({ name: 'hosts', where: '--hosts', options: commandLineHosts(config.hostsFile, config.watch) });
  const ingress = ingressFlagOptions(config);
  if (ingress) plugins.push({ name: 'ingress', where: '--external-zone', options: ingress });
  if (hasUpstream) plugins.push({ name: 'forward', where: '--upstream', options: {} });
  if (config.autopath) plugins.push({ name: 'autopath', where: '--autopath', options: autopathFlagOptions(config.resolvConf) });
  if (config.transferTo && config.transferTo.length > 0) plugins.push({ name: 'transfer', where: '--transfer-to', options: transferOptionsFromFlags(config.transferTo) });
  if (config.loadbalance || config.loadbalanceSeed !== undefined) {
    plugins.push({ name: 'loadbalance', where: '--loadbalance', options: { prefer: [] } });
  }
  if (config.shortNames) plugins.push({ name: 'shortnames', where: '--short-names', options: {} });
  return { zones: [''], port: config.listen.port, plugins: inExecutionOrder(plugins), implicit: true };
}
