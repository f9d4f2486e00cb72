// A fast path for the block YAML that kubectl, helm and our generators write: one pass over the document's text
// with charCodeAt, building exactly the value js-yaml 4 builds with the core schema plus merge keys (the schema
// manifest files are read with), and NOT_HANDLED for anything outside the subset, which the caller then gives
// to js-yaml (so errors are still reported by js-yaml, with their line).
//
// The subset: block mappings (plain or quoted keys) and sequences (also compact `- key: v`, and a sequence at its
// parent key's indentation), single-line plain, single- and double-quoted scalars, single-line flow collections
// of those, comments and blank lines. Indentation by spaces. Anything else (anchors, aliases, tags, merge keys,
// block scalars, multi-line scalars, explicit keys, directives, document markers, tabs, CR line breaks,
// duplicate keys, `__proto__`) is NOT_HANDLED, and so is every input js-yaml would reject.
//
// Plain scalars are resolved by js-yaml's own implicit types, in the schema's order, unless their first character
// already rules every one of them out (most strings start with a letter none of them accepts).
import jsyaml from 'js-yaml';

/** What parseFastYaml returns for a document outside the fast subset: give it to js-yaml. */
export const NOT_HANDLED: unique symbol = Symbol('NOT_HANDLED');

interface ImplicitType {
  tag: string;
  resolve(data: string): boolean;
  construct(data: string): unknown;
}

// @types/js-yaml does not declare `types` or `compiledImplicit`, which js-yaml 4 has.
const jsTypes = (jsyaml as unknown as { types: Record<string, jsyaml.Type> }).types;
/** The schema manifest files are read with (lib/sources/manifest-files.ts): core plus merge keys. */
const SCHEMA = jsyaml.CORE_SCHEMA.extend({ implicit: [jsTypes.merge] });
const IMPLICIT = (SCHEMA as unknown as { compiledImplicit: ImplicitType[] }).compiledImplicit;
const MERGE_TAG = 'tag:yaml.org,2002:merge';

/** js-yaml's check of plain scalars (PATTERN_NON_PRINTABLE in its loader), run only when one has a non-ASCII character. */
const NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;

/** js-yaml nests at most 100 nodes deep (maxDepth); we stop well before. */
const MAX_DEPTH = 50;

/** Thrown (never out of this module) when the document leaves the subset. */
const BAIL = { bail: true };
function bail(): never {
  throw BAIL;
}

/**
 * What a plain scalar's first character allows, for ASCII: 0 = only a string (no implicit type starts with it),
 * 1 = maybe null or bool (n N t T f F: only with length 4 or 5), 2 = a digit, 3 = maybe a number, null or merge
 * key (+ - . ~ <).
 */
const FIRST = new Uint8Array(128);
for (const ch of 'nNtTfF') FIRST[ch.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) FIRST[c] = 2;
for (const ch of '+-.~<') FIRST[ch.charCodeAt(0)] = 3;

/**
 * Characters that cannot start a plain scalar (js-yaml's readPlainScalar): flow indicators, `#&*!|>'"%@` and
 * the backtick. `-`, `?` (and `:`) need a look at the next character.
 */
const NOT_PLAIN_FIRST = new Uint8Array(128);
for (const ch of ',[]{}#&*!|>\'"%@`') NOT_PLAIN_FIRST[ch.charCodeAt(0)] = 1;

/** js-yaml's simpleEscapeSequence: the character a `\x` escape stands for (tab after the backslash is left out). */
const ESCAPES: (string | undefined)[] = new Array(128).fill(undefined);
{
  const pairs: [string, string][] = [
    ['0', '\x00'], ['a', '\x07'], ['b', '\b'], ['t', '\t'], ['n', '\n'], ['v', '\v'], ['f', '\f'], ['r', '\r'],
    ['e', '\x1B'], [' ', ' '], ['"', '"'], ['/', '/'], ['\\', '\\'], ['N', '\x85'], ['_', '\xA0'], ['L', '\u2028'],
    ['P', '\u2029'],
  ];
  for (const [k, v] of pairs) ESCAPES[k.charCodeAt(0)] = v;
}

