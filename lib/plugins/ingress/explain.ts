// What the admin API's /api/v1/resolve and explain read to name the object and rule behind an external name's
// records: the server's own resolve() knows only the cluster zones, so for a name an ingress plugin of the block
// serves (or a PTR it fills in) the plugin's answer, with each record's source and rule, stands in for it.
import type { ClusterStore } from '../../cluster/store.js';
import { formatRR, QTYPE, RCODE, type Answer, type RR } from '../../dns/records.js';
import type { ResolverConfig } from '../../dns/resolver-config.js';
import type { ServerBlocks } from '../../plugin/chain.js';
import { IngressPlugin } from './handler.js';
import { listIngressRecords } from './listing.js';

export function externalExplain(blocks: ServerBlocks, name: string, type: number, cluster: Answer): Answer | undefined {
  const lname = name.toLowerCase().replace(/\.$/, '');
  const chain = blocks.select(lname);
  if (!chain) return undefined;
  for (const p of chain.plugins) {
    if (!(p instanceof IngressPlugin)) continue;
    const zone = p.zoneOf(lname);
    if (zone !== undefined) return p.answer(name, lname, type, zone);
    // The chain asks the cluster first for a PTR and fills in only where it has no name (handler.ts).
    const clusterHasNone = cluster.outOfZone || cluster.rcode === RCODE.NXDOMAIN || cluster.rcode === RCODE.REFUSED;
    if (type === QTYPE.PTR && clusterHasNone) {
      const ptr = p.ptrAnswer(name, lname);
      if (ptr) return ptr;
    }
  }
  return undefined;
}

/** Every record of the ingress plugins of `blocks` (each plugin once), for /api/v1/records. */
export function listExternalRecords(blocks: ServerBlocks, store: ClusterStore, cfg: ResolverConfig): RR[] {
  const out: RR[] = [];
  const seen = new Set<string>();
  for (const chain of blocks.chains) {
    for (const p of chain.plugins) {
      if (!(p instanceof IngressPlugin)) continue;
      for (const rr of listIngressRecords(store, p.opts, cfg)) {
        const k = formatRR(rr);
        if (!seen.has(k)) { seen.add(k); out.push(rr); }
      }
    }
  }
  return out;
}
