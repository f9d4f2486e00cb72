// What a request to the API server needs, built from one kubeconfig cluster and user (or the in-cluster service
// account): the server URL, an agent with the cluster's TLS trust and the user's client certificate, and the
// Authorization header for the next request. Token files and exec plugins are re-read/re-run as client-go does;
// after a 401 the client calls unauthorized() and retries once with fresh credentials.
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { KubeConfigError } from '../source-errors.js';
import type { ExecCredential } from './exec-credential.js';

export interface Credentials {
  /** a list is sent as one header line per value (Impersonate-Group) */
  headers: Record<string, string | string[]>;
  agent: http.Agent;
}

export interface ClusterAccess {
  /** the API server's base URL, no trailing slash */
  readonly server: string;
  credentials(): Promise<Credentials>;
  /** the server answered 401: forget cached credentials; true when a retry may present different ones */
  unauthorized(): boolean;
}

export interface LoadedKubeConfig {
  access: ClusterAccess;
  /** for the start-up log line: "kubeconfig F, context c, server https://..." */
  origin: string;
}

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecure: boolean;
  serverName?: string;
}

/** Where each piece came from, to name it when it is not usable. */
export interface TlsSources {
  ca?: string;
  cert?: string;
}

/** Fails at load, naming the field, for PEM that Node cannot use (rather than at the first TLS handshake). */
export function checkTls(m: TlsMaterial, from: TlsSources): void {
  if (m.ca) {
    try {
      tls.createSecureContext({ ca: m.ca });
      if (!m.ca.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM CERTIFICATE block');
    } catch (err) {
      throw new KubeConfigError(`${from.ca}: not a usable PEM CA certificate (${(err as Error).message})`);
    }
  }
  if (m.cert || m.key) {
    try {
      tls.createSecureContext({ cert: m.cert, key: m.key });
    } catch (err) {
      throw new KubeConfigError(`${from.cert}: the client certificate and key cannot be used together (${(err as Error).message})`);
    }
  }
}

export function makeAgent(server: string, m: TlsMaterial, cert?: Buffer | string, key?: Buffer | string): http.Agent {
  if (!server.startsWith('https:')) return new http.Agent();
  return new https.Agent({
    ...(m.ca ? { ca: m.ca } : {}),
    ...(cert ?? m.cert ? { cert: cert ?? m.cert } : {}),
    ...(key ?? m.key ? { key: key ?? m.key } : {}),
    rejectUnauthorized: !m.insecure,
    ...(m.serverName ? { servername: m.serverName } : {}),
  });
}

/** How the user proves who it is, besides a static client certificate. */
export type UserAuth =
  | { kind: 'none' }
  | { kind: 'token'; token: () => string; reset?: () => boolean }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'exec'; get: () => Promise<ExecCredential>; reset: () => boolean }
  | { kind: 'headers'; get: () => Promise<Record<string, string>> };

export class KubeAccess implements ClusterAccess {
  private readonly agent: http.Agent;
  /** agents for exec-issued client certificates, by certificate (a rotated one replaces the last) */
  private execAgent: { cert: string; agent: http.Agent } | undefined;

  /** @param extraHeaders sent with every request, whatever the credential (impersonation) */
  constructor(readonly server: string, private readonly tlsMaterial: TlsMaterial, private readonly auth: UserAuth,
    private readonly extraHeaders: Record<string, string | string[]> = {}) {
    this.agent = makeAgent(server, tlsMaterial);
  }

  async credentials(): Promise<Credentials> {
    const c = await this.userCredentials();
    return { headers: { ...c.headers, ...this.extraHeaders }, agent: c.agent };
  }

  private async userCredentials(): Promise<Credentials> {
    const a = this.auth;
    switch (a.kind) {
      case 'none':
        return { headers: {}, agent: this.agent };
      case 'token':
        return { headers: { Authorization: `Bearer ${a.token()}` }, agent: this.agent };
      case 'basic':
        return { headers: { Authorization: `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}` }, agent: this.agent };
      case 'headers':
        return { headers: await a.get(), agent: this.agent };
      case 'exec': {
        const cred = await a.get();
        const headers: Record<string, string> = cred.token ? { Authorization: `Bearer ${cred.token}` } : {};
        if (!cred.clientCertificateData) return { headers, agent: this.agent };
        if (this.execAgent?.cert !== cred.clientCertificateData) {
          this.execAgent?.agent.destroy();
          this.execAgent = {
            cert: cred.clientCertificateData,
            agent: makeAgent(this.server, this.tlsMaterial, cred.clientCertificateData, cred.clientKeyData),
          };
        }
        return { headers, agent: this.execAgent.agent };
      }
    }
  }

  unauthorized(): boolean {
    const a = this.auth;
    if (a.kind === 'exec') return a.reset();
    if (a.kind === 'token' && a.reset) return a.reset();
    return false;
  }
}
