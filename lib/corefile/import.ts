// `import` and snippets, as CoreDNS (Caddy) does them: `(name) { ... }` at the top level defines a snippet; a line
// `import NAME` is replaced by the snippet's tokens, or, when no snippet has that name, by the tokens of the files
// matching the pattern (relative to the importing file's folder; one `*` wildcard, in the file name, as Caddy allows;
// a glob that matches nothing imports nothing, a plain path that does not exist is an error). Expansion is on tokens,
// so an import works at the top level (whole server blocks) and inside blocks (directives) alike.
//
// Bounds: imports nest at most MAX_DEPTH deep, an import that reaches itself again is an error naming the line that
// closes the loop, and the expanded Corefile has at most MAX_TOKENS tokens (snippets importing snippets twice over
// would otherwise grow exponentially).
import { readdirSync, statSync } from 'node:fs';
import { readTextFileSync } from '../read-text.js';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { CorefileError, isClose, isOpen, MAX_FILE_BYTES, tokenize, type Token } from './lexer.js';

export const MAX_DEPTH = 10;
export const MAX_TOKENS = 200_000;
/** files one glob may import */
const MAX_GLOB_FILES = 1000;

interface Ctx {
  env: Record<string, string | undefined>;
  snippets: Map<string, Token[]>;
  /** what is being expanded now ("snippet x", a file path), to find loops */
  stack: string[];
  count: number;
}

export function expandImports(tokens: Token[], env: Record<string, string | undefined>): Token[] {
  return expand(tokens, { env, snippets: new Map(), stack: [tokens[0]?.file ?? ''], count: 0 }, true);
}

function expand(tokens: Token[], ctx: Ctx, topLevel: boolean): Token[] {
  const out: Token[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const startsLine = i === 0 || tokens[i - 1]!.line !== t.line || tokens[i - 1]!.file !== t.file;
    if (topLevel && depth === 0 && !t.quoted && /^\(.+\)$/.test(t.text) && isOpen(tokens[i + 1])) {
      const name = t.text.slice(1, -1);
      if (ctx.snippets.has(name)) throw new CorefileError(`snippet (${name}) is defined twice`, t.file, t.line);
      let j = i + 2;
      let nest = 1;
      for (; j < tokens.length; j++) {
        if (isOpen(tokens[j])) nest++;
        else if (isClose(tokens[j]) && --nest === 0) break;
      }
      if (j >= tokens.length) throw new CorefileError(`snippet (${name}) is never closed (missing "}")`, t.file, t.line);
      ctx.snippets.set(name, tokens.slice(i + 2, j));
      i = j;
      continue;
    }
    if (!t.quoted && t.text === 'import' && startsLine) {
      const args: Token[] = [];
      while (i + 1 < tokens.length && tokens[i + 1]!.line === t.line && tokens[i + 1]!.file === t.file) args.push(tokens[++i]!);
      if (args.length !== 1) throw new CorefileError(`import takes one argument (a snippet name or a file pattern), got ${args.length}`, t.file, t.line);
      for (const x of importOne(args[0]!, ctx, depth === 0 && topLevel)) out.push(x);
      continue;
    }
    if (isOpen(t)) depth++;
    else if (isClose(t)) depth--;
    if (++ctx.count > MAX_TOKENS) throw new CorefileError(`the Corefile expands to more than ${MAX_TOKENS} tokens (imports repeated too often?)`, t.file, t.line);
    out.push(t);
  }
  return out;
}

function enter(key: string, at: Token, ctx: Ctx): void {
  if (ctx.stack.includes(key)) throw new CorefileError(`import loop: ${[...ctx.stack.slice(ctx.stack.indexOf(key)), key].join(' -> ')}`, at.file, at.line);
  if (ctx.stack.length > MAX_DEPTH) throw new CorefileError(`imports nest more than ${MAX_DEPTH} deep`, at.file, at.line);
  ctx.stack.push(key);
}

function importOne(arg: Token, ctx: Ctx, topLevel: boolean): Token[] {
  const snippet = ctx.snippets.get(arg.text);
  if (snippet) {
    enter(`snippet (${arg.text})`, arg, ctx);
    try {
      return expand(snippet, ctx, false);
    } finally {
      ctx.stack.pop();
    }
  }
  const out: Token[] = [];
  for (const path of matchFiles(arg)) {
    enter(path, arg, ctx);
    try {
      let text: string;
      try {
        text = readTextFileSync(path, MAX_FILE_BYTES);
      } catch (e) {
        throw new CorefileError(`import ${arg.text}: cannot read ${path}: ${(e as Error).message}`, arg.file, arg.line);
      }
      for (const x of expand(tokenize(text, path, ctx.env), ctx, topLevel)) out.push(x);
    } finally {
      ctx.stack.pop();
    }
  }
  return out;
}

/** The files an import pattern names, sorted as Go's filepath.Glob sorts them. */
function matchFiles(arg: Token): string[] {
  const base = dirname(resolve(arg.file || 'Corefile'));
  const pattern = isAbsolute(arg.text) ? arg.text : join(base, arg.text);
  const stars = (arg.text.match(/\*/g) ?? []).length;
  if (stars === 0) {
    try {
      statSync(pattern);
    } catch {
      throw new CorefileError(`import ${arg.text}: no snippet by that name and no file ${pattern}`, arg.file, arg.line);
    }
    return [pattern];
  }
  const dir = dirname(pattern);
  const name = basename(pattern);
  if (stars > 1 || dir.includes('*') || /[?[]/.test(arg.text)) {
    throw new CorefileError(`import ${arg.text}: a pattern may hold one "*", in the file name only`, arg.file, arg.line);
  }
  const [pre, post] = name.split('*') as [string, string];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const files = entries.filter((e) => e.length >= pre.length + post.length && e.startsWith(pre) && e.endsWith(post))
    .sort().map((e) => join(dir, e));
  if (files.length > MAX_GLOB_FILES) throw new CorefileError(`import ${arg.text}: matches ${files.length} files; at most ${MAX_GLOB_FILES}`, arg.file, arg.line);
  return files;
}
