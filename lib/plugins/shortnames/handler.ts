// The shortnames plugin: a search list kept on the server for clients that cannot have one (a browser, curl on
// macOS pointed at clusterdns by /etc/resolver). A short name (`api.shop`, `api.shop.svc`) outside every served
// zone is answered as its cluster name (`api.shop.svc.cluster.local`) would be, its records owned by the name asked:
// the client gets the answer for its own question, with no CNAME to follow (lib/plugins/shortnames/expand.ts says
// which names expand).
//
// It never shadows a real name: names in our zones pass untouched; a short name whose last label is a TLD or a
// private-use suffix ("shop", "dev", "lan") goes down the chain first as asked, and expands only when that gives
// NXDOMAIN or nobody answers it (no upstream). Other short names ("default", "kube-system", "svc") cannot be
// real names on the Internet: they expand at once, from the cluster alone, and their replies are cached.
import { QTYPE, RCODE, type Answer, type RR } from '../../dns/records.js';
import type { ResolverConfig } from '../../dns/resolver-config.js';
import { then } from '../../plugin/chain.js';
import type { Next, Plugin, Reply, Request } from '../../plugin/handler.js';
import { expand } from './expand.js';
import { rcodeOf } from '../../plugin/reply.js';
import { inZone } from '../../dns/names.js';

export interface ShortnamesDeps {
  resolverConfig(): ResolverConfig;
  namespaceExists(ns: string): boolean;
  /** the cluster's own answer for a name (the kubernetes plugin's resolve) */
  resolve(name: string, type: number): Answer;
  /** the cluster state's generation: our answers change with it */
  generation(): number;
  /** one more query answered by an expansion (clusterdns_shortnames_expanded_total) */
  onExpanded(): void;
}

export class ShortnamesPlugin implements Plugin {
  readonly name = 'shortnames';

  constructor(private readonly deps: ShortnamesDeps) {}

  generation(): number {
    return this.deps.generation();
  }

  serveDNS(req: Request, next: Next): Reply | Promise<Reply> {
    if (req.type === QTYPE.AXFR || req.type === QTYPE.IXFR) return next(req);
    const lname = req.name.toLowerCase();
    const cfg = this.deps.resolverConfig();
    if (cfg.zones.some((z) => inZone(lname, z)) || cfg.reverseZones.some((z) => inZone(lname, z))) return next(req);
    const exp = expand(lname, cfg.zones, this.deps.namespaceExists);
    if (!exp) return next(req);
    if (!exp.risky) return this.expanded(req, exp.names) ?? next(req);
    return then(next(req), (first) => {
      // An upstream's word can change without the cluster changing: such replies are not cached.
      if (first && (first.kind === 'raw' || first.plugin === 'forward')) req.varies = true;
      const rcode = rcodeOf(first);
      // Only a name nobody has: an upstream that failed (SERVFAIL) may know it, so its failure stands.
      if (rcode !== RCODE.NXDOMAIN && rcode !== -1) return first;
      return this.expanded(req, exp.names) ?? first;
    });
  }

  /** The first expansion the cluster knows (NOERROR, NODATA included), under the asked name; null when none is. */
  private expanded(req: Request, names: readonly string[]): Reply {
    for (const name of names) {
      const ans = this.deps.resolve(name, req.type);
      if (ans.outOfZone || ans.rcode === RCODE.NXDOMAIN) continue;
      if (!req.probe) this.deps.onExpanded();
      const owned = (rr: RR): RR => (rr.name.toLowerCase() === name ? { ...rr, name: req.name } : rr);
      const { fallthrough: _f, outOfZone: _o, ...rest } = ans;
      return { kind: 'answer', answer: { ...rest, answer: ans.answer.map(owned) }, plugin: this.name };
    }
    return null;
  }
}
