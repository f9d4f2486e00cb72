// One kubeconfig context's cluster and user turned into ClusterAccess, field by field as client-go reads them;
// each error names the file, the entry and the field to fix.
import path from 'node:path';
import { KubeConfigError } from '../source-errors.js';
import { checkTls, KubeAccess, type TlsMaterial, type UserAuth } from './access.js';
import { ExecCredentialSource, type ExecClusterInfo } from './exec-credential.js';
import { impersonationHeaders } from './impersonate.js';
import { boolField, dataOrFile, entryPath, stringField, type Entry } from './merge.js';
import { TokenFile } from './token-file.js';

export function clusterTls(cluster: Entry): { server: string; material: TlsMaterial; info: ExecClusterInfo } {
  const server = stringField(cluster, 'server');
  if (!server) throw new KubeConfigError(`${cluster.where}: server is not set`);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new KubeConfigError(`${cluster.where}: server "${server}" is not a URL (https://HOST:PORT)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new KubeConfigError(`${cluster.where}: server "${server}" is not http:// or https://`);
  if (stringField(cluster, 'proxy-url')) {
    throw new KubeConfigError(`${cluster.where}: proxy-url is not supported by clusterdns; reach the API server directly (or run clusterdns where it can)`);
  }
  const insecure = boolField(cluster, 'insecure-skip-tls-verify');
  const ca = dataOrFile(cluster, 'certificate-authority');
  if (insecure && ca) {
    throw new KubeConfigError(`${cluster.where}: insecure-skip-tls-verify and ${ca.from.includes('-data') ? 'certificate-authority-data' : 'certificate-authority'} are both set; remove one (kubectl refuses this too)`);
  }
  const serverName = stringField(cluster, 'tls-server-name');
  const material: TlsMaterial = { insecure, ...(ca ? { ca: ca.data } : {}), ...(serverName ? { serverName } : {}) };
  checkTls(material, { ...(ca ? { ca: ca.from } : {}) });
  const info: ExecClusterInfo = {
    server: server.replace(/\/+$/, ''),
    ...(serverName ? { 'tls-server-name': serverName } : {}),
    ...(insecure ? { 'insecure-skip-tls-verify': true } : {}),
    ...(ca ? { 'certificate-authority-data': ca.data.toString('base64') } : {}),
    ...((cluster.fields.extensions as { name?: string; extension?: unknown }[] | undefined)?.find?.((x) => x?.name === 'client.authentication.k8s.io/exec')
      ? { config: (cluster.fields.extensions as { name?: string; extension?: unknown }[]).find((x) => x?.name === 'client.authentication.k8s.io/exec')!.extension }
      : {}),
  };
  return { server: info.server, material, info };
}

export async function userAccess(cluster: Entry, user: Entry | undefined): Promise<KubeAccess> {
  const { server, material, info } = clusterTls(cluster);
  if (!user) return new KubeAccess(server, material, { kind: 'none' });

  const cert = dataOrFile(user, 'client-certificate');
  const key = dataOrFile(user, 'client-key');
  if (!!cert !== !!key) {
    throw new KubeConfigError(`${user.where}: ${cert ? 'client-certificate is set without client-key' : 'client-key is set without client-certificate'} (a client certificate needs both)`);
  }
  if (cert && key) {
    material.cert = cert.data;
    material.key = key.data;
    checkTls(material, { cert: `${cert.from} with ${key.from.replace(/^.*: /, '')}` });
  }

  const token = stringField(user, 'token');
  const tokenFile = entryPath(user, 'tokenFile');
  const username = stringField(user, 'username');
  const password = stringField(user, 'password');
  const hasExec = user.fields.exec !== undefined && user.fields.exec !== null;
  const hasProvider = user.fields['auth-provider'] !== undefined && user.fields['auth-provider'] !== null;
  if ((token || tokenFile) && (username || password)) {
    throw new KubeConfigError(`${user.where}: ${token ? 'token' : 'tokenFile'} and username/password are both set; keep one`);
  }
  if (hasExec && hasProvider) throw new KubeConfigError(`${user.where}: exec and auth-provider are both set; keep one`);

  const impersonate = impersonationHeaders(user);
  let auth: UserAuth = { kind: 'none' };
  if (tokenFile) {
    // client-go: the file wins over an inline token once read.
    const file = new TokenFile(tokenFile, `${user.where}: tokenFile`).check();
    auth = { kind: 'token', token: () => file.get(), reset: () => file.reset() };
  } else if (token) {
    auth = { kind: 'token', token: () => token };
  } else if (username || password) {
    if (!username || password === undefined) throw new KubeConfigError(`${user.where}: ${username ? 'password' : 'username'} is not set (basic auth needs both)`);
    auth = { kind: 'basic', username, password };
  } else if (hasExec) {
    const exec = new ExecCredentialSource(user, path.dirname(path.resolve(user.file)), info);
    auth = { kind: 'exec', get: () => exec.get(), reset: () => exec.reset() };
  } else if (hasProvider) {
    const { authProviderHeaders } = await import('./auth-provider.js');
    auth = { kind: 'headers', get: await authProviderHeaders(cluster, user) };
  }
  return new KubeAccess(server, material, auth, impersonate);
}
