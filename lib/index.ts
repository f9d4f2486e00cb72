// Public API of the clusterdns library: the API's types only (lib/api.ts), never the server's internals, so a
// consumer type-checks it with skipLibCheck off (test/package-pack.test.ts does, against the packed tarball).
export { startClusterDns } from './in-process.js';
export type { ClusterDns, StartOptions } from './api.js';
export type { ClusterDnsConfig, HostPort, PodsMode, SynthesisConfig } from './config.js';
export type { Fault, FaultKind, FaultSpec } from './admin/faults.js';
export type { JournalEntry, QueryMatch, QueryMatcher } from './admin/query-match.js';
export type { QueryWaitOptions } from './admin/query-waiters.js';
export { QTYPE, RCODE, formatRR, typeName, rcodeName, type Answer, type RR, type SoaData, type SrvData } from './dns/records.js';
export type { StaticRecordSpec } from './static/spec.js';
export type { Explanation, ExplainOptions, ExplainedRecord, NearMiss, NearMissKind, SearchStep, SearchWalk } from './admin/explain-types.js';
