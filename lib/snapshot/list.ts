// Lists what live mode watches (lib/sources/kubernetes.ts resourceSpecs), page by page through the same ApiClient
// (its time and size bounds, $CLUSTERDNS_API_LIMITS), and checks every page is a list before using it: a proxy's
// junk or an oversized answer is an error naming the URL, never a partial snapshot.
import { ApiClient, DEFAULT_API_LIMITS } from '../sources/api-client.js';
import { ApiResponseError, ApiStatusError } from '../sources/api-errors.js';
import { apiLimitsFromEnv } from '../sources/kubernetes.js';
import { loadKubeConfig } from '../sources/kubeconfig/load.js';
import { slimEndpointSlice, slimIngress, slimNamespace, slimPod, slimService, slimServiceImport } from './slim.js';

type Raw = Record<string, any>;

export interface SnapshotOptions {
  kubeconfig?: string;
  context?: string;
  /** only objects in these namespaces (and those Namespaces); empty = all */
  namespaces: string[];
  pods: boolean;
}

interface Resource { path: string; slim: (raw: Raw) => Raw; namespaced: boolean; optional?: boolean; fieldSelector?: string }

const PAGE = 500;
/** pages one list may take: with PAGE objects a page, listObjects bounds it first; this stops a looping server */
const MAX_PAGES = 10_000;

export async function takeSnapshot(opts: SnapshotOptions, env: NodeJS.ProcessEnv = process.env): Promise<{ objects: Raw[]; origin: string }> {
  const { access, origin } = await loadKubeConfig({ kubeconfig: opts.kubeconfig, context: opts.context }, env);
  const api = new ApiClient(access, { ...DEFAULT_API_LIMITS, ...apiLimitsFromEnv(env.CLUSTERDNS_API_LIMITS) });
  const resources: Resource[] = [
    { path: '/api/v1/namespaces', slim: slimNamespace, namespaced: false },
    { path: '/api/v1/services', slim: slimService, namespaced: true },
    { path: '/apis/discovery.k8s.io/v1/endpointslices', slim: slimEndpointSlice, namespaced: true },
    ...opts.pods ? [{ path: '/api/v1/pods', slim: slimPod, namespaced: true, fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed,status.phase!=Unknown' }] : [],
    // Served only when the cluster has them: a 404 means "none", as the live source treats them.
    { path: '/apis/networking.k8s.io/v1/ingresses', slim: slimIngress, namespaced: true, optional: true },
    { path: '/apis/multicluster.x-k8s.io/v1alpha1/serviceimports', slim: slimServiceImport, namespaced: true, optional: true },
  ];
  const wanted = new Set(opts.namespaces);
  const objects: Raw[] = [];
  for (const r of resources) {
    let items: Raw[];
    try {
      items = await listAll(api, r);
    } catch (err) {
      if (r.optional && err instanceof ApiStatusError && err.statusCode === 404) continue;
      throw err;
    }
    for (const item of items) {
      const m = item.metadata;
      if (!m || typeof m.name !== 'string' || m.name === '' || (r.namespaced && typeof m.namespace !== 'string')) {
        throw new ApiResponseError(`an item without metadata.name${r.namespaced ? '/namespace' : ''} in the list from ${access.server}${r.path}`, 'shape');
      }
      if (wanted.size > 0 && !wanted.has(r.namespaced ? m.namespace : m.name)) continue;
      objects.push(r.slim(item));
    }
  }
  return { objects, origin };
}

async function listAll(api: ApiClient, r: Resource): Promise<Raw[]> {
  const out: Raw[] = [];
  let cont: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const url = api.url(r.path, { limit: PAGE, continue: cont, fieldSelector: r.fieldSelector });
    const body = await api.getJson(url, AbortSignal.timeout(api.limits.requestTimeoutMs + 1000)) as Raw;
    if (!body || typeof body !== 'object' || !Array.isArray(body.items) || body.items.some((i: unknown) => !i || typeof i !== 'object')) {
      throw new ApiResponseError(`not a Kubernetes list (no items array of objects) from ${url}`, 'shape');
    }
    out.push(...body.items);
    if (out.length > api.limits.listObjects) throw new ApiResponseError(`more than ${api.limits.listObjects} objects in the list from ${url}`, 'too-large');
    const next = body.metadata?.continue;
    if (typeof next !== 'string' || next === '') return out;
    if (next === cont) throw new ApiResponseError(`the same continue token twice from ${url}`, 'shape');
    cont = next;
  }
  throw new ApiResponseError(`more than ${MAX_PAGES} pages from ${r.path}`, 'too-large');
}
