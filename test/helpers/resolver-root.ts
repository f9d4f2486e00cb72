// What the `clusterdns resolver` tests share: a temporary --root, reading back every file under it, and the marker
// line our files start with.
import type { Test } from 'tap';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './cli.js';

export const MARKER = '# clusterdns: written by `clusterdns resolver install`; `clusterdns resolver uninstall` removes it\n';

/** A temporary root (0755, so a dropped-privilege run can read it), removed after the test. */
export function tempRoot(t: Test, prefix = 'clusterdns-resolver-'): string {
  const root = mkdtempSync(path.join(os.tmpdir(), prefix));
  chmodSync(root, 0o755);
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

/** Every file under root, relative path → content (a symlink as `-> its path`, never followed). */
export function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(root, p)] = e.isSymbolicLink() ? `-> ${p}` : readFileSync(p, 'utf8');
    }
  };
  walk(root);
  return out;
}

export const resolver = (args: string[]) => runCli(['resolver', ...args]);