// Parser state: the document, where the current content line's first character is (-1 at the end), that line's
// start and indentation, and results of the scanners.
let s = '';
let n = 0;
let cpos = -1;
let lineStart = 0;
let lineIndent = 0;
let depth = 0;
/** after scanPlain: end of the scalar's text (trailing spaces left out) and where scanning stopped */
let scanEnd = 0;
let scanStop = 0;
/** after a quoted scalar or a flow collection: the index just past it */
let endPos = 0;
/** tag of the implicit type resolvePlain used ('' for a string) */
let lastTag = '';

/**
 * The value of one YAML document (already split at `---`), or NOT_HANDLED when the text uses anything outside
 * the fast subset. A value deep-equals what `jsyaml.load(doc, { schema: core + merge })` returns.
 */
export function parseFastYaml(doc: string): unknown {
  try {
    s = doc;
    n = doc.length;
    depth = 0;
    if (n > 0 && s.charCodeAt(0) === 0xfeff) return NOT_HANDLED;
    contextId = -1;
    skipToContent(0);
    if (cpos === -1) return emptyDocument();
    // js-yaml takes `---` at the start of a document as its marker whatever follows it (`---x: 1` is `x: 1`).
    if (lineIndent === 0 && s.startsWith('---', cpos)) return NOT_HANDLED;
    const value = parseNodeAt(cpos, lineIndent);
    if (cpos !== -1) return NOT_HANDLED; // more after the top-level node: js-yaml throws (or reads it differently)
    return value;
  } catch {
    return NOT_HANDLED;
  } finally {
    s = '';
    stackTop = 0;
    if (stackHigh > 0) {
      // let go of the document's values and keys
      valueStack.fill(undefined, 0, stackHigh);
      keyStack.fill('', 0, stackHigh);
      stackHigh = 0;
    }
  }
}

/** js-yaml's result for a document of only spaces, blank lines and comments: no document, or one null one. */
function emptyDocument(): unknown {
  if (n === 0) return undefined;
  const last = s.charCodeAt(n - 1);
  const length = last === 10 || last === 13 ? n : n + 1; // js-yaml appends a line break
  let spaces = 0;
  while (spaces < n && s.charCodeAt(spaces) === 32) spaces++;
  return spaces < length - 1 ? null : undefined;
}

/** From a line start, past blank and comment lines to the next content line; sets cpos (-1 at the end). */
function skipToContent(p: number): void {
  for (;;) {
    let i = p;
    while (i < n && s.charCodeAt(i) === 32) i++;
    if (i >= n) {
      cpos = -1;
      return;
    }
    const c = s.charCodeAt(i);
    if (c === 10) {
      p = i + 1;
      continue;
    }
    if (c === 35) {
      const e = skipComment(i + 1);
      if (e >= n) {
        cpos = -1;
        return;
      }
      p = e + 1;
      continue;
    }
    if (c < 32) bail(); // tab in indentation, CR, control characters
    if (i === p && (c === 45 || c === 46) && isDocumentMarker(i, c)) bail();
    lineStart = p;
    lineIndent = i - p;
    cpos = i;
    return;
  }
}

function isDocumentMarker(i: number, c: number): boolean {
  if (s.charCodeAt(i + 1) !== c || s.charCodeAt(i + 2) !== c) return false;
  return i + 3 >= n || s.charCodeAt(i + 3) <= 32;
}

/** Index of the line break ending a comment (or n). js-yaml also ends a comment at CR, and refuses NUL. */
function skipComment(i: number): number {
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 10) return i;
    if (c === 13 || c === 0) bail();
  }
  return n;
}

