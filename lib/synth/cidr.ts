// IP address arithmetic for allocation: a CIDR becomes (base, size) so an address is base + offset, and offsets are
// plain numbers (fast to hash, compare and mark taken in a bitmap). Only the first 2^22 addresses of a range are
// used (4 million, far above Kubernetes' 150,000-pod limit): that bounds the allocator's bitmap at 4 MB, and keeps
// synthesised IPv6 addresses short (fd00:10:244::3a:1f07 rather than fd00:10:244:0:9:8df6:683e:814a).

import { formatIPv6Words } from '../dns/names.js';

export type IPFamily = 'IPv4' | 'IPv6';

export interface Cidr {
  family: IPFamily;
  /** the network address */
  base: bigint;
  prefix: number;
  /** usable offsets are 0..size-1 */
  size: number;
  text: string;
}

const MAX_OFFSET_BITS = 22;

export function parseIPv4(s: string): number | undefined {
  // Hand-rolled: it runs once per explicit address of a cluster dump (tens of thousands).
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return undefined;
    } else if (c === 46 && digits > 0 && dots < 3) {
      n = n * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else {
      return undefined;
    }
  }
  return dots === 3 && digits > 0 ? n * 256 + part : undefined;
}

export function formatIPv4(n: number): string {
  return `${Math.floor(n / 16777216) % 256}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

export function parseIPv6(s: string): bigint | undefined {
  let text = s.trim().toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  // An embedded dotted quad (::ffff:1.2.3.4) stands for the last two groups.
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...(halves.length === 2 ? new Array<string>(missing).fill('0') : []), ...tail];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(Number.parseInt(g, 16));
  }
  return n;
}

/** RFC 5952 text of a 128-bit address. */
export function formatIPv6(n: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  return formatIPv6Words(groups);
}

export function ipFamilyOf(ip: string): IPFamily {
  return ip.includes(':') ? 'IPv6' : 'IPv4';
}

/** The address as a 128-bit (IPv6) or 32-bit (IPv4) integer, or undefined when it is not an IP. */
export function parseIP(ip: string): { family: IPFamily; value: bigint } | undefined {
  if (ip.includes(':')) {
    const v = parseIPv6(ip);
    return v === undefined ? undefined : { family: 'IPv6', value: v };
  }
  const v = parseIPv4(ip);
  return v === undefined ? undefined : { family: 'IPv4', value: BigInt(v) };
}

export function parseCidr(text: string): Cidr {
  const slash = text.indexOf('/');
  if (slash < 0) throw new Error(`"${text}" is not a CIDR (address/prefix)`);
  const ip = parseIP(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(prefixText)) throw new Error(`"${text}" is not a CIDR (address/prefix)`);
  const width = ip.family === 'IPv4' ? 32 : 128;
  const prefix = Number(prefixText);
  if (prefix > width) throw new Error(`"${text}": prefix /${prefix} is longer than ${width} bits`);
  const hostBits = width - prefix;
  const base = (ip.value >> BigInt(hostBits)) << BigInt(hostBits);
  return { family: ip.family, base, prefix, size: 2 ** Math.min(hostBits, MAX_OFFSET_BITS), text };
}

/** Offset of `ip` in `cidr`, or undefined when the address lies outside it. */
export function offsetIn(cidr: Cidr, ip: string): number | undefined {
  const parsed = parseIP(ip);
  return parsed && parsed.family === cidr.family ? offsetOfValue(cidr, parsed.value) : undefined;
}

/** Offset of a parsed address (see parseIP) in `cidr`, or undefined when it lies outside it. */
export function offsetOfValue(cidr: Cidr, value: bigint): number | undefined {
  const d = value - cidr.base;
  return d >= 0n && d < BigInt(cidr.size) ? Number(d) : undefined;
}

export function addressAt(cidr: Cidr, offset: number): string {
  return cidr.family === 'IPv4' ? formatIPv4(Number(cidr.base) + offset) : formatIPv6(cidr.base + BigInt(offset));
}
