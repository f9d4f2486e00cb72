// The cache plugin. clusterdns keeps encoded answers itself (lib/wire/answer-cache.ts: cluster answers until the
// cluster changes; forwarded replies are never kept), so this plugin keeps nothing: it gives each reply in its zones
// the TTL CoreDNS's cache writes on a miss (lib/plugins/cache/ttl.ts). Deterministic per answer, so the answer
// cache in front stays valid.
import { then } from '../../plugin/chain.js';
import type { Next, Plugin, Reply, Request } from '../../plugin/handler.js';
import { capAnswer, capRaw, type TtlCaps } from './ttl.js';
import { inZone } from '../../dns/names.js';

const covers = (zone: string, lname: string): boolean => inZone(lname, zone);

export class CachePlugin implements Plugin {
  readonly name = 'cache';

  constructor(private readonly zones: readonly string[], private readonly caps: TtlCaps) {}

  serveDNS(req: Request, next: Next): Reply | Promise<Reply> {
    const lname = req.name.toLowerCase();
    if (!this.zones.some((z) => covers(z, lname))) return next(req);
    return then(next(req), (r): Reply => {
      if (!r) return r;
      if (r.kind === 'answer') {
        const answer = capAnswer(r.answer, this.caps);
        return answer === r.answer ? r : { ...r, answer };
      }
      if (r.kind === 'raw') return { ...r, bytes: capRaw(r.bytes, this.caps) };
      return r;
    });
  }
}
