// Command line → ClusterDnsConfig. Every flag maps onto one config field; a bad flag is a UsageError (exit 2).
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { applyCorefile } from '../lib/corefile/apply.js';
import { CorefileError } from '../lib/corefile/parse.js';
import { synthesisConfigProblems } from '../lib/synth/options.js';
import path from 'node:path';
import { PACKAGE_ROOT } from '../lib/package-root.js';
import { ADMIN_AUTH_MODES, adminTokenProblem } from '../lib/admin/auth.js';
import { applyExternalFlags } from '../lib/plugins/ingress/flags.js';
import { cidrToReverseZone, defaultConfig, isReverseZone, normalizeZone, parseHostPort, type ClusterDnsConfig } from '../lib/config.js';
import { reusePortProblem } from '../lib/wire/reuse-port.js';
import { freeUnpinnedPorts } from './ready-file.js';
import { parseTransferTo } from '../lib/plugins/transfer/acl.js';
import { HELP } from './help.js';

export class UsageError extends Error {}

export const BUNDLED_FIXTURES = path.join(PACKAGE_ROOT, 'fixtures');

const OPTIONS = {
  fixtures: { type: 'string', multiple: true },
  records: { type: 'string', multiple: true },
  hosts: { type: 'string' },
  listen: { type: 'string' },
  zone: { type: 'string', multiple: true },
  ttl: { type: 'string' },
  pods: { type: 'string' },
  'endpoint-pod-names': { type: 'boolean' },
  zonal: { type: 'boolean' },
  namespace: { type: 'string' },
  'no-watch': { type: 'boolean' },
  'log-level': { type: 'string' },
  admin: { type: 'string' },
  'admin-token': { type: 'string' },
  'admin-auth': { type: 'string' },
  health: { type: 'string' },
  ready: { type: 'string' },
  metrics: { type: 'string' },
  lameduck: { type: 'string' },
  'address-poll': { type: 'string' },
  'reuse-port': { type: 'boolean' },
  journal: { type: 'string' },
  'cache-mb': { type: 'string' },
  loadbalance: { type: 'boolean' },
  'loadbalance-seed': { type: 'string' },
  'ready-file': { type: 'string' },
  upstream: { type: 'string', multiple: true },
  'transfer-to': { type: 'string', multiple: true },
  source: { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespaces: { type: 'string' },
  labels: { type: 'string' },
  'startup-timeout': { type: 'string' },
  'pod-cidr': { type: 'string' },
  'service-cidr': { type: 'string' },
  'pod-cidr-v6': { type: 'string' },
  'service-cidr-v6': { type: 'string' },
  nodes: { type: 'string' },
  'lb-range': { type: 'string' },
  'lb-address': { type: 'string' },
  'external-zone': { type: 'string', multiple: true },
  'ingress-class': { type: 'string' }, 'gateway-class': { type: 'string' },
  corefile: { type: 'string' },
  autopath: { type: 'boolean' },
  'short-names': { type: 'boolean' },
  'resolv-conf': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;


export interface ParsedCli {
  command: 'serve' | 'records' | 'health' | 'help' | 'version';
  config: ClusterDnsConfig;
  journalSize: number;
  /** things the Corefile asked for that clusterdns does not do */
  warnings: string[];
  /** --ready-file: where the bound addresses go once serving ("-" = stdout) */
  readyFile?: string;
}

function listenFlag(name: string, v: string, defaultHost: string) {
  try {
    return parseHostPort(v, defaultHost);
  } catch (err) {
    throw new UsageError(`--${name} ${(err as Error).message}`);
  }
}

/** "8.8.8.8", "8.8.8.8:5353", "::1", "[::1]:53" → HostPort (port 53 when absent). */
export function parseUpstream(s: string): { host: string; port: number } {
  const plain = s.trim();
  if (isIP(plain)) return { host: plain, port: 53 };
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(plain);
  const host = m ? (m[1] ?? m[2]) : '';
  if (!m || !isIP(host) || Number(m[3]) < 1 || Number(m[3]) > 65535) {
    throw new UsageError(`--upstream ${s}: expected IP or IP:PORT (e.g. 1.1.1.1, 127.0.0.1:5300, [::1]:53)`);
  }
  return { host, port: Number(m[3]) };
}

function intIn(name: string, v: string, min: number, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`--${name} ${v}: expected a whole number from ${min} to ${max}`);
  }
  return Number(v);
}

