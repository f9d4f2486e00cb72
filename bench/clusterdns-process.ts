// The server under test as users run it: the built CLI in its own process, pinned to one core, timed from spawn
// to its "serving" line, with memory read from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface ClusterdnsProcess {
  pid: number;
  port: number;
  /** spawn → "serving ... udp+tcp" on stdout */
  loadMs: number;
  child: ChildProcess;
  memory(): Promise<{ rssMB: number; peakMB: number }>;
  /** SIGUSR2 to the profile hook (see profile-hook.mjs); resolves with the written file on stop */
  profileToggle(): Promise<string | undefined>;
  stop(): Promise<void>;
}

export interface ClusterdnsOptions {
  root: string;
  fixtures: string;
  port: number;
  cpu: number;
  extraArgs?: string[];
  profileDir?: string;
  timeoutMs?: number;
}

export async function readMemory(pid: number): Promise<{ rssMB: number; peakMB: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMB: kb('VmRSS') / 1024, peakMB: kb('VmHWM') / 1024 };
}

export async function startClusterdns(o: ClusterdnsOptions): Promise<ClusterdnsProcess> {
  const main = path.join(o.root, 'dist/server/main.js');
  const nodeArgs = o.profileDir ? ['--import', path.join(o.root, 'bench/profile-hook.mjs')] : [];
  const args = ['-c', String(o.cpu), process.execPath, ...nodeArgs, main, '--fixtures', o.fixtures,
    '--listen', `127.0.0.1:${o.port}`, '--log-level', 'warn', ...(o.extraArgs ?? [])];
  const start = performance.now();
  const child = spawn('taskset', args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...(o.profileDir ? { CLUSTERDNS_PROFILE_DIR: o.profileDir } : {}) },
  });
  let stderr = '';
  const profileWaiters: ((file: string | undefined) => void)[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    const m = /^profile (written|failed) ?(.*)$/.exec(line);
    if (m) { profileWaiters.shift()?.(m[1] === 'written' ? m[2] : undefined); return; }
    if (line.startsWith('profile started')) { profileWaiters.shift()?.(undefined); return; }
    if (stderr.length < 20_000) stderr += `${line}\n`;
  });
  const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  const serving = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (/ on \S+ udp\+tcp\b/.test(line)) resolve();
    });
    void exited.then((code) => reject(new Error(`clusterdns exited ${code} before serving: ${stderr.trim().slice(-2000)}`)));
    setTimeout(() => reject(new Error(`clusterdns not serving after ${o.timeoutMs ?? 300_000} ms`)), o.timeoutMs ?? 300_000).unref();
  });
  try {
    await serving;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const loadMs = performance.now() - start;
  const pid = child.pid!;
  return {
    pid, port: o.port, loadMs, child,
    memory: () => readMemory(pid),
    profileToggle() {
      return new Promise((res) => {
        profileWaiters.push(res);
        child.kill('SIGUSR2');
      });
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}
