// Reads kubeconfig files and merges them as client-go's loading rules do: for each named cluster, user and context,
// and for current-context, the first file that sets it wins. Every entry remembers the file it came from, so a
// relative path resolves against that file's folder and an error names the file and field to fix.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import jsyaml from 'js-yaml';
import { KubeConfigError } from '../source-errors.js';
import { aliasExpansion, firstAliasOffset, hasAlias, lineAt } from '../yaml-aliases.js';

/** A kubeconfig past this is not one a person or a cloud CLI wrote (a few hundred clusters with CAs is ~2 MiB). */
export const KUBECONFIG_MAX_BYTES = 4 * 1024 * 1024;
/** A CA bundle, certificate, key or token file past this is not one. */
export const CREDENTIAL_FILE_MAX_BYTES = 1024 * 1024;
/**
 * Values YAML aliases may add to a kubeconfig. A hand-written one shares a few users' or clusters' settings with
 * `<<: *defaults` (tens of values); an exec extension or auth-provider config expanded at JSON.stringify by ten
 * nested aliases is a billion (measured: 36 s and 2 GB for an 877-byte file).
 */
export const KUBECONFIG_MAX_ALIASED_NODES = 10_000;

export type Fields = Record<string, unknown>;

/** One named entry (cluster, user or context) and where it came from: "kubeconfig FILE: users[2] "alice"". */
export interface Entry {
  name: string;
  fields: Fields;
  file: string;
  where: string;
}

export interface MergedKubeConfig {
  files: string[];
  clusters: Map<string, Entry>;
  users: Map<string, Entry>;
  contexts: Map<string, Entry>;
  currentContext?: { name: string; file: string };
}

/** Reads a whole file, refusing one over `max` bytes; errors say which field named the file. */
export function readBounded(file: string, max: number, what: string): Buffer {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new KubeConfigError(`${what}: ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    const size = fstatSync(fd).size;
    if (size > max) throw new KubeConfigError(`${what}: ${file} is ${size} bytes, over the ${max}-byte limit`);
    // Read to EOF in chunks, past the size fstat gave (a file that grows, a FIFO with no size), failing only once
    // more than max bytes arrived: a full chunk means nothing about the end of the file.
    const chunks: Buffer[] = [];
    let n = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(max + 1 - n, Math.max(size + 1 - n, 64 * 1024)));
      const r = readSync(fd, chunk, 0, chunk.length, null);
      if (r === 0) break;
      chunks.push(r === chunk.length ? chunk : chunk.subarray(0, r));
      n += r;
      if (n > max) throw new KubeConfigError(`${what}: ${file} is over the ${max}-byte limit`);
    }
    return Buffer.concat(chunks, n);
  } catch (err) {
    if (err instanceof KubeConfigError) throw err;
    throw new KubeConfigError(`${what}: ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  } finally {
    closeSync(fd);
  }
}

