// Deterministic, stable IP allocation from a CIDR, without any stored state.
//
// Each requester (a Service or a Pod, identified by the key "Kind/namespace/name") has a *home* offset: a hash of
// its key modulo the CIDR size. Allocation runs in two phases over a canonical order, so the result never depends
// on the order manifests were read in:
//   1. every home address that is free (not reserved, not explicitly used) goes to the smallest key hashing there;
//   2. the keys that lost (their home was reserved or taken by a smaller key), in sorted key order, probe linearly
//      upward from their home (wrapping around) to the first address nobody got in phase 1 or earlier in phase 2.
// Guarantees this gives:
//   * no address is ever handed out twice, nor handed out when an explicit manifest already uses it;
//   * an object that is the smallest key at its home address gets that address whatever else is in the input, so
//     adding, removing or reordering other objects never moves it (unless one of them claims that IP explicitly or
//     is a smaller key with the same home);
//   * only objects that lost a home collision can move when the input changes, and only because the set of
//     free addresses or losers before them changed. In a /16 or larger with thousands of objects these are a
//     handful (expected ~n²/2·size), in small test CIDRs they can be many: that is the price of having no state.
// When the CIDR is full the remaining keys get no address (the caller reports it).
import { addressAt, offsetIn, offsetOfValue, parseCidr, type Cidr, type IPFamily } from './cidr.js';
import { hash53 } from './hash.js';
import { STEP, TICK, drain, type Steps } from './steps.js';

/** Marks taken offsets in a bitmap (pools have at most 2^22 addresses, see cidr.ts). */
class TakenSet {
  private bits: Uint8Array;
  count = 0;

  constructor(size: number) {
    this.bits = new Uint8Array(size);
  }

  has(o: number): boolean {
    return this.bits[o] === 1;
  }

  add(o: number): boolean {
    if (this.bits[o] === 1) return false;
    this.bits[o] = 1;
    this.count++;
    return true;
  }
}

/** parent[o] leads to the smallest free offset >= o; parent[size] is the "wrap to 0" sentinel. */
class NextFree {
  private parent: Int32Array;

  constructor(private size: number, taken: (o: number) => boolean) {
    this.parent = new Int32Array(size + 1);
    for (let o = 0; o < size; o++) this.parent[o] = taken(o) ? o + 1 : o;
    this.parent[size] = size;
  }

  private find(o: number): number {
    const p = this.parent;
    let root = o;
    while (p[root] !== root) root = p[root];
    while (p[o] !== root) { const n = p[o]; p[o] = root; o = n; }
    return root;
  }

  /** The first free offset after `o`, wrapping around. */
  after(o: number): number {
    const f = this.find(o + 1 >= this.size ? 0 : o + 1);
    return f === this.size ? this.find(0) : f;
  }

  take(o: number): void {
    this.parent[o] = o + 1;
  }
}

export class AddressPool {
  readonly cidr: Cidr;
  private taken: TakenSet;
  private seed: number;

  /**
   * @param cidr the range to allocate from
   * @param reservedOffsets offsets never handed out (network address, gateway, well-known service IPs); a negative
   *   offset counts from the end (-1 = the IPv4 broadcast address)
   * @param reservedPerBlock offsets reserved in every block of `block` addresses (per-node subnets)
   */
  constructor(cidr: string, reservedOffsets: readonly number[] = [], reservedPerBlock?: { block: number; offsets: number[] }) {
    this.cidr = parseCidr(cidr);
    this.taken = new TakenSet(this.cidr.size);
    if (reservedPerBlock && this.cidr.size >= reservedPerBlock.block) {
      for (let b = 0; b < this.cidr.size; b += reservedPerBlock.block) {
        for (const o of reservedPerBlock.offsets) this.taken.add(b + o);
      }
    }
    // Salt by family, so a dual-stack object's v4 and v6 homes are independent.
    this.seed = this.cidr.family === 'IPv6' ? 6 : 4;
    for (const r of reservedOffsets) {
      const o = r < 0 ? this.cidr.size + r : r;
      if (o >= 0 && o < this.cidr.size) this.taken.add(o);
    }
  }

  /** Whether `ip` lies in this pool's CIDR. */
  contains(ip: string): boolean {
    return offsetIn(this.cidr, ip) !== undefined;
  }

