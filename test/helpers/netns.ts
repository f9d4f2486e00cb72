// Network namespaces for tests that need addresses of their own: created with a random name, loopback up with
// 127.0.0.53/8 as a systemd-resolved stub would have it, deleted in teardown.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { MAIN, ROOT } from './cli.js';

const run = promisify(execFile);

export async function ip(...args: string[]): Promise<void> {
  await run('ip', args, { timeout: 10_000 });
}

/** A new namespace (name `${prefix}<random>`), or undefined after a skip saying why when this machine cannot make one. */
export async function loopbackNamespace(t: { skip(msg: string, fn: () => void): void; teardown(fn: () => unknown): void }, prefix: string): Promise<string | undefined> {
  const ns = `${prefix}${randomBytes(4).toString('hex')}`;
  try {
    await ip('netns', 'add', ns);
  } catch (err) {
    t.skip(`cannot create a network namespace here: ${(err as Error).message}`, () => {});
    return undefined;
  }
  t.teardown(() => ip('netns', 'del', ns).catch(() => {}));
  await ip('-n', ns, 'link', 'set', 'lo', 'up');
  await ip('-n', ns, 'addr', 'add', '127.0.0.53/8', 'dev', 'lo');
  return ns;
}

/**
 * The CLI started inside a namespace; resolves once it prints where it serves, with its first line and its admin
 * URL's host:port when the admin API is on.
 */
export function startInNamespace(ns: string, args: string[]): Promise<{ proc: ChildProcess; line: string; admin?: string; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn('ip', ['netns', 'exec', ns, process.execPath, MAIN, ...args], { cwd: ROOT });
    let out = '';
    let err = '';
    proc.stderr!.on('data', (d) => (err += d));
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`did not start: ${out} ${err}`)); }, 20_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      if (!/ udp\+tcp/.test(out)) return;
      clearTimeout(timer);
      const admin = / udp\+tcp; admin http:\/\/(\S+)/.exec(out)?.[1];
      resolve({ proc, line: out.split('\n')[0]!, ...(admin ? { admin } : {}), stderr: () => err });
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`exited with ${code}: ${out} ${err}`)); });
  });
}
