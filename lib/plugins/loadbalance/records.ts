// CoreDNS's loadbalance order on records before they are encoded, for the one case the byte shuffle after the
// cache cannot serve: a UDP reply too large for the client. CoreDNS shuffles first and truncates after, so which
// addresses make it into a truncated reply changes from reply to reply (a musl client, which does not retry over
// TCP, spreads over all of them); shuffling the bytes of an already truncated reply would only reorder a fixed subset.
import { isIPv4 } from 'node:net';
import { ipv6Words } from '../../dns/names.js';
import { QTYPE, type RR } from '../../dns/records.js';
import type { Cidr, Rand16 } from './permute.js';

function shuffle<T>(a: T[], rand: Rand16): void {
  const n = a.length;
  if (n < 2) return;
  if (n === 2) {
    if (rand() % 2 === 0) [a[0], a[1]] = [a[1]!, a[0]!];
    return;
  }
  for (let j = 0; j < n; j++) {
    const p = j + (rand() % (n - j));
    if (p !== j) [a[j], a[p]] = [a[p]!, a[j]!];
  }
}

function bytesOf(rr: RR): number[] | null {
  if (typeof rr.data !== 'string') return null;
  if (rr.type === QTYPE.A && isIPv4(rr.data)) return rr.data.split('.').map(Number);
  if (rr.type === QTYPE.AAAA) {
    const w = ipv6Words(rr.data);
    if (!w) return null;
    // An IPv4-mapped AAAA is in an IPv4 block, as Go's IPNet.Contains sees it.
    if (w.slice(0, 5).every((x) => x === 0) && w[5] === 0xffff) return [w[6]! >> 8, w[6]! & 0xff, w[7]! >> 8, w[7]! & 0xff];
    return w.flatMap((x) => [x >> 8, x & 0xff]);
  }
  return null;
}

function contains(c: Cidr, ip: number[] | null): boolean {
  if (!ip || ip.length !== c.net.length) return false;
  for (let k = 0, bits = c.bits; bits > 0; k++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((ip[k]! & mask) !== c.net[k]) return false;
  }
  return true;
}

/** one section in CoreDNS's order (see permute.ts arrange), as a new array */
export function arrangeRecords(rrs: readonly RR[], rand: Rand16, prefer: readonly Cidr[] | null): RR[] {
  const cname: RR[] = [], addr: RR[] = [], mx: RR[] = [], rest: RR[] = [];
  for (const rr of rrs) {
    if (rr.type === QTYPE.CNAME) cname.push(rr);
    else if (rr.type === QTYPE.A || rr.type === QTYPE.AAAA) addr.push(rr);
    else if (rr.type === QTYPE.MX) mx.push(rr);
    else rest.push(rr);
  }
  shuffle(addr, rand);
  shuffle(mx, rand);
  if (!prefer) return [...cname, ...rest, ...addr, ...mx];
  const ips = addr.map(bytesOf);
  const seen = new Set<number>();
  const first: RR[] = [];
  for (const c of prefer) addr.forEach((rr, i) => { if (!seen.has(i) && contains(c, ips[i]!)) { seen.add(i); first.push(rr); } });
  return [...cname, ...first, ...addr.filter((_, i) => !seen.has(i)), ...mx, ...rest];
}
