// Where in a POST /api/v1/objects body an error is, as fields an editor can mark (the console underlines the line):
// which document (0-based, in `---` order), the line and, for YAML syntax errors, the column, both 1-based and
// counted in the whole body. The messages stay as they were; these fields come beside them.
import { FixtureError } from '../sources/manifest-files.js';
import { RejectedObjectsError } from '../sources/rejections.js';

export interface ObjectErrorAt {
  /** 0-based index of the YAML document (or of the item of a JSON array) */
  document?: number;
  line?: number;
  column?: number;
  /** Kind/namespace/name of the object refused */
  object?: string;
  message: string;
}

/** The `errors` field of a 400/422 reply to an apply; [] when the error does not point into the body. */
export function objectErrors(body: string, err: FixtureError): ObjectErrorAt[] {
  const inBody = (file: string | undefined) => file === undefined || file === '<request>' || file === '<input>';
  if (err instanceof RejectedObjectsError) {
    return err.rejections.map((r) => ({
      ...(inBody(r.file) && r.line !== undefined ? { document: documentAt(body, r.line), line: r.line } : {}),
      object: `${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`,
      message: r.message,
    }));
  }
  if (!inBody(err.file) || err.line === undefined) return [{ message: err.reason }];
  return [{ document: documentAt(body, err.line), line: err.line, ...(err.column !== undefined ? { column: err.column } : {}), message: err.reason }];
}

/**
 * The 0-based document a 1-based line is in: a `---` line starts a new document, except one before any content
 * (which only opens the first). A JSON body is one document.
 */
export function documentAt(body: string, line: number): number {
  if (/^\s*[[{]/.test(body)) return 0;
  let doc = 0;
  let content = false;
  let at = 0;
  for (let n = 1; n <= line && at <= body.length; n++) {
    const end = body.indexOf('\n', at);
    const text = body.slice(at, end === -1 ? body.length : end);
    if (/^---(\s|$)/.test(text)) {
      if (content) doc++;
      content = false;
      // Content on the marker's own line ("--- {a: 1}") belongs to the new document.
      if (text.slice(3).trim() !== '' && !text.slice(3).trim().startsWith('#')) content = true;
    } else if (text.trim() !== '' && !text.trim().startsWith('#')) content = true;
    if (end === -1) break;
    at = end + 1;
  }
  return doc;
}

/** The 400/422 body of POST /api/v1/objects: the usual error and message, and where each error is. */
export const OBJECTS_ERROR_SCHEMA = {
  type: 'object',
  properties: {
    error: { type: 'string' },
    message: { type: 'string', description: 'what went wrong and what to fix, "<request>:LINE: ..." per error' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          document: { type: 'integer', description: '0-based index of the YAML document in the body' },
          line: { type: 'integer', description: '1-based line in the body' },
          column: { type: 'integer', description: '1-based column (YAML syntax errors)' },
          object: { type: 'string', description: 'Kind/namespace/name of the refused object' },
          message: { type: 'string' },
        },
        required: ['message'],
      },
    },
  },
  required: ['error', 'message'],
} as const;