/** After a node's text on a line: only spaces, then the line's end or a comment. Moves to the next content line. */
function finishLine(i: number): void {
  while (i < n && s.charCodeAt(i) === 32) i++;
  if (i >= n) {
    cpos = -1;
    return;
  }
  const c = s.charCodeAt(i);
  if (c === 10) {
    skipToContent(i + 1);
    return;
  }
  if (c === 35 && s.charCodeAt(i - 1) === 32) {
    const e = skipComment(i + 1);
    if (e >= n) cpos = -1;
    else skipToContent(e + 1);
    return;
  }
  bail();
}

/** Whether the character at i is white space or a line end for js-yaml (tab and CR are not in the subset). */
function wsAfter(i: number): boolean {
  if (i >= n) return true;
  const c = s.charCodeAt(i);
  if (c === 32 || c === 10) return true;
  if (c === 9 || c === 13) bail();
  return false;
}

function isDash(p: number): boolean {
  return s.charCodeAt(p) === 45 && wsAfter(p + 1);
}

/** Whether a plain scalar in block context can start at p (c = its character). */
function plainStartOk(p: number, c: number): boolean {
  if (c <= 32) bail();
  if (c < 128 && NOT_PLAIN_FIRST[c] === 1) return false;
  if ((c === 45 || c === 63) && wsAfter(p + 1)) return false;
  return true;
}

/** Characters scanPlain looks at (ASCII): 1 `:`, 2 `#`, 3 line feed, 4 other control characters, 5 DEL. */
const PLAIN_CLASS = new Uint8Array(128);
for (let c = 0; c < 32; c++) PLAIN_CLASS[c] = 4;
PLAIN_CLASS[58] = 1;
PLAIN_CLASS[35] = 2;
PLAIN_CLASS[10] = 3;
PLAIN_CLASS[0x7f] = 5;

/**
 * Scans a block-context plain scalar on its line from p: returns true when it ends at `: ` (a mapping key),
 * false when at the line's end or a ` #` comment. Sets scanEnd (trailing spaces left out) and scanStop.
 */
function scanPlain(p: number): boolean {
  let wide = false;
  let i = p;
  let key = false;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128) {
      wide = true;
      continue;
    }
    const k = PLAIN_CLASS[c];
    if (k === 0) continue;
    if (k === 1) {
      if (i + 1 >= n) {
        key = true;
        break;
      }
      const f = s.charCodeAt(i + 1);
      if (f === 32 || f === 10) {
        key = true;
        break;
      }
      if (f === 9 || f === 13) bail();
    } else if (k === 2) {
      if (s.charCodeAt(i - 1) === 32) break;
    } else if (k === 3) {
      break;
    } else if (k === 4) {
      bail();
    } else {
      wide = true;
    }
  }
  let end = i;
  while (end > p && s.charCodeAt(end - 1) === 32) end--;
  if (wide && NON_PRINTABLE.test(s.slice(p, end))) bail();
  scanEnd = end;
  scanStop = i;
  return key;
}

/** A plain scalar's value: js-yaml's implicit types (null, bool, int, float, merge), else the string. */
function plainValue(str: string): unknown {
  const c = str.charCodeAt(0);
  if (c >= 128) return str;
  const f = FIRST[c];
  if (f === 0) return str;
  if (f === 1) return str.length === 4 || str.length === 5 ? resolvePlain(str) : str;
  if (f === 2 && str.length <= 15) {
    let v = 0;
    for (let i = 0; i < str.length; i++) {
      const d = str.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return resolvePlain(str);
      v = v * 10 + d;
    }
    return v;
  }
  return resolvePlain(str);
}

function resolvePlain(str: string): unknown {
  for (let i = 0; i < IMPLICIT.length; i++) {
    const t = IMPLICIT[i];
    if (t.resolve(str)) {
      lastTag = t.tag;
      return t.construct(str);
    }
  }
  lastTag = '';
  return str;
}

