// Maps a parsed Corefile onto ClusterDnsConfig. Every server block is served: blocks on the same port share one
// listener (the longest zone picks the block, lib/plugin/chain.ts), each port gets its own. One block holds the
// `kubernetes` plugin (clusterdns runs one cluster source); its port is the main listener (--listen overrides it).
// What we cannot honour is reported in warnings (never dropped silently); what would change answers in a way the
// user did not ask for (unknown kubernetes options, bad values, TLS upstreams) is an error naming the line.
import { isIP } from 'node:net';
import type { ClusterDnsConfig, HostPort, PodsMode, PluginSpec, ServerBlockSpec } from '../config.js';
import { cidrToReverseZone, isReverseZone, normalizeZone, parseHostPort } from '../config.js';
import { CorefileError, type CorefileDirective, type CorefileServerBlock } from './parse.js';
import { durationArg, expectArgs, fail, parseDuration, readResolvConf } from './values.js';
import { inExecutionOrder } from '../plugin/order.js';
import { PLUGINS } from '../plugins/index.js';
import { parseSelectorString } from '../cluster/label-selector.js';
import { checkKubernetesOptions, mapKubernetesOption } from './kubernetes-options.js';
import { parseForward } from '../plugins/forward/setup.js';

export { parseDuration, readResolvConf };

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
/** CoreDNS's reload: check every 30s, give or take 15s; it refuses intervals under 2s (we allow them, with a warning) */
const RELOAD_DEFAULT = { interval: 30, jitter: 15 };

/** Options CoreDNS accepts that clusterdns parses but does not act on; the value says what that means for answers. */
const IGNORED_KUBERNETES_OPTIONS: Record<string, string> = {
  upstream: 'removed from CoreDNS; out-of-zone CNAME targets use forward',
  resyncperiod: 'removed from CoreDNS; watches are not resynced',
};

/** Plugins that affect nothing clusterdns answers or that it does itself. */
const HANDLED_ELSEWHERE = new Set(['kubernetes', 'forward', 'proxy', 'health', 'ready', 'prometheus', 'bind', 'loop', 'reload']);

/** Once per server (CoreDNS: per block, but they share one process-wide listener of their kind). */
const ONCE = ['kubernetes', 'health', 'ready', 'prometheus', 'bind', 'reload'];

