// The loadbalance plugin: CoreDNS shuffles A, AAAA and MX records in a ResponseWriter wrapped around the rest of the
// chain; here the same reordering runs on the encoded reply after the answer cache (Plugin.finish), so cached
// answers stay cached as bytes and every reply, cache hit, miss or forwarded, is shuffled anew.
import { randomInt } from 'node:crypto';
import { QTYPE } from '../../dns/records.js';
import type { Next, Plugin, Reply, Request } from '../../plugin/handler.js';
import { balance, type Cidr, type Rand16 } from './permute.js';

/** xorshift32: cheap, and with a seed the same sequence every run (tests) */
export function random16(seed?: number): Rand16 {
  let x = (seed ?? randomInt(1, 0x100000000)) >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x >>> 16;
  };
}

export class LoadBalancePlugin implements Plugin {
  readonly name = 'loadbalance';
  private readonly rand: Rand16;
  private readonly prefer: readonly Cidr[] | null;

  constructor(prefer: readonly Cidr[], seed?: number) {
    this.rand = random16(seed);
    this.prefer = prefer.length > 0 ? prefer : null;
  }

  serveDNS(req: Request, next: Next): Reply | Promise<Reply> {
    return next(req);
  }

  finish(out: Buffer, req: { type: number }): Buffer {
    // As CoreDNS: only NOERROR replies, and never a zone transfer.
    if (req.type === QTYPE.AXFR || req.type === QTYPE.IXFR || out.length < 12 || (out[3]! & 0x0f) !== 0) return out;
    return balance(out, this.rand, this.prefer);
  }
}
