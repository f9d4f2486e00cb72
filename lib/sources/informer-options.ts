// What a RestartingInformer (informer.ts) is given: where to list and watch, how to keep and hand on what it sees,
// and its bounds.
import type { ApiLimits } from './api-client.js';
import type { ClusterAccess } from './kubeconfig/access.js';
import type { RequestGate } from './request-gate.js';
import type { InformerChange } from './slim-cache.js';

export interface InformerLogger {
  info(o: object | string, msg?: string): void;
  warn(o: object | string, msg?: string): void;
  error(o: object | string, msg?: string): void;
  debug(o: object | string, msg?: string): void;
}

export interface RestartingInformerOptions<S> {
  /** the API server and credentials (kubeconfig/load.ts) */
  access: ClusterAccess;
  /** plural resource name, for logs and hooks: 'services' */
  resource: string;
  /** API group, for permission messages: '' or 'discovery.k8s.io' */
  group: string;
  /** collection path: '/api/v1/services' */
  path: string;
  /** objects per list page (default 500, as client-go's reflector); 0 = no paging */
  listPageSize?: number;
  labelSelector?: string;
  fieldSelector?: string;
  /** raw object → slim object (undefined = not kept); may throw for malformed objects, which are then skipped */
  convert: (raw: Record<string, any>) => S | undefined;
  /**
   * Changes, in order. `phase` 'list' delivers a whole (re)list at once, so the caller can apply it as one batch;
   * 'watch' delivers one event.
   */
  onChanges: (changes: InformerChange<S>[], phase: 'list' | 'watch') => void;
  /** called once per restart, with a one-line cause */
  onRestart?: (cause: string) => void;
  onError?: (err: unknown) => void;
  logger: InformerLogger;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** lower bound of the server-side watch timeout asked for; the actual one is 1-2x this (default 300) */
  watchTimeoutSeconds?: number;
  limits?: Partial<ApiLimits>;
  /** apiserver_qps/burst/max_inflight, shared by the source's informers */
  gate?: RequestGate;
  /** a resource the cluster may lack (a CRD): a 401/403 at start-up is left for the caller to report */
  optional?: boolean;
}
