// Network namespaces for tests that need addresses of their own: created with a random name, loopback up with
// 127.0.0.53/8 as a systemd-resolved stub would have it, deleted in teardown.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

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
