// The kubernetes plugin's ServeDNS: names in its zones are answered from the cluster (lib/dns/resolver.ts, a pure
// function of cluster state and question); names outside them go on down the chain. A negative answer the resolver
// marks as one that falls through (fallthrough zones) goes on too, but stands when nothing after it answers.
import type { ClusterView } from '../../cluster/store.js';
import { resolveCluster } from '../../dns/resolver.js';
import { QTYPE, type Answer } from '../../dns/records.js';
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
    if (ans.fallthrough && req.type === QTYPE.PTR) {
      const own = answerReply(ans, this.name);
      // The end of the chain answers with plugin '': nobody after us knew the name, so our NXDOMAIN stands.
      return then(next(req), (r) => (r && r.kind === 'answer' && r.plugin === '' ? own : r));
    }
    return answerReply(ans, this.name);
  }
}
