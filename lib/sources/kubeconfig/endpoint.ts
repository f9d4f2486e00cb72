// CoreDNS's `endpoint URL` with `tls CERT KEY CACERT`: the API server named in the Corefile, a client certificate
// for credentials and a CA to trust (none = the system's roots), as CoreDNS builds its client config from them.
import path from 'node:path';
import { KubeConfigError } from '../source-errors.js';
import { checkTls, KubeAccess, type LoadedKubeConfig, type TlsMaterial } from './access.js';
import { CREDENTIAL_FILE_MAX_BYTES, readBounded } from './merge.js';

export interface ApiEndpoint {
  url: string;
  certFile?: string;
  keyFile?: string;
  caFile?: string;
  /** where it was configured, for errors: "Corefile line 4" */
  where?: string;
  /** where the tls files were named */
  tlsWhere?: string;
}

export function endpointAccess(e: ApiEndpoint): LoadedKubeConfig {
  const where = e.where ?? 'endpoint';
  let url: URL;
  try {
    url = new URL(e.url);
  } catch {
    throw new KubeConfigError(`${where}: endpoint "${e.url}" is not a URL (https://HOST:PORT)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new KubeConfigError(`${where}: endpoint "${e.url}" is not http:// or https://`);
  const tlsWhere = e.tlsWhere ?? where;
  const read = (file: string | undefined, what: string) => file === undefined
    ? undefined
    : readBounded(path.resolve(file), CREDENTIAL_FILE_MAX_BYTES, `${tlsWhere}: tls ${what}`);
  const material: TlsMaterial = { insecure: false };
  const ca = read(e.caFile, 'CACERT');
  const cert = read(e.certFile, 'CERT');
  const key = read(e.keyFile, 'KEY');
  if (ca) material.ca = ca;
  if (cert) material.cert = cert;
  if (key) material.key = key;
  checkTls(material, { ca: `${tlsWhere}: tls CACERT ${e.caFile}`, cert: `${tlsWhere}: tls CERT ${e.certFile} KEY ${e.keyFile}` });
  const server = e.url.replace(/\/+$/, '');
  return { access: new KubeAccess(server, material, { kind: 'none' }), origin: `endpoint ${server} (${where})` };
}
