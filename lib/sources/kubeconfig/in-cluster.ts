// client-go's rest.InClusterConfig: the API server from KUBERNETES_SERVICE_HOST/PORT, the pod's service account
// token (re-read as the kubelet rotates it, see token-file.ts), its CA and namespace from the mounted secret.
import { existsSync } from 'node:fs';
import { KubeConfigError } from '../source-errors.js';
import { checkTls, KubeAccess } from './access.js';
import { CREDENTIAL_FILE_MAX_BYTES, readBounded } from './merge.js';
import { TokenFile } from './token-file.js';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export function inClusterAccess(prefix: string, env: NodeJS.ProcessEnv): { access: KubeAccess; origin: string; namespace?: string } {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new KubeConfigError('in-cluster configuration needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT');
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new KubeConfigError(`in-cluster configuration: KUBERNETES_SERVICE_PORT "${port}" is not a port number`);
  const dir = `${prefix}${SERVICE_ACCOUNT_DIR}`;
  const tokenFile = `${dir}/token`;
  const caFile = `${dir}/ca.crt`;
  for (const f of [tokenFile, caFile]) {
    if (!existsSync(f)) throw new KubeConfigError(`in-cluster configuration: ${f} does not exist (is a service account token mounted?)`);
  }
  const token = new TokenFile(tokenFile, 'in-cluster service account token').check();
  const ca = readBounded(caFile, CREDENTIAL_FILE_MAX_BYTES, 'in-cluster service account CA');
  const material = { ca, insecure: false };
  checkTls(material, { ca: `in-cluster service account CA ${caFile}` });
  let namespace: string | undefined;
  try {
    namespace = readBounded(`${dir}/namespace`, 1024, 'namespace').toString('utf8').trim() || undefined;
  } catch { /* optional, as in client-go */ }
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const access = new KubeAccess(server, material, { kind: 'token', token: () => token.get(), reset: () => token.reset() });
  return { access, origin: `in-cluster service account (${tokenFile})`, ...(namespace ? { namespace } : {}) };
}
