// The names a multicluster zone answers, for the record listing (zone-listing.ts): each ServiceImport's name, its
// `_port._proto` names, and its endpoints' `endpoint.cluster` names. The resolver then says what each holds.
import type { ClusterStore } from '../cluster/store.js';
import { endpointLabel } from './names.js';
import { QTYPE } from './records.js';
import type { ResolverConfig } from './resolver-config.js';

const STEP = 64;

export function* multiclusterCandidates(store: ClusterStore, cfg: ResolverConfig, out: [string, number][]): Generator<void, void, void> {
  let n = 0;
  for (const zone of cfg.multiclusterZones ?? []) {
    for (const si of store.allServiceImports()) {
      if (++n % STEP === 0) yield;
      const base = `${si.name}.${si.namespace}.svc.${zone}`;
      out.push([base, QTYPE.A], [base, QTYPE.AAAA], [base, QTYPE.SRV]);
      const named = new Set<string>();
      for (const p of si.ports) if (p.name) named.add(`_${p.name.toLowerCase()}._${p.protocol.toLowerCase()}.${base}`);
      const labels = new Set<string>();
      for (const slice of store.multiclusterEndpoints(si.namespace, si.name)) {
        for (const p of slice.ports) if (p.name) named.add(`_${p.name.toLowerCase()}._${p.protocol.toLowerCase()}.${base}`);
        if (!slice.cluster) continue;
        for (const ep of slice.endpoints) {
          for (const a of ep.addresses) labels.add(`${endpointLabel(ep, a, cfg.endpointPodNames).toLowerCase()}.${slice.cluster.toLowerCase()}`);
        }
      }
      for (const nm of named) out.push([nm, QTYPE.SRV]);
      for (const l of labels) out.push([`${l}.${base}`, QTYPE.A], [`${l}.${base}`, QTYPE.AAAA]);
    }
  }
}
