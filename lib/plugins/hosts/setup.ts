// `hosts [FILE [ZONES...]] { INLINE...; ttl SECONDS; no_reverse; reload DURATION; fallthrough [ZONES...];
// fallthrough_unsupported }`, read as CoreDNS 1.14.7's plugin/hosts/setup.go reads it: FILE defaults to /etc/hosts,
// ZONES to the server block's; any line in the block that is no option, before `fallthrough`, is a hosts entry;
// after `fallthrough` it is an error. `--hosts FILE` on the command line is `hosts FILE { fallthrough }`.
import { Counter, Gauge, type Registry } from 'prom-client';
import { cidrToReverseZone, normalizeZone } from '../../config.js';
import { CorefileError, type CorefileDirective } from '../../corefile/parse.js';
import type { ParseContext, PluginDefinition, PluginRuntime } from '../../plugin/registry.js';
import { HostsPlugin } from './handler.js';
import { HostsFile } from './hosts-file.js';
import { HOSTS_LIMITS, HostsFileError, parseHosts } from './parse.js';

export interface HostsOptions {
  file: string;
  /** lower case, no trailing dot; '' = the root */
  zones: string[];
  /** the Corefile's inline entries, each with its line */
  inline: { line: number; text: string }[];
  /** where the inline entries are (`Corefile`), for their errors */
  inlineSource: string;
  ttl: number;
  reverse: boolean;
  /** milliseconds between looks at the file; 0 = read once */
  reloadMs: number;
  /** null: none; zones ('' = every name) */
  fallthrough: string[] | null;
  fallthroughUnsupported: boolean;
}

export const DEFAULT_HOSTS_FILE = '/etc/hosts';
const DEFAULT_TTL = 3600;
const DEFAULT_RELOAD_MS = 5000;
/** a shorter period only re-stats the file more often; kept sane */
const MIN_RELOAD_MS = 100;
/** setInterval's ceiling (~24.8 days) */
const MAX_RELOAD_MS = 2 ** 31 - 1;
/** inline entries in one Corefile block (the file is where long lists go) */
const MAX_INLINE = 10_000;

/** `--hosts FILE`: the file for every name, the rest of the chain for what it does not have. */
export function commandLineHosts(file: string, watch: boolean): HostsOptions {
  return {
    file, zones: [''], inline: [], inlineSource: '--hosts', ttl: DEFAULT_TTL, reverse: true,
    reloadMs: watch ? DEFAULT_RELOAD_MS : 0, fallthrough: [''], fallthroughUnsupported: false,
  };
}

function zoneArg(z: string, file: string, line: number): string {
  if (/\/\d+$/.test(z)) {
    try {
      return cidrToReverseZone(z);
    } catch (err) {
      throw new CorefileError(`hosts: ${(err as Error).message}`, file, line);
    }
  }
  return z === '.' ? '' : normalizeZone(z);
}

/** Go's time.ParseDuration, in milliseconds; null when it is not one. */
export function goDurationMs(s: string): number | null {
  if (s === '0') return 0;
  if (s.length > 64 || !/^((\d+\.?\d*|\.\d+)(ns|us|µs|ms|s|m|h))+$/.test(s)) return null;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const m of s.matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * unit[m[2]!]!;
  return total;
}