/** A plain mapping key: js-yaml resolves it like a value and makes a string of it; `<<` is a merge (not handled). */
function plainKey(str: string): string {
  const c = str.charCodeAt(0);
  if (c >= 128) return str;
  const f = FIRST[c];
  if (f === 0 || (f === 1 && str.length !== 4 && str.length !== 5)) return str;
  const v = resolvePlain(str);
  if (lastTag === MERGE_TAG) bail();
  return String(v);
}

/** A single-quoted scalar on one line, from its opening quote at p; sets endPos past the closing quote. */
function scanSingle(p: number): string {
  let i = p + 1;
  let start = i;
  let out = '';
  for (;;) {
    if (i >= n) bail();
    const c = s.charCodeAt(i);
    if (c === 39) {
      if (s.charCodeAt(i + 1) === 39) {
        out += s.slice(start, i + 1);
        i += 2;
        start = i;
        continue;
      }
      endPos = i + 1;
      return out + s.slice(start, i);
    }
    if (c < 32) bail(); // line break (a multi-line scalar), tab, control characters
    i++;
  }
}

function fromHex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lc = c | 32;
  if (lc >= 97 && lc <= 102) return lc - 97 + 10;
  return -1;
}

/** js-yaml's charFromCodepoint. */
function charFromCodepoint(c: number): string {
  if (c <= 0xffff) return String.fromCharCode(c);
  return String.fromCharCode(((c - 0x010000) >> 10) + 0xd800, ((c - 0x010000) & 0x03ff) + 0xdc00);
}

/** A double-quoted scalar on one line, from its opening quote at p; sets endPos past the closing quote. */
function scanDouble(p: number): string {
  let i = p + 1;
  let start = i;
  let out = '';
  for (;;) {
    if (i >= n) bail();
    const c = s.charCodeAt(i);
    if (c === 34) {
      endPos = i + 1;
      return out + s.slice(start, i);
    }
    if (c === 92) {
      out += s.slice(start, i);
      const e = s.charCodeAt(i + 1); // NaN at the end
      const simple = e < 128 ? ESCAPES[e] : undefined;
      if (simple !== undefined) {
        out += simple;
        i += 2;
      } else {
        const len = e === 120 ? 2 : e === 117 ? 4 : e === 85 ? 8 : 0;
        if (len === 0) bail(); // unknown escape, or an escaped line break
        let code = 0;
        for (let k = 0; k < len; k++) {
          const h = fromHex(s.charCodeAt(i + 2 + k));
          if (h < 0) bail();
          code = (code << 4) + h;
        }
        out += charFromCodepoint(code);
        i += 2 + len;
      }
      start = i;
      continue;
    }
    if (c < 32) bail();
    i++;
  }
}

/** A node whose text starts at p on the current line, at column col, where a compact mapping or sequence may start. */
function parseNodeAt(p: number, col: number): unknown {
  const c = s.charCodeAt(p);
  if (c === 45 && wsAfter(p + 1)) {
    cpos = p;
    return parseSequence(col);
  }
  if (c === 34 || c === 39) {
    const str = c === 34 ? scanDouble(p) : scanSingle(p);
    let i = endPos;
    while (i < n && s.charCodeAt(i) === 32) i++;
    if (s.charCodeAt(i) === 58) {
      cpos = p;
      return parseMapping(col);
    }
    finishLine(i);
    return str;
  }
  if (c === 91 || c === 123) {
    const v = parseFlow(p);
    finishLine(endPos);
    return v;
  }
  if (!plainStartOk(p, c)) bail();
  if (scanPlain(p)) {
    cpos = p;
    return parseMapping(col);
  }
  const v = plainValue(s.slice(p, scanEnd));
  finishLine(scanEnd);
  return v;
}

/** A mapping's value written on its key's line, at p. */
function parseInlineValue(p: number): unknown {
  const c = s.charCodeAt(p);
  if (c === 34 || c === 39) {
    const str = c === 34 ? scanDouble(p) : scanSingle(p);
    finishLine(endPos);
    return str;
  }
  if (c === 91 || c === 123) {
    const v = parseFlow(p);
    finishLine(endPos);
    return v;
  }
  if (!plainStartOk(p, c)) bail();
  if (scanPlain(p)) bail(); // `a: b: c`
  const v = plainValue(s.slice(p, scanEnd));
  finishLine(scanEnd);
  return v;
}

