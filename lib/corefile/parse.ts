// Reads a CoreDNS Corefile (Caddyfile syntax) into server blocks and directives, without interpreting any plugin.
// Follows CoreDNS's lexer: whitespace-separated tokens, `#` comments when a token starts with `#`, double-quoted
// tokens with `\"` escapes (newlines allowed inside), `{`/`}` as standalone tokens, and `{$VAR}` / `{%VAR%}`
// environment substitution inside a token (one token stays one token, as in CoreDNS).

export class CorefileError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number | undefined,
  ) {
    super(line === undefined ? `${file}: ${message}` : `${file} line ${line}: ${message}`);
    this.name = 'CorefileError';
  }
}

export interface CorefileDirective {
  name: string;
  args: string[];
  line: number;
  /** the `{ ... }` block after the arguments, null when there is none */
  block: CorefileDirective[] | null;
}

export interface CorefileServerBlock {
  /** e.g. [".:53"] or ["cluster.local:5353", "in-addr.arpa:5353"] */
  keys: string[];
  line: number;
  directives: CorefileDirective[];
}

export interface ParseOptions {
  /** shown in error messages */
  file?: string;
  /** variables for `{$VAR}` (default: process.env) */
  env?: Record<string, string | undefined>;
}

interface Token {
  text: string;
  line: number;
  /** quoted tokens are never structural (`"{"` is an argument, not a block) */
  quoted: boolean;
}

function tokenize(text: string, file: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '"') {
      const start = line;
      let val = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new CorefileError('unterminated quoted string', file, start);
        const q = text[i];
        if (q === '\\' && text[i + 1] === '"') {
          val += '"';
          i += 2;
          continue;
        }
        if (q === '"') {
          i++;
          break;
        }
        if (q === '\n') line++;
        val += q;
        i++;
      }
      tokens.push({ text: val, line: start, quoted: true });
      continue;
    }
    let val = '';
    while (i < text.length && !/[\s]/.test(text[i])) {
      val += text[i];
      i++;
    }
    tokens.push({ text: val, line, quoted: false });
  }
  return tokens;
}

function substituteEnv(s: string, env: Record<string, string | undefined>): string {
  // CoreDNS replaces an unset variable with the empty string.
  return s.replace(/\{\$([A-Za-z_][A-Za-z0-9_]*)\}|\{%([A-Za-z_][A-Za-z0-9_]*)%\}/g, (_m, a, b) => env[a ?? b] ?? '');
}

const isOpen = (t: Token | undefined): boolean => !!t && !t.quoted && t.text === '{';
const isClose = (t: Token | undefined): boolean => !!t && !t.quoted && t.text === '}';

export function parseCorefile(text: string, opts: ParseOptions = {}): CorefileServerBlock[] {
  const file = opts.file ?? 'Corefile';
  const env = opts.env ?? process.env;
  const tokens = tokenize(text, file).map((t) => ({ ...t, text: substituteEnv(t.text, env) }));
  let pos = 0;

  // A directive is its name plus the arguments on the same line, stopping early at a structural brace so that
  // one-line blocks (`health { lameduck 5s }`) work too.
  function parseDirectives(depth: number, openLine: number): CorefileDirective[] {
    const out: CorefileDirective[] = [];
    for (;;) {
      const t = tokens[pos];
      if (!t) {
        if (depth === 0) return out;
        throw new CorefileError(`block opened here is never closed (missing "}")`, file, openLine);
      }
      if (isClose(t)) {
        if (depth === 0) throw new CorefileError('unexpected "}"', file, t.line);
        pos++;
        return out;
      }
      if (isOpen(t)) throw new CorefileError('"{" without a directive before it', file, t.line);
      pos++;
      if (t.text === 'import') {
        throw new CorefileError('import is not supported; copy the imported file or snippet into the Corefile', file, t.line);
      }
      const d: CorefileDirective = { name: t.text, args: [], line: t.line, block: null };
      while (pos < tokens.length && tokens[pos].line === t.line && !isOpen(tokens[pos]) && !isClose(tokens[pos])) {
        d.args.push(tokens[pos].text);
        pos++;
      }
      if (isOpen(tokens[pos])) {
        const open = tokens[pos];
        pos++;
        d.block = parseDirectives(depth + 1, open.line);
      }
      out.push(d);
      if (depth === 0) return out; // only used for the brace-less single server block
    }
  }

  const blocks: CorefileServerBlock[] = [];
  while (pos < tokens.length) {
    const first = tokens[pos];
    if (isOpen(first) || isClose(first)) throw new CorefileError(`unexpected "${first.text}" where a server block address was expected`, file, first.line);
    if (first.text === 'import') {
      throw new CorefileError('import is not supported; copy the imported file or snippet into the Corefile', file, first.line);
    }
    if (/^\(.*\)$/.test(first.text)) {
      throw new CorefileError(`snippet ${first.text} is not supported (snippets are only used through import)`, file, first.line);
    }
    // Keys run until "{"; a comma-separated list may continue on the next line.
    const keys: string[] = [];
    let last = first;
    while (pos < tokens.length && !isOpen(tokens[pos])) {
      const t = tokens[pos];
      if (isClose(t)) throw new CorefileError('unexpected "}"', file, t.line);
      if (t.line !== last.line && !last.text.endsWith(',')) break;
      for (const k of t.text.split(',')) if (k !== '') keys.push(k);
      last = t;
      pos++;
    }
    if (isOpen(tokens[pos])) {
      const open = tokens[pos];
      pos++;
      const directives: CorefileDirective[] = [];
      // parseDirectives at depth 1 consumes the closing brace.
      directives.push(...parseDirectives(1, open.line));
      blocks.push({ keys, line: first.line, directives });
      continue;
    }
    // Caddy allows one server block without braces: the rest of the file is its body.
    if (blocks.length > 0) {
      throw new CorefileError(`server block "${keys.join(' ')}" has no "{" (only a lone server block may omit braces)`, file, first.line);
    }
    const directives: CorefileDirective[] = [];
    while (pos < tokens.length) {
      if (isOpen(tokens[pos]) || isClose(tokens[pos])) {
        throw new CorefileError(`unexpected "${tokens[pos].text}"`, file, tokens[pos].line);
      }
      directives.push(...parseDirectives(0, first.line));
    }
    blocks.push({ keys, line: first.line, directives });
  }
  return blocks;
}
