// Static records (--records files, /api/v1/static-records, startClusterDns({records})): names outside the cluster
// zones answered from a table, before the upstreams. It sits after kubernetes, so it sees only what the cluster
// zones passed on (names outside them, and reverse-zone NXDOMAINs that fall through).
import type { Answer } from '../../dns/records.js';
import { answerReply, type Next, type Plugin, type Reply, type Request } from '../../plugin/handler.js';
import { staticAnswer } from '../../static/answer.js';
import type { StaticSource } from '../../static/table.js';

export class RecordsPlugin implements Plugin {
  readonly name = 'records';

  /**
   * `cluster` answers a name from the cluster zones (a static CNAME may point into them); `clusterGeneration` moves
   * when those answers may have: a block without kubernetes (another listener's) has nothing else that says so.
   */
  constructor(private table: StaticSource, private cluster: (name: string, type: number) => Answer,
    private clusterGeneration: () => number = () => 0) {}

  /** both counters only grow: their sum changes whenever either does */
  generation(): number {
    return this.table.generation + this.clusterGeneration();
  }

  serveDNS(req: Request, next: Next): Reply | Promise<Reply> {
    const a = staticAnswer(this.table, req.name, req.type, this.cluster);
    return a ? answerReply(a, this.name) : next(req);
  }
}

