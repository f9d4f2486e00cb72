// Objects a fixture source refuses because the API server would (lib/cluster/validate.ts): what is reported for
// each, and the error an apply gets. A refused object is skipped; every other object in its file still serves.
import type { FixtureEntry } from '../synth/entries.js';
import { FixtureError } from './manifest-files.js';

export interface Rejection {
  kind: string;
  namespace: string;
  name: string;
  file?: string;
  line?: number;
  /** what the API server would say, naming each field to fix */
  message: string;
}

/** Shown at most this many in /api/v1/status (the count is always whole). */
export const MAX_SHOWN_REJECTIONS = 100;

export function rejectionOf(e: FixtureEntry): Rejection {
  const r: Rejection = { kind: e.kind, namespace: e.kind === 'Namespace' ? '' : e.namespace, name: e.name, message: e.rejected ?? '' };
  if (e.file !== undefined) r.file = e.file;
  if (e.line !== undefined) r.line = e.line;
  return r;
}

export function describeRejection(r: Rejection): string {
  return `${r.file ? `${r.file}${r.line ? `:${r.line}` : ''}: ` : ''}${r.message}`;
}

/** An apply that holds objects the API server would refuse: nothing of it is applied (HTTP 422). */
export class RejectedObjectsError extends FixtureError {
  constructor(readonly rejections: Rejection[]) {
    const first = rejections[0];
    super(first.file ?? '<request>', first.line, rejections.map((r) => r.message).join('\n'));
    this.message = rejections.map(describeRejection).join('\n');
    this.name = 'RejectedObjectsError';
  }
}

interface RejectionLogger {
  warn(obj: object, msg: string): void;
}

/**
 * The refused objects of a fixture source, per file (or '<objects>' for programmatic ones): each is logged once
 * per read of its file, counted through `onRejected`, and shown in `status` until its file no longer holds it.
 */
export class RejectionLog {
  private byFile = new Map<string, Rejection[]>();

  constructor(
    private logger: RejectionLogger,
    private status: { rejected?: Rejection[]; rejectedCount?: number },
    private onRejected?: (r: Rejection) => void,
  ) {}

  /** A file is being read again: what it refused before no longer counts. */
  clearFile(where: string): void {
    if (this.byFile.delete(where)) this.show();
  }

  /** Files that are gone take their refusals with them. */
  keepOnly(files: ReadonlySet<string>): void {
    let changed = false;
    for (const f of this.byFile.keys()) if (f !== '<objects>' && !files.has(f)) changed = this.byFile.delete(f) || changed;
    if (changed) this.show();
  }

  add(where: string, e: FixtureEntry): void {
    const r = rejectionOf(e);
    let list = this.byFile.get(where);
    if (!list) this.byFile.set(where, list = []);
    list.push(r);
    this.logger.warn({ kind: r.kind, namespace: r.namespace, name: r.name, file: r.file, line: r.line },
      `skipped an object the API server would refuse, the rest keeps serving: ${describeRejection(r)}`);
    this.onRejected?.(r);
    this.show();
  }

  private show(): void {
    const shown: Rejection[] = [];
    let n = 0;
    for (const list of this.byFile.values()) {
      n += list.length;
      for (const r of list) if (shown.length < MAX_SHOWN_REJECTIONS) shown.push(r);
    }
    this.status.rejected = shown;
    this.status.rejectedCount = n;
  }
}
