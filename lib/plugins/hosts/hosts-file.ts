// The hosts plugin's file, read at start and re-read every `reload` period when it changed (inode, size, mtime), as
// CoreDNS's periodic readHosts does. A file that goes away keeps serving what it held (CoreDNS keeps its map too) and
// is read again when it returns. A file past a bound (parse.ts) keeps the last good data: logged once per change
// with file:line, counted in status. Each change that loads bumps `generation` (the answer cache keys on it).
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Logger } from 'pino';
import { fileSignature } from '../../sources/file-signature.js';
import { HostsMap } from './hosts-map.js';
import { HOSTS_LIMITS, HostsFileError, parseHosts, parseHostsAsync, type HostsLimits, type ParsedHosts } from './parse.js';

export interface HostsFileOptions {
  path: string;
  zones: readonly string[];
  reverse: boolean;
  /** 0: read once, at start */
  reloadMs: number;
  logger: Logger;
  limits?: Partial<HostsLimits>;
  /** after every attempt to load the file (metrics) */
  onLoad?(ok: boolean, entries: number): void;
}

export interface HostsFileStatus {
  path: string;
  entries: number;
  reloads: number;
  failedReloads: number;
  lastReload?: string;
  lastError?: { file: string; line: number; message: string };
}

export class HostsFile {
  map = new HostsMap();
  generation = 0;
  readonly status: HostsFileStatus;
  private signature: string | undefined;
  private timer?: NodeJS.Timeout;
  private busy = false;
  private closed = false;

  constructor(private readonly opts: HostsFileOptions) {
    this.status = { path: opts.path, entries: 0, reloads: 0, failedReloads: 0 };
  }

  /** The first read, before the server answers (as CoreDNS's OnStartup); never fails start-up, as CoreDNS's does not. */
  start(): void {
    const { path, logger } = this.opts;
    this.signature = signatureSync(path);
    if (this.signature === undefined) {
      logger.warn({ file: path }, `hosts: ${path} does not exist: serving the inline entries until it does`);
    } else {
      try {
        this.take(parseHosts(readBounded(path, this.maxBytes), this.parseOptions()));
      } catch (err) {
        this.refused(err);
      }
    }
    if (this.opts.reloadMs > 0) {
      this.timer = setInterval(() => void this.poll(), this.opts.reloadMs);
      this.timer.unref();
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  /** One reload period: re-reads the file if it changed since it was last read (loaded or not). */
  async poll(): Promise<void> {
    if (this.busy || this.closed) return;
    this.busy = true;
    try {
      const sig = await fileSignature(this.opts.path);
      if (sig === this.signature) return;
      this.signature = sig;
      if (sig === undefined) {
        this.opts.logger.warn({ file: this.opts.path }, `hosts: ${this.opts.path} is gone: its last entries keep answering until it returns`);
        return;
      }
      let parsed: ParsedHosts;
      try {
        parsed = await parseHostsAsync(await readBoundedAsync(this.opts.path, this.maxBytes), this.parseOptions());
      } catch (err) {
        this.refused(err);
        return;
      }
      if (!this.closed) this.take(parsed);
    } finally {
      this.busy = false;
    }
  }

  private take(p: ParsedHosts): void {
    const { path, logger } = this.opts;
    this.map = p.map;
    this.generation++;
    this.status.entries = p.map.size;
    this.status.reloads++;
    this.status.lastReload = new Date().toISOString();
    delete this.status.lastError;
    if (p.firstSkipped) {
      logger.warn({ file: path, line: p.firstSkipped.line, skipped: p.skipped }, `hosts: ${path}:${p.firstSkipped.line}: ${p.firstSkipped.reason}; ${p.skipped} line(s) or name(s) skipped, as CoreDNS skips them`);
    }
    logger.info({ file: path, entries: p.map.size }, 'hosts file loaded');
    this.opts.onLoad?.(true, p.map.size);
  }

  private refused(err: unknown): void {
    const e = err instanceof HostsFileError ? err : new HostsFileError(this.opts.path, 0, (err as Error).message);
    this.status.failedReloads++;
    this.status.lastError = { file: e.file, line: e.line, message: e.detail };
    this.opts.logger.error({ file: e.file, line: e.line }, `hosts: not loaded, the last good entries keep answering: ${e.message}`);
    this.opts.onLoad?.(false, this.map.size);
  }

  private parseOptions() {
    return { source: this.opts.path, zones: this.opts.zones, reverse: this.opts.reverse, ...(this.opts.limits ? { limits: this.opts.limits } : {}) };
  }

  private get maxBytes(): number {
    return this.opts.limits?.fileBytes ?? HOSTS_LIMITS.fileBytes;
  }
}

// A FIFO named as the hosts file would block open() until a writer came; non-blocking, it opens and fails isFile().
const NONBLOCKING_READ = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function signatureSync(file: string): string | undefined {
  try {
    const st = statSync(file);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return undefined;
  }
}

function tooBig(file: string, size: number, max: number): HostsFileError {
  return new HostsFileError(file, 0, `${size} bytes, over the ${max}-byte cap for a hosts file`);
}

/** NUL bytes mean binary data, not a hosts file: refused, naming the line of the first. */
function decode(file: string, buf: Buffer): string {
  const nul = buf.indexOf(0);
  if (nul >= 0) {
    let line = 1;
    for (let i = buf.indexOf(10); i >= 0 && i < nul; i = buf.indexOf(10, i + 1)) line++;
    throw new HostsFileError(file, line, 'holds NUL bytes: a hosts file is text');
  }
  return buf.toString('utf8');
}

/** Reads at most max+1 bytes, whatever the file grows to meanwhile. */
function readBounded(file: string, max: number): string {
  const fd = openSync(file, NONBLOCKING_READ);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new HostsFileError(file, 0, 'not a regular file');
    if (st.size > max) throw tooBig(file, st.size, max);
    const buf = Buffer.allocUnsafe(st.size + 1);
    let got = 0;
    for (let n; got < buf.length && (n = readSync(fd, buf, got, buf.length - got, got)) > 0;) got += n;
    if (got > max) throw tooBig(file, got, max);
    return decode(file, buf.subarray(0, got));
  } finally {
    closeSync(fd);
  }
}

/** Reads at most max+1 bytes, whatever the file grows to meanwhile. */
async function readBoundedAsync(file: string, max: number): Promise<string> {
  const fh = await open(file, NONBLOCKING_READ);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new HostsFileError(file, 0, 'not a regular file');
    if (st.size > max) throw tooBig(file, st.size, max);
    const buf = Buffer.allocUnsafe(Math.min(st.size, max) + 1);
    let got = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
      if (got === buf.length) break;
    }
    if (got > max) throw tooBig(file, got, max);
    return decode(file, buf.subarray(0, got));
  } finally {
    await fh.close();
  }
}
