// client-go's exec credential plugins (client.authentication.k8s.io v1 and v1beta1): the kubeconfig names a command
// (aws eks get-token, gke-gcloud-auth-plugin, kubelogin ...) that prints an ExecCredential with a token or a client
// certificate. It runs with the kubeconfig's args and env plus KUBERNETES_EXEC_INFO, its answer is cached until its
// expirationTimestamp (forever without one) and dropped after a 401; concurrent requests share one run. Unlike
// kubectl it is bounded: stdout and stderr are capped and a run that takes too long is killed.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { KubeConfigError } from '../source-errors.js';
import { stringField, type Entry } from './merge.js';

export const EXEC_STDOUT_MAX_BYTES = 1024 * 1024;
const EXEC_STDERR_KEPT_BYTES = 4 * 1024;
/** kubectl waits for ever; a plugin that hangs must not keep the DNS server unsynced without a word. */
export const EXEC_TIMEOUT_MS = 60_000;
/** How long output may still arrive after the plugin exited (its pipes are normally closed by then). */
const EXIT_GRACE_MS = 1000;
/** A credential this close to its expiry is fetched again (clock skew, the request in flight). */
const EXPIRY_SKEW_MS = 10_000;

/** clusterdns's own secrets: a plugin is someone else's program and gets the environment without them. */
const OWN_SECRETS = ['CLUSTERDNS_ADMIN_TOKEN'];

function pluginEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of OWN_SECRETS) delete env[name];
  return env;
}

/**
 * Process groups of plugins still running. Each runs detached (its own group), so neither Ctrl-C in a terminal nor
 * our exit reaches it: when clusterdns exits, it ends them.
 */
const runningGroups = new Set<number>();
let exitHook = false;

function track(pid: number): void {
  runningGroups.add(pid);
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const group of runningGroups) {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  });
}

const API_VERSIONS = new Set(['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1']);

export interface ExecCredential {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  /** ms since the epoch; undefined = does not expire */
  expiresAt?: number;
}

/** What KUBERNETES_EXEC_INFO carries about the cluster when provideClusterInfo is set. */
export interface ExecClusterInfo {
  server: string;
  'tls-server-name'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'certificate-authority-data'?: string;
  'proxy-url'?: string;
  config?: unknown;
}

interface ExecSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  apiVersion: string;
  installHint?: string;
  provideClusterInfo: boolean;
}

/** `base` is the kubeconfig's folder: a relative command with a slash in it resolves against it (client-go). */
function parseSpec(user: Entry, base: string): ExecSpec {
  const exec = user.fields.exec as Record<string, unknown>;
  const at = `${user.where}: exec`;
  if (typeof exec !== 'object' || exec === null || Array.isArray(exec)) throw new KubeConfigError(`${at} must be a mapping with command and apiVersion`);
  const pseudo: Entry = { ...user, fields: exec, where: at };
  const given = stringField(pseudo, 'command');
  if (!given) throw new KubeConfigError(`${at}.command is missing`);
  const command = !path.isAbsolute(given) && given.includes(path.sep) ? path.resolve(base, given) : given;
  const apiVersion = stringField(pseudo, 'apiVersion');
  if (!apiVersion || !API_VERSIONS.has(apiVersion)) {
    throw new KubeConfigError(`${at}.apiVersion is ${apiVersion ? `"${apiVersion}"` : 'missing'}; supported: ${[...API_VERSIONS].join(', ')} (v1alpha1 was removed in Kubernetes 1.24)`);
  }
  const args = exec.args ?? [];
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) throw new KubeConfigError(`${at}.args must be a list of strings`);
  const envList = exec.env ?? [];
  if (!Array.isArray(envList)) throw new KubeConfigError(`${at}.env must be a list of {name, value}`);
  const env: Record<string, string> = {};
  envList.forEach((e: unknown, i) => {
    const v = e as { name?: unknown; value?: unknown };
    if (typeof v?.name !== 'string' || typeof v.value !== 'string') throw new KubeConfigError(`${at}.env[${i}] needs a string name and value`);
    env[v.name] = v.value;
  });
  const mode = stringField(pseudo, 'interactiveMode');
  if (mode === 'Always') throw new KubeConfigError(`${at}.interactiveMode is Always, but clusterdns runs without a terminal; use a plugin mode that needs no input`);
  return {
    command, args: args as string[], env, apiVersion,
    ...(stringField(pseudo, 'installHint') ? { installHint: stringField(pseudo, 'installHint')! } : {}),
    provideClusterInfo: exec.provideClusterInfo === true,
  };
}

export class ExecCredentialSource {
  private readonly spec: ExecSpec;
  private cached: ExecCredential | undefined;
  private running: Promise<ExecCredential> | undefined;
  private readonly at: string;

  constructor(user: Entry, base: string, private readonly cluster: ExecClusterInfo, private readonly timeoutMs = EXEC_TIMEOUT_MS) {
    this.spec = parseSpec(user, base);
    this.at = `${user.where}: exec`;
  }

  async get(): Promise<ExecCredential> {
    const c = this.cached;
    if (c && (c.expiresAt === undefined || c.expiresAt - EXPIRY_SKEW_MS > Date.now())) return c;
    this.running ??= this.run().then((cred) => {
      this.cached = cred;
      return cred;
    }).finally(() => { this.running = undefined; });
    return this.running;
  }

