// Shared by the fuzz targets (test/fuzz-*.test.ts): the time budget and seed, the committed corpus, the worker that
// runs each input under a time and memory bound, and the printout of a failing input ready to commit.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ROOT } from './cli.js';

export const CORPUS = path.join(ROOT, 'test', 'fuzz-corpus');

/** Seconds each target runs: FUZZ_SECONDS, else `def` (CI). */
export function fuzzSeconds(def: number): number {
  const v = Number(process.env.FUZZ_SECONDS);
  return Number.isFinite(v) && v > 0 ? v : def;
}

/** FUZZ_SEED replays a run; without it every run uses the fixed seed, so CI is repeatable. */
export function fuzzSeed(def: number): number {
  const v = Number(process.env.FUZZ_SEED);
  return Number.isInteger(v) ? v : def;
}

export interface CorpusEntry {
  name: string;
  /** the file's `#` lines */
  comment: string;
  /** `# todo: reason`: a known failure another change fixes; replayed and reported, not failed */
  todo?: string;
  data: Buffer;
}

/** A corpus folder: for queries `.hex` files (comments, then hex), for manifests the files as they are. */
export function loadCorpus(dir: string, kind: 'hex' | 'text'): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  for (const name of readdirSync(dir).sort()) {
    const text = readFileSync(path.join(dir, name), 'utf8');
    if (kind === 'hex') {
      if (!name.endsWith('.hex')) continue;
      const lines = text.split('\n');
      const comment = lines.filter((l) => l.startsWith('#')).map((l) => l.replace(/^#\s?/, '')).join('\n');
      const hex = lines.filter((l) => !l.startsWith('#')).join('').replace(/\s+/g, '');
      const todo = /^todo:\s*(.*)$/m.exec(comment)?.[1];
      out.push({ name, comment, ...(todo ? { todo } : {}), data: Buffer.from(hex, 'hex') });
    } else {
      if (!/\.(ya?ml|json)$/.test(name)) continue;
      // JSON has no comments: its todo, if any, is in a NAME.todo file beside it
      const side = path.join(dir, `${name}.todo`);
      const todo = existsSync(side) ? readFileSync(side, 'utf8').trim() : /^#\s*todo:\s*(.*)$/m.exec(text)?.[1];
      out.push({ name, comment: '', ...(todo ? { todo } : {}), data: Buffer.from(text) });
    }
  }
  return out;
}

export type WorkerResult = Record<string, any> & { ok: boolean; ms?: number };

/**
 * The fuzz target in a worker thread. Each input gets `timeoutMs`; past it (or when the worker runs out of its
 * `memoryMb`) the worker is terminated and a fresh one started, and the input is reported as a hang (or crash).
 */
export class FuzzWorker {
  private worker?: Worker;
  private ready?: Promise<void>;
  private seq = 0;
  private pending?: { id: number; resolve: (r: WorkerResult) => void };
  restarts = 0;

  constructor(private data: Record<string, unknown>, private memoryMb = 768) {}

  private start(): Promise<void> {
    const w = new Worker(path.join(ROOT, 'test', 'helpers', 'fuzz-worker.mjs'), {
      workerData: { root: ROOT, ...this.data },
      resourceLimits: { maxOldGenerationSizeMb: this.memoryMb },
      stdout: true, stderr: true,
    });
    this.worker = w;
    this.ready = new Promise<void>((resolve, reject) => {
      w.once('message', (m) => (m?.ready ? resolve() : reject(new Error('fuzz worker: unexpected first message'))));
      w.once('error', reject);
    });
    w.on('message', (m: WorkerResult & { id?: number }) => {
      if (this.pending && m.id === this.pending.id) { const p = this.pending; this.pending = undefined; p.resolve(m); }
    });
    w.on('error', (err) => {
      if (this.pending) { const p = this.pending; this.pending = undefined; p.resolve({ ok: false, crashed: true, error: { name: err.name, message: err.message, code: (err as NodeJS.ErrnoException).code } }); }
      if (this.worker === w) this.worker = undefined;
    });
    w.on('exit', () => { if (this.worker === w) this.worker = undefined; });
    return this.ready;
  }

  async run(msg: Record<string, unknown>, timeoutMs: number, transfer?: ArrayBuffer[]): Promise<WorkerResult> {
    if (!this.worker) await this.start();
    else await this.ready;
    const id = ++this.seq;
    const w = this.worker!;
    return new Promise<WorkerResult>((resolve) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        this.worker = undefined;
        this.restarts++;
        void w.terminate();
        resolve({ ok: false, hang: true, ms: timeoutMs });
      }, timeoutMs);
      this.pending = { id, resolve: (r) => { clearTimeout(timer); if (r.crashed) this.restarts++; resolve(r); } };
      w.postMessage({ id, ...msg }, transfer ?? []);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }
}

/**
 * A failing input as a corpus file: printed (so a CI log is enough to commit it), and written into the corpus
 * folder when FUZZ_SAVE=1. Returns the printout.
 */
export function corpusPrintout(dir: string, what: string, data: Buffer, kind: 'hex' | 'text'): string {
  const id = createHash('sha256').update(data).digest('hex').slice(0, 12);
  // A comment line in front of JSON would make it YAML: JSON keeps its text, the note goes to NAME.json.note.
  const json = kind === 'text' && /^\s*[[{]/.test(data.toString('utf8'));
  const rel = path.relative(ROOT, path.join(dir, `found-${id}.${kind === 'hex' ? 'hex' : json ? 'json' : 'yaml'}`));
  const comment = what.split('\n').map((l) => `# ${l}`).join('\n');
  const body = kind === 'hex' ? `${comment}\n${data.toString('hex')}\n` : json ? data.toString('utf8') : `${comment}\n${data.toString('utf8')}`;
  if (process.env.FUZZ_SAVE === '1') {
    writeFileSync(path.join(ROOT, rel), body);
    if (json) writeFileSync(path.join(ROOT, `${rel}.note`), `${what}\n`);
  }
  return `---- ${rel} (FUZZ_SAVE=1 writes it${json ? `; its note: ${what.split('\n')[0]}` : ''}) ----\n${body}${body.endsWith('\n') ? '' : '\n'}---- end ----\n` +
    'To keep it as a known case another change fixes, add a line "# todo: <reason>" (for JSON: a NAME.todo file).';
}
