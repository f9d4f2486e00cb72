// The RFC 1035 master-file subset static records are written in: `name [ttl] [IN] TYPE rdata`, `$ORIGIN`, `$TTL`,
// `;` comments, quoted strings, `( ... )` across lines, `@`, relative names, and a blank owner meaning the previous
// one. Linear in the input; every error names file:line:column and what to write instead.
import type { RR } from '../dns/records.js';
import { buildRecord, checkName, checkTtl, parseTtl, RecordError, staticType, STATIC_TYPES } from './rdata.js';

export class MasterFileError extends Error {
  constructor(readonly file: string, readonly line: number, readonly column: number, readonly detail: string) {
    super(line > 0 ? `${file}:${line}:${column}: ${detail}` : `${file}: ${detail}`);
  }
}

interface Token {
  text: string;
  line: number;
  column: number;
  quoted: boolean;
}

interface Entry {
  tokens: Token[];
  /** the entry started with whitespace: its owner is the previous entry's */
  blankOwner: boolean;
  line: number;
}

export interface ParseOptions {
  /** TTL of records with none and no $TTL before them */
  defaultTtl: number;
  /** $ORIGIN at the start (relative names need one) */
  origin?: string;
  /** stop with an error past this many records */
  maxRecords: number;
}

/** Splits the text into entries (one per logical line, parentheses joining lines). */
function* entries(file: string, text: string): Generator<Entry> {
  let line = 1;
  let lineStart = 0;
  let depth = 0;
  let tokens: Token[] = [];
  let blankOwner = false;
  let entryLine = 1;
  let atLineStart = true;
  let openLine = 0;
  let openColumn = 0;
  const err = (i: number, msg: string) => new MasterFileError(file, line, i - lineStart + 1, msg);
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text[i] : '\n';
    if (c === '\n') {
      if (depth === 0) {
        if (tokens.length) yield { tokens, blankOwner, line: entryLine };
        tokens = [];
        atLineStart = true;
      }
      line++;
      lineStart = i + 1;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') continue;
    if (c === ';') {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
      continue;
    }
    if (atLineStart && depth === 0) {
      // The first thing on a line starts an entry; whitespace before it means "same owner as before".
      blankOwner = i > lineStart;
      entryLine = line;
      atLineStart = false;
    }
    if (c === '(') {
      if (depth === 0) { openLine = line; openColumn = i - lineStart + 1; }
      depth++;
      continue;
    }
    if (c === ')') {
      if (depth === 0) throw err(i, '")" without an opening "("');
      depth--;
      continue;
    }
    const column = i - lineStart + 1;
    if (c === '"') {
      let s = '';
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\n') throw new MasterFileError(file, line, column, 'quoted string not closed on its line: add the closing "');
        if (text[j] === '\\' && j + 1 < text.length) {
          const d = text.slice(j + 1, j + 4);
          if (/^\d{3}$/.test(d)) {
            if (Number(d) > 127) throw new MasterFileError(file, line, j - lineStart + 1, `\\${d} is not an ASCII byte: write the UTF-8 text itself`);
            s += String.fromCharCode(Number(d));
            j += 3;
          } else {
            s += text[++j];
          }
          continue;
        }
        s += text[j];
      }
      if (j >= text.length) throw new MasterFileError(file, line, column, 'quoted string not closed: add the closing "');
      tokens.push({ text: s, line, column, quoted: true });
      i = j;
      continue;
    }
    let j = i;
    while (j < text.length && !' \t\r\n;()"'.includes(text[j])) j++;
    const word = text.slice(i, j);
    if (word.includes('\\')) throw new MasterFileError(file, line, column, `"${word.slice(0, 40)}": escapes are not taken outside quoted TXT strings`);
    tokens.push({ text: word, line, column, quoted: false });
    i = j - 1;
  }
  if (depth > 0) throw new MasterFileError(file, openLine, openColumn, '"(" never closed: add the ")"');
}

