// /etc/hosts text (hosts(5): `IP canonical_name [aliases...]`, `#` to the end of a line) into a HostsMap, read as
// CoreDNS's hostsfile.go reads it: a line whose first field is no address, or with fewer than two fields, is skipped
// and the rest of the file still loads; names outside the plugin's zones are left out; names are case-folded.
//
// What CoreDNS does not bound, this does, and a file past a bound is refused as a whole (the caller keeps the last
// good data): its size, NUL bytes (binary, not text), a line's length, names on one line, entries in all.
// Lines that are skipped are counted and the first one named (file:line), so a typo is findable.
import { HostsMap, parseHostsIP } from './hosts-map.js';
import { inZone } from '../../dns/names.js';

export const HOSTS_LIMITS = {
  /** bytes in a hosts file: the largest ad-blocking lists in hosts format are a few MB */
  fileBytes: 16 * 1024 * 1024,
  /** name→address entries in one file (each costs ~150 bytes of index, twice with PTR) */
  entries: 500_000,
  /** characters on one line: Go's bufio.Scanner stops at 64 KiB, where CoreDNS silently stops reading */
  lineLength: 65_536,
  /** names after the address on one line */
  namesPerLine: 256,
};

export type HostsLimits = typeof HOSTS_LIMITS;

export class HostsFileError extends Error {
  /** `line` 0: the file as a whole */
  constructor(readonly file: string, readonly line: number, readonly detail: string) {
    super(line > 0 ? `${file}:${line}: ${detail}` : `${file}: ${detail}`);
  }
}

export interface ParseHostsOptions {
  /** where the text came from, for errors: a path, or `Corefile line N` for inline entries */
  source: string;
  /** zones names must be in (lower case, no trailing dot; '' = every name) */
  zones: readonly string[];
  /** whether addresses get PTR entries (no_reverse turns it off) */
  reverse: boolean;
  limits?: Partial<HostsLimits>;
  /** the line number to report for each line of the text (inline entries: their Corefile lines); default 1, 2, ... */
  lineNumbers?: readonly number[];
}

export interface ParsedHosts {
  map: HostsMap;
  /** lines skipped as CoreDNS skips them, and the first of them */
  skipped: number;
  firstSkipped?: { line: number; reason: string };
  /** names left out because they are in none of the zones, and the first of them */
  outside: number;
  firstOutside?: { line: number; name: string };
}

/** parseHostsAsync yields to the event loop after this much work (looked at every 256 lines) */
const SLICE_MS = 4;

/** Parses hosts text at once (inline entries, the first load). Throws HostsFileError past a bound. */
export function parseHosts(text: string, opts: ParseHostsOptions): ParsedHosts {
  const p = new HostsParser(opts);
  for (let at = 0, n = 1; at <= text.length; n++) at = p.line(text, at, n);
  return p.result();
}

/**
 * Parses hosts text in slices, yielding to the event loop between them, so a reload of a large file never stalls
 * the answers being served meanwhile. Throws HostsFileError past a bound.
 */
export async function parseHostsAsync(text: string, opts: ParseHostsOptions): Promise<ParsedHosts> {
  const p = new HostsParser(opts);
  let slice = performance.now();
  for (let at = 0, n = 1; at <= text.length; n++) {
    at = p.line(text, at, n);
    if ((n & 255) === 0 && performance.now() - slice > SLICE_MS) {
      await new Promise((r) => setImmediate(r));
      slice = performance.now();
    }
  }
  return p.result();
}

class HostsParser {
  private readonly map = new HostsMap();
  private readonly limits: HostsLimits;
  private entries = 0;
  private skipped = 0;
  private firstSkipped?: { line: number; reason: string };
  private outside = 0;
  private firstOutside?: { line: number; name: string };

  constructor(private readonly opts: ParseHostsOptions) {
    this.limits = { ...HOSTS_LIMITS, ...opts.limits };
  }

  result(): ParsedHosts {
    return {
      map: this.map, skipped: this.skipped, outside: this.outside,
      ...(this.firstSkipped ? { firstSkipped: this.firstSkipped } : {}), ...(this.firstOutside ? { firstOutside: this.firstOutside } : {}),
    };
  }

  /** Reads the line starting at `at` (line number `n`); returns where the next one starts (past the end: done). */
  line(text: string, at: number, n: number): number {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const lineNo = this.opts.lineNumbers?.[n - 1] ?? n;
    if (end - at > this.limits.lineLength) {
      throw new HostsFileError(this.opts.source, lineNo, `line of ${end - at} characters, over the ${this.limits.lineLength} a hosts line may have: is this a hosts file?`);
    }
    // Searched within the line only: indexOf over the rest of the file, line by line, would be quadratic.
    const raw = text.slice(at, end);
    const hash = raw.indexOf('#');
    const fields = (hash >= 0 ? raw.slice(0, hash) : raw).split(/[ \t\r\f\v]+/).filter((f) => f !== '');
    if (fields.length > 0) this.fields(fields, lineNo);
    return end + 1;
  }

  private fields(f: string[], lineNo: number): void {
    if (f.length < 2) return this.skip(lineNo, `"${short(f[0]!)}" alone: a hosts line is IP NAME [ALIASES...]`);
    const addr = parseHostsIP(f[0]!);
    if (!addr) return this.skip(lineNo, `"${short(f[0]!)}" is not an IPv4 or IPv6 address`);
    if (f.length - 1 > this.limits.namesPerLine) {
      throw new HostsFileError(this.opts.source, lineNo, `${f.length - 1} names on one line, over the ${this.limits.namesPerLine} a hosts line may have: split it`);
    }
    for (let i = 1; i < f.length; i++) {
      const name = hostName(f[i]!);
      if (name === undefined) { this.skip(lineNo, `"${short(f[i]!)}" is not a domain name`); continue; }
      if (!inZones(name, this.opts.zones)) {
        this.outside++;
        this.firstOutside ??= { line: lineNo, name };
        continue;
      }
      this.entries++;
      if (this.entries > this.limits.entries) {
        throw new HostsFileError(this.opts.source, lineNo, `more than ${this.limits.entries} entries (name and address pairs), the most one hosts source holds (a memory bound)`);
      }
      this.map.add(name, addr.family, addr.ip, this.opts.reverse);
    }
  }

  private skip(line: number, reason: string): void {
    this.skipped++;
    this.firstSkipped ??= { line, reason };
  }
}

const LABEL_CHARS = /^[\x21-\x7e]+$/;

/** A hosts name, lower case without its trailing dot, or undefined when no DNS question can carry it. */
export function hostName(raw: string): string | undefined {
  const name = (raw.endsWith('.') ? raw.slice(0, -1) : raw).toLowerCase();
  if (name === '' || name.length > 253 || !LABEL_CHARS.test(name) || name.includes('\\')) return undefined;
  for (const label of name.split('.')) if (label === '' || label.length > 63) return undefined;
  return name;
}

/** Whether `lname` is in one of `zones` ('' is the root: every name). */
export function inZones(lname: string, zones: readonly string[]): boolean {
  for (const z of zones) {
    if (inZone(lname, z)) return true;
  }
  return false;
}

function short(s: string): string {
  const t = s.replace(/[^\x20-\x7e]/g, '?');
  return t.length > 40 ? `${t.slice(0, 37)}...` : t;
}
