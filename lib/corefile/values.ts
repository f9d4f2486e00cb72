// Small readers for directive arguments, shared by the Corefile mapping and the plugins' parse(): each fails with a
// CorefileError naming the file and line of the directive.
import { isIP } from 'node:net';
import type { HostPort } from '../config.js';
import { normalizeZone } from '../config.js';
import { CorefileError } from './lexer.js';
import { readTextFileSync } from '../read-text.js';
import type { CorefileDirective } from './parse.js';

export function fail(msg: string, file: string, line: number | undefined): never {
  throw new CorefileError(msg, file, line);
}

export function expectArgs(d: CorefileDirective, min: number, max: number, file: string, usage: string): void {
  if (d.args.length < min || d.args.length > max) fail(`${d.name}: expected ${usage}`, d.file ?? file, d.line);
}

/** Go duration (`5s`, `1m30s`, `500ms`) → seconds. */
export function parseDuration(s: string): number | null {
  if (s.length > 64 || !/^(\d+(\.\d+)?(h|m|s|ms|us|µs|ns))+$/.test(s)) return null;
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  let total = 0;
  for (const part of s.matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g)) total += Number(part[1]) * unit[part[2]!]!;
  return total;
}

/** A duration argument within [min, max] seconds, or a file:line error. */
export function durationArg(d: CorefileDirective, s: string, min: number, max: number, what: string): number {
  const v = parseDuration(s);
  if (v === null || v < min || v > max) fail(`${what}: "${s}" is not a duration from ${min}s to ${max}s (e.g. 30s, 1m)`, d.file, d.line);
  return v;
}

/** A whole-number argument within [min, max], or a file:line error. */
export function intArg(d: CorefileDirective, s: string, min: number, max: number, what: string): number {
  if (!/^\d{1,12}$/.test(s) || Number(s) < min || Number(s) > max) fail(`${what}: "${s}" is not a whole number from ${min} to ${max}`, d.file, d.line);
  return Number(s);
}

/** A zone argument: lower case without the trailing dot, '' for the root. */
export function zoneArg(d: CorefileDirective, s: string): string {
  if (s.length > 253 || !/^[A-Za-z0-9_.*-]*\.?$/.test(s)) fail(`${d.name}: "${s.slice(0, 80)}" is not a domain name`, d.file, d.line);
  return s === '.' ? '' : normalizeZone(s);
}

/** A resolv.conf is a few lines; glibc reads at most 3 nameservers from it. */
const MAX_RESOLV_CONF_BYTES = 1024 * 1024;

/**
 * `nameserver` lines of a resolv.conf; IPv6 zone suffixes are kept, as the OS resolver would use them. A value that is
 * not an IP address is skipped, as glibc skips it (a hostname there would need DNS to find DNS); `skipped` names them.
 */
export function readResolvConf(path: string, skipped: string[] = []): HostPort[] {
  const out: HostPort[] = [];
  const lines = readTextFileSync(path, MAX_RESOLV_CONF_BYTES).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/[#;].*$/, '').trim();
    const m = /^nameserver\s+(\S+)/.exec(line);
    if (!m) continue;
    const host = m[1]!;
    if (isIP(host.replace(/%[^%]*$/, '')) !== 0) out.push({ host, port: 53 });
    else skipped.push(`line ${i + 1}: "${host.slice(0, 80)}" is not an IP address`);
  }
  return out;
}

/** IP, IP:PORT, [IPv6]:PORT, dns://..., or a resolv.conf path (`/etc/resolv.conf` read from `resolvConfPath` when given). */
export function upstreamArg(t: string, d: CorefileDirective, resolvConfPath: string | undefined): HostPort[] {
  const scheme = /^([a-z0-9]+):\/\//i.exec(t);
  let target = t;
  if (scheme) {
    if (scheme[1]!.toLowerCase() !== 'dns') fail(`${d.name} to ${t}: only plain DNS upstreams are supported, not ${scheme[1]}://`, d.file, d.line);
    target = t.slice(scheme[0].length);
  }
  if (target.startsWith('/') || target.startsWith('.')) {
    const path = target === '/etc/resolv.conf' && resolvConfPath ? resolvConfPath : target;
    let servers: HostPort[];
    const skipped: string[] = [];
    try {
      servers = readResolvConf(path, skipped);
    } catch (e) {
      return fail(`${d.name}: cannot read ${path}: ${(e as Error).message}`, d.file, d.line);
    }
    if (servers.length === 0) fail(`${d.name}: ${path} lists no nameserver${skipped.length ? ` (${skipped.join('; ')})` : ''}`, d.file, d.line);
    return servers;
  }
  if (isIP(target)) return [{ host: target, port: 53 }];
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(target);
  const host = m ? (m[1] ?? m[2] ?? '') : '';
  if (!m || !isIP(host) || Number(m[3]) > 65535) fail(`${d.name}: "${t}" is not an IP address, IP:PORT or resolv.conf path`, d.file, d.line);
  return [{ host, port: Number(m[3]) }];
}
