// Domain-name helpers. Names are handled in presentation form without the trailing dot ("" is the root);
// a label holding a literal '.' or an unprintable byte is escaped (\. or \DDD), as RFC 1035 §5.1 writes it.
import { isIP } from 'node:net';
import type { Endpoint } from '../cluster/model.js';

/** DNS names compare case-insensitively, ASCII only. */
export function lowerName(name: string): string {
  return name.toLowerCase();
}

/**
 * Whether the lower-case presentation name `lname` is `zone` or below it ('' is the root). A dot escaped inside a
 * label (`a\\.b`) is not a label boundary, so `a\\.b.example.org` is not in `b.example.org`.
 */
export function inZone(lname: string, zone: string): boolean {
  if (zone === '' || lname === zone) return true;
  const cut = lname.length - zone.length - 1;
  if (cut < 0 || lname.charCodeAt(cut) !== 46 || !lname.endsWith(zone)) return false;
  let slashes = 0;
  for (let i = cut - 1; i >= 0 && lname.charCodeAt(i) === 92; i--) slashes++;
  return (slashes & 1) === 0;
}

/** Splits a presentation name into its labels, keeping escapes inside a label. */
export function splitLabels(name: string): string[] {
  if (name === '') return [];
  if (!name.includes('\\')) return name.split('.');
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '\\' && i + 1 < name.length) {
      cur += c + name[i + 1];
      i++;
    } else if (c === '.') {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out;
}

/** a label like "_http" → "http": CoreDNS accepts port and protocol labels with or without the underscore. */
export function stripUnderscore(label: string): string {
  return label.startsWith('_') ? label.slice(1) : label;
}

/** "10.0.0.1" → "10-0-0-1"; "2001:db8::" → "2001-db8--0" (CoreDNS appends 0 after a trailing dash). */
export function dashedIP(ip: string): string {
  if (ip.includes('.')) return ip.replaceAll('.', '-');
  const d = ip.replaceAll(':', '-');
  return d.endsWith('-') ? `${d}0` : d;
}

/**
 * The label an endpoint answers to under its Service: its hostname, else (endpoint_pod_names) the pod's name,
 * else its address dashed — CoreDNS's endpointHostname.
 */
export function endpointLabel(ep: Endpoint, address: string, endpointPodNames: boolean): string {
  if (ep.hostname) return ep.hostname;
  if (endpointPodNames && ep.podName && ep.podName.length < 64) return ep.podName;
  return dashedIP(address);
}

/**
 * Pod label → IP, CoreDNS's rule: exactly three dashes and no "--" is IPv4, anything else is IPv6 with every
 * dash a colon. Returns '' when the result is not an IP.
 */
export function ipFromPodLabel(label: string): string {
  let dashes = 0;
  for (const c of label) if (c === '-') dashes++;
  const ip = dashes === 3 && !label.includes('--') ? label.replaceAll('-', '.') : label.replaceAll('-', ':');
  return isIP(ip) ? ip : '';
}

/** in-addr.arpa / ip6.arpa name (lower case) → IP, or '' when it is not a full reverse name. */
export function ipFromReverseName(lname: string): string {
  if (lname.endsWith('.in-addr.arpa')) {
    const parts = lname.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4) return '';
    for (const p of parts) if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return '';
    return parts.reverse().join('.');
  }
  if (lname.endsWith('.ip6.arpa')) {
    const parts = lname.slice(0, -'.ip6.arpa'.length).split('.');
    if (parts.length !== 32) return '';
    for (const p of parts) if (!/^[0-9a-f]$/.test(p)) return '';
    const hex = parts.reverse().join('');
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(hex.slice(i, i + 4));
    return canonicalIPv6(groups.join(':'));
  }
  return '';
}

/** Canonical (RFC 5952) text of an IPv6 address, as Go's net.IP.String() and the API server write it. */
export function canonicalIPv6(ip: string): string {
  const words = ipv6Words(ip);
  return words ? formatIPv6Words(words) : ip;
}

/** RFC 5952 text of eight 16-bit words: lower case, no leading zeros, the longest run (2+) of zeros as "::". */
export function formatIPv6Words(words: readonly number[]): string {
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) { bestAt = i; bestLen = j - i; }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestAt < 0) return hex.join(':');
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLen).join(':')}`;
}

/** IPv6 text → its eight 16-bit words, or undefined when it is not IPv6. */
export function ipv6Words(ip: string): number[] | undefined {
  if (isIP(ip) !== 6) return undefined;
  let s = ip;
  const tail: number[] = [];
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    tail.push((Number(v4[1]) << 8) | Number(v4[2]), (Number(v4[3]) << 8) | Number(v4[4]));
    s = s.slice(0, v4.index) + '0:0';
  }
  const [head, rest] = s.split('::');
  const h = head ? head.split(':') : [];
  const r = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const fill = s.includes('::') ? 8 - h.length - r.length : 0;
  const words = [...h, ...Array(fill).fill('0'), ...r].map((x) => Number.parseInt(x, 16));
  if (v4) words.splice(6, 2, ...tail);
  return words.length === 8 ? words : undefined;
}
