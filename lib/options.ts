// startClusterDns()'s options checked the way server/cli.ts checks flags. A test author passes plain JavaScript values,
// often without the TypeScript types: a wrong one must fail at start with a TypeError that names the option and says
// what it takes, not start a server that answers SERVFAIL, reads the wrong files or treats 'yes' as a mode.
import { isIP } from 'node:net';
import type { Logger as PinoLogger } from 'pino';
import { normalizeZone, parseHostPort, type ClusterDnsConfig, type HostPort, type SynthesisConfig } from './config.js';
import { synthesisConfigProblems } from './synth/options.js';
import { reusePortProblem } from './wire/reuse-port.js';
import { RecordError } from './static/rdata.js';
import { recordsFrom } from './static/spec.js';
import { parseTransferTo } from './plugins/transfer/acl.js';
import { parseSelectorString } from './cluster/label-selector.js';

/** The options after checking: listen, admin and upstreams as HostPort, fixtures as a list. */
export type CheckedStartOptions = Partial<Omit<ClusterDnsConfig, 'listen' | 'admin' | 'health' | 'ready' | 'metrics' | 'synthesis'>> & {
  records?: unknown;
  listen?: HostPort;
  admin?: HostPort | null;
  synthesis?: Partial<SynthesisConfig>;
  objects?: unknown[];
  logger?: PinoLogger;
  journalSize?: number;
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const PODS = ['disabled', 'insecure', 'verified'] as const;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DOMAIN = /^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;
const SYNTHESIS_KEYS = ['podCIDR', 'serviceCIDR', 'podCIDRv6', 'serviceCIDRv6', 'nodes'] as const;

type Check = (v: unknown, name: string) => unknown;

function fail(name: string, v: unknown, want: string): never {
  throw new TypeError(`startClusterDns: ${name} ${show(v)}: expected ${want}`);
}

function show(v: unknown): string {
  const s = showFull(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function showFull(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(showFull).join(', ')}]`;
  if (v && typeof v === 'object') {
    try {
      return JSON.stringify(v);
    } catch {
      return Object.prototype.toString.call(v);
    }
  }
  return String(v);
}

const bool: Check = (v, name) => (typeof v === 'boolean' ? v : fail(name, v, 'true or false'));
const text: Check = (v, name) => (typeof v === 'string' && v.trim() !== '' ? v : fail(name, v, 'a non-empty string'));
const intIn = (min: number, max: number, unit = ''): Check => (v, name) =>
  (Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? v : fail(name, v, `a whole number${unit} from ${min} to ${max}`));
const oneOf = (values: readonly string[]): Check => (v, name) => (values.includes(v as string) ? v : fail(name, v, `one of ${values.map((x) => `'${x}'`).join(', ')}`));
const listOf = (each: Check, what: string, { nonEmpty = false } = {}): Check => (v, name) => {
  if (!Array.isArray(v) || (nonEmpty && v.length === 0)) fail(name, v, `${nonEmpty ? 'a non-empty ' : 'an '}array of ${what}`);
  return (v as unknown[]).map((x, i) => each(x, `${name}[${i}]`));
};

const zone: Check = (v, name) => {
  if (typeof v !== 'string' || !DOMAIN.test(normalizeZone(v))) fail(name, v, 'a domain name such as "cluster.local"');
  return normalizeZone(v as string);
};
const namespace: Check = (v, name) => (typeof v === 'string' && NAMESPACE.test(v) ? v : fail(name, v, 'a namespace name (lower case letters, digits, "-")'));

/** "host:port" or {host, port}; port 0 means a free port. */
function listenAddress(v: unknown, name: string): HostPort {
  if (typeof v === 'string') {
    try {
      return parseHostPort(v);
    } catch {
      fail(name, v, '"HOST:PORT" (port 0 = a free port) or { host, port }');
    }
  }
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const { host, port } = v as Record<string, unknown>;
    if (typeof host === 'string' && host !== '' && Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535) {
      return { host, port: port as number };
    }
  }
  return fail(name, v, '"HOST:PORT" (port 0 = a free port) or { host: string, port: 0-65535 }');
}

/** The CLI's --upstream: "IP", "IP:PORT", "[v6]:PORT" (port 53 when absent) or {host: IP, port}. */
function upstream(v: unknown, name: string): HostPort {
  const want = 'an upstream as "IP", "IP:PORT", "[IPv6]:PORT" or { host: IP, port: 1-65535 }';
  if (typeof v === 'string') {
    const plain = v.trim();
    if (isIP(plain)) return { host: plain, port: 53 };
    const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(plain);
    const host = m ? (m[1] ?? m[2] ?? '') : '';
    if (m && isIP(host) && Number(m[3]) >= 1 && Number(m[3]) <= 65535) return { host, port: Number(m[3]) };
    return fail(name, v, want);
  }
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const { host, port } = v as Record<string, unknown>;
    const p = port ?? 53;
    if (typeof host === 'string' && isIP(host) && Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535) return { host, port: p as number };
  }
  return fail(name, v, want);
}

function synthesis(v: unknown, name: string): Partial<SynthesisConfig> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail(name, v, `an object with ${SYNTHESIS_KEYS.join(', ')}`);
  const given = v as Record<string, unknown>;
  const unknownKey = Object.keys(given).find((k) => !(SYNTHESIS_KEYS as readonly string[]).includes(k));
  if (unknownKey !== undefined) fail(`${name}.${unknownKey}`, given[unknownKey], `no such field (known: ${SYNTHESIS_KEYS.join(', ')})`);
  // Check the given fields against a complete config, so each problem names the field that has it.
  const probe: SynthesisConfig = { podCIDR: '10.244.0.0/16', serviceCIDR: '10.96.0.0/12', podCIDRv6: 'fd00:10:244::/56', serviceCIDRv6: 'fd00:10:96::/112', nodes: 1 };
  for (const k of SYNTHESIS_KEYS) {
    if (given[k] === undefined) continue;
    if (k === 'nodes') intIn(0, 5000)(given[k], `${name}.nodes`);
    else if (typeof given[k] !== 'string') fail(`${name}.${k}`, given[k], 'a CIDR string');
  }
  const problem = synthesisConfigProblems({ ...probe, ...given } as SynthesisConfig)[0];
  if (problem) throw new TypeError(`startClusterDns: ${name}.${problem}`);
  return given as Partial<SynthesisConfig>;
}

function logger(v: unknown, name: string): PinoLogger {
  const l = v as Record<string, unknown> | null;
  const methods = ['error', 'warn', 'info', 'debug', 'child'];
  if (!l || typeof l !== 'object' || methods.some((m) => typeof l[m] !== 'function')) {
    throw new TypeError(`startClusterDns: logger: expected a pino logger (an object with ${methods.join(', ')}), or logLevel alone`);
  }
  return v as PinoLogger;
}

/** A string is one path (a file or a folder), never a list of its characters. */
function fixtures(v: unknown, name: string): string[] {
  if (typeof v === 'string') return [text(v, name) as string];
  if (!Array.isArray(v)) fail(name, v, 'a path (a file or folder) or an array of paths');
  return listOf(text, 'paths')(v, name) as string[];
}

/** Static records: specs or zone-file text, checked now so a bad one fails at start naming the item. */
const records: Check = (v, name) => {
  try {
    recordsFrom(v, 0, 'in-process');
  } catch (err) {
    if (err instanceof RecordError) throw new TypeError(`startClusterDns: ${name}: ${err.message}`);
    throw err;
  }
  return v;
};

const adminToken: Check = (v, name) => {
  // Its strength is judged by lib/admin/auth.ts's adminTokenProblem at start (one rule for flag, env and option).
  if (typeof v === 'string') return v;
  // A secret is not echoed into test logs.
  throw new TypeError(`startClusterDns: ${name} (hidden): expected a string`);
};

/** A runtime that would silently ignore it is refused here, not found out when the second process fails to bind. */
const reusePort: Check = (v, name) => {
  const on = bool(v, name);
  const problem = on ? reusePortProblem() : undefined;
  if (problem) throw new TypeError(`startClusterDns: ${name} ${problem}`);
  return on;
};

const CHECKS: Record<string, Check> = {
  listen: listenAddress,
  admin: (v, name) => (v === null || v === 'off' ? null : listenAddress(v, name)),
  zones: listOf(zone, 'domain names', { nonEmpty: true }),
  reverseZones: listOf(zone, 'domain names'),
  ttl: intIn(0, 3600, ' of seconds'),
  pods: oneOf(PODS),
  endpointPodNames: bool,
  ignoreEmptyService: bool,
  noEndpoints: bool,
  zonal: bool,
  source: oneOf(['fixtures', 'kubernetes']),
  fixtures,
  recordFiles: fixtures,
  hostsFile: text,
  records,
  watch: bool,
  namespace,
  synthesis,
  kubeconfig: text,
  context: text,
  inCluster: bool,
  startupTimeoutMs: intIn(0, 600_000, ' of milliseconds'),
  namespaces: listOf(namespace, 'namespace names'),
  labels: text,
  namespaceLabels: (v, name) => {
    if (typeof v !== 'string') fail(name, v, 'a label selector string (team=blue,env in (prod))');
    try { parseSelectorString(v); } catch (e) { fail(name, v, `a label selector: ${(e as Error).message}`); }
    return v;
  },
  multiclusterZones: listOf(zone, 'domain names'),
  upstreams: listOf(upstream, 'upstreams ("IP[:PORT]" or { host, port })'),
  adminToken,
  adminAuth: oneOf(['all', 'writes']),
  cacheBytes: intIn(0, 4 * 1024 * 1024 * 1024, ' of bytes'),
  loadbalance: bool,
  loadbalanceSeed: intIn(0, 4294967295),
  addressPollMs: intIn(100, 3_600_000, ' of milliseconds'),
  lameduck: intIn(0, 600, ' of seconds'),
  reusePort,
  logLevel: oneOf(LOG_LEVELS),
  objects: (v, name) => (Array.isArray(v) ? v : fail(name, v, 'an array of manifests (parsed objects; YAML text goes to apply())')),
  logger,
  journalSize: intIn(0, 1_000_000),
  autopath: bool,
  shortNames: bool,
  resolvConf: text,
  transferTo: (v, name) => {
    const list = listOf(text, 'addresses ("IP", "CIDR" or "*")')(v, name) as string[];
    if (list.length > 1000) fail(name, v, 'at most 1000 addresses');
    list.forEach((a, i) => { try { parseTransferTo(a); } catch (err) { fail(`${name}[${i}]`, a, `"*", an IP address or a CIDR (${(err as Error).message})`); } });
    return list;
  },
};

/** The option names startClusterDns takes; anything else is a typo and fails (a silently ignored option is worse). */
export const START_OPTION_NAMES: readonly string[] = Object.keys(CHECKS);

export function checkStartOptions(options: unknown): CheckedStartOptions {
  if (options === undefined) return {};
  if (!options || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`startClusterDns: expected an options object, got ${show(options)}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    // undefined is "not given", as with an omitted property (spreads of optional settings produce it).
    if (value === undefined) continue;
    const check = CHECKS[key];
    if (!check) {
      const hint = key === 'health' || key === 'ready' || key === 'metrics' ? ' (in-process, /health, /ready and /metrics are on the admin listener: set admin)' : '';
      throw new TypeError(`startClusterDns: unknown option "${key}"${hint}; known options: ${START_OPTION_NAMES.join(', ')}`);
    }
    out[key] = check(value, key);
  }
  if (out.zonal === true && out.noEndpoints === true) {
    throw new TypeError('startClusterDns: zonal and noEndpoints exclude each other: zonal names are answered from EndpointSlices');
  }
  // The same rule as the CLI's: in live mode the cluster is the source of truth.
  if (out.source === 'kubernetes' && Array.isArray(out.fixtures) && out.fixtures.length > 0) {
    throw new TypeError('startClusterDns: fixtures and source: \'kubernetes\' exclude each other: the cluster is the source of truth');
  }
  // As the CLI's --autopath: autopath finds pods by address, which only pods verified keeps.
  if (out.autopath === true && out.pods !== undefined && out.pods !== 'verified') {
    throw new TypeError(`startClusterDns: autopath needs pods: 'verified' (pods: '${String(out.pods)}' keeps no pods to find clients by)`);
  }
  if (out.autopath === true && out.pods === undefined) out.pods = 'verified';
  // CoreDNS's rules: a multicluster zone is one of the plugin's; namespaces and namespace_labels exclude each other.
  const zones = (out.zones as string[] | undefined) ?? ['cluster.local'];
  for (const z of (out.multiclusterZones as string[] | undefined) ?? []) {
    if (!zones.includes(z)) throw new TypeError(`startClusterDns: multiclusterZones: "${z}" is not one of zones (${zones.join(', ')})`);
  }
  if (out.namespaceLabels !== undefined && Array.isArray(out.namespaces) && out.namespaces.length > 0) {
    throw new TypeError('startClusterDns: namespaces and namespaceLabels exclude each other (as in CoreDNS)');
  }
  return out as CheckedStartOptions;
}