  /** Reserves an address a manifest sets explicitly. Returns false when it is outside the CIDR or already taken. */
  reserve(ip: string): boolean {
    const o = offsetIn(this.cidr, ip);
    return o !== undefined && this.taken.add(o);
  }

  /** reserve() for an address parseIP already parsed (explicit addresses are parsed once for all pools). */
  reserveParsed(family: IPFamily, value: bigint): boolean {
    if (family !== this.cidr.family) return false;
    const o = offsetOfValue(this.cidr, value);
    return o !== undefined && this.taken.add(o);
  }

  /** Marks an offset (from offsetOf) taken: explicit addresses are parsed once and re-reserved on every update. */
  reserveOffset(o: number): void {
    this.taken.add(o);
  }

  /** The offset of an explicit address in this pool, or undefined when it lies outside. */
  offsetOf(family: IPFamily, value: bigint): number | undefined {
    return family === this.cidr.family ? offsetOfValue(this.cidr, value) : undefined;
  }

  /** A key's home offset (allocate() hashes every key; callers that allocate repeatedly keep these). */
  home(key: string): number {
    return hash53(key, this.seed) % this.cidr.size;
  }

  get free(): number {
    return this.cidr.size - this.taken.count;
  }

  /**
   * Allocates one address per key (keys must be distinct): result[i] is keys[i]'s address, undefined when the CIDR
   * was full.
   */
  allocate(keys: readonly string[]): (string | undefined)[] {
    const homes = new Float64Array(keys.length);
    for (let i = 0; i < keys.length; i++) homes[i] = this.home(keys[i]);
    return this.allocateAtHomes(keys, homes);
  }

  /** allocate() with every key's home given (homes[i] = home(keys[i])). */
  allocateAtHomes(keys: readonly string[], homes: Float64Array): (string | undefined)[] {
    return drain(this.allocateAtHomesSteps(keys, homes));
  }

  /** allocateAtHomes in steps: a tick every STEP keys. */
  *allocateAtHomesSteps(keys: readonly string[], homes: Float64Array): Steps<(string | undefined)[]> {
    const size = this.cidr.size;
    const n = keys.length;
    // Phase 1: the smallest key per free home wins it (one pass; keys are compared only on a shared home).
    const result = new Array<string | undefined>(n).fill(undefined);
    const winner = new Map<number, number>();
    const losers: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i % STEP === STEP - 1) yield TICK;
      const h = homes[i];
      if (this.taken.has(h)) { losers.push(i); continue; }
      const w = winner.get(h);
      if (w === undefined) winner.set(h, i);
      else if (keys[i] < keys[w]) { winner.set(h, i); losers.push(w); }
      else losers.push(i);
    }
    let k = 0;
    for (const [h, i] of winner) {
      if (++k % STEP === 0) yield TICK;
      this.taken.add(h);
      result[i] = addressAt(this.cidr, h);
    }

    yield TICK;
    losers.sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0));
    yield TICK;
    // Linear probing is a "first free offset after the home" query, which a union-find over the offsets answers in
    // near-constant time: plain probing would walk a whole block of explicit addresses (a cluster dump's pod IPs are
    // contiguous) for every home that falls inside it.
    const next = losers.length ? new NextFree(size, (o) => this.taken.has(o)) : undefined;
    k = 0;
    for (const i of losers) {
      if (++k % STEP === 0) yield TICK;
      if (this.taken.count >= size) break;
      const o = next!.after(homes[i]);
      this.taken.add(o);
      next!.take(o);
      result[i] = addressAt(this.cidr, o);
    }
    return result;
  }
}

/** Reserved offsets of a Service CIDR: the network address, .1 (the `kubernetes` Service), .10 (kube-dns). */
export function servicePoolReserved(family: 'IPv4' | 'IPv6'): number[] {
  return family === 'IPv4' ? [0, 1, 10, -1] : [0, 1, 10];
}

/** Reserved offsets of a Pod CIDR: the network address and the gateway (.1), plus the IPv4 broadcast address. */
export function podPoolReserved(family: 'IPv4' | 'IPv6'): number[] {
  return family === 'IPv4' ? [0, 1, -1] : [0, 1];
}

/**
 * kind (like most CNIs) hands each node a /24 of the IPv4 pod CIDR and never gives a pod its .0, its gateway .1
 * or its .255, so pod IPs avoid those in every /24 and look like a real cluster's.
 */
export const POD_V4_PER_NODE_RESERVED = { block: 256, offsets: [0, 1, 255] };
