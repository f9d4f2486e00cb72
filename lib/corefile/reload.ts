// CoreDNS's `reload`: every INTERVAL (± half the JITTER) the Corefile's SHA-512 is compared with the one served;
// when it changed, the file is read again and, if it maps cleanly, its server blocks are swapped in. A broken file
// keeps the running configuration: its file:line error is logged and counted (coredns_reload_failed_total).
// As in CoreDNS, only the Corefile itself is hashed: a change in an imported file is picked up with the next change
// of the Corefile.
import { createHash } from 'node:crypto';
import { readTextFileSync, TextFileError } from '../read-text.js';
import { MAX_FILE_BYTES } from './lexer.js';
import type { ClusterDnsConfig } from '../config.js';
import { parseCorefile } from './parse.js';
import { corefileToConfig, type CorefileMapping } from './to-config.js';

export interface ReloadTarget {
  /** puts the new mapping in service; returns what changed but needs a restart, one message each */
  applyCorefileChange(next: Partial<ClusterDnsConfig>, prev: Partial<ClusterDnsConfig>): Promise<string[]>;
}

export interface ReloadLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ReloadHooks {
  /** a reload's outcome and the hash now served (ok null: the file as read at start, not a reload) */
  onResult(ok: boolean | null, hash: string): void;
}

/** The file's text; a file over the lexer's bound is refused before it is read into memory. */
function readText(path: string): string {
  try {
    return readTextFileSync(path, MAX_FILE_BYTES);
  } catch (e) {
    throw e instanceof TextFileError ? new Error(`${path}: ${e.message}`) : e;
  }
}

function readMapping(path: string): { hash: string; mapping: CorefileMapping } {
  const text = readText(path);
  return { hash: createHash('sha512').update(text).digest('hex'), mapping: corefileToConfig(parseCorefile(text, { file: path }), { file: path }) };
}

export class CorefileReloader {
  private hash = '';
  private served: Partial<ClusterDnsConfig> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly path: string,
    private readonly target: ReloadTarget,
    private readonly log: ReloadLog,
    private readonly hooks: ReloadHooks,
  ) {}

  /**
   * Reads the baseline (the file as it is now) and, with the reload plugin, checks every interval ± jitter/2, as
   * CoreDNS does. Without it, only check() (SIGUSR1/SIGHUP) looks again.
   */
  start(every?: { interval: number; jitter: number }): void {
    try {
      const { hash, mapping } = readMapping(this.path);
      this.hash = hash;
      this.served = mapping.config;
      this.hooks.onResult(null, hash);
    } catch (err) {
      // Changed into something broken since start-up: the next good version is compared with nothing, so applied.
      this.log.error({ err: (err as Error).message }, 'reload: the Corefile no longer reads');
    }
    if (!every) return;
    const ms = Math.max(100, (every.interval + (Math.random() - 0.5) * every.jitter) * 1000);
    this.timer = setInterval(() => void this.check(), ms);
    this.timer.unref();
  }

  /** One check: re-read, and apply when the hash changed. Checks never overlap. */
  check(): Promise<void> {
    this.running ??= this.checkOnce().finally(() => { this.running = undefined; });
    return this.running;
  }

  private async checkOnce(): Promise<void> {
    let text: string;
    try {
      text = readText(this.path);
    } catch (err) {
      this.hooks.onResult(false, this.hash);
      this.log.error({ err: (err as Error).message }, `reload: cannot read ${this.path}; the running configuration stays`);
      return;
    }
    const hash = createHash('sha512').update(text).digest('hex');
    if (hash === this.hash) return;
    this.hash = hash;
    let mapping: CorefileMapping;
    try {
      mapping = corefileToConfig(parseCorefile(text, { file: this.path }), { file: this.path });
    } catch (err) {
      this.hooks.onResult(false, hash);
      this.log.error({ err: (err as Error).message }, `reload: ${(err as Error).message}; the running configuration stays`);
      return;
    }
    try {
      const prev = this.served ?? {};
      const restart = await this.target.applyCorefileChange(mapping.config, prev);
      this.served = mapping.config;
      this.hooks.onResult(true, hash);
      for (const w of mapping.warnings) this.log.warn({}, `Corefile: ${w}`);
      for (const r of restart) this.log.warn({}, `reload: ${r} changed; that takes a restart (the running value stays)`);
      this.log.info({ hash: hash.slice(0, 16) }, 'reload: running the new Corefile');
    } catch (err) {
      this.hooks.onResult(false, hash);
      this.log.error({ err: (err as Error).message }, 'reload: the new Corefile could not be put in service; the running configuration stays');
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
