// Maps a parsed Corefile onto ClusterDnsConfig. CoreDNS runs many server blocks and plugins; clusterdns serves one
// listener for one set of zones, so the server block holding the `kubernetes` plugin is the one we serve. What we
// cannot honour is reported in warnings (never dropped silently); what would change answers in a way the user did not
// ask for (unknown kubernetes options, bad values, TLS upstreams) is an error naming the line.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ClusterDnsConfig, HostPort, PodsMode } from '../config.js';
import { cidrToReverseZone, isReverseZone, normalizeZone, parseHostPort } from '../config.js';
import { CorefileError, type CorefileDirective, type CorefileServerBlock } from './parse.js';
import type { PluginSpec } from '../config.js';
import { inExecutionOrder } from '../plugin/order.js';
import { PLUGINS } from '../plugins/index.js';
import { parseSelectorString } from '../cluster/label-selector.js';
import { checkKubernetesOptions, mapKubernetesOption } from './kubernetes-options.js';
import { parseDuration } from './duration.js';

export interface CorefileMapping {
  config: Partial<ClusterDnsConfig>;
  warnings: string[];
}

export interface MapOptions {
  /** shown in errors and warnings */
  file?: string;
  /** read instead of /etc/resolv.conf when `forward . /etc/resolv.conf` (tests point it at a temp file) */
  resolvConfPath?: string;
}

/** CoreDNS binds every interface unless the `bind` plugin says otherwise. */
const ALL_INTERFACES = '0.0.0.0';
const DEFAULT_HEALTH = ':8080';
const DEFAULT_READY = ':8181';
// The prometheus plugin's default differs from health/ready: loopback only.
const DEFAULT_METRICS = 'localhost:9153';

/** Options CoreDNS accepts that clusterdns parses but does not act on; the value says what that means for answers. */
const IGNORED_KUBERNETES_OPTIONS: Record<string, string> = {
  upstream: 'removed from CoreDNS; out-of-zone CNAME targets use forward',
  resyncperiod: 'removed from CoreDNS; watches are not resynced',
};

/** Plugins that affect nothing clusterdns answers or that it does itself (log/errors go to its logger). */
const HANDLED_ELSEWHERE = new Set(['kubernetes', 'forward', 'proxy', 'health', 'ready', 'prometheus', 'bind']);

interface BlockAddress {
  zone: string;
  port: number;
}

function fail(msg: string, file: string, line: number): never {
  throw new CorefileError(msg, file, line);
}

function parseKey(key: string, file: string, line: number): BlockAddress {
  let k = key;
  const scheme = /^([a-z0-9]+):\/\//i.exec(k);
  if (scheme) {
    if (scheme[1].toLowerCase() !== 'dns') {
      fail(`server block "${key}": only plain DNS (dns://) is supported, not ${scheme[1]}://`, file, line);
    }
    k = k.slice(scheme[0].length);
  }
  let zone = k;
  let port = 53;
  const colon = k.lastIndexOf(':');
  if (colon >= 0) {
    zone = k.slice(0, colon);
    const p = k.slice(colon + 1);
    if (!/^\d+$/.test(p) || Number(p) > 65535) fail(`server block "${key}": "${p}" is not a port`, file, line);
    port = Number(p);
  }
  zone = zone === '' || zone === '.' ? '.' : normalizeZone(zone);
  return { zone: zone === '' ? '.' : zone, port };
}

/** `10.0.0.0/8` → `10.in-addr.arpa`; a CIDR it cannot take fails with the Corefile's file and line. */
function cidrToZone(arg: string, file: string, line: number): string {
  try {
    return cidrToReverseZone(arg);
  } catch (err) {
    return fail((err as Error).message, file, line);
  }
}

export { parseDuration } from './duration.js';

function hostPort(addr: string, file: string, line: number, what: string): HostPort {
  try {
    return parseHostPort(addr, ALL_INTERFACES);
  } catch (e) {
    return fail(`${what} address ${(e as Error).message}`, file, line);
  }
}

function expectArgs(d: CorefileDirective, min: number, max: number, file: string, usage: string): void {
  if (d.args.length < min || d.args.length > max) fail(`${d.name}: expected ${usage}`, file, d.line);
}

/** `nameserver` lines of a resolv.conf; IPv6 zone suffixes are kept, as the OS resolver would use them. */
export function readResolvConf(path: string): HostPort[] {
  const out: HostPort[] = [];
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const m = /^nameserver\s+(\S+)/.exec(line);
    if (m) out.push({ host: m[1], port: 53 });
  }
  return out;
}

