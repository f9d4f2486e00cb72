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
import { addressAt, offsetIn, parseCidr, type Cidr } from './cidr.js';
import { hash53 } from './hash.js';

/** Marks taken offsets: a bitmap for CIDRs up to 2^24 addresses (16 MB), a Set beyond. */
class TakenSet {
  private bits?: Uint8Array;
  private set?: Set<number>;
  count = 0;

  constructor(size: number) {
    if (size <= 2 ** 24) this.bits = new Uint8Array(size);
    else this.set = new Set();
  }

  has(o: number): boolean {
    return this.bits ? this.bits[o] === 1 : this.set!.has(o);
  }

  add(o: number): boolean {
    if (this.has(o)) return false;
    if (this.bits) this.bits[o] = 1;
    else this.set!.add(o);
    this.count++;
    return true;
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
    if (reservedPerBlock && this.cidr.size >= reservedPerBlock.block && this.cidr.size <= 2 ** 24) {
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

  get free(): number {
    return this.cidr.size - this.taken.count;
  }

  /** Allocates one address per key (keys must be distinct). Keys missing from the result found the CIDR full. */
  allocate(keys: readonly string[]): Map<string, string> {
    const size = this.cidr.size;
    const n = keys.length;
    const homes = new Float64Array(n);
    for (let i = 0; i < n; i++) homes[i] = hash53(keys[i], this.seed) % size;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    // By home, then key: the first of each home group is the smallest key there.
    order.sort((a, b) => homes[a] - homes[b] || (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0));

    const result = new Map<string, string>();
    const losers: number[] = [];
    for (let j = 0; j < n; j++) {
      const i = order[j];
      if (this.taken.add(homes[i])) result.set(keys[i], addressAt(this.cidr, homes[i]));
      else losers.push(i);
    }

    losers.sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0));
    for (const i of losers) {
      if (this.taken.count >= size) break;
      let o = homes[i];
      do o = o + 1 === size ? 0 : o + 1; while (this.taken.has(o));
      this.taken.add(o);
      result.set(keys[i], addressAt(this.cidr, o));
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
