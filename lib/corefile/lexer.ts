// The Corefile's tokens, as CoreDNS's (Caddy's) lexer makes them: whitespace-separated, `#` comments when a token
// starts with `#`, double-quoted tokens with `\"` escapes (newlines allowed inside), `{`/`}` as standalone tokens,
// and `{$VAR}` / `{%VAR%}` environment substitution inside a token (one token stays one token, as in CoreDNS).
// Every token knows its file and line, so an error in an imported file names that file.

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

export interface Token {
  text: string;
  line: number;
  file: string;
  /** quoted tokens are never structural (`"{"` is an argument, not a block) */
  quoted: boolean;
}

/** A Corefile (or an imported file) bigger than this is refused: real ones are a few KB. */
export const MAX_FILE_BYTES = 1024 * 1024;

export const isOpen = (t: Token | undefined): boolean => !!t && !t.quoted && t.text === '{';
export const isClose = (t: Token | undefined): boolean => !!t && !t.quoted && t.text === '}';

function substituteEnv(s: string, env: Record<string, string | undefined>): string {
  if (!s.includes('{')) return s;
  // CoreDNS replaces an unset variable with the empty string.
  return s.replace(/\{\$([A-Za-z_][A-Za-z0-9_]*)\}|\{%([A-Za-z_][A-Za-z0-9_]*)%\}/g, (_m, a, b) => env[a ?? b] ?? '');
}

export function tokenize(text: string, file: string, env: Record<string, string | undefined>): Token[] {
  if (text.length > MAX_FILE_BYTES) throw new CorefileError(`the file is ${text.length} bytes; at most ${MAX_FILE_BYTES} are read`, file, undefined);
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
      tokens.push({ text: substituteEnv(val, env), line: start, file, quoted: true });
      continue;
    }
    const from = i;
    while (i < text.length && text[i] !== ' ' && text[i] !== '\t' && text[i] !== '\r' && text[i] !== '\n') i++;
    tokens.push({ text: substituteEnv(text.slice(from, i), env), line, file, quoted: false });
  }
  return tokens;
}