/** A block node starting on a line of its own (cpos), more indented than its parent: a sequence or a mapping. */
function parseBlockNode(): unknown {
  if (isDash(cpos)) return parseSequence(lineIndent);
  return parseMapping(lineIndent);
}

/**
 * Keys and values of the mappings being read, innermost last: a mapping's entries are collected here and the
 * object built at its end, by a factory for its shape once that shape has been seen before.
 */
const keyStack: string[] = [];
const valueStack: unknown[] = [];
let stackTop = 0;
let stackHigh = 0;

/**
 * Recently read plain keys, by length and a few characters, with a number per distinct key: a key read again
 * is the same string (no new string to hash when it becomes a property name) and has its number for the shape
 * trie. Only keys that are their own text (`0x10` is "16" and is not kept here).
 */
const KEY_CACHE_SIZE = 2048;
const keyCacheText: (string | undefined)[] = new Array(KEY_CACHE_SIZE).fill(undefined);
const keyCacheId = new Int32Array(KEY_CACHE_SIZE);
const keyIds = new Map<string, number>();
const MAX_KEY_IDS = 20_000;
/** the number of the key cachedKey returned, -1 when it has none */
let keyId = -1;

function cachedKey(p: number, end: number, c: number): string {
  const len = end - p;
  const h = ((len << 6) ^ (c << 1) ^ s.charCodeAt(end - 1) ^ (s.charCodeAt(p + (len >> 1)) << 4)) & (KEY_CACHE_SIZE - 1);
  const hit = keyCacheText[h];
  if (hit !== undefined && hit.length === len) {
    let k = 0;
    while (k < len && hit.charCodeAt(k) === s.charCodeAt(p + k)) k++;
    if (k === len) {
      keyId = keyCacheId[h];
      return hit;
    }
  }
  const text = s.slice(p, end);
  const key = plainKey(text);
  keyId = -1;
  if (key !== text) return key; // resolved to something else (`0x10` is "16")
  if (keyIds.size >= MAX_KEY_IDS || len > 256) return key;
  // What is kept here is a copy: a slice would keep the whole document it was cut from alive.
  const own = len < 13 ? key : [...key].join('');
  let id = keyIds.get(own);
  if (id === undefined) {
    id = keyIds.size;
    keyIds.set(own, id);
  }
  keyCacheText[h] = own;
  keyCacheId[h] = id;
  keyId = id;
  return own;
}

/**
 * A mapping's keys so far, as a node of a trie over key numbers: `last` is the last key, `parent` the shape
 * before it. `dup` when a key repeats (js-yaml throws). `make` builds the object with an object literal (the keys
 * in order), compiled the second time the shape ends a mapping.
 */
interface Shape {
  parent: Shape | null;
  last: string;
  size: number;
  dup: boolean;
  firstId: number;
  first: Shape | null;
  more: Map<number, Shape> | null;
  ends: number;
  make: ((values: unknown[], base: number) => Record<string, unknown>) | null;
}

function newShape(parent: Shape | null, last: string, dup: boolean): Shape {
  return { parent, last, size: parent === null ? 0 : parent.size + 1, dup, firstId: -1, first: null, more: null, ends: 0, make: null };
}

/**
 * Where a mapping's shape starts: one trie per key the mapping is the value of (a mapping under `metadata`
 * likely starts with `name`), else ROOT_SHAPE. contextId is the number of that key, -1 for none.
 */
