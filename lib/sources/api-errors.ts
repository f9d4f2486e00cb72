// What can go wrong talking to the Kubernetes API, as errors that say what came back, and one-line descriptions of
// them for logs, /ready and the status route.

/** A non-2xx answer. `body` is the (bounded) response text, a Status object when the API server itself answered. */
export class ApiStatusError extends Error {
  constructor(readonly statusCode: number, readonly body: string, readonly url: string) {
    super(`HTTP ${statusCode} from ${url}`);
    this.name = 'ApiStatusError';
  }
}

/**
 * A 200 that is not what the API server sends: another content type (an auth proxy's login page), JSON of the
 * wrong shape, an unparseable watch line, or an answer past a size or time bound. The message names what came back
 * and from where, e.g. "text/html from https://10.0.0.1/api/v1/services?limit=500".
 */
export class ApiResponseError extends Error {
  constructor(message: string, readonly kind: 'content-type' | 'shape' | 'too-large' | 'timeout') {
    super(message);
    this.name = 'ApiResponseError';
  }
}

export function statusCodeOf(err: unknown): number | undefined {
  const e = err as { statusCode?: unknown; code?: unknown } | undefined;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  if (typeof e?.code === 'number') return e.code;
  return undefined;
}

export function isAbort(err: unknown): boolean {
  const e = err as { name?: string; type?: string } | undefined;
  return e?.name === 'AbortError' || e?.type === 'aborted';
}

/** The API server's own message from a Status body (JSON text or object) when there is one. */
export function serverMessage(err: unknown): string | undefined {
  const body = (err as { body?: unknown } | undefined)?.body;
  try {
    const status = typeof body === 'string' ? JSON.parse(body) : body;
    if (status && typeof status === 'object' && typeof (status as { message?: unknown }).message === 'string') {
      return (status as { message: string }).message;
    }
  } catch { /* not JSON */ }
  return undefined;
}

export function describeError(err: unknown): string {
  const code = statusCodeOf(err);
  if (err instanceof ApiStatusError) {
    const server = serverMessage(err);
    return server !== undefined ? `HTTP ${code}: ${server}` : err.message;
  }
  let msg = serverMessage(err) ?? String((err as Error | undefined)?.message ?? err).split('\n')[0];
  const reason = /failed, reason: (.*)$/.exec(msg);
  if (reason) msg = reason[1];
  const errno = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'number' && code >= 100) return `HTTP ${code}: ${msg}`;
  return typeof errno === 'string' && !msg.includes(errno) ? `${errno}: ${msg}` : msg;
}

/** The message for a 401/403: which permission is missing, in RBAC terms. */
export function permissionMessage(resource: string, group: string, verb: 'list' | 'watch', err: unknown): string {
  const code = statusCodeOf(err);
  const server = serverMessage(err);
  if (code === 401) {
    return `the API server rejected our credentials (HTTP 401 Unauthorized) when trying to ${verb} ${resource}: `
      + 'check the kubeconfig user, or the service account token file when running in a cluster';
  }
  return `permission denied (HTTP 403 Forbidden) to ${verb} ${resource}${group ? `.${group}` : ''} cluster-wide: `
    + `grant a ClusterRole rule { apiGroups: ["${group}"], resources: ["${resource}"], verbs: ["list", "watch"] } `
    + 'bound to this identity with a ClusterRoleBinding'
    + (server ? ` (server said: ${server})` : '');
}
