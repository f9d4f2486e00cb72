// Where the live source finds its cluster: a kubeconfig file (and context), the in-cluster service account, or
// client-node's defaults ($KUBECONFIG, ~/.kube/config). Errors name the file or setting that is wrong.
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeConfigError } from './source-errors.js';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeConfigOptions {
  kubeconfig?: string;
  context?: string;
  /** use the pod's service account (also chosen when KUBERNETES_SERVICE_HOST is set and no kubeconfig is given) */
  inCluster?: boolean;
  /**
   * Prefix for the service account files (`<prefix>/var/run/secrets/kubernetes.io/serviceaccount/{token,ca.crt}`),
   * as client-node's loadFromCluster(pathPrefix) takes it; defaults to $CLUSTERDNS_SERVICE_ACCOUNT_PREFIX or ''.
   * Lets tests point the in-cluster path at a temp dir.
   */
  inClusterPathPrefix?: string;
}

export { KubeConfigError };

export function loadKubeConfig(opts: KubeConfigOptions, env: NodeJS.ProcessEnv = process.env): { kc: KubeConfig; origin: string } {
  const kc = new KubeConfig();
  let origin: string;
  if (opts.kubeconfig) {
    if (!existsSync(opts.kubeconfig)) throw new KubeConfigError(`kubeconfig ${opts.kubeconfig} does not exist`);
    try {
      kc.loadFromFile(opts.kubeconfig);
    } catch (err) {
      throw new KubeConfigError(`kubeconfig ${opts.kubeconfig} cannot be read: ${(err as Error).message}`);
    }
    origin = `kubeconfig ${opts.kubeconfig}`;
  } else if (opts.inCluster || env.KUBERNETES_SERVICE_HOST) {
    if (!env.KUBERNETES_SERVICE_HOST || !env.KUBERNETES_SERVICE_PORT) {
      throw new KubeConfigError('in-cluster configuration needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT');
    }
    const prefix = opts.inClusterPathPrefix ?? env.CLUSTERDNS_SERVICE_ACCOUNT_PREFIX ?? '';
    const tokenFile = `${prefix}${SERVICE_ACCOUNT_DIR}/token`;
    const caFile = `${prefix}${SERVICE_ACCOUNT_DIR}/ca.crt`;
    for (const f of [tokenFile, caFile]) {
      if (!existsSync(f)) throw new KubeConfigError(`in-cluster configuration: ${f} does not exist (is a service account token mounted?)`);
    }
    kc.loadFromCluster(prefix);
    origin = `in-cluster service account (${tokenFile})`;
  } else {
    try {
      kc.loadFromDefault();
    } catch (err) {
      throw new KubeConfigError(`cannot load the default kubeconfig: ${(err as Error).message}`);
    }
    origin = env.KUBECONFIG ? `kubeconfig ${env.KUBECONFIG}` : 'default kubeconfig (~/.kube/config)';
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const known = kc.getContexts().map((c) => c.name).join(', ') || 'none';
      throw new KubeConfigError(`${origin} has no context "${opts.context}" (contexts: ${known})`);
    }
    kc.setCurrentContext(opts.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeConfigError(`${origin} has no current cluster (set current-context or pass a context)`);
  return { kc, origin: `${origin}, server ${cluster.server}` };
}