function forwardTarget(t: string, file: string, line: number, resolvConfPath: string | undefined): HostPort[] {
  const scheme = /^([a-z0-9]+):\/\//i.exec(t);
  let target = t;
  if (scheme) {
    if (scheme[1].toLowerCase() !== 'dns') fail(`forward to ${t}: only plain DNS upstreams are supported, not ${scheme[1]}://`, file, line);
    target = t.slice(scheme[0].length);
  }
  if (target.startsWith('/') || target.startsWith('.')) {
    const path = target === '/etc/resolv.conf' && resolvConfPath ? resolvConfPath : target;
    let servers: HostPort[];
    try {
      servers = readResolvConf(path);
    } catch (e) {
      return fail(`forward: cannot read ${path}: ${(e as Error).message}`, file, line);
    }
    if (servers.length === 0) fail(`forward: ${path} lists no nameserver`, file, line);
    return servers;
  }
  if (isIP(target)) return [{ host: target, port: 53 }];
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(target);
  const host = m ? (m[1] ?? m[2]) : '';
  if (!m || !isIP(host) || Number(m[3]) > 65535) fail(`forward: "${t}" is not an IP address, IP:PORT or resolv.conf path`, file, line);
  return [{ host, port: Number(m[3]) }];
}

export function corefileToConfig(blocks: CorefileServerBlock[], opts: MapOptions = {}): CorefileMapping {
  const file = opts.file ?? 'Corefile';
  const warnings: string[] = [];
  const unimplemented = new Set<string>();

  const k8sBlocks = blocks.filter((b) => b.directives.some((d) => d.name === 'kubernetes'));
  if (k8sBlocks.length === 0) throw new CorefileError('no server block uses the kubernetes plugin; clusterdns has nothing to serve', file, undefined);
  if (k8sBlocks.length > 1) {
    fail(`the kubernetes plugin appears in more than one server block (lines ${k8sBlocks.map((b) => b.line).join(', ')}); clusterdns serves one`, file, k8sBlocks[1].line);
  }
  const block = k8sBlocks[0];
  for (const other of blocks) {
    if (other !== block) {
      warnings.push(`${file} line ${other.line}: server block "${other.keys.join(' ')}" is not served (clusterdns serves only the block with the kubernetes plugin)`);
    }
  }

  const addresses = block.keys.map((k) => parseKey(k, file, block.line));
  const ports = new Set(addresses.map((a) => a.port));
  if (ports.size > 1) fail(`server block "${block.keys.join(' ')}" listens on several ports (${[...ports].join(', ')}); clusterdns has one listener`, file, block.line);
  const config: Partial<ClusterDnsConfig> = {
    listen: { host: ALL_INTERFACES, port: addresses[0].port },
    ttl: 5,
    pods: 'disabled',
    endpointPodNames: false,
    namespaces: [],
    labels: undefined,
    kubeconfig: undefined,
    context: undefined,
    upstreams: [],
    health: null,
    ready: null,
    metrics: null,
    lameduck: 0,
  };

  let fallthrough: { zones: string[]; line: number } | null = null;
  const seen = new Set<string>();
  const specs: PluginSpec[] = [];
  const blockZones = addresses.map((a) => (a.zone === '.' ? '' : a.zone));
  for (const d of block.directives) {
    if (seen.has(d.name) && ['kubernetes', 'health', 'ready', 'prometheus', 'bind'].includes(d.name)) {
      fail(`${d.name} appears twice in the server block`, file, d.line);
    }
    seen.add(d.name);
    switch (d.name) {
      case 'kubernetes':
        fallthrough = mapKubernetes(d, addresses, config, warnings, file);
        specs.push({ name: 'kubernetes', where: `${file} line ${d.line}`, options: {} });
        break;
      case 'proxy':
        warnings.push(`${file} line ${d.line}: proxy is the removed predecessor of forward; read as forward`);
      // falls through
      case 'forward':
        if (mapForward(d, config, warnings, file, opts.resolvConfPath)) specs.push({ name: 'forward', where: `${file} line ${d.line}`, options: {} });
        break;
      case 'health': {
        expectArgs(d, 0, 1, file, 'health [ADDRESS]');
        config.health = hostPort(d.args[0] ?? DEFAULT_HEALTH, file, d.line, 'health');
        for (const o of d.block ?? []) {
          if (o.name !== 'lameduck') fail(`unknown health option "${o.name}"`, file, o.line);
          expectArgs(o, 1, 1, file, 'lameduck DURATION');
          const secs = parseDuration(o.args[0]);
          if (secs === null) fail(`lameduck: "${o.args[0]}" is not a duration (e.g. 5s)`, file, o.line);
          config.lameduck = secs;
        }
        break;
      }
      case 'ready':
        expectArgs(d, 0, 1, file, 'ready [ADDRESS]');
        if (d.block) fail('ready takes no block', file, d.line);
        config.ready = hostPort(d.args[0] ?? DEFAULT_READY, file, d.line, 'ready');
        break;
      case 'prometheus':
        expectArgs(d, 0, 1, file, 'prometheus [ADDRESS]');
        config.metrics = hostPort(d.args[0] ?? DEFAULT_METRICS, file, d.line, 'prometheus');
        if (d.block) warnings.push(`${file} line ${d.line}: prometheus block options are ignored`);
        break;
      case 'loop':
        // Forwarding loops are always detected (lib/upstream/loop.ts): the directive asks for what is already on.
        expectArgs(d, 0, 0, file, 'loop');
        break;
      case 'bind': {
        expectArgs(d, 1, Infinity, file, 'bind ADDRESS...');
        if (!isIP(d.args[0])) fail(`bind: "${d.args[0]}" is not an IP address (interface names are not supported)`, file, d.line);
        config.listen = { host: d.args[0], port: config.listen!.port };
        if (d.args.length > 1) warnings.push(`${file} line ${d.line}: bind: only the first address (${d.args[0]}) is used`);
        break;
      }
      default: {
        const def = PLUGINS.get(d.name);
        if (def) {
          const prev = specs.find((p) => p.name === d.name);
          if (prev && !def.merge) fail(`${d.name} appears twice in the server block`, file, d.line);
          const options = def.parse(d, { file, warnings, blockZones, config, ...(opts.resolvConfPath ? { resolvConfPath: opts.resolvConfPath } : {}) });
          if (prev) {
            try {
              prev.options = def.merge!(prev.options, options);
            } catch (err) {
              fail(`${d.name}: ${(err as Error).message}`, file, d.line);
            }
          } else specs.push({ name: d.name, where: `${file} line ${d.line}`, options });
        } else if (!HANDLED_ELSEWHERE.has(d.name)) {
          unimplemented.add(d.name);
        }
      }
    }
  }
  config.servers = [{ zones: blockZones, port: addresses[0]!.port, plugins: inExecutionOrder(specs) }];
  // Without `fallthrough` nothing the kubernetes plugin answers goes on (CoreDNS), reverse zones included.
  config.fallthrough = fallthrough?.zones ?? [];
  if (unimplemented.size > 0) {
    warnings.push(`${file}: plugins not implemented by clusterdns (ignored): ${[...unimplemented].join(', ')}`);
  }
  return { config, warnings };
}

