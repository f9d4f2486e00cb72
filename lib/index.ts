// Public API of the clusterdns library.
export { startClusterDns, type ClusterDns, type StartOptions } from './in-process.js';
export { defaultConfig, type ClusterDnsConfig, type HostPort, type PodsMode } from './config.js';
export { ClusterStore, type ClusterView } from './cluster/store.js';
export type * from './cluster/model.js';
export { resolve } from './dns/resolver.js';
export { QTYPE, RCODE, formatRR, typeName, rcodeName, type Answer, type RR } from './dns/records.js';
export type { StaticRecordSpec } from './static/spec.js';
