// The kubernetes plugin's ServeDNS: names in its zones are answered from the cluster (lib/dns/resolver.ts, a pure
// function of cluster state and question); names outside them go on down the chain. An NXDOMAIN the resolver marks
// as one that falls through (lib/dns/fallthrough.ts) goes on too.
import type { ClusterView } from '../../cluster/store.js';
import { resolveCluster } from '../../dns/resolver.js';
import type { Answer } from '../../dns/records.js';
import type { ResolverConfig } from '../../dns/resolver-config.js';
import { then } from '../../plugin/chain.js';
import { answerReply, type Next, type Plugin, type Reply, type Request } from '../../plugin/handler.js';

export class KubernetesPlugin implements Plugin {
  readonly name = 'kubernetes';

  constructor(readonly view: ClusterView, readonly cfg: () => ResolverConfig) {}

  generation(): number {
    return this.view.generation;
  }

  /** the cluster's answer alone (outOfZone when the name is in none of the zones) */
  resolve(name: string, type: number): Answer {
    return resolveCluster(this.view, this.cfg(), name, type);
  }

  serveDNS(req: Request, next: Next): Reply | Promise<Reply> {
    const ans = resolveCluster(this.view, this.cfg(), req.name, req.type);
    if (ans.outOfZone) return next(req);
    if (ans.fallthrough) {
      // A Corefile's `fallthrough` hands the query on as CoreDNS does: past the end of the block that is SERVFAIL.
      if (this.cfg().fallthrough !== undefined) return next(req);
      const own = answerReply(ans, this.name);
      // The command line's rule: the end of the chain answers with plugin '': nobody after us knew the name, so our
      // NXDOMAIN stands.
      return then(next(req), (r) => (r && r.kind === 'answer' && r.plugin === '' ? own : r));
    }
    return answerReply(ans, this.name);
  }
}
