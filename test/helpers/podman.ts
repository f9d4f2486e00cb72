// podman as the container tests drive it: the Dockerfile built on a locally made Node 24 base, containers run with
// the settings this kind of machine needs, and everything a test made removed in teardown.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './cli.js';

/** The base image is the one thing kept between runs (deploy/podman/base-image.sh reuses it): ~35 s to make. */
export const BASE_TAG = 'localhost/clusterdns-node-base:24';

function has(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

/** The Node 24 binary the base image gets: this one when it is 24 (CI), else the one .ci/run installs. */
export function node24(): string | null {
  if (process.versions.node.split('.')[0] === '24') return process.execPath;
  const dir = process.env.CLUSTERDNS_CI_NODES ?? path.join(process.env.TMPDIR ?? '/tmp', 'clusterdns-ci-node');
  const bin = path.join(dir, '24', 'node_modules', `node-linux-${process.arch}`, 'bin', 'node');
  return existsSync(bin) ? bin : null;
}

export const podmanMissing: string | false = (() => {
  if (process.getuid?.() !== 0) return 'the container tests run podman as root';
  if (!has('podman', ['--version'])) return 'podman is not installed (.ci/run installs it)';
  if (!has('debootstrap', ['--version']) && !has('podman', ['image', 'exists', BASE_TAG])) return 'debootstrap is not installed (.ci/run installs it)';
  if (!node24()) return 'no Node 24 binary for the base image';
  return false;
})();

/**
 * crun 1.8 refuses hybrid cgroup v1/v2 hosts ("cgroups in hybrid mode not supported"), which these machines are;
 * runc runs there. CLUSTERDNS_PODMAN_RUNTIME overrides.
 */
function runtimeArgs(): string[] {
  const chosen = process.env.CLUSTERDNS_PODMAN_RUNTIME ?? (has('runc', ['--version']) && existsSync('/sys/fs/cgroup/unified') ? 'runc' : '');
  return chosen ? ['--runtime', chosen] : [];
}
const RUNTIME = podmanMissing ? [] : runtimeArgs();

/** podman's default rlimits (nofile 1048576) exceed the hard limit here, and it then refuses to start anything. */
export const ULIMITS = (() => {
  let hard = 'unlimited';
  try { hard = execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim(); } catch { /* keep unlimited */ }
  return ['--ulimit', `nofile=1024:${hard === 'unlimited' ? 1048576 : hard}`, '--ulimit', 'nproc=1024:1024'];
})();

export interface Result { code: number; stdout: string; stderr: string }

/** Runs podman; never throws on a non-zero exit (the caller asserts), only on the time bound. */
export function podman(args: string[], timeoutMs = 60_000, env?: NodeJS.ProcessEnv): Promise<Result> {
  return new Promise((resolve, reject) => {
    execFile('podman', [...RUNTIME, ...args], { timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024, cwd: ROOT, env: env ?? process.env }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string; killed?: boolean }) | null;
      if (e?.killed) return reject(new Error(`podman ${args.join(' ')}: no result in ${timeoutMs} ms\n${stderr}`));
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr: stderr.split('\n').filter((l) => !/systemd/.test(l)).join('\n') });
    });
  });
}

