// CoreDNS's loadbalance reordering (round_robin, then `prefer`) done on an encoded message: records are moved as
// whole byte ranges within their section, and compression pointers into moved records are re-aimed. A message is
// left as it is when a pointer would then point forward or past 0x3fff (a name first written in a record that now
// comes after one that points at it): CoreDNS would write such a message with the name in the other record, which a
// byte move cannot do. clusterdns's own answers never get there (owners point into the question or into SRV/NS/CNAME
// rdata, which never move); an upstream's reply with shared names among its address records could.
import { walkMessage, type Walk } from './message.js';

const T_A = 1;
const T_CNAME = 5;
const T_MX = 15;
const T_AAAA = 28;
const T_OPT = 41;
const T_TSIG = 250;

/** an address block of `prefer`: family by the byte length of `net` (4 or 16) */
export interface Cidr {
  net: Uint8Array;
  bits: number;
}

/** 16 random bits (CoreDNS uses dns.Id(), a random uint16, the same way) */
export type Rand16 = () => number;

const SIZE = 65535 / 11 + 2 | 0;
const order = new Int32Array(SIZE);
const newStart = new Int32Array(SIZE);
const cname = new Int32Array(SIZE);
const addr = new Int32Array(SIZE);
const mx = new Int32Array(SIZE);
const rest = new Int32Array(SIZE);
const preferred = new Int32Array(SIZE);
const seen = new Uint8Array(SIZE);
const copy = Buffer.allocUnsafe(65536);

/** CoreDNS's roundRobinShuffle on a[0..n). */
function shuffle(a: Int32Array, n: number, rand: Rand16): void {
  if (n < 2) return;
  if (n === 2) {
    if (rand() % 2 === 0) { const t = a[0]!; a[0] = a[1]!; a[1] = t; }
    return;
  }
  for (let j = 0; j < n; j++) {
    const p = j + (rand() % (n - j));
    if (p !== j) { const t = a[j]!; a[j] = a[p]!; a[p] = t; }
  }
}

function inCidr(b: Buffer, w: Walk, i: number, c: Cidr): boolean {
  let at = w.rdata[i]!;
  const len = w.end[i]! - at;
  if (len === 16 && c.net.length === 4) {
    // An IPv4-mapped AAAA is in an IPv4 block, as Go's IPNet.Contains sees it (ip.To4()).
    for (let k = 0; k < 10; k++) if (b[at + k] !== 0) return false;
    if (b[at + 10] !== 0xff || b[at + 11] !== 0xff) return false;
    at += 12;
  } else if (len !== c.net.length) {
    return false;
  }
  let bits = c.bits;
  for (let k = 0; bits > 0; k++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((b[at + k]! & mask) !== c.net[k]) return false;
  }
  return true;
}

/**
 * Writes into order[base..base+n) the section's new record order: CNAMEs, the rest, A/AAAA shuffled, MX shuffled
 * (CoreDNS's roundRobin); with `prefer` (answer and additional sections only) then CNAMEs, addresses in the listed
 * blocks first in the order of the list, MX, the rest (CoreDNS's reorderPreferredSubnets).
 */
function arrange(b: Buffer, w: Walk, base: number, n: number, rand: Rand16, prefer: readonly Cidr[] | null): void {
  let nc = 0, na = 0, nm = 0, nr = 0;
  for (let i = base; i < base + n; i++) {
    const t = w.type[i]!;
    if (t === T_CNAME) cname[nc++] = i;
    else if (t === T_A || t === T_AAAA) addr[na++] = i;
    else if (t === T_MX) mx[nm++] = i;
    else rest[nr++] = i;
  }
  shuffle(addr, na, rand);
  shuffle(mx, nm, rand);
  let o = base;
  for (let k = 0; k < nc; k++) order[o++] = cname[k]!;
  if (!prefer) {
    for (let k = 0; k < nr; k++) order[o++] = rest[k]!;
    for (let k = 0; k < na; k++) order[o++] = addr[k]!;
  } else {
    let np = 0;
    seen.fill(0, 0, na);
    for (const c of prefer) {
      for (let k = 0; k < na; k++) if (!seen[k] && inCidr(b, w, addr[k]!, c)) { seen[k] = 1; preferred[np++] = addr[k]!; }
    }
    for (let k = 0; k < np; k++) order[o++] = preferred[k]!;
    for (let k = 0; k < na; k++) if (!seen[k]) order[o++] = addr[k]!;
  }
  for (let k = 0; k < nm; k++) order[o++] = mx[k]!;
  if (prefer) for (let k = 0; k < nr; k++) order[o++] = rest[k]!;
}