function mapKubernetes(
  d: CorefileDirective,
  addresses: BlockAddress[],
  config: Partial<ClusterDnsConfig>,
  warnings: string[],
  file: string,
): { zones: string[]; line: number } | null {
  let fallthrough: { zones: string[]; line: number } | null = null;
  const zones = (d.args.length > 0 ? d.args : addresses.map((a) => a.zone)).map((z) =>
    /\/\d+$/.test(z) ? cidrToZone(z, file, d.line) : z === '.' ? '.' : normalizeZone(z),
  );
  if (zones.includes('.')) {
    fail('kubernetes would serve the root zone "."; name its zones (kubernetes cluster.local in-addr.arpa ip6.arpa)', file, d.line);
  }
  const forward = zones.filter((z) => !isReverseZone(z));
  if (forward.length === 0) fail('kubernetes needs at least one zone that is not a reverse zone', file, d.line);
  config.zones = forward;
  config.reverseZones = zones.filter(isReverseZone);

  const ignored: string[] = [];
  let tlsLine: number | undefined;
  let namespaceLabelsLine: number | undefined;
  for (const o of d.block ?? []) {
    const where = `${file} line ${o.line}`;
    switch (o.name) {
      case 'pods':
        expectArgs(o, 1, 1, file, 'pods disabled|insecure|verified');
        if (!['disabled', 'insecure', 'verified'].includes(o.args[0])) {
          fail(`pods: "${o.args[0]}" is not one of disabled, insecure, verified`, file, o.line);
        }
        config.pods = o.args[0] as PodsMode;
        break;
      case 'ttl': {
        expectArgs(o, 1, 1, file, 'ttl SECONDS');
        const n = Number(o.args[0]);
        if (!/^\d+$/.test(o.args[0]) || n > 3600) fail(`ttl: "${o.args[0]}" is not a whole number of seconds from 0 to 3600`, file, o.line);
        config.ttl = n;
        break;
      }
      case 'endpoint_pod_names':
        expectArgs(o, 0, 0, file, 'endpoint_pod_names with no arguments');
        config.endpointPodNames = true;
        break;
      case 'namespaces':
        expectArgs(o, 1, Infinity, file, 'namespaces NAMESPACE...');
        config.namespaces = o.args.map((n) => n.toLowerCase());
        break;
      case 'labels':
        expectArgs(o, 1, Infinity, file, 'labels SELECTOR');
        config.labels = o.args.join(' ');
        break;
      case 'namespace_labels': {
        expectArgs(o, 1, Infinity, file, 'namespace_labels SELECTOR');
        const text = o.args.join(' ');
        try {
          parseSelectorString(text);
        } catch (e) {
          fail(`namespace_labels: unable to parse the label selector "${text.slice(0, 200)}": ${(e as Error).message}`, file, o.line);
        }
        config.namespaceLabels = text;
        namespaceLabelsLine = o.line;
        break;
      }
      case 'multicluster': {
        // CoreDNS: the zones must be among the plugin's own; with none given, no zone is multicluster.
        const mz = o.args.map((z) => normalizeZone(z));
        for (const z of mz) {
          if (!forward.includes(z)) fail(`multicluster: kubernetes is not authoritative for the multicluster zone ${z} (its zones: ${forward.join(', ')})`, file, o.line);
        }
        if (mz.length === 0) ignored.push(`${where}: "multicluster" with no zones makes no zone a multicluster zone (as in CoreDNS)`);
        config.multiclusterZones = [...new Set(mz)];
        break;
      }
      case 'endpoint':
        // CoreDNS: the API server to use instead of the in-cluster one (a kubeconfig wins over it); only the first
        // of several URLs is used, as in CoreDNS since multiple endpoints were deprecated.
        expectArgs(o, 1, Infinity, file, 'endpoint URL');
        if (!/^https?:\/\/[^\s/]+/.test(o.args[0])) fail(`endpoint: "${o.args[0]}" is not an http:// or https:// URL`, file, o.line);
        if (o.args.length > 1) ignored.push(`${where}: endpoint: only the first URL (${o.args[0]}) is used`);
        config.apiEndpoint = { ...config.apiEndpoint, url: o.args[0], where: where };
        break;
      case 'tls':
        expectArgs(o, 3, 3, file, 'tls CERT KEY CACERT');
        tlsLine = o.line;
        config.apiEndpoint = { url: '', ...config.apiEndpoint, certFile: o.args[0], keyFile: o.args[1], caFile: o.args[2], tlsWhere: where };
        break;
      case 'kubeconfig':
        expectArgs(o, 1, 2, file, 'kubeconfig FILE [CONTEXT]');
        config.kubeconfig = o.args[0];
        config.context = o.args[1];
        break;
      case 'fallthrough':
        expectArgs(o, 0, 64, file, 'fallthrough [ZONE...] (at most 64 zones)');
        fallthrough = { zones: o.args.length > 0 ? o.args.map((z) => (/\/\d+$/.test(z) ? cidrToZone(z, file, o.line) : normalizeZone(z))) : zones, line: o.line };
        break;
      case 'ignore':
        if (o.args.length !== 1 || o.args[0] !== 'empty_service') fail(`ignore: only "ignore empty_service" exists`, file, o.line);
        config.ignoreEmptyService = true;
        break;
      default:
        if (!mapKubernetesOption(o, config, file)) {
          const why = IGNORED_KUBERNETES_OPTIONS[o.name];
          if (why === undefined) fail(`unknown kubernetes option "${o.name}"`, file, o.line);
          const shown = [o.name, ...o.args].join(' ');
          ignored.push(`${where}: "${shown}" is not implemented: ${why}`);
        }
    }
  }
  if (namespaceLabelsLine !== undefined && (config.namespaces ?? []).length > 0) {
    fail('namespaces and namespace_labels cannot both be set', file, namespaceLabelsLine);
  }
  checkKubernetesOptions(d, config, file, ignored);
  if (config.apiEndpoint && !config.apiEndpoint.url) {
    // CoreDNS reads tls only with endpoint; without it the in-cluster service account is used.
    ignored.push(`${file} line ${tlsLine}: "tls" is not used without "endpoint URL" (the in-cluster service account or kubeconfig is)`);
    delete config.apiEndpoint;
  }
  warnings.push(...ignored);
  return fallthrough;
}

function mapForward(
  d: CorefileDirective,
  config: Partial<ClusterDnsConfig>,
  warnings: string[],
  file: string,
  resolvConfPath: string | undefined,
): boolean {
  expectArgs(d, 2, Infinity, file, `${d.name} FROM TO...`);
  const [from, ...targets] = d.args;
  if (from !== '.') {
    warnings.push(`${file} line ${d.line}: "${d.name} ${from} ..." is not used: clusterdns forwards every name outside its zones, so only "forward . ..." is read`);
    return false;
  }
  if ((config.upstreams ?? []).length > 0) fail(`a second "forward ." in the same server block`, file, d.line);
  const upstreams: HostPort[] = [];
  for (const t of targets) upstreams.push(...forwardTarget(t, file, d.line, resolvConfPath));
  config.upstreams = upstreams;
  const options = (d.block ?? []).map((o) => o.name);
  if (options.length > 0) {
    warnings.push(`${file} line ${d.line}: forward options not implemented (ignored): ${[...new Set(options)].join(', ')}`);
  }
  return true;
}