const ROOT_SHAPE = newShape(null, '', false);
const rootShapes: (Shape | undefined)[] = [];
let contextId = -1;
/** Bounds on what the tries keep (a mapping with more keys, or any beyond the bounds, takes the slow way). */
const MAX_SHAPES = 10_000;
const MAX_SHAPE_KEYS = 64;
const MAX_FACTORIES = 1_000;
const MAX_FACTORY_KEYS = 40;
let shapeCount = 0;
let factoryCount = 0;
/** false once the runtime refuses code from strings (node --disallow-code-generation-from-strings) */
let canCompile = true;

function rootShape(id: number): Shape | null {
  if (id < 0) return ROOT_SHAPE;
  const found = rootShapes[id];
  if (found !== undefined) return found;
  if (shapeCount >= MAX_SHAPES) return null;
  shapeCount++;
  const root = newShape(null, '', false);
  rootShapes[id] = root;
  return root;
}

/** The shape after one more key (null when the bounds are reached). */
function nextShape(shape: Shape, id: number, key: string): Shape | null {
  if (shape.firstId === id) return shape.first;
  if (shape.more !== null) {
    const found = shape.more.get(id);
    if (found !== undefined) return found;
  }
  if (shapeCount >= MAX_SHAPES || shape.size >= MAX_SHAPE_KEYS) return null;
  shapeCount++;
  let dup = shape.dup;
  for (let at: Shape | null = shape; !dup && at !== null && at.size > 0; at = at.parent) dup = at.last === key;
  const next = newShape(shape, key, dup);
  if (shape.first === null) {
    shape.firstId = id;
    shape.first = next;
  } else {
    if (shape.more === null) shape.more = new Map();
    shape.more.set(id, next);
  }
  return next;
}

function compileShape(shape: Shape): Shape['make'] {
  const keys: string[] = [];
  for (let at: Shape | null = shape; at !== null && at.size > 0; at = at.parent) keys.push(at.last);
  keys.reverse();
  const fields = keys.map((k, i) => `${JSON.stringify(k)}: v[b + ${i}]`);
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    shape.make = new Function('v', 'b', `return { ${fields.join(', ')} };`) as Shape['make'];
    factoryCount++;
  } catch {
    canCompile = false;
  }
  return shape.make;
}

/** Whether the text at p is key followed by `: ` (or `:` at the line's end). */
function isKeyAt(key: string, p: number): boolean {
  const len = key.length;
  if (p + len >= n) return false;
  for (let k = 0; k < len; k++) if (key.charCodeAt(k) !== s.charCodeAt(p + k)) return false;
  return s.charCodeAt(p + len) === 58 && wsAfter(p + len + 1);
}

