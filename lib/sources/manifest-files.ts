// Reading manifest files: multi-document YAML, JSON and `kind: List`, each object remembered with its file and
// line so every later error can point at it.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import jsyaml from 'js-yaml';
import { jsonObjectLines, type JsonObjectLines } from './json-lines.js';
import { NOT_HANDLED, parseFastYaml } from './yaml-fast.js';
import { aliasExpansion, firstAliasOffset, hasAlias, lineAt, MAX_ALIASED_NODES } from './yaml-aliases.js';
import { flattenList } from '../cluster/objects.js';
import { SharedValues, SourcedManifestError, toEntries, type FixtureEntry } from '../synth/entries.js';

export interface SourcedManifest {
  raw: unknown;
  file?: string;
  line?: number;
  /** JSON files: the line, found only when an error is reported on the object */
  lineOf?: () => number | undefined;
}

export class FixtureError extends Error {
  /** the 1-based column of a YAML syntax error, when the parser names one (the console's editor marks it) */
  column?: number;
  /**
   * @param refused the text parsed but an object in it is refused by a limit (replicas past what a cluster holds):
   *   the admin API answers 422 for it, as the API server does for an invalid object
   */
  constructor(public file: string, public line: number | undefined, public reason: string, readonly refused = false) {
    super(`${file}${line ? `:${line}` : ''}: ${reason}`);
    this.name = 'FixtureError';
  }
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Files a --fixtures argument names: the file itself, or every manifest file under the folder, sorted. */
export async function expandFixturePaths(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = await stat(p);
    } catch {
      throw new FixtureError(p, undefined, 'no such file or folder');
    }
    if (st.isDirectory()) out.push(...await listManifestFiles(p));
    else out.push(p);
  }
  return [...new Set(out)];
}

async function listManifestFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...await listManifestFiles(full));
    else if (EXTENSIONS.has(path.extname(e.name).toLowerCase())) out.push(full);
  }
  return out;
}

/** Parses manifest text (YAML or JSON, one or many documents). Throws FixtureError with the line. */
export function parseManifestText(text: string, file: string): SourcedManifest[] {
  // JSON (kubectl get -o json, a generated cluster) is read by JSON.parse, ~40x faster than a YAML parser on large
  // files; the YAML parser only runs when it fails, to point at the line.
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return parseYamlText(text, file);
    }
    const items = Array.isArray(value) ? value : [value];
    // Lines are found only if an object has an error to report (jsonObjectLines costs about what JSON.parse does).
    let lines: JsonObjectLines[] | undefined;
    const linesOf = (i: number) => (lines ??= jsonObjectLines(text))[i];
    const out: SourcedManifest[] = [];
    for (const [i, item] of items.entries()) {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw new FixtureError(file, linesOf(i)?.line ?? 1, 'not a Kubernetes object (expected a mapping with apiVersion and kind)');
      }
      const flat = flattenList(item);
      for (const [j, raw] of flat.entries()) {
        // A List's items have lines of their own unless a List nested in it makes the flattened order differ.
        const lineOf = () => {
          const at = linesOf(i);
          return (flat[0] !== item && at?.items?.length === flat.length ? at.items[j] : undefined) ?? at?.line;
        };
        out.push({ raw, file, lineOf });
      }
    }
    return out;
  }
  return parseYamlText(text, file);
}

/**
 * YAML through js-yaml, one document at a time so every object keeps its line: ~8x faster than the `yaml` package
 * on large files (7 MB: 290 ms against 2.4 s), which matters at 150,000 pods.
 */
/**
 * YAML 1.2's core schema plus merge keys (`<<`), which is how Kubernetes reads manifests: a timestamp stays a string
 * (js-yaml's default schema makes it a Date, and trying every plain scalar as one cost ~4% of loading a large dump).
 */
// @types/js-yaml does not declare `types`, which js-yaml 4 exports.
const KUBERNETES_SCHEMA = jsyaml.CORE_SCHEMA.extend({ implicit: [(jsyaml as unknown as { types: { merge: jsyaml.Type } }).types.merge] });

