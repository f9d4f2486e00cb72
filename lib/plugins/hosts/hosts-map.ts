// The data of one hosts source (the file, or the Corefile's inline entries), laid out as CoreDNS's hosts.Map: names
// to addresses per family, one-label wildcard owners (`*.example.com`) apart, and addresses to names for PTR. Lists
// keep file order and repeats, as CoreDNS's appends do: an answer lists a name's addresses as the file does.
import { isIPv6 } from 'node:net';
import { formatIPv6Words, ipv6Words } from '../../dns/names.js';

export type Family = 4 | 6;

export class HostsMap {
  readonly name4 = new Map<string, string[]>();
  readonly name6 = new Map<string, string[]>();
  readonly wild4 = new Map<string, string[]>();
  readonly wild6 = new Map<string, string[]>();
  /** canonical address → names (owners in the zones, wildcards excepted) */
  readonly addr = new Map<string, string[]>();
  /** name→address pairs plus address→name pairs, as CoreDNS's Map.Len counts (coredns_hosts_entries) */
  size = 0;

  /** `name`: lower case, no trailing dot; `ip`: canonical text of its family (parseHostsIP) */
  add(name: string, family: Family, ip: string, reverse: boolean): void {
    const wildcard = name.startsWith('*.');
    const m = wildcard ? (family === 4 ? this.wild4 : this.wild6) : (family === 4 ? this.name4 : this.name6);
    push(m, name, ip);
    this.size++;
    // Wildcard owners give no PTR: there is no one name to point at.
    if (wildcard || !reverse) return;
    push(this.addr, ip, name);
    this.size++;
  }

  /** The addresses of `lname` in one family: its own, else a wildcard one label above it (never both). */
  lookup(lname: string, family: Family): readonly string[] {
    const own = (family === 4 ? this.name4 : this.name6).get(lname);
    if (own) return own;
    const dot = lname.indexOf('.');
    if (dot < 0) return NONE;
    return (family === 4 ? this.wild4 : this.wild6).get(`*${lname.slice(dot)}`) ?? NONE;
  }

  names(ip: string): readonly string[] {
    return this.addr.get(ip) ?? NONE;
  }
}

const NONE: readonly string[] = Object.freeze([]);

function push(m: Map<string, string[]>, k: string, v: string): void {
  const at = m.get(k);
  if (at) at.push(v);
  else m.set(k, [v]);
}

/** Four decimal octets 0-255 without leading zeros (Go 1.17+ refuses those), by hand: this runs once a line. */
function isDottedQuad(s: string): boolean {
  let parts = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255 || ++parts > 4) return false;
      digits = 0;
      value = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 1 && value === 0) return false;
      value = value * 10 + (c - 48);
      if (++digits > 3) return false;
    } else {
      return false;
    }
  }
  return parts === 4;
}

/**
 * An address as Go's net.ParseIP reads it after CoreDNS drops an IPv6 zone (`%eth0`): dotted IPv4 without leading
 * zeros, or IPv6. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is IPv4, as Go's To4() says. undefined: no address.
 */
export function parseHostsIP(raw: string): { family: Family; ip: string } | undefined {
  const pct = raw.indexOf('%');
  const s = pct >= 0 ? raw.slice(0, pct) : raw;
  if (s.length > 45) return undefined;
  if (!s.includes(':')) return isDottedQuad(s) ? { family: 4, ip: s } : undefined;
  if (!isIPv6(s)) return undefined;
  const w = ipv6Words(s);
  if (!w) return undefined;
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0xffff) {
    return { family: 4, ip: `${w[6]! >> 8}.${w[6]! & 255}.${w[7]! >> 8}.${w[7]! & 255}` };
  }
  return { family: 6, ip: formatIPv6Words(w) };
}

/**
 * The address a reverse name (lower case, no trailing dot) stands for, keyed as parseHostsIP keys it; '' when it is
 * not a whole in-addr.arpa / ip6.arpa address name (CoreDNS's dnsutil.ExtractAddressFromReverse).
 */
export function addressOfReverse(lname: string): string {
  if (lname.endsWith('.in-addr.arpa')) {
    const parts = lname.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4) return '';
    return parseHostsIP(parts.reverse().join('.'))?.ip ?? '';
  }
  if (lname.endsWith('.ip6.arpa')) {
    const parts = lname.slice(0, -'.ip6.arpa'.length).split('.');
    if (parts.length !== 32) return '';
    for (const p of parts) if (p.length !== 1 || !/[0-9a-f]/.test(p)) return '';
    const hex = parts.reverse().join('');
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(hex.slice(i, i + 4));
    return parseHostsIP(groups.join(':'))?.ip ?? '';
  }
  return '';
}
