// --records FILE: master files loaded into the static table at start (an error stops start-up) and watched like
// fixtures: an edit is served within a moment; an edit that does not parse keeps the file's last good records,
// is logged with file:line:column, and counted (status and metrics).
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger as PinoLogger } from 'pino';
import { MasterFileError, parseRecordsText } from './master-file.js';
import { RecordError } from './rdata.js';
import type { StaticTable } from './table.js';
import { fileSignature as signature } from '../sources/file-signature.js';

/** a records file larger than this is refused (100k records of a few dozen bytes each fit well within it) */
export const MAX_RECORDS_FILE_BYTES = 16 * 1024 * 1024;
const SETTLE_MS = 20;
const RECHECK_MS = 150;

export interface StaticFilesStatus {
  files: string[];
  reloads: number;
  failedReloads: number;
  lastReload?: string;
  lastError?: { file: string; line: number; column: number; message: string };
}

export interface StaticFilesOptions {
  paths: readonly string[];
  defaultTtl: number;
  watch: boolean;
  logger: PinoLogger;
  onReload?(ok: boolean): void;
}

export const fileOrigin = (file: string) => `file:${file}`;

/** Reads and parses one records file; every problem is a MasterFileError naming the file (line 0: the file itself). */
export async function readRecordsFile(file: string, table: StaticTable, defaultTtl: number) {
  let st;
  try {
    st = await stat(file);
  } catch (err) {
    throw new MasterFileError(file, 0, 0, `cannot read it: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  if (!st.isFile()) throw new MasterFileError(file, 0, 0, 'not a file: --records takes a master file (one per flag)');
  if (st.size > MAX_RECORDS_FILE_BYTES) throw new MasterFileError(file, 0, 0, `${st.size} bytes, over the ${MAX_RECORDS_FILE_BYTES}-byte cap for a records file: split it`);
  const buf = await readFile(file);
  if (buf.length > MAX_RECORDS_FILE_BYTES) throw new MasterFileError(file, 0, 0, `over the ${MAX_RECORDS_FILE_BYTES}-byte cap for a records file: split it`);
  if (buf.includes(0)) throw new MasterFileError(file, 0, 0, 'holds NUL bytes: a records file is text');
  return parseRecordsText(file, buf.toString('utf8'), { defaultTtl, maxRecords: table.maxRecords });
}

export class StaticFiles {
  readonly status: StaticFilesStatus;
  private watcher?: FSWatcher;
  private timers = new Map<string, NodeJS.Timeout>();
  /** the file's signature when last read, whether it loaded or not (a bad edit is reported once, not on every recheck) */
  private signatures = new Map<string, string | undefined>();
  private stopped = false;

  constructor(private table: StaticTable, private opts: StaticFilesOptions) {
    this.status = { files: [...opts.paths], reloads: 0, failedReloads: 0 };
  }

  /** Loads every file (throws MasterFileError on the first problem), then watches them. */
  async start(): Promise<void> {
    for (const f of this.status.files) await this.load(f);
    if (this.opts.watch && this.status.files.length) await this.startWatching();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    await this.watcher?.close();
  }

  /** Re-reads one file (or all); on a problem the file's last good records stay, and the error is kept and thrown. */
  async reload(files: readonly string[] = this.status.files): Promise<void> {
    let first: MasterFileError | undefined;
    for (const f of files) {
      try {
        await this.load(f);
        this.status.reloads++;
        this.status.lastReload = new Date().toISOString();
        delete this.status.lastError;
        this.opts.onReload?.(true);
        this.opts.logger.info({ file: f, records: this.table.originSize(fileOrigin(f)) }, 'static records reloaded');
      } catch (err) {
        const e = asFileError(f, err);
        this.status.failedReloads++;
        this.status.lastError = { file: e.file, line: e.line, column: e.column, message: e.detail };
        this.opts.onReload?.(false);
        this.opts.logger.error({ file: e.file, line: e.line, column: e.column }, `static records not reloaded, the last good ones still answer: ${e.message}`);
        first ??= e;
      }
    }
    if (first) throw first;
  }

  private async load(file: string): Promise<void> {
    this.signatures.set(file, await signature(file));
    const records = await readRecordsFile(file, this.table, this.opts.defaultTtl);
    try {
      this.table.replace(fileOrigin(file), records);
    } catch (err) {
      throw asFileError(file, err);
    }
  }

  private startWatching(): Promise<void> {
    // The folders are watched, not the files: an editor that saves by rename replaces the inode a file watch holds.
    const dirs = [...new Set(this.status.files.map((f) => path.dirname(path.resolve(f))))];
    const given = new Map(this.status.files.map((f) => [path.resolve(f), f]));
    this.watcher = watch(dirs, { ignoreInitial: true, depth: 0 });
    this.watcher.on('all', (_event, file) => {
      const f = given.get(path.resolve(file));
      if (f !== undefined) this.schedule(f);
    });
    this.watcher.on('error', (err) => this.opts.logger.warn({ err }, 'static records watcher error'));
    const w = this.watcher;
    return new Promise((resolve) => w.once('ready', () => resolve()));
  }

  /** A quiet period after the last event, then a second look once events stop (chokidar folds quick edits). */
  private schedule(file: string): void {
    if (this.stopped) return;
    clearTimeout(this.timers.get(file));
    this.timers.set(file, setTimeout(() => {
      void this.reload([file]).catch(() => undefined);
      this.timers.set(file, setTimeout(() => {
        void signature(file).then((sig) => { if (!this.stopped && sig !== this.signatures.get(file)) void this.reload([file]).catch(() => undefined); });
      }, RECHECK_MS));
    }, SETTLE_MS));
  }
}

function asFileError(file: string, err: unknown): MasterFileError {
  if (err instanceof MasterFileError) return err;
  if (err instanceof RecordError) {
    // The table's message starts with the record's file:line when it has one.
    const m = /^(.*):(\d+): ([\s\S]*)$/.exec(err.message);
    return m && m[1] === file ? new MasterFileError(file, Number(m[2]), 1, m[3]) : new MasterFileError(file, 0, 0, err.message);
  }
  return new MasterFileError(file, 0, 0, (err as Error).message);
}

