// The records a fixture set serves, as `clusterdns records` prints them (zone-file lines), loaded offline.
import type { Logger } from 'pino';
import { ClusterStore } from '../cluster/store.js';
import type { ClusterDnsConfig as Config } from '../config.js';
import { formatRR } from '../dns/records.js';
import { listRecords } from '../dns/zone-listing.js';
import { FixtureSource } from '../sources/fixtures.js';
import { resolverConfigFrom } from '../start.js';

export async function fixtureRecords(config: Config, paths: string[], logger: Logger): Promise<string[]> {
  const store = new ClusterStore({ namespaces: config.namespaces });
  const src = new FixtureSource(store, { paths, namespace: config.namespace, synthesis: config.synthesis, watch: false, logger });
  await src.start();
  // The SOA serial counts loads, not content: two sets that serve the same names must not differ there.
  return listRecords(store, resolverConfigFrom(config, [])).map((rr) => formatRR(rr).replace(/^(.*\tSOA\t\S+ \S+ )\d+/, '$1<serial>'));
}

/** Lines only in `a` (removed, "-") and only in `b` (added, "+"), sorted by name then sign. */
export function diffRecords(a: string[], b: string[]): string[] {
  const inA = new Set(a);
  const inB = new Set(b);
  const out = [...[...inA].filter((l) => !inB.has(l)).map((l) => `-${l}`), ...[...inB].filter((l) => !inA.has(l)).map((l) => `+${l}`)];
  return out.sort((x, y) => {
    const kx = x.slice(1); const ky = y.slice(1);
    return kx < ky ? -1 : kx > ky ? 1 : x < y ? -1 : x > y ? 1 : 0;
  });
}