export async function podmanOk(args: string[], timeoutMs = 60_000): Promise<string> {
  const r = await podman(args, timeoutMs);
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** npm's registry and CA bundle on this machine, for the build only (the machine's npm, not a Node-24 prefix's). */
export function npmSettings(): { registry?: string; cafile?: string } {
  const get = (key: string) => {
    const r = spawnSync('npm', ['config', 'get', key], { encoding: 'utf8', env: { ...process.env, PATH: `/usr/local/bin:/usr/bin:${process.env.PATH ?? ''}` } });
    const v = r.status === 0 ? r.stdout.trim() : '';
    return v && v !== 'null' && v !== 'undefined' ? v : undefined;
  };
  const registry = get('registry');
  const cafile = get('cafile') ?? (existsSync('/etc/ssl/certs/ca-certificates.crt') ? '/etc/ssl/certs/ca-certificates.crt' : undefined);
  return { ...(registry ? { registry } : {}), ...(cafile && existsSync(cafile) ? { cafile } : {}) };
}

/** One test file's containers, image and networks: unique names, all removed by cleanup(). */
export class PodmanSession {
  readonly id = randomBytes(4).toString('hex');
  readonly image = `localhost/clusterdns-test:${this.id}`;
  private containers: string[] = [];
  private networks: string[] = [];
  private images: string[] = [this.image];

  name(what: string): string {
    const n = `cdns-${this.id}-${what}`;
    this.containers.push(n);
    return n;
  }

  network(what: string): string {
    const n = `cdns-${this.id}-${what}`;
    this.networks.push(n);
    return n;
  }

  /** Containers and networks made by someone else (compose) under names we know: removed in cleanup too. */
  adopt(container: string): void {
    this.containers.push(container);
  }

  adoptNetwork(network: string): void {
    this.networks.push(network);
  }

  image2(tag: string): string {
    this.images.push(tag);
    return tag;
  }

  /** The base (kept as the cache) and then this session's image from the Dockerfile: seconds each took. */
  async build(): Promise<{ baseSeconds: number; buildSeconds: number; baseCached: boolean }> {
    let start = Date.now();
    const baseCached = (await podman(['image', 'exists', BASE_TAG])).code === 0;
    await new Promise<void>((resolve, reject) => {
      execFile(path.join(ROOT, 'deploy', 'podman', 'base-image.sh'), [BASE_TAG, node24()!], { timeout: 300_000, cwd: ROOT }, (err, _o, stderr) => (err ? reject(new Error(`base image: ${err.message}\n${stderr}`)) : resolve()));
    });
    const baseSeconds = (Date.now() - start) / 1000;
    start = Date.now();
    const npm = npmSettings();
    await podmanOk([
      'build', '--format', 'docker', '--layers=false', ...ULIMITS,
      '--build-arg', `NODE_IMAGE=${BASE_TAG}`,
      ...(npm.registry ? ['--build-arg', `NPM_CONFIG_REGISTRY=${npm.registry}`] : []),
      ...(npm.cafile ? ['--secret', `id=npm-ca,src=${npm.cafile}`] : []),
      '--label', `clusterdns-test=${this.id}`,
      '-t', this.image, '.',
    ], 600_000);
    return { baseSeconds, buildSeconds: (Date.now() - start) / 1000, baseCached };
  }

  /** podman run -d with the hardening the image is meant to run under, plus what this machine needs. */
  async run(name: string, args: string[], command: string[] = []): Promise<void> {
    await podmanOk(['run', '-d', '--name', name, ...ULIMITS, '--read-only', '--cap-drop', 'all', '--security-opt', 'no-new-privileges',
      // What Docker sets by itself and podman 4 does not: lets the non-root user bind port 53.
      '--sysctl', 'net.ipv4.ip_unprivileged_port_start=0', ...args, this.image, ...command]);
  }

  /** The host port podman published for a container port ("53/udp"). */
  async hostPort(name: string, port: string): Promise<number> {
    const out = await podmanOk(['port', name, port]);
    const m = /:(\d+)\s*$/m.exec(out);
    if (!m) throw new Error(`podman port ${name} ${port}: ${out}`);
    return Number(m[1]);
  }

  async cleanup(): Promise<void> {
    if (this.containers.length > 0) await podman(['rm', '-f', '-t', '0', '--ignore', ...this.containers], 120_000);
    for (const n of this.networks) await podman(['network', 'rm', '-f', n], 60_000);
    await podman(['rmi', '-f', '--ignore', ...this.images], 120_000);
    // Stage images the build left, unnamed, with this session's label.
    const left = await podman(['images', '-a', '-q', '--filter', `label=clusterdns-test=${this.id}`]);
    const ids = left.stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await podman(['rmi', '-f', ...ids], 120_000);
  }
}
