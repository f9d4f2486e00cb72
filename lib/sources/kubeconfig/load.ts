// Where the live source finds its cluster, as kubectl finds it: --kubeconfig FILE, else the in-cluster service
// account (asked for, or KUBERNETES_SERVICE_HOST set with no KUBECONFIG), else $KUBECONFIG's files merged, else
// ~/.kube/config; then --context or current-context. No Kubernetes client library is loaded for any of this (it
// would be ~55-80 MB installed for a YAML file and a TLS agent); only a legacy auth-provider user needs one.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfigError } from '../source-errors.js';
import { endpointAccess, type ApiEndpoint } from './endpoint.js';
import type { LoadedKubeConfig } from './access.js';
import { inClusterAccess } from './in-cluster.js';
import { mergeKubeConfigFiles, type MergedKubeConfig } from './merge.js';
import { userAccess } from './user.js';

export { SERVICE_ACCOUNT_DIR } from './in-cluster.js';
export type { ClusterAccess, LoadedKubeConfig } from './access.js';
export type { ApiEndpoint } from './endpoint.js';

export interface KubeConfigOptions {
  kubeconfig?: string;
  context?: string;
  /** use the pod's service account (also chosen when KUBERNETES_SERVICE_HOST is set and no kubeconfig is given) */
  inCluster?: boolean;
  /**
   * Prefix for the service account files (`<prefix>/var/run/secrets/kubernetes.io/serviceaccount/{token,ca.crt}`);
   * defaults to $CLUSTERDNS_SERVICE_ACCOUNT_PREFIX or ''. Lets tests point the in-cluster path at a temp dir.
   */
  inClusterPathPrefix?: string;
  /** CoreDNS's `endpoint URL` and `tls CERT KEY CACERT`: a server given without a kubeconfig */
  endpoint?: ApiEndpoint;
}

/** The files $KUBECONFIG names (path.delimiter-separated; missing ones skipped, as client-go does). */
export function kubeconfigFiles(env: NodeJS.ProcessEnv): string[] {
  if (env.KUBECONFIG) {
    const listed = [...new Set(env.KUBECONFIG.split(path.delimiter).filter((f) => f !== ''))];
    const present = listed.filter((f) => existsSync(f));
    if (present.length === 0) throw new KubeConfigError(`KUBECONFIG names no file that exists (${listed.join(path.delimiter)})`);
    return present;
  }
  const home = env.HOME || os.homedir();
  const file = path.join(home, '.kube', 'config');
  if (!existsSync(file)) {
    throw new KubeConfigError(`no kubeconfig: ${file} does not exist and KUBECONFIG is not set (pass --kubeconfig FILE, or run in a pod with a service account)`);
  }
  return [file];
}

export async function loadKubeConfig(opts: KubeConfigOptions, env: NodeJS.ProcessEnv = process.env): Promise<LoadedKubeConfig> {
  let loaded: LoadedKubeConfig;
  if (opts.kubeconfig) {
    if (!existsSync(opts.kubeconfig)) throw new KubeConfigError(`kubeconfig ${opts.kubeconfig} does not exist`);
    loaded = await fromFiles([opts.kubeconfig], opts.context);
  } else if (opts.endpoint) {
    if (opts.context) throw new KubeConfigError(`a context ("${opts.context}") needs a kubeconfig; ${opts.endpoint.where ?? 'endpoint'} names the server directly`);
    loaded = endpointAccess(opts.endpoint);
  } else if (opts.inCluster || (env.KUBERNETES_SERVICE_HOST && !env.KUBECONFIG)) {
    if (opts.context) throw new KubeConfigError(`a context ("${opts.context}") needs a kubeconfig; the in-cluster service account has none`);
    const { access, origin, namespace } = inClusterAccess(opts.inClusterPathPrefix ?? env.CLUSTERDNS_SERVICE_ACCOUNT_PREFIX ?? '', env);
    loaded = { access, origin: `${origin}${namespace ? `, namespace ${namespace}` : ''}` };
  } else {
    loaded = await fromFiles(kubeconfigFiles(env), opts.context);
  }
  // Credentials are fetched once now, so a token file that is missing or an exec plugin that fails is a start-up
  // error that names the field, not an informer retrying for ever.
  await loaded.access.credentials();
  return { access: loaded.access, origin: `${loaded.origin}, server ${loaded.access.server}` };
}

async function fromFiles(files: string[], context: string | undefined): Promise<LoadedKubeConfig> {
  const merged = mergeKubeConfigFiles(files);
  const where = files.length === 1 ? `kubeconfig ${files[0]}` : `kubeconfig ${files.join(path.delimiter)}`;
  const name = context ?? merged.currentContext?.name;
  if (!name) {
    throw new KubeConfigError(`${where}: current-context is not set (set it with kubectl config use-context NAME, or pass --context; contexts: ${known(merged)})`);
  }
  const ctx = merged.contexts.get(name);
  if (!ctx) {
    const by = context ? '--context' : `current-context in ${merged.currentContext!.file}`;
    throw new KubeConfigError(`${where} has no context "${name}" (contexts: ${known(merged)}); it was named by ${by}`);
  }
  const clusterName = ctx.fields.cluster;
  if (typeof clusterName !== 'string' || clusterName === '') throw new KubeConfigError(`${ctx.where}: cluster is not set`);
  const cluster = merged.clusters.get(clusterName);
  if (!cluster) throw new KubeConfigError(`${ctx.where}: cluster "${clusterName}" does not exist (clusters: ${[...merged.clusters.keys()].join(', ') || 'none'})`);
  const userName = ctx.fields.user;
  if (userName !== undefined && userName !== null && userName !== '' && typeof userName !== 'string') throw new KubeConfigError(`${ctx.where}: user must be a string`);
  const user = userName ? merged.users.get(userName as string) : undefined;
  if (userName && !user) throw new KubeConfigError(`${ctx.where}: user "${String(userName)}" does not exist (users: ${[...merged.users.keys()].join(', ') || 'none'})`);
  const access = await userAccess(cluster, user);
  return { access, origin: `${where}, context ${name}` };
}

function known(m: MergedKubeConfig): string {
  return [...m.contexts.keys()].join(', ') || 'none';
}
