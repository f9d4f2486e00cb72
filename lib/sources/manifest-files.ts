// Reading manifest files: multi-document YAML, JSON and `kind: List`, each object remembered with its file and
// line so every later error can point at it.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { flattenList } from '../cluster/objects.js';

export interface SourcedManifest {
  raw: unknown;
  file?: string;
  line?: number;
}

export class FixtureError extends Error {
  constructor(public file: string, public line: number | undefined, public reason: string) {
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
    const out: SourcedManifest[] = [];
    for (const item of items) {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw new FixtureError(file, 1, 'not a Kubernetes object (expected a mapping with apiVersion and kind)');
      }
      for (const raw of flattenList(item)) out.push({ raw, file });
    }
    return out;
  }
  return parseYamlText(text, file);
}

function parseYamlText(text: string, file: string): SourcedManifest[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: SourcedManifest[] = [];
  for (const doc of list) {
    const err = doc.errors[0];
    if (err) {
      const line = err.linePos?.[0]?.line ?? lineCounter.linePos(err.pos[0]).line;
      throw new FixtureError(file, line, err.message.split('\n')[0]);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (value === null || value === undefined) continue;
    const line = doc.contents?.range ? lineCounter.linePos(doc.contents.range[0]).line : undefined;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new FixtureError(file, line, 'a document is not a Kubernetes object (expected a mapping with apiVersion and kind)');
    }
    for (const raw of flattenList(value)) out.push({ raw, file, ...(line ? { line } : {}) });
  }
  return out;
}

export async function readManifestFile(file: string): Promise<SourcedManifest[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new FixtureError(file, undefined, `cannot read: ${(err as Error).message}`);
  }
  return parseManifestText(text, file);
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