function parseYamlText(text: string, file: string): SourcedManifest[] {
  const out: SourcedManifest[] = [];
  for (const doc of splitYamlDocuments(text)) for (const m of parseYamlDocument(doc, file)) out.push(m);
  return out;
}

function parseYamlDocument(doc: { text: string; line: number }, file: string): SourcedManifest[] {
  // The fast path reads the block YAML tools write (3.8x faster than js-yaml on the bench cluster, bench/yaml-parse.ts);
  // js-yaml reads everything else and reports every error with its line.
  let value: unknown = parseFastYaml(doc.text);
  const viaJsYaml = value === NOT_HANDLED; // the fast path reads no aliases
  if (value === NOT_HANDLED) try {
    value = jsyaml.load(doc.text, { filename: file, schema: KUBERNETES_SCHEMA });
  } catch (err) {
    const mark = (err as { mark?: { line?: number; column?: number } }).mark;
    const reason = (err as { reason?: string }).reason ?? (err as Error).message.split('\n')[0];
    const fe = new FixtureError(file, mark?.line !== undefined ? doc.line + mark.line : doc.line, reason);
    if (mark?.line !== undefined && typeof mark.column === 'number') fe.column = mark.column + 1;
    throw fe;
  }
  if (value === null || value === undefined) return [];
  const line = doc.line + firstContentLine(doc.text);
  // js-yaml shares an aliased node instead of copying it, so nine levels of `&a [*b, *b, ...]` (615 bytes) load
  // at once, but anything that walks the value (the JSON copy below, a label's String()) expands it to
  // hundreds of millions of nodes. Like go-yaml (kubectl's reader), refuse a document that aliasing expands.
  if (viaJsYaml && hasAlias(doc.text)) {
    if (aliasExpansion(value, MAX_ALIASED_NODES) > MAX_ALIASED_NODES) {
      throw new FixtureError(file, doc.line + aliasLine(doc.text), `document contains excessive aliasing: its aliases expand it by more than ${MAX_ALIASED_NODES} values; write the values out or use fewer nested aliases`);
    }
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new FixtureError(file, line, 'a document is not a Kubernetes object (expected a mapping with apiVersion and kind)');
  }
  // js-yaml's strings are slices of the document's text and would keep all of it alive for as long as any object
  // lives; a JSON round trip gives each object strings of its own (measured: store 330 → 169 MB at 150k pods).
  // Pods and EndpointSlices, most of a large cluster, skip it: their conversion copies the few strings it keeps
  // (SharedValues).
  const kind = (value as { kind?: unknown }).kind;
  const own: unknown = kind === 'Pod' || kind === 'EndpointSlice' ? value : JSON.parse(JSON.stringify(value));
  return flattenList(own).map((raw) => ({ raw, file, line }));
}

/** The 0-based line of the first alias in the text (where an error about aliasing points). */
function aliasLine(text: string): number {
  const at = firstAliasOffset(text);
  return at === -1 ? firstContentLine(text) : lineAt(text, at);
}

/** Splits a YAML stream at `---` lines, keeping each document's first line number (1-based). */
function splitYamlDocuments(text: string): { text: string; line: number }[] {
  // Markers are found by one regex pass and lines counted by indexOf hops: splitting a 100 MB cluster dump into
  // lines and joining them again cost ~4% of loading it.
  const docs: { text: string; line: number }[] = [];
  const marker = /^(---|\.\.\.)(?=[ \t\r\n]|$)/gm;
  let start = 0; // where the current document's text starts
  let startLine = 1;
  let prefix = ''; // the blanked `---` of the current document (content after it on its line belongs to it)
  let pending: string[] = []; // pieces of a document cut by `...` lines
  let counted = 0;
  let line = 1;
  const lineAt = (pos: number) => {
    for (let i = text.indexOf('\n', counted); i !== -1 && i < pos; i = text.indexOf('\n', i + 1)) line++;
    counted = pos;
    return line;
  };
  const flush = (end: number) => {
    const body = prefix + text.slice(start, end);
    const full = pending.length ? pending.join('') + body : body;
    if (full.length > 0) docs.push({ text: full, line: startLine });
    pending = [];
  };
  for (let m = marker.exec(text); m; m = marker.exec(text)) {
    const at = m.index;
    if (m[1] === '---') {
      if (at > 0 || prefix) flush(at);
      startLine = lineAt(at);
      prefix = '   ';
      start = at + 3;
    } else {
      // A `...` line ends the document: keep it as an empty line so the line numbers stay right.
      pending.push(prefix + text.slice(start, at));
      prefix = '';
      const eol = text.indexOf('\n', at);
      start = eol === -1 ? text.length : eol;
    }
  }
  flush(text.length);
  return docs;
}