export { HELP };

export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): ParsedCli {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const { values: v, positionals } = parsed;
  let config = defaultConfig();
  let warnings: string[] = [];
  let command: ParsedCli['command'] = 'serve';
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  if (positionals[0] !== undefined) {
    if (positionals[0] !== 'serve' && positionals[0] !== 'records' && positionals[0] !== 'health') {
      throw new UsageError(`unknown command "${positionals[0]}" (commands: serve, records, health, explain, resolver, snapshot, diff)`);
    }
    command = positionals[0];
  }
  let journalSize = 1000;
  if (v.help) return { command: 'help', config, journalSize, warnings };
  if (v.version) return { command: 'version', config, journalSize, warnings };
  if (v.hosts !== undefined && v.corefile !== undefined) throw new UsageError('--hosts and --corefile: give the Corefile a hosts directive instead');
  if (v.corefile !== undefined) {
    try {
      ({ config, warnings } = applyCorefile(config, v.corefile, v['resolv-conf'] !== undefined ? { resolvConfPath: v['resolv-conf'] } : {}));
    } catch (err) {
      if (err instanceof CorefileError) throw new UsageError(`--corefile ${err.message}`);
      throw err;
    }
  }

  config.fixtures = v.fixtures && v.fixtures.length > 0 ? v.fixtures : [BUNDLED_FIXTURES];
  if (v.records) {
    if (v.records.some((f) => f.trim() === '')) throw new UsageError('--records: expected a file path');
    config.recordFiles = v.records;
  }
  if (v.hosts !== undefined) {
    if (v.hosts.trim() === '') throw new UsageError('--hosts: expected a file path');
    config.hostsFile = v.hosts;
  }
  if (v.listen !== undefined) {
    try {
      config.listen = parseHostPort(v.listen);
    } catch (err) {
      throw new UsageError(`--listen ${(err as Error).message}`);
    }
  }
  if (v.zone) {
    // As the Corefile's kubernetes zones: reverse zones (10.in-addr.arpa, or a CIDR such as 10.0.0.0/8) are served
    // for PTR and replace the default in-addr.arpa/ip6.arpa; the others are cluster domains.
    const zones = v.zone.map((z) => {
      if (!/\/\d+$/.test(z)) return normalizeZone(z);
      try {
        return cidrToReverseZone(z);
      } catch (err) {
        throw new UsageError(`--${(err as Error).message}`);
      }
    });
    for (const z of zones) {
      if (!/^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/.test(z)) {
        throw new UsageError(`--zone ${z}: not a valid domain name`);
      }
    }
    const reverse = zones.filter(isReverseZone);
    config.zones = zones.filter((z) => !isReverseZone(z));
    if (config.zones.length === 0) throw new UsageError(`--zone: ${reverse.join(', ')} ${reverse.length > 1 ? 'are reverse zones' : 'is a reverse zone'}; name a cluster domain too (--zone cluster.local)`);
    if (reverse.length > 0) config.reverseZones = reverse;
  }
  if (v.ttl !== undefined) config.ttl = intIn('ttl', v.ttl, 0, 3600);
  if (v.pods !== undefined) {
    if (v.pods !== 'disabled' && v.pods !== 'insecure' && v.pods !== 'verified') {
      throw new UsageError(`--pods ${v.pods}: expected disabled, insecure or verified`);
    }
    config.pods = v.pods;
  }
  if (v['resolv-conf'] !== undefined) {
    if (v['resolv-conf'].trim() === '') throw new UsageError('--resolv-conf: expected a file path');
    config.resolvConf = v['resolv-conf'];
  }
  if (v.autopath) {
    if (v.corefile !== undefined) throw new UsageError('--autopath is for the command line\'s server block: with --corefile write "autopath @kubernetes" in the Corefile');
    if (v.pods !== undefined && v.pods !== 'verified') throw new UsageError(`--autopath finds client pods by address, which needs --pods verified (not --pods ${v.pods})`);
    config.pods = 'verified';
    config.autopath = true;
  }
  if (v['short-names']) {
    if (v.corefile !== undefined) throw new UsageError('--short-names is for the command line\'s server block: with --corefile write "shortnames" in the Corefile');
    config.shortNames = true;
  }
  if (v['endpoint-pod-names']) config.endpointPodNames = true;
  if (v.zonal) {
    if (config.noEndpoints) throw new UsageError('--zonal: the Corefile says noendpoints; zonal names are answered from EndpointSlices');
    config.zonal = true;
  }
  if (v.namespace !== undefined) {
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v.namespace)) throw new UsageError(`--namespace ${v.namespace}: not a valid namespace name`);
    config.namespace = v.namespace;
  }
  if (v['no-watch']) config.watch = false;
  if (v['log-level'] !== undefined) {
    const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
    const l = levels.find((x) => x === v['log-level']);
    if (!l) throw new UsageError(`--log-level ${v['log-level']}: expected one of ${levels.join(', ')}`);
    config.logLevel = l;
  }
  if (v.admin !== undefined) config.admin = v.admin === 'off' ? null : listenFlag('admin', v.admin, '127.0.0.1');
  const token = v['admin-token'] ?? env.CLUSTERDNS_ADMIN_TOKEN;
  if (token !== undefined) {
    const problem = adminTokenProblem(token);
    if (problem) throw new UsageError(`--admin-token: ${problem}`);
    config.adminToken = token;
  }
  if (v['admin-auth'] !== undefined) {
    const mode = ADMIN_AUTH_MODES.find((m) => m === v['admin-auth']);
    if (!mode) throw new UsageError(`--admin-auth ${v['admin-auth']}: expected all or writes`);
    if (mode === 'all' && token === undefined) throw new UsageError('--admin-auth all needs a token to require: set --admin-token or CLUSTERDNS_ADMIN_TOKEN');
    config.adminAuth = mode;
  }
  // CoreDNS's ":8080" means every interface: kubelet probes and Prometheus come from outside the pod.
  if (v.health !== undefined) config.health = listenFlag('health', v.health, '0.0.0.0');
  if (v.ready !== undefined) config.ready = listenFlag('ready', v.ready, '0.0.0.0');
  if (v.metrics !== undefined) config.metrics = listenFlag('metrics', v.metrics, '0.0.0.0');
  if (v.lameduck !== undefined) config.lameduck = intIn('lameduck', v.lameduck, 0, 600);
  if (v['reuse-port']) {
    const problem = reusePortProblem();
    if (problem) throw new UsageError(`--reuse-port ${problem}`);
    config.reusePort = true;
  }
  if (v['address-poll'] !== undefined) config.addressPollMs = intIn('address-poll', v['address-poll'], 100, 3_600_000);
  if (v.journal !== undefined) journalSize = intIn('journal', v.journal, 0, 1_000_000);
  if (v['cache-mb'] !== undefined) config.cacheBytes = intIn('cache-mb', v['cache-mb'], 0, 4096) * 1024 * 1024;
  if (v['loadbalance-seed'] !== undefined) config.loadbalanceSeed = intIn('loadbalance-seed', v['loadbalance-seed'], 0, 4294967295);
  if (v.loadbalance) config.loadbalance = true;
  if (config.servers && (config.loadbalance || config.loadbalanceSeed !== undefined) && !config.servers.some((b) => b.plugins.some((p) => p.name === 'loadbalance'))) {
    throw new UsageError(`--loadbalance${config.loadbalance ? '' : '-seed'}: the Corefile has no loadbalance directive (with --corefile, the Corefile turns it on)`);
  }
  if (v.upstream) config.upstreams = v.upstream.map(parseUpstream);
  if (v['transfer-to']) {
    // The Corefile's blocks say for themselves who may transfer: a flag could only guess which block it meant.
    if (config.servers) throw new UsageError('--transfer-to is for the command line\'s server block: with --corefile, write transfer { to ADDRESS... } in it');
    if (v['transfer-to'].length > 1000) throw new UsageError('--transfer-to: at most 1000 addresses');
    for (const a of v['transfer-to']) {
      try {
        parseTransferTo(a);
      } catch (err) {
        throw new UsageError(`--transfer-to ${(err as Error).message}`);
      }
    }
    config.transferTo = v['transfer-to'];
  }
  if (v.source !== undefined) {
    if (v.source !== 'fixtures' && v.source !== 'kubernetes') throw new UsageError(`--source ${v.source}: expected fixtures or kubernetes`);
    config.source = v.source;
  } else if (v.kubeconfig !== undefined || v.context !== undefined || (env.KUBERNETES_SERVICE_HOST && !v.fixtures)) {
    config.source = 'kubernetes';
  }
  if (config.source === 'kubernetes' && v.fixtures) throw new UsageError('--fixtures and --source kubernetes exclude each other: the cluster is the source of truth');
  if (config.source === 'kubernetes') config.fixtures = [];
  if (v.kubeconfig !== undefined) config.kubeconfig = v.kubeconfig;
  if (v.context !== undefined) config.context = v.context;
  if (config.source === 'kubernetes' && !config.kubeconfig && !config.context && env.KUBERNETES_SERVICE_HOST && !env.KUBECONFIG) config.inCluster = true;
  if (v.namespaces !== undefined) {
    const list = v.namespaces.split(',').map((x) => x.trim()).filter(Boolean);
    const bad = list.find((n) => !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(n));
    if (bad !== undefined) throw new UsageError(`--namespaces: "${bad}" is not a namespace name`);
    config.namespaces = list;
  }
  if (v.labels !== undefined) {
    if (!/^\s*[!]?[A-Za-z0-9._/-]+(\s*(=|==|!=)\s*[A-Za-z0-9._-]*|\s+(in|notin)\s*\([^)]*\))?(\s*,\s*[!]?[A-Za-z0-9._/-]+(\s*(=|==|!=)\s*[A-Za-z0-9._-]*|\s+(in|notin)\s*\([^)]*\))?)*\s*$/.test(v.labels)) {
      throw new UsageError(`--labels ${v.labels}: not a label selector (e.g. app=web,tier!=cache or env in (prod,staging))`);
    }
    config.labels = v.labels;
  }
  if (v['startup-timeout'] !== undefined) config.startupTimeoutMs = intIn('startup-timeout', v['startup-timeout'], 0, 600) * 1000;
  const cidrFlags = [['pod-cidr', 'podCIDR'], ['service-cidr', 'serviceCIDR'], ['pod-cidr-v6', 'podCIDRv6'], ['service-cidr-v6', 'serviceCIDRv6']] as const;
  for (const [flag, field] of cidrFlags) {
    const val = v[flag];
    if (val === undefined) continue;
    config.synthesis = { ...config.synthesis, [field]: val };
    const problem = synthesisConfigProblems(config.synthesis).find((p) => p.includes(field));
    if (problem) throw new UsageError(`--${flag} ${problem.replace(`${field}`, '').replace(/^[: ]+/, '')}`);
  }
  if (v.nodes !== undefined) config.synthesis = { ...config.synthesis, nodes: intIn('nodes', v.nodes, 0, 5000) };
  try {
    applyExternalFlags(v, config);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (v.listen !== undefined) freeUnpinnedPorts(config, { admin: v.admin !== undefined, health: v.health !== undefined, ready: v.ready !== undefined, metrics: v.metrics !== undefined });
  if (v['ready-file'] === '') throw new UsageError('--ready-file: expected a file path (or - for stdout)');
  return { command, config, journalSize, warnings, ...(v['ready-file'] !== undefined ? { readyFile: v['ready-file'] } : {}) };
}