/** A block mapping at column indent whose first key starts at cpos. Ends at the next line less indented. */
function parseMapping(indent: number): Record<string, unknown> {
  if (++depth > MAX_DEPTH) bail();
  const base = stackTop;
  let top = base;
  /** the shape of the keys so far; null once a key has no number (then duplicates are looked for one by one) */
  let shape = rootShape(contextId);
  /** the keys so far, once a mapping without a shape has many */
  let seen: Set<string> | null = null;
  for (;;) {
    const p = cpos;
    const c = s.charCodeAt(p);
    let key: string;
    let after: number;
    let id: number;
    // The key this shape went on with last time, if it is the one here: the same text followed by `: ` needs no
    // scanning, it reads the same.
    const predicted: Shape | null = shape !== null ? shape.first : null;
    if (predicted !== null && isKeyAt(predicted.last, p)) {
      key = predicted.last;
      after = p + key.length + 1;
      id = (shape as Shape).firstId;
      if (predicted.dup) bail(); // js-yaml throws on a duplicate key
      shape = predicted;
    } else {
      if (c === 34 || c === 39) {
        key = c === 34 ? scanDouble(p) : scanSingle(p);
        let i = endPos;
        while (i < n && s.charCodeAt(i) === 32) i++;
        if (s.charCodeAt(i) !== 58 || !wsAfter(i + 1)) bail();
        after = i + 1;
        id = -1;
      } else {
        if (!plainStartOk(p, c) || !scanPlain(p) || scanEnd === p) bail();
        key = cachedKey(p, scanEnd, c);
        after = scanStop + 1;
        id = keyId;
      }
      if (key === '__proto__') bail();
      if (shape !== null && id >= 0) {
        shape = nextShape(shape, id, key);
        if (shape !== null && shape.dup) bail();
      } else {
        shape = null;
      }
      if (shape === null) {
        if (seen === null && top - base >= 32) seen = new Set(keyStack.slice(base, top));
        if (seen !== null) {
          if (seen.has(key)) bail();
          seen.add(key);
        } else {
          for (let k = base; k < top; k++) if (keyStack[k] === key) bail();
        }
      }
    }
    const slot = top++;
    keyStack[slot] = key;
    stackTop = top;
    if (top > stackHigh) stackHigh = top;
    let i = after;
    while (i < n && s.charCodeAt(i) === 32) i++;
    let value: unknown;
    const vc = i < n ? s.charCodeAt(i) : 10;
    if (vc === 10 || vc === 35) {
      // Nothing on the key's line: the value is the block below, a sequence at the key's own column, or null.
      if (vc === 35) i = skipComment(i + 1);
      if (i >= n) cpos = -1;
      else skipToContent(i + 1);
      contextId = id;
      if (cpos === -1 || lineIndent < indent) value = null;
      else if (lineIndent === indent) value = isDash(cpos) ? parseSequence(indent) : null;
      else value = parseBlockNode();
    } else {
      value = parseInlineValue(i);
    }
    valueStack[slot] = value;
    if (cpos === -1 || lineIndent < indent) break;
    if (lineIndent > indent) bail();
  }
  stackTop = base;
  depth--;
  if (shape !== null) {
    if (shape.make !== null) return shape.make(valueStack, base);
    if (++shape.ends >= 2 && canCompile && factoryCount < MAX_FACTORIES && top - base <= MAX_FACTORY_KEYS) {
      const make = compileShape(shape);
      if (make !== null) return make(valueStack, base);
    }
  }
  const obj: Record<string, unknown> = {};
  for (let k = base; k < top; k++) obj[keyStack[k]] = valueStack[k];
  return obj;
}

/** A block sequence at column indent whose first `-` is at cpos. */
function parseSequence(indent: number): unknown[] {
  if (++depth > MAX_DEPTH) bail();
  const arr: unknown[] = [];
  const context = contextId;
  for (;;) {
    contextId = context;
    let i = cpos + 1;
    while (i < n && s.charCodeAt(i) === 32) i++;
    const c = i < n ? s.charCodeAt(i) : 10;
    if (c === 10 || c === 35) {
      if (c === 35) i = skipComment(i + 1);
      if (i >= n) cpos = -1;
      else skipToContent(i + 1);
      if (cpos !== -1 && lineIndent > indent) {
        arr.push(parseBlockNode());
      } else {
        arr.push(null);
        if (cpos === -1) break;
        // js-yaml goes on with this sequence after an empty entry even when a less indented `-` follows.
        if (lineIndent < indent) {
          if (isDash(cpos)) bail();
          break;
        }
        if (isDash(cpos)) continue;
        break;
      }
    } else {
      arr.push(parseNodeAt(i, i - lineStart));
    }
    if (cpos === -1 || lineIndent < indent) break;
    if (lineIndent > indent) bail();
    if (!isDash(cpos)) break;
  }
  depth--;
  return arr;
}

function skipSpaces(i: number): number {
  while (i < n && s.charCodeAt(i) === 32) i++;
  if (i >= n) bail();
  return i;
}

function isFlowIndicator(c: number): boolean {
  return c === 44 || c === 91 || c === 93 || c === 123 || c === 125;
}