/** Parses master-file text into records. Throws MasterFileError at the first problem. */
export function parseMasterFile(file: string, text: string, opts: ParseOptions): RR[] {
  const out: RR[] = [];
  let origin = opts.origin;
  let ttl: number | undefined;
  let previousOwner: string | undefined;
  for (const e of entries(file, text)) {
    const t = e.tokens;
    const at = (tok: Token | undefined, msg: string) => new MasterFileError(file, tok?.line ?? e.line, tok?.column ?? 1, msg);
    const first = t[0];
    if (!e.blankOwner && first.text.startsWith('$')) {
      const dir = first.text.toUpperCase();
      if (dir === '$ORIGIN') {
        if (t.length !== 2) throw at(t[2] ?? first, '$ORIGIN takes one absolute name ($ORIGIN example.test.)');
        if (!t[1].text.endsWith('.')) throw at(t[1], `$ORIGIN ${t[1].text}: end it with a dot (an origin is absolute)`);
        origin = wrap(t[1], () => checkName(t[1].text, '$ORIGIN'));
      } else if (dir === '$TTL') {
        const v = t.length === 2 ? parseTtl(t[1].text) : undefined;
        if (v === undefined) throw at(t[1] ?? first, '$TTL takes one TTL in seconds ($TTL 300, or 5m)');
        ttl = wrap(t[1], () => checkTtl(v, t[1].text));
      } else if (dir === '$INCLUDE') {
        throw at(first, '$INCLUDE is not supported: give each file its own --records flag');
      } else {
        throw at(first, `unknown directive ${first.text.slice(0, 20)}: use $ORIGIN or $TTL`);
      }
      continue;
    }
    let i = 0;
    let owner: string;
    if (e.blankOwner) {
      if (previousOwner === undefined) throw at(first, 'this line starts with whitespace but no record before it names an owner: put the name first');
      owner = previousOwner;
    } else {
      owner = wrap(first, () => absolute(first.text, origin, 'owner name', true));
      i = 1;
    }
    let recTtl: number | undefined;
    for (let k = 0; k < 2 && i < t.length; k++) {
      const w = t[i].text;
      if (t[i].quoted) break;
      const asTtl = parseTtl(w);
      if (asTtl !== undefined && recTtl === undefined) { recTtl = wrap(t[i], () => checkTtl(asTtl, w)); i++; continue; }
      if (w.toUpperCase() === 'IN') { i++; continue; }
      if (/^(CH|HS|CS|ANY|NONE)$/i.test(w)) throw at(t[i], `class ${w}: only IN is served`);
      break;
    }
    const typeTok = t[i];
    if (!typeTok) throw at(t[t.length - 1], `no record type after "${t[t.length - 1].text.slice(0, 40)}": write name [ttl] [IN] TYPE rdata`);
    const type = typeTok.quoted ? undefined : staticType(typeTok.text);
    if (!type) throw at(typeTok, `"${typeTok.text.slice(0, 40)}" is not a record type served here: use ${STATIC_TYPES.join(', ')}`);
    const rdata = t.slice(i + 1);
    if (type !== 'TXT') {
      const q = rdata.find((x) => x.quoted);
      if (q) throw at(q, `${type} rdata takes no quoted strings`);
    }
    const rr = wrapRecord(rdata, typeTok, () => buildRecord(owner, type, recTtl ?? ttl ?? opts.defaultTtl, rdata.map((x) => x.text), `${file}:${e.line}`,
      (name, what, token) => wrap(rdata[token], () => absolute(name, origin, what, false))));
    out.push(rr);
    if (out.length > opts.maxRecords) throw at(first, `more than ${opts.maxRecords} records, the most a static table holds (a memory bound): remove some`);
    previousOwner = owner;
  }
  return out;
}

/** A name from the file: `@` is the origin, a name without a final dot is relative to it. */
function absolute(name: string, origin: string | undefined, what: string, wildcard: boolean): string {
  if (name === '@') {
    if (origin === undefined) throw new RecordError(`${what} "@" stands for $ORIGIN, and none is set: add $ORIGIN example.test. above it`);
    return origin;
  }
  if (name.endsWith('.')) return checkName(name, what, wildcard);
  if (origin === undefined) throw new RecordError(`${what} "${name.slice(0, 60)}" is relative and no $ORIGIN is set: end it with a dot (${name.slice(0, 60)}.) or add $ORIGIN above it`);
  return checkName(origin === '' ? name : `${name}.${origin}`, what, wildcard);
}

function wrap<T>(tok: Token, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RecordError) throw new MasterFileError('', tok.line, tok.column, err.message);
    throw err;
  }
}

function wrapRecord<T>(rdata: Token[], typeTok: Token, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RecordError) {
      const tok = err.token >= 0 ? rdata[err.token] ?? typeTok : typeTok;
      throw new MasterFileError('', tok.line, tok.column, err.message);
    }
    throw err;
  }
}

/** parseMasterFile with the file name filled into errors raised below it. */
export function parseRecordsText(file: string, text: string, opts: ParseOptions): RR[] {
  try {
    return parseMasterFile(file, text, opts);
  } catch (err) {
    if (err instanceof MasterFileError && err.file === '') throw new MasterFileError(file, err.line, err.column, err.detail);
    throw err;
  }
}
