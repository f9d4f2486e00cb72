// Legacy `auth-provider` users (oidc, gcp, azure): the one kubeconfig feature clusterdns does not implement itself.
// It is handed to @kubernetes/client-node, an optional peer dependency loaded only here, so everyone else installs
// ~80 MB less. Without it installed, the error says what to install (or what to switch to).
import { KubeConfigError } from '../source-errors.js';
import type { Entry } from './merge.js';

const PACKAGE = '@kubernetes/client-node';

interface ClientNode {
  KubeConfig: new () => {
    loadFromString(text: string): void;
    applyToHTTPSOptions(opts: { headers?: Record<string, string> }): Promise<void>;
  };
}

export async function authProviderHeaders(cluster: Entry, user: Entry): Promise<() => Promise<Record<string, string>>> {
  const provider = user.fields['auth-provider'] as { name?: unknown } | undefined;
  const name = typeof provider?.name === 'string' ? provider.name : '';
  if (!name) throw new KubeConfigError(`${user.where}: auth-provider.name is not set`);
  let lib: ClientNode;
  try {
    // A variable specifier keeps TypeScript from requiring the package's types where it is not installed.
    const specifier: string = PACKAGE;
    lib = await import(specifier) as ClientNode;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') {
      throw new KubeConfigError(`${user.where}: auth-provider "${name}": ${PACKAGE} is installed but cannot be loaded on Node ${process.versions.node} `
        + `(2.x needs Node >= 22.19): ${(err as Error).message.split('\n')[0]}`);
    }
    throw new KubeConfigError(`${user.where}: auth-provider "${name}" needs the optional package ${PACKAGE}, which is not installed: `
      + `run \`npm install ${PACKAGE}@^2\` where clusterdns is installed, or switch this user to an exec credential plugin `
      + '(kubelogin for oidc and azure, gke-gcloud-auth-plugin for gcp)');
  }
  const kc = new lib.KubeConfig();
  // Only this user and the cluster's server: client-node reads the provider's fields (and refreshes them) itself.
  kc.loadFromString(JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: cluster.fields.server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: user.name, user: user.fields }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: user.name } }],
    'current-context': 'x',
  }));
  return async () => {
    const opts: { headers: Record<string, string> } = { headers: {} };
    try {
      await kc.applyToHTTPSOptions(opts);
    } catch (err) {
      throw new KubeConfigError(`${user.where}: auth-provider "${name}" failed: ${(err as Error).message}`);
    }
    const authorization = opts.headers.Authorization ?? opts.headers.authorization;
    if (!authorization) throw new KubeConfigError(`${user.where}: auth-provider "${name}" gave no credentials (check its config: id-token, refresh-token, idp-issuer-url)`);
    return { Authorization: authorization };
  };
}