/** Whether a plain scalar inside a flow collection can start at p. */
function flowPlainStartOk(p: number, c: number): boolean {
  if (c <= 32) bail();
  if (c < 128 && NOT_PLAIN_FIRST[c] === 1) return false;
  if (c === 45 || c === 63) {
    if (wsAfter(p + 1) || isFlowIndicator(s.charCodeAt(p + 1))) return false;
  }
  return true;
}

/** A plain scalar inside a flow collection, from p: returns the end of its text, sets scanStop. */
function scanFlowPlain(p: number): number {
  let end = p;
  let wide = false;
  let i = p;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 32) continue;
    if (isFlowIndicator(c)) break;
    if (c === 58) {
      if (i + 1 >= n) bail();
      const f = s.charCodeAt(i + 1);
      if (f === 32 || isFlowIndicator(f)) break;
      if (f < 32) bail();
    } else if (c === 35) {
      if (s.charCodeAt(i - 1) === 32) bail(); // a comment inside a flow collection
    } else if (c < 32) {
      bail(); // a line break inside a flow collection, tab, control characters
    } else if (c >= 0x7f) {
      wide = true;
    }
    end = i + 1;
  }
  if (i >= n || end === p) bail();
  if (wide && NON_PRINTABLE.test(s.slice(p, end))) bail();
  scanStop = i;
  return end;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Kinds of a flow collection's entry. */
const QUOTED = 0;
const PLAIN = 1;
const COLLECTION = 2;

/** A flow node at p (quoted, plain or a nested collection); sets endPos and nodeKind, plain text in nodeText. */
let nodeKind = 0;
function flowNode(p: number): unknown {
  const c = s.charCodeAt(p);
  if (c === 34 || c === 39) {
    nodeKind = QUOTED;
    return c === 34 ? scanDouble(p) : scanSingle(p);
  }
  if (c === 91 || c === 123) {
    const v = parseFlow(p);
    nodeKind = COLLECTION;
    return v;
  }
  if (!flowPlainStartOk(p, c)) bail();
  const end = scanFlowPlain(p);
  endPos = scanStop;
  nodeKind = PLAIN;
  return s.slice(p, end);
}

/** A flow sequence or mapping on one line, from its bracket at p; sets endPos past the closing bracket. */
function parseFlow(p: number): unknown {
  if (++depth > MAX_DEPTH) bail();
  const isMap = s.charCodeAt(p) === 123;
  const terminator = isMap ? 125 : 93;
  const map: Record<string, unknown> = {};
  const seq: unknown[] = [];
  let i = p + 1;
  let readNext = true;
  for (;;) {
    i = skipSpaces(i);
    let c = s.charCodeAt(i);
    if (c === terminator) break;
    if (!readNext || c === 44) bail();
    if (c === 63 && wsAfter(i + 1)) bail(); // explicit key
    let key = flowNode(i);
    const keyKind = nodeKind;
    i = skipSpaces(endPos);
    c = s.charCodeAt(i);
    let isPair = false;
    let value: unknown = null;
    if (c === 58) {
      if (keyKind === COLLECTION) bail();
      isPair = true;
      i = skipSpaces(i + 1);
      c = s.charCodeAt(i);
      if (c !== 44 && c !== terminator) {
        value = flowNode(i);
        if (nodeKind === PLAIN) value = plainValue(value as string);
        i = skipSpaces(endPos);
        c = s.charCodeAt(i);
      }
    }
    if (isMap || isPair) {
      if (keyKind === COLLECTION) bail();
      if (keyKind === PLAIN) key = plainKey(key as string);
      const k = key as string;
      if (k === '__proto__') bail();
      if (isMap) {
        if (hasOwn.call(map, k)) bail();
        map[k] = value;
      } else {
        const pair: Record<string, unknown> = {};
        pair[k] = value;
        seq.push(pair);
      }
    } else {
      seq.push(keyKind === PLAIN ? plainValue(key as string) : key);
    }
    if (c === 44) {
      readNext = true;
      i++;
    } else {
      readNext = false;
    }
  }
  endPos = i + 1;
  depth--;
  return isMap ? map : seq;
}