function firstContentLine(text: string): number {
  for (let i = 0, start = 0; start < text.length && i < 200; i++) {
    const end = text.indexOf('\n', start);
    const t = text.slice(start, end === -1 ? text.length : end).trim();
    if (t !== '' && !t.startsWith('#')) return i;
    if (end === -1) break;
    start = end + 1;
  }
  return 0;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new FixtureError(file, undefined, `cannot read: ${(err as Error).message}`);
  }
}

export async function readManifestFile(file: string): Promise<SourcedManifest[]> {
  return parseManifestText(await readText(file), file);
}

/** The identity `kubectl apply` uses: kind, namespace and name. */
export function manifestKey(raw: unknown, defaultNamespace: string): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, any>;
  const kind = typeof r.kind === 'string' ? r.kind : '';
  const name = typeof r.metadata?.name === 'string' ? r.metadata.name : '';
  if (!kind || !name) return undefined;
  const ns = kind === 'Namespace' ? '' : (typeof r.metadata?.namespace === 'string' && r.metadata.namespace) || defaultNamespace;
  return `${kind}/${ns}/${name}`;
}

/** Manifest text → entries (converted objects), every error a FixtureError with the file and line. */
export function parseEntriesText(text: string, file: string, defaultNamespace: string): FixtureEntry[] {
  return manifestsToEntries(parseManifestText(text, file), defaultNamespace);
}

export function manifestsToEntries(manifests: readonly SourcedManifest[], defaultNamespace: string, shared = new SharedValues()): FixtureEntry[] {
  const out: FixtureEntry[] = [];
  for (const m of manifests) {
    try {
      for (const e of toEntries(m.raw, m, defaultNamespace, shared)) out.push(e);
    } catch (err) {
      if (err instanceof SourcedManifestError) throw new FixtureError(err.file ?? m.file ?? '<input>', err.line ?? m.line ?? m.lineOf?.(), err.message, err.limit);
      throw err;
    }
  }
  return out;
}

/** Longest a file's parsing holds the event loop before it lets queries through (the server keeps answering). */
const SLICE_MS = 4;

/**
 * A file's entries, parsed document by document in slices of a few milliseconds and handed to `add` one by one:
 * reading a large file while serving must not stall answers (a 1 MB YAML file takes ~50 ms to parse).
 */
export async function readEntriesFile(file: string, defaultNamespace: string, add: (e: FixtureEntry) => void): Promise<void> {
  let text = await readText(file);
  const first = text.trimStart()[0];
  const shared = new SharedValues();
  if (first === '{' || first === '[') {
    for (const e of manifestsToEntries(parseManifestText(text, file), defaultNamespace, shared)) add(e);
    return;
  }
  const docs = splitYamlDocuments(text);
  text = '';
  let sliceStart = performance.now();
  for (let i = 0; i < docs.length; i++) {
    for (const e of manifestsToEntries(parseYamlDocument(docs[i], file), defaultNamespace, shared)) add(e);
    docs[i] = { text: '', line: 0 };
    if (performance.now() - sliceStart > SLICE_MS) {
      await new Promise<void>((r) => setImmediate(r));
      sliceStart = performance.now();
    }
  }
}
