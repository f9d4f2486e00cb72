// What explain returns (GET /api/v1/explain, `clusterdns explain`, dns.explain()): data only, so lib/api.ts can
// show it to a consumer without dragging internals into the published types.

export interface ExplainOptions {
  /** query type [A] */
  type?: string;
  /** the namespace of the asking pod: adds the search-path walk a pod there makes */
  namespace?: string;
  /** the pod's resolv.conf ndots [5, the kubelet's] */
  ndots?: number;
}

export interface ExplainedRecord {
  name: string;
  type: string;
  ttl: number;
  data: unknown;
  text: string;
  /** the object the record came from ("Service/ns/name", "Pod/ns/ip", "schema", "server", ...) */
  source?: string;
  /** the rule of the DNS schema (or of the server) that made the record */
  rule: string;
}

export type NearMissKind =
  | 'outside-zones' | 'bad-shape' | 'missing-svc-label' | 'no-namespace' | 'similar-namespace' | 'other-namespace'
  | 'similar-name' | 'endpoint-not-ready' | 'no-such-endpoint' | 'headless-no-ready' | 'unnamed-port' | 'no-such-port'
  | 'other-family' | 'no-port' | 'no-data-type' | 'externalname' | 'pods-disabled' | 'pod-not-found' | 'bad-pod-name'
  | 'search-list' | 'fault' | 'not-synced' | 'external-name';

export interface NearMiss {
  kind: NearMissKind;
  /** one sentence: what is near, and what to ask or fix */
  message: string;
  /** the objects concerned ("Service/prod/api"), at most a few */
  objects?: string[];
  /** names that would answer */
  names?: string[];
}

export interface SearchStep {
  /** the name the pod's resolver asks, fully qualified */
  name: string;
  rcode: string;
  answers: number;
  /** glibc stops here: an answer, or an rcode that ends the walk (REFUSED, ...) */
  stop?: boolean;
}

export interface SearchWalk {
  namespace: string;
  ndots: number;
  search: string[];
  /** every name tried, in the order glibc's res_search tries them, up to where it stops */
  walk: SearchStep[];
  /** the name that answered, if one did */
  resolvedAs?: string;
}

export interface Explanation {
  name: string;
  type: string;
  rcode: string;
  aa: boolean;
  note?: string;
  answer: ExplainedRecord[];
  authority: ExplainedRecord[];
  additional: ExplainedRecord[];
  /** for NXDOMAIN/NODATA (and a fault): why, and what is near; at most MAX_NEAR_MISSES */
  nearMisses: NearMiss[];
  /** near misses found past the bound and left out */
  nearMissesLeftOut?: number;
  search?: SearchWalk;
  /** faults whose name and type match this question, in the order they apply */
  faults: { id: number; name: string; fault: string; type?: string }[];
}
