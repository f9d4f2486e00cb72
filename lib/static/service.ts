// The static records of one server: the table, its --records files, and the changes made at run time (admin API,
// in-process API), which go to one origin, "api", beside the files'. What lib/start.ts, the admin routes and
// startClusterDns use.
import type { Logger as PinoLogger } from 'pino';
import type { RR } from '../dns/records.js';
import { fileOrigin, StaticFiles, type StaticFilesStatus } from './files.js';
import { RecordError } from './rdata.js';
import { recordsFrom } from './spec.js';
import { StaticTable } from './table.js';

export const RUNTIME_ORIGIN = 'api';

/** A delete that names records a file holds: the file is their source of truth. */
export class StaticConflictError extends RecordError {}

export interface StaticRecordsOptions {
  /** the cluster's forward zones: refused as static names */
  zones: readonly string[];
  /** TTL of records that give none (the server's --ttl) */
  defaultTtl: number;
  files: readonly string[];
  watch: boolean;
  logger: PinoLogger;
  maxRecords?: number;
  onReload?(ok: boolean): void;
}

export class StaticRecords {
  readonly table: StaticTable;
  readonly files?: StaticFiles;

  constructor(private opts: StaticRecordsOptions) {
    this.table = new StaticTable({ zones: opts.zones, ...(opts.maxRecords ? { maxRecords: opts.maxRecords } : {}) });
    if (opts.files.length) {
      this.files = new StaticFiles(this.table, {
        paths: opts.files, defaultTtl: opts.defaultTtl, watch: opts.watch, logger: opts.logger,
        ...(opts.onReload ? { onReload: opts.onReload } : {}),
      });
    }
  }

  /** Loads the files (a MasterFileError stops start-up) and the initial records. */
  async start(initial?: unknown): Promise<void> {
    await this.files?.start();
    if (initial !== undefined) this.add(initial);
  }

  async stop(): Promise<void> {
    await this.files?.stop();
  }

  /** Adds records (specs or zone-file text); all or none. Returns those added. Throws RecordError. */
  add(input: unknown): RR[] {
    const rrs = recordsFrom(input, this.opts.defaultTtl, RUNTIME_ORIGIN);
    this.table.add(RUNTIME_ORIGIN, rrs);
    return rrs;
  }

  /**
   * Removes run-time records at `name` (of `type`); without a name, every run-time record. Records from a file
   * are not removed here: StaticConflictError says which file to edit.
   */
  remove(name?: string, type?: number): number {
    if (name === undefined) {
      const n = this.table.originSize(RUNTIME_ORIGIN);
      this.table.clear(RUNTIME_ORIGIN);
      return n;
    }
    const n = this.table.remove(RUNTIME_ORIGIN, name, type);
    if (n === 0) {
      const held = this.table.heldElsewhere(name, RUNTIME_ORIGIN);
      if (held) throw new StaticConflictError(`${name} comes from ${held}: edit that file (it is watched) to change it`);
    }
    return n;
  }

  list(): RR[] {
    return this.table.list();
  }

  status(): { records: number; maxRecords: number; runtime: number; files?: StaticFilesStatus & { records: Record<string, number> } } {
    const f = this.files?.status;
    return {
      records: this.table.size, maxRecords: this.table.maxRecords, runtime: this.table.originSize(RUNTIME_ORIGIN),
      ...(f ? { files: { ...f, records: Object.fromEntries(f.files.map((p) => [p, this.table.originSize(fileOrigin(p))])) } } : {}),
    };
  }
}