/** Where byte `pos` is once the records moved (records are in message order, so a binary search finds its own). */
function moved(w: Walk, total: number, pos: number): number {
  if (total === 0 || pos < w.start[0]! || pos >= w.end[total - 1]!) return pos;
  let lo = 0;
  let hi = total - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (w.start[mid]! <= pos) lo = mid; else hi = mid - 1;
  }
  return newStart[lo]! + (pos - w.start[lo]!);
}

/**
 * Whether the name read from `pos` ends inside the piece of the message that holds `pos` (the header and question,
 * or one record), with a root label or a pointer the walk found (and so re-aims). An encoder's pointers always land
 * on such a name; a hostile message's may land mid-rdata and read on into the next record, which a move changes.
 */
function endsInPlace(b: Buffer, w: Walk, total: number, pos: number): boolean {
  let end: number;
  if (pos < w.start[0]!) end = w.start[0]!;
  else if (pos >= w.end[total - 1]!) return false;
  else {
    let lo = 0;
    let hi = total - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (w.start[mid]! <= pos) lo = mid; else hi = mid - 1;
    }
    end = w.end[lo]!;
  }
  for (let o = pos; o < end;) {
    const len = b[o]!;
    if (len === 0) return true;
    if ((len & 0xc0) === 0xc0) return o + 1 < end && isWalkedPointer(w, o);
    if (len > 63) return false;
    o += 1 + len;
  }
  return false;
}

/** whether a pointer the walk found sits at `pos` (pointers are found in message order) */
function isWalkedPointer(w: Walk, pos: number): boolean {
  let lo = 0;
  let hi = w.pointers - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = w.ptrAt[mid]!;
    if (at === pos) return true;
    if (at < pos) lo = mid + 1; else hi = mid - 1;
  }
  return false;
}

/**
 * Reorders `b`'s records in place as CoreDNS's loadbalance would (see arrange) and returns it; unchanged when the
 * bytes are no message, nothing moves, or a pointer could not follow its name.
 */
export function balance(b: Buffer, rand: Rand16, prefer: readonly Cidr[] | null): Buffer {
  const w = walkMessage(b);
  if (!w) return b;
  const total = w.counts[0] + w.counts[1] + w.counts[2];
  if (total < 2) return b;
  let base = 0;
  for (let s = 0; s < 3; s++) {
    const count = w.counts[s]!;
    let n = count;
    // The OPT (and a TSIG) stay last, where the server put them: CoreDNS adds the OPT after loadbalance ran.
    if (s === 2) while (n > 0 && (w.type[base + n - 1] === T_OPT || w.type[base + n - 1] === T_TSIG)) n--;
    arrange(b, w, base, n, rand, s === 1 ? null : prefer);
    for (let i = base + n; i < base + count; i++) order[i] = i;
    base += count;
  }
  let same = true;
  for (let i = 0; i < total && same; i++) same = order[i] === i;
  if (same) return b;

  // New places: each section's records laid out from the section's first byte in their new order.
  base = 0;
  for (let s = 0; s < 3; s++) {
    const count = w.counts[s]!;
    if (count === 0) continue;
    let pos = w.start[base]!;
    for (let k = base; k < base + count; k++) {
      const i = order[k]!;
      newStart[i] = pos;
      pos += w.end[i]! - w.start[i]!;
    }
    base += count;
  }
  const first = w.start[0]!;
  let checked = -1;
  for (let j = 0; j < w.pointers; j++) {
    const target = w.ptrTo[j]!;
    // The common case, a pointer into the question (which never moves, and is before every record): checked once.
    if (target < first) {
      if (target !== checked && !endsInPlace(b, w, total, target)) return b;
      checked = target;
      continue;
    }
    const at = moved(w, total, w.ptrAt[j]!);
    const to = moved(w, total, target);
    if (to >= at || to > 0x3fff) return b;
    if (!endsInPlace(b, w, total, target)) return b;
  }
  const from = first;
  const to = w.end[total - 1]!;
  // Byte loops: records are a few dozen bytes, where Buffer.copy's call costs more than the copying.
  for (let k = from; k < to; k++) copy[k - from] = b[k]!;
  for (let i = 0; i < total; i++) {
    const dst = newStart[i]!;
    const src = w.start[i]!;
    if (dst === src) continue;
    const len = w.end[i]! - src;
    for (let k = 0; k < len; k++) b[dst + k] = copy[src - from + k]!;
  }
  for (let j = 0; j < w.pointers; j++) {
    if (w.ptrTo[j]! < first) continue;
    const target = moved(w, total, w.ptrTo[j]!);
    if (target !== w.ptrTo[j]) b.writeUInt16BE(0xc000 | target, moved(w, total, w.ptrAt[j]!));
  }
  return b;
}
