// Reads back what a backend has installed, works out the writes and removals that reach the wanted files, and
// carries them out all or nothing: every new file goes to a temporary name beside its target first, and only when
// all of them are written are they renamed into place and our stale files removed. A read-only or foreign folder
// is found before anything is touched.
import { accessSync, constants, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MARKER, type FileBackend, type Setup } from './backends.js';

/** A file of ours is small; anything bigger in our folder is not ours and is not read whole. */
const MAX_FILE = 64 * 1024;
/** /etc/resolver on a busy Mac holds a few dozen files; bound the scan anyway. */
const MAX_FILES = 10_000;

export interface Installed {
  /** real path (with --root) → content, for files that begin with MARKER */
  ours: Map<string, string>;
  /** what they say, merged */
  setup?: Setup;
  /** real paths of files that are not ours but sit where ours would go */
  foreign: Set<string>;
}

export const at = (root: string, hostPath: string) => (root === '/' ? hostPath : path.join(root, hostPath));

function readSmall(file: string): string | undefined {
  try {
    const st = lstatSync(file);
    // A symlink in our place is not ours: following it could write through it to anywhere.
    if (!st.isFile() || st.size > MAX_FILE) return undefined;
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function readInstalled(b: FileBackend, root: string): Installed {
  const dir = at(root, b.dir);
  const ours = new Map<string, string>();
  const foreign = new Set<string>();
  let names: string[] = [];
  try { names = readdirSync(dir).slice(0, MAX_FILES).sort(); } catch { /* no folder: nothing installed */ }
  let setup: Setup | undefined;
  for (const n of names) {
    if (!b.candidate(n)) continue;
    const file = path.join(dir, n);
    const text = readSmall(file);
    if (text === undefined || !text.startsWith(`${MARKER}\n`)) { foreign.add(file); continue; }
    ours.set(file, text);
    const s = b.parse(path.posix.join(b.dir, n), text);
    if (s) setup = setup ? { ...setup, zones: [...setup.zones, ...s.zones] } : s;
  }
  return { ours, foreign, ...(setup ? { setup } : {}) };
}

export interface Plan {
  write: Map<string, string>;
  remove: string[];
  unchanged: string[];
  /** wanted paths held by files that are not ours: install refuses */
  blocked: string[];
}

export function plan(b: FileBackend, root: string, want: Setup, inst: Installed): Plan {
  const wanted = new Map([...b.render(want)].map(([p, c]) => [at(root, p), c]));
  const p: Plan = { write: new Map(), remove: [], unchanged: [], blocked: [] };
  for (const [file, content] of wanted) {
    if (inst.foreign.has(file)) p.blocked.push(file);
    else if (inst.ours.get(file) === content) p.unchanged.push(file);
    else p.write.set(file, content);
  }
  for (const file of inst.ours.keys()) if (!wanted.has(file)) p.remove.push(file);
  return p;
}

export class WriteError extends Error {
  /** `file` is what we meant to change; `dir` the folder that refused, when that is where it failed */
  constructor(message: string, readonly code: string, readonly file: string, readonly dir?: string) { super(message); }
}

/** The nearest folder that exists at or above `dir`: where a mkdir -p would begin. */
function existingAncestor(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    try { if (lstatSync(d).isDirectory()) return d; } catch { /* go up */ }
    if (path.dirname(d) === d) return d;
  }
}

function wrap(err: unknown, file: string, dir?: string): WriteError {
  const e = err as NodeJS.ErrnoException;
  return new WriteError(e.message, e.code ?? 'EIO', file, dir);
}

/** Fails (WriteError) before anything changes when a folder we must change is not writable. */
function preflight(p: Plan): void {
  for (const file of [...p.write.keys(), ...p.remove]) {
    const base = existingAncestor(path.dirname(file));
    try { accessSync(base, constants.W_OK); } catch (err) { throw wrap(err, file, base); }
  }
}

export function execute(p: Plan): void {
  preflight(p);
  const temps: [string, string][] = [];
  const made: string[] = [];
  try {
    for (const [file, content] of p.write) {
      const first = mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
      if (first !== undefined) made.push(first);
      const tmp = path.join(path.dirname(file), `.${path.basename(file)}.clusterdns-${process.pid}.tmp`);
      temps.push([tmp, file]);
      writeFileSync(tmp, content, { mode: 0o644, flag: 'wx' });
    }
  } catch (err) {
    for (const [tmp] of temps) try { unlinkSync(tmp); } catch { /* never written */ }
    // Folders this run created hold nothing else now: remove them too, so a failure leaves no trace.
    for (const d of made.reverse()) try { rmSync(d, { recursive: true }); } catch { /* leave it */ }
    throw wrap(err, temps.at(-1)?.[1] ?? '');
  }
  // rename(2) replaces atomically: a resolver reading meanwhile sees the old file or the new one, never a part.
  for (const [tmp, file] of temps) renameSync(tmp, file);
  for (const file of p.remove) {
    try { unlinkSync(file); } catch (err) { if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw wrap(err, file); }
  }
}
