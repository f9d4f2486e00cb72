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
