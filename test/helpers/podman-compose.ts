// docker-compose.yml brought up for real: the docker-compose client against podman's Docker-compatible API
// service, started on a socket of our own. What this machine needs and the compose file should not carry (rlimits,
// the session's image names) goes in an override file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ROOT } from './cli.js';
import { BASE_TAG, ULIMITS } from './podman.js';

export const composeMissing: string | false = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0 ? false : 'docker-compose is not installed';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address() as net.AddressInfo; srv.close(() => resolve(port)); });
    srv.on('error', reject);
  });
}

export class ComposeRun {
  private service?: ChildProcess;
  readonly sock: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(readonly dir: string, readonly project: string, readonly clusterdnsImage: string, readonly clientImage: string, port: number) {
    this.sock = path.join(dir, 'podman.sock');
    const nofile = ULIMITS[1]!.split('=')[1]!.split(':');
    // The API service starts containers with containers.conf's rlimits, not the CLI flags; runc as in podman.ts.
    writeFileSync(path.join(dir, 'containers.conf'), `[containers]\ndefault_ulimits = ["nofile=${nofile.join(':')}", "nproc=1024:1024"]\n[engine]\nruntime = "${process.env.CLUSTERDNS_PODMAN_RUNTIME ?? (existsSync('/sys/fs/cgroup/unified') && spawnSync('runc', ['--version']).status === 0 ? 'runc' : 'crun')}"\n`);
    const limits = `ulimits: {nofile: {soft: ${nofile[0]}, hard: ${nofile[1]}}, nproc: {soft: 1024, hard: 1024}}`;
    writeFileSync(path.join(dir, 'override.yml'), `services:\n  clusterdns:\n    image: ${clusterdnsImage}\n    ${limits}\n  client:\n    image: ${clientImage}\n    ${limits}\n`);
    this.env = { ...process.env, DOCKER_HOST: `unix://${this.sock}`, CLIENT_IMAGE: BASE_TAG, CLUSTERDNS_PORT: String(port), COMPOSE_PROJECT_NAME: project };
  }

  async startService(): Promise<void> {
    this.service = spawn('podman', ['system', 'service', '--time=0', `unix://${this.sock}`], { env: { ...process.env, CONTAINERS_CONF: path.join(this.dir, 'containers.conf') }, stdio: 'ignore' });
    for (let i = 0; i < 100 && !existsSync(this.sock); i++) await new Promise((r) => setTimeout(r, 100));
    if (!existsSync(this.sock)) throw new Error('podman system service did not open its socket in 10 s');
  }

  /** docker-compose ARGS with the project's files; resolves with the exit code and everything it printed. */
  compose(args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve) => {
      const p = spawn('docker-compose', ['-f', path.join(ROOT, 'docker-compose.yml'), '-f', path.join(this.dir, 'override.yml'), '--ansi', 'never', ...args], { cwd: ROOT, env: this.env });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
      p.on('exit', (code) => { clearTimeout(t); resolve({ code, out }); });
    });
  }

  async stop(): Promise<void> {
    await this.compose(['down', '--remove-orphans', '--timeout', '1'], 60_000);
    if (this.service && this.service.exitCode === null) {
      const exited = new Promise((r) => this.service!.once('exit', r));
      this.service.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    }
  }
}