  /** The server said 401: run the plugin again on the next request. */
  reset(): boolean {
    this.cached = undefined;
    return true;
  }

  private run(): Promise<ExecCredential> {
    const { spec, at } = this;
    const info = {
      apiVersion: spec.apiVersion,
      kind: 'ExecCredential',
      spec: { interactive: false, ...(spec.provideClusterInfo ? { cluster: this.cluster } : {}) },
    };
    return new Promise<ExecCredential>((resolve, reject) => {
      // Its own process group, so a time limit ends the wrapper script and whatever it started (which holds our
      // pipes: waiting for 'close' would wait for them all).
      const child = spawn(spec.command, spec.args, {
        env: { ...pluginEnv(), ...spec.env, KUBERNETES_EXEC_INFO: JSON.stringify(info) },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      const pid = child.pid;
      if (pid !== undefined) {
        track(pid);
        child.once('exit', () => runningGroups.delete(pid));
      }
      const out: Buffer[] = [];
      let outBytes = 0;
      let err = '';
      let settled = false;
      let grace: NodeJS.Timeout | undefined;
      const done = (message: string | undefined, cred?: ExecCredential) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(grace);
        if (message === undefined) return resolve(cred!);
        const tail = err.trim() ? `; its stderr: ${err.trim().split('\n').slice(-3).join(' | ')}` : '';
        // Only the command: its args may hold a secret (--oidc-client-secret=...); client-go names it alone too.
        reject(new KubeConfigError(`${at}: the credential plugin "${spec.command}" ${message}${tail}`));
      };
      const release = () => {
        child.stdout.destroy();
        child.stderr.destroy();
      };
      const fail = (why: string) => {
        if (settled) return;
        try {
          if (pid !== undefined) process.kill(-pid, 'SIGKILL');
        } catch {
          // the group is gone already
        }
        release();
        done(why);
      };
      const timer = setTimeout(() => fail(`did not finish within ${this.timeoutMs / 1000} s`), this.timeoutMs);
      child.stdout.on('data', (d: Buffer) => {
        if (settled) return;
        outBytes += d.length;
        if (outBytes > EXEC_STDOUT_MAX_BYTES) return fail(`printed over ${EXEC_STDOUT_MAX_BYTES} bytes`);
        out.push(d);
      });
      child.stderr.on('data', (d: Buffer) => {
        err = (err + d.toString('utf8')).slice(-EXEC_STDERR_KEPT_BYTES);
      });
      child.on('error', (e: NodeJS.ErrnoException) => {
        const hint = spec.installHint ? `\n${spec.installHint.trim()}` : '';
        done(e.code === 'ENOENT' ? `cannot be run: ${spec.command} is not installed or not on PATH${hint}` : `cannot be run: ${e.message}${hint}`);
      });
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (code !== 0) return done(`exited with ${code ?? signal}`);
        try {
          done(undefined, this.parse(Buffer.concat(out).toString('utf8')));
        } catch (e) {
          done((e as Error).message);
        }
      };
      // The plugin exited but something it left running still holds stdout: what it printed before exiting is
      // its answer; stop reading after a moment rather than wait for the stray process.
      child.on('exit', (code, signal) => {
        grace = setTimeout(() => {
          release();
          finish(code, signal);
        }, EXIT_GRACE_MS);
      });
      child.on('close', finish);
    });
  }

  private parse(text: string): ExecCredential {
    let doc: any;
    try {
      doc = JSON.parse(text);
    } catch {
      // Never its content: a plugin that prints a bare token would put it into the log.
      const what = text.trim() === '' ? 'nothing' : `${Buffer.byteLength(text)} bytes`;
      throw new Error(`printed ${what}: not an ExecCredential JSON object (run it by hand to see what it prints)`);
    }
    if (doc?.kind !== 'ExecCredential') throw new Error(`printed kind ${JSON.stringify(doc?.kind)}, not ExecCredential`);
    if (doc.apiVersion !== this.spec.apiVersion) {
      throw new Error(`printed apiVersion ${JSON.stringify(doc.apiVersion)}, but exec.apiVersion is ${this.spec.apiVersion}`);
    }
    const status = doc.status;
    if (typeof status !== 'object' || status === null) throw new Error('printed an ExecCredential with no status');
    const str = (k: string): string | undefined => {
      const v = status[k];
      if (v === undefined || v === null || v === '') return undefined;
      if (typeof v !== 'string') throw new Error(`printed status.${k} that is not a string`);
      return v;
    };
    const cred: ExecCredential = {};
    const token = str('token');
    const cert = str('clientCertificateData');
    const key = str('clientKeyData');
    if (token) cred.token = token;
    if (!!cert !== !!key) throw new Error('printed only one of status.clientCertificateData and status.clientKeyData');
    if (cert && key) {
      cred.clientCertificateData = cert;
      cred.clientKeyData = key;
    }
    if (!token && !cert) throw new Error('printed neither status.token nor status.clientCertificateData/clientKeyData');
    const exp = str('expirationTimestamp');
    if (exp !== undefined) {
      const ms = Date.parse(exp);
      if (!/^\d{4}-\d\d-\d\dT/.test(exp) || Number.isNaN(ms)) throw new Error(`printed status.expirationTimestamp ${JSON.stringify(exp)}, not an RFC 3339 time`);
      cred.expiresAt = ms;
    }
    return cred;
  }
}
