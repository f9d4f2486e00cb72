// Reads a CoreDNS Corefile (Caddyfile syntax) into server blocks and directives, without interpreting any plugin.
// Tokens come from lib/corefile/lexer.ts (with `{$VAR}` substitution), imports and snippets are expanded on them
// (lib/corefile/import.ts), then lines become directives.
import { CorefileError, isClose, isOpen, tokenize, type Token } from './lexer.js';
import { expandImports } from './import.js';

export { CorefileError };

/** Blocks inside blocks: real Corefiles go two deep; the bound keeps a hostile file from exhausting the stack. */
export const MAX_NESTING = 32;

export interface CorefileDirective {
  name: string;
  args: string[];
  line: number;
  /** the file it was written in (an imported file, or the Corefile) */
  file: string;
  /** the `{ ... }` block after the arguments, null when there is none */
  block: CorefileDirective[] | null;
}

export interface CorefileServerBlock {
  /** e.g. [".:53"] or ["cluster.local:5353", "in-addr.arpa:5353"] */
  keys: string[];
  line: number;
  file: string;
  directives: CorefileDirective[];
}

export interface ParseOptions {
  /** shown in error messages */
  file?: string;
  /** variables for `{$VAR}` (default: process.env) */
  env?: Record<string, string | undefined>;
}

export function parseCorefile(text: string, opts: ParseOptions = {}): CorefileServerBlock[] {
  const file = opts.file ?? 'Corefile';
  const env = opts.env ?? process.env;
  const tokens: Token[] = expandImports(tokenize(text, file, env), env);
  let pos = 0;

  // A directive is its name plus the arguments on the same line, stopping early at a structural brace so that
  // one-line blocks (`health { lameduck 5s }`) work too.
  function parseDirectives(depth: number, openLine: number, openFile: string): CorefileDirective[] {
    const out: CorefileDirective[] = [];
    for (;;) {
      const t = tokens[pos];
      if (!t) {
        if (depth === 0) return out;
        throw new CorefileError(`block opened here is never closed (missing "}")`, openFile, openLine);
      }
      if (isClose(t)) {
        if (depth === 0) throw new CorefileError('unexpected "}"', t.file, t.line);
        pos++;
        return out;
      }
      if (isOpen(t)) throw new CorefileError('"{" without a directive before it', t.file, t.line);
      pos++;
      const d: CorefileDirective = { name: t.text, args: [], line: t.line, file: t.file, block: null };
      while (pos < tokens.length && tokens[pos].line === t.line && tokens[pos].file === t.file && !isOpen(tokens[pos]) && !isClose(tokens[pos])) {
        d.args.push(tokens[pos].text);
        pos++;
      }
      if (isOpen(tokens[pos])) {
        const open = tokens[pos];
        if (depth >= MAX_NESTING) throw new CorefileError(`blocks nest more than ${MAX_NESTING} deep`, open.file, open.line);
        pos++;
        d.block = parseDirectives(depth + 1, open.line, open.file);
      }
      out.push(d);
      if (depth === 0) return out; // only used for the brace-less single server block
    }
  }

  const blocks: CorefileServerBlock[] = [];
  while (pos < tokens.length) {
    const first = tokens[pos];
    if (isOpen(first) || isClose(first)) throw new CorefileError(`unexpected "${first.text}" where a server block address was expected`, first.file, first.line);
    // Keys run until "{"; a comma-separated list may continue on the next line.
    const keys: string[] = [];
    let last = first;
    while (pos < tokens.length && !isOpen(tokens[pos])) {
      const t = tokens[pos];
      if (isClose(t)) throw new CorefileError('unexpected "}"', t.file, t.line);
      if ((t.line !== last.line || t.file !== last.file) && !last.text.endsWith(',')) break;
      for (const k of t.text.split(',')) if (k !== '') keys.push(k);
      last = t;
      pos++;
    }
    if (isOpen(tokens[pos])) {
      const open = tokens[pos];
      pos++;
      const directives: CorefileDirective[] = [];
      // parseDirectives at depth 1 consumes the closing brace.
      directives.push(...parseDirectives(1, open.line, open.file));
      blocks.push({ keys, line: first.line, file: first.file, directives });
      continue;
    }
    // Caddy allows one server block without braces: the rest of the file is its body.
    if (blocks.length > 0) {
      throw new CorefileError(`server block "${keys.join(' ')}" has no "{" (only a lone server block may omit braces)`, first.file, first.line);
    }
    const directives: CorefileDirective[] = [];
    while (pos < tokens.length) {
      if (isOpen(tokens[pos]) || isClose(tokens[pos])) {
        throw new CorefileError(`unexpected "${tokens[pos].text}"`, tokens[pos].file, tokens[pos].line);
      }
      directives.push(...parseDirectives(0, first.line, first.file));
    }
    blocks.push({ keys, line: first.line, file: first.file, directives });
  }
  return blocks;
}