export function parseHostsDirective(d: CorefileDirective, ctx: ParseContext): HostsOptions {
  const { file } = ctx;
  const fail = (msg: string, line = d.line): never => { throw new CorefileError(`hosts: ${msg}`, file, line); };
  const [path, ...zoneArgs] = d.args;
  if (path !== undefined && path.trim() === '') fail('FILE is empty');
  const o: HostsOptions = {
    file: path ?? DEFAULT_HOSTS_FILE,
    zones: zoneArgs.length ? zoneArgs.map((z) => zoneArg(z, file, d.line)) : [...ctx.blockZones],
    inline: [], inlineSource: file, ttl: DEFAULT_TTL, reverse: true, reloadMs: DEFAULT_RELOAD_MS,
    fallthrough: null, fallthroughUnsupported: false,
  };
  for (const opt of d.block ?? []) {
    const args = opt.args;
    switch (opt.name) {
      case 'fallthrough':
        o.fallthrough = args.length ? args.map((z) => zoneArg(z, file, opt.line)) : [''];
        break;
      case 'fallthrough_unsupported':
        if (args.length) fail('fallthrough_unsupported takes no arguments', opt.line);
        o.fallthroughUnsupported = true;
        break;
      case 'no_reverse':
        if (args.length) fail('no_reverse takes no arguments', opt.line);
        o.reverse = false;
        break;
      case 'ttl': {
        if (args.length !== 1) fail('ttl needs a time in seconds (ttl 60)', opt.line);
        if (!/^\d{1,10}$/.test(args[0]!) || Number(args[0]) < 1 || Number(args[0]) > 65535) fail(`ttl "${args[0]}": a whole number of seconds from 1 to 65535`, opt.line);
        o.ttl = Number(args[0]);
        break;
      }
      case 'reload': {
        if (args.length !== 1) fail('reload needs a duration (reload 15s; 0 to read the file once)', opt.line);
        const ms = goDurationMs(args[0]!);
        if (ms === null) fail(`reload "${args[0]!.slice(0, 40)}" is not a duration (300ms, 15s, 1h)`, opt.line);
        if (ms! > MAX_RELOAD_MS) fail(`reload ${args[0]}: at most ${MAX_RELOAD_MS} ms (about 24 days)`, opt.line);
        if (ms! > 0 && ms! < MIN_RELOAD_MS) ctx.warnings.push(`${file} line ${opt.line}: hosts reload ${args[0]} raised to ${MIN_RELOAD_MS}ms`);
        o.reloadMs = ms! > 0 ? Math.max(MIN_RELOAD_MS, Math.round(ms!)) : 0;
        break;
      }
      default: {
        if (o.fallthrough !== null) fail(`unknown property "${opt.name.slice(0, 40)}" (hosts entries go before fallthrough)`, opt.line);
        if (opt.block) fail(`"${opt.name.slice(0, 40)}" takes no block: a hosts entry is IP NAME [ALIASES...]`, opt.line);
        if (o.inline.length >= MAX_INLINE) fail(`more than ${MAX_INLINE} inline entries: put them in a hosts file`, opt.line);
        o.inline.push({ line: opt.line, text: [opt.name, ...args].join(' ') });
      }
    }
  }
  if (o.fallthroughUnsupported && o.fallthrough === null) fail('fallthrough_unsupported requires fallthrough');
  // Read now, so a bound is an error naming its line and a line CoreDNS would skip is a warning, not a surprise.
  const parsed = inlineEntries(o);
  if (parsed.firstSkipped) {
    ctx.warnings.push(`${file} line ${parsed.firstSkipped.line}: hosts: ${parsed.firstSkipped.reason}: not an entry, ignored as CoreDNS ignores it`);
  }
  if (parsed.firstOutside) {
    ctx.warnings.push(`${file} line ${parsed.firstOutside.line}: hosts: ${parsed.firstOutside.name} is in none of the plugin's zones (${o.zones.map((z) => z || '.').join(', ')}): not served, as in CoreDNS`);
  }
  return o;
}

function inlineEntries(o: HostsOptions) {
  try {
    return parseHosts(o.inline.map((e) => e.text).join('\n'), {
      source: o.inlineSource, zones: o.zones, reverse: o.reverse, lineNumbers: o.inline.map((e) => e.line),
    });
  } catch (err) {
    if (err instanceof HostsFileError) throw new CorefileError(`hosts: ${err.detail}`, o.inlineSource, err.line);
    throw err;
  }
}

function hostsMetrics(registry: Registry) {
  const entries = (registry.getSingleMetric('coredns_hosts_entries') as Gauge<'hostsfile'> | undefined)
    ?? new Gauge({ name: 'coredns_hosts_entries', help: 'The combined number of entries in hosts and Corefile.', labelNames: ['hostsfile'], registers: [registry] });
  const reloaded = (registry.getSingleMetric('coredns_hosts_reload_timestamp_seconds') as Gauge | undefined)
    ?? new Gauge({ name: 'coredns_hosts_reload_timestamp_seconds', help: 'The timestamp of the last reload of hosts file.', registers: [registry] });
  const failures = (registry.getSingleMetric('clusterdns_hosts_reload_failures_total') as Counter<'hostsfile'> | undefined)
    ?? new Counter({ name: 'clusterdns_hosts_reload_failures_total', help: 'Hosts file reads refused (past a bound); the last good entries kept answering.', labelNames: ['hostsfile'], registers: [registry] });
  return { entries, reloaded, failures };
}

export function buildHosts(o: HostsOptions, rt: Pick<PluginRuntime, 'logger' | 'metrics'>): HostsPlugin {
  const inline = inlineEntries(o).map;
  const m = hostsMetrics(rt.metrics);
  const file = new HostsFile({
    path: o.file, zones: o.zones, reverse: o.reverse, reloadMs: o.reloadMs, logger: rt.logger,
    onLoad: (ok, n) => {
      if (!ok) { m.failures.inc({ hostsfile: o.file }); return; }
      m.entries.set({ hostsfile: o.file }, n + inline.size);
      m.reloaded.set(Date.now() / 1000);
    },
  });
  m.entries.set({ hostsfile: o.file }, inline.size);
  file.start();
  return new HostsPlugin(file, inline, {
    zones: o.zones, ttl: o.ttl, fallthrough: o.fallthrough, fallthroughUnsupported: o.fallthroughUnsupported,
  });
}

export const hostsDefinition: PluginDefinition<HostsOptions> = {
  name: 'hosts',
  parse: parseHostsDirective,
  build: buildHosts,
};

export { HOSTS_LIMITS };