function isObject(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses one kubeconfig file into its named lists, checking the shape kubectl would reject. */
export function parseKubeConfigFile(file: string): { clusters: Entry[]; users: Entry[]; contexts: Entry[]; currentContext?: string } {
  const where = `kubeconfig ${file}`;
  const text = readBounded(file, KUBECONFIG_MAX_BYTES, 'kubeconfig').toString('utf8');
  let doc: unknown;
  try {
    doc = jsyaml.load(text, { filename: file, json: false });
  } catch (err) {
    const e = err as { mark?: { line: number }; reason?: string; message: string };
    throw new KubeConfigError(`${where}${e.mark ? ` line ${e.mark.line + 1}` : ''}: not valid YAML: ${e.reason ?? e.message.split('\n')[0]}`);
  }
  if (doc === undefined || doc === null) return { clusters: [], users: [], contexts: [] };
  if (hasAlias(text) && aliasExpansion(doc, KUBECONFIG_MAX_ALIASED_NODES) > KUBECONFIG_MAX_ALIASED_NODES) {
    throw new KubeConfigError(`${where} line ${lineAt(text, firstAliasOffset(text)) + 1}: excessive YAML aliasing: its aliases expand it by more than `
      + `${KUBECONFIG_MAX_ALIASED_NODES} values; write the values out or use fewer nested aliases`);
  }
  if (!isObject(doc)) throw new KubeConfigError(`${where}: is not a kubeconfig (a YAML mapping with clusters, users, contexts)`);
  if (doc.kind !== undefined && doc.kind !== 'Config') throw new KubeConfigError(`${where}: kind is "${String(doc.kind)}", not Config`);
  const list = (key: 'clusters' | 'users' | 'contexts', inner: 'cluster' | 'user' | 'context'): Entry[] => {
    const raw = doc[key];
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) throw new KubeConfigError(`${where}: ${key} must be a list of {name, ${inner}}`);
    return raw.map((item, i) => {
      const at = `${where}: ${key}[${i}]`;
      if (!isObject(item) || typeof item.name !== 'string' || item.name === '') {
        throw new KubeConfigError(`${at}: needs a name (a non-empty string)`);
      }
      const fields = item[inner] ?? {};
      if (!isObject(fields)) throw new KubeConfigError(`${at} "${item.name}": ${inner} must be a mapping`);
      return { name: item.name, fields, file, where: `${at} "${item.name}"` };
    });
  };
  const cc = doc['current-context'];
  if (cc !== undefined && cc !== null && typeof cc !== 'string') throw new KubeConfigError(`${where}: current-context must be a string`);
  return {
    clusters: list('clusters', 'cluster'),
    users: list('users', 'user'),
    contexts: list('contexts', 'context'),
    ...(cc ? { currentContext: cc } : {}),
  };
}

/** Merges files in precedence order (client-go: the first to set a name or current-context wins). */
export function mergeKubeConfigFiles(files: string[]): MergedKubeConfig {
  const merged: MergedKubeConfig = { files, clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const file of files) {
    const one = parseKubeConfigFile(file);
    for (const [key, entries] of [['clusters', one.clusters], ['users', one.users], ['contexts', one.contexts]] as const) {
      const into = merged[key];
      for (const e of entries) if (!into.has(e.name)) into.set(e.name, e);
    }
    if (one.currentContext && !merged.currentContext) merged.currentContext = { name: one.currentContext, file };
  }
  return merged;
}

/** A path field of an entry, resolved against the folder of the file that set it (as kubectl does). */
export function entryPath(e: Entry, field: string): string | undefined {
  const v = stringField(e, field);
  if (v === undefined) return undefined;
  return path.resolve(path.dirname(path.resolve(e.file)), v);
}

/** A string field ('' counts as unset, as in client-go); anything else but a string names the field. */
export function stringField(e: Entry, field: string): string | undefined {
  const v = e.fields[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new KubeConfigError(`${e.where}: ${field} must be a string (quote it)`);
  return v;
}

export function boolField(e: Entry, field: string): boolean {
  const v = e.fields[field];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new KubeConfigError(`${e.where}: ${field} must be true or false`);
  return v;
}

/** A *-data field: standard base64 (with padding, as Go decodes it), decoded. */
export function base64Field(e: Entry, field: string): Buffer | undefined {
  const v = stringField(e, field);
  if (v === undefined) return undefined;
  const compact = v.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    throw new KubeConfigError(`${e.where}: ${field} is not valid base64 (it holds the PEM file's content, base64-encoded: base64 -w0 FILE)`);
  }
  return Buffer.from(compact, 'base64');
}

/** A field given either inline as base64 (`X-data`) or as a file (`X`); -data wins, as in client-go. */
export function dataOrFile(e: Entry, field: string): { data: Buffer; from: string } | undefined {
  const data = base64Field(e, `${field}-data`);
  if (data !== undefined) return { data, from: `${e.where}: ${field}-data` };
  const file = entryPath(e, field);
  if (file === undefined) return undefined;
  return { data: readBounded(file, CREDENTIAL_FILE_MAX_BYTES, `${e.where}: ${field}`), from: `${e.where}: ${field} ${file}` };
}