interface BlockAddress {
  zone: string;
  port: number;
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

function hostPort(addr: string, file: string, line: number, what: string): HostPort {
  try {
    return parseHostPort(addr, ALL_INTERFACES);
  } catch (e) {
    return fail(`${what} address ${(e as Error).message}`, file, line);
  }
}

interface MapState {
  config: Partial<ClusterDnsConfig>;
  warnings: string[];
  /** directive → where it was written, for the "not implemented" warning */
  unimplemented: Set<string>;
  /** listener addresses set by one block, to refuse a different one from another */
  setBy: Map<string, { at: HostPort; line: number; file: string }>;
  fallthrough: { zones: string[]; line: number } | null;
  resolvConfPath: string | undefined;
}

export function corefileToConfig(blocks: CorefileServerBlock[], opts: MapOptions = {}): CorefileMapping {
  const file = opts.file ?? 'Corefile';
  const k8s = blocks.flatMap((b) => b.directives.filter((d) => d.name === 'kubernetes').map((d) => ({ b, d })));
  if (k8s.length === 0) throw new CorefileError('no server block uses the kubernetes plugin; clusterdns has nothing to serve', file, undefined);
  if (k8s.length > 1) {
    fail(`the kubernetes plugin appears more than once (lines ${k8s.map((x) => x.d.line).join(', ')}); clusterdns runs one cluster source`, k8s[1]!.d.file, k8s[1]!.d.line);
  }
  const k8sBlock = k8s[0]!.b;
  const config: Partial<ClusterDnsConfig> = {
    listen: { host: ALL_INTERFACES, port: 53 },
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
  const st: MapState = { config, warnings: [], unimplemented: new Set(), setBy: new Map(), fallthrough: null, resolvConfPath: opts.resolvConfPath };
  const served = new Map<string, CorefileServerBlock>();
  // clusterdns binds one address per port (lib/server-blocks.ts): refused here, with its line, so a reload keeps
  // the running configuration whole instead of failing half-applied when the blocks are built.
  const bound = new Map<number, { host: string; block: CorefileServerBlock }>();
  const servers: ServerBlockSpec[] = [];
  for (const block of blocks) {
    const addresses = block.keys.map((k) => parseKey(k, block.file, block.line));
    for (const a of addresses) {
      const key = `${a.zone || '.'}:${a.port}`;
      const other = served.get(key);
      // CoreDNS: "cannot serve dns://example.org:53 - it is already defined"
      if (other) fail(`zone ${a.zone || '.'} on port ${a.port} is already served by the server block at ${other.file} line ${other.line}`, block.file, block.line);
      served.set(key, block);
    }
    const blockZones = addresses.map((a) => (a.zone === '.' ? '' : a.zone));
    const { specs, host } = mapBlock(block, addresses, blockZones, st);
    if (block === k8sBlock) config.listen = { host: host ?? ALL_INTERFACES, port: addresses[0]!.port };
    for (const port of host ? new Set(addresses.map((a) => a.port)) : []) {
      const other = bound.get(port);
      if (other && other.host !== host) {
        fail(`port ${port}: this block binds ${host} but the block at ${other.block.file} line ${other.block.line} binds ${other.host}; clusterdns binds one address per port`, block.file, block.line);
      }
      bound.set(port, { host: host!, block });
    }
    for (const port of [...new Set(addresses.map((a) => a.port))]) {
      servers.push({
        zones: addresses.filter((a) => a.port === port).map((a) => (a.zone === '.' ? '' : a.zone)), port, plugins: inExecutionOrder(specs),
        ...(host ? { host } : {}), ...(block === k8sBlock ? { main: true } : {}),
      });
    }
  }
  config.servers = servers;
  // Without `fallthrough` nothing the kubernetes plugin answers goes on (CoreDNS), reverse zones included.
  config.fallthrough = st.fallthrough?.zones ?? [];
  if (st.unimplemented.size > 0) {
    st.warnings.push(`${file}: plugins not implemented by clusterdns (ignored): ${[...st.unimplemented].join(', ')}`);
  }
  return { config, warnings: st.warnings };
}

/** One server block's directives: its plugin specs, and the server-wide settings it makes. */
function mapBlock(block: CorefileServerBlock, addresses: BlockAddress[], blockZones: string[], st: MapState): { specs: PluginSpec[]; host?: string } {
  const { config, warnings } = st;
  const seen = new Set<string>();
  const specs: PluginSpec[] = [];
  let host: string | undefined;
  for (const d of block.directives) {
    const file = d.file;
    const where = `${file} line ${d.line}`;
    // A directive whose definition merges repeats (rewrite: several lines form one rule list) may appear again.
    if (seen.has(d.name) && (ONCE.includes(d.name) || (specs.some((p) => p.name === d.name) && !PLUGINS.get(d.name)?.merge))) {
      fail(`${d.name} appears twice in the server block`, file, d.line);
    }
    seen.add(d.name);
    switch (d.name) {
      case 'kubernetes':
        st.fallthrough = mapKubernetes(d, addresses, config, warnings, file);
        specs.push({ name: 'kubernetes', where, options: {} });
        break;
      case 'proxy':
        warnings.push(`${where}: proxy is the removed predecessor of forward; read as forward`);
      // falls through
      case 'forward': {
        const f = parseForward(d, st.resolvConfPath, warnings);
        // `forward .` beside kubernetes is the server's forwarder: --upstream replaces it, loop detection watches it.
        if (f.from[0] === '' && f.except.length === 0 && block.directives.some((x) => x.name === 'kubernetes')) {
          config.upstreams = f.upstreams;
          delete f.upstreams;
        }
        specs.push({ name: 'forward', where, options: f });
        break;
      }
      case 'health': {
        expectArgs(d, 0, 1, file, 'health [ADDRESS]');
        setOnce(st, 'health', hostPort(d.args[0] ?? DEFAULT_HEALTH, file, d.line, 'health'), d);
        for (const o of d.block ?? []) {
          if (o.name !== 'lameduck') fail(`unknown health option "${o.name}"`, o.file, o.line);
          expectArgs(o, 1, 1, o.file, 'lameduck DURATION');
          const secs = parseDuration(o.args[0]!);
          if (secs === null) fail(`lameduck: "${o.args[0]}" is not a duration (e.g. 5s)`, o.file, o.line);
          config.lameduck = secs;
        }
        break;
      }
      case 'ready':
        expectArgs(d, 0, 1, file, 'ready [ADDRESS]');
        if (d.block) fail('ready takes no block', file, d.line);
        setOnce(st, 'ready', hostPort(d.args[0] ?? DEFAULT_READY, file, d.line, 'ready'), d);
        break;
      case 'prometheus':
        expectArgs(d, 0, 1, file, 'prometheus [ADDRESS]');
        setOnce(st, 'metrics', hostPort(d.args[0] ?? DEFAULT_METRICS, file, d.line, 'prometheus'), d);
        if (d.block) warnings.push(`${where}: prometheus block options are ignored`);
        break;
      case 'loop':
        // Forwarding loops are always detected (lib/upstream/loop.ts): the directive asks for what is already on.
        expectArgs(d, 0, 0, file, 'loop');
        break;
      case 'reload': {
        expectArgs(d, 0, 2, file, 'reload [INTERVAL [JITTER]]');
        const interval = d.args[0] ? durationArg(d, d.args[0], 0.1, 86400, 'reload interval') : RELOAD_DEFAULT.interval;
        const jitter = d.args[1] ? durationArg(d, d.args[1], 0, 86400, 'reload jitter') : d.args[0] ? interval / 2 : RELOAD_DEFAULT.jitter;
        if (jitter > interval / 2) fail(`reload: jitter ${d.args[1]} is more than half the interval`, file, d.line);
        if (interval < 2) warnings.push(`${where}: reload every ${d.args[0]}: CoreDNS refuses intervals under 2s (clusterdns allows them, for tests)`);
        const prev = config.reload;
        if (prev && (prev.interval !== interval || prev.jitter !== jitter)) warnings.push(`${where}: reload: one interval serves the whole Corefile; the first block's (${prev.where}) is used`);
        else config.reload = { interval, jitter, where };
        break;
      }
      case 'bind': {
        expectArgs(d, 1, Infinity, file, 'bind ADDRESS...');
        if (!isIP(d.args[0]!)) fail(`bind: "${d.args[0]}" is not an IP address (interface names are not supported)`, file, d.line);
        host = d.args[0];
        if (d.args.length > 1) warnings.push(`${where}: bind: only the first address (${d.args[0]}) is used`);
        break;
      }
      default: {
        const def = PLUGINS.get(d.name);
        if (def) {
          const prev = specs.find((p) => p.name === d.name);
          if (prev && !def.merge) fail(`${d.name} appears twice in the server block`, file, d.line);
          const options = def.parse(d, { file, warnings, blockZones, config, ...(st.resolvConfPath ? { resolvConfPath: st.resolvConfPath } : {}) });
          if (prev) {
            try {
              prev.options = def.merge!(prev.options, options);
            } catch (err) {
              fail(`${d.name}: ${(err as Error).message}`, file, d.line);
            }
          } else specs.push({ name: d.name, where, options });
        } else if (!HANDLED_ELSEWHERE.has(d.name)) st.unimplemented.add(d.name);
      }
    }
  }
  return { specs, ...(host ? { host } : {}) };
}

/** health/ready/prometheus: one listener each, which several blocks may name, but only with one address. */
function setOnce(st: MapState, key: 'health' | 'ready' | 'metrics', at: HostPort, d: CorefileDirective): void {
  const prev = st.setBy.get(key);
  if (prev && (prev.at.host !== at.host || prev.at.port !== at.port)) {
    fail(`${d.name} listens on ${at.host}:${at.port} here but on ${prev.at.host}:${prev.at.port} at ${prev.file} line ${prev.line}; clusterdns runs one ${d.name} listener`, d.file, d.line);
  }
  st.setBy.set(key, { at, line: d.line, file: d.file });
  st.config[key] = at;
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

