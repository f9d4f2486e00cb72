// The suite reaches behind the public API (the server's HTTP apps, its faults table, the store): startClusterDns()'s
// object carries them at run time, but the published types (lib/api.ts) leave them out, so a consumer's type check
// never loads the server's own types. This augmentation gives them back to the test program only (tsconfig.test.json
// includes every file under test/); bench/ imports this file for the same reason.
import type { ClusterStore } from '../../lib/cluster/store.js';
import type { ClusterDnsServer } from '../../lib/start.js';

declare module '../../lib/api.js' {
  interface ClusterDns {
    /** internal: the store the server answers from */
    store: ClusterStore;
    /** internal: the server itself */
    server: ClusterDnsServer;
  }
}
