// Where each object of a JSON manifest file starts, so an error in the 3,000th item of `kubectl get -o json` output
// names its line as YAML errors do. JSON.parse gives values without positions; this scan runs over text that
// JSON.parse has already accepted, so it skips every check a parser makes and jumps over strings with indexOf (raw
// newlines cannot occur inside a JSON string). It costs about what JSON.parse costs (113 MB: ~0.5 s), so it runs
// only when an object has an error to report, never on a file that loads.

/** A top-level object (the file's one object, or one element of its top-level array) and its List items' lines. */
export interface JsonObjectLines {
  line: number;
  /** the lines of the elements of its `items` array, when it has one */
  items?: number[];
}

interface Frame {
  arr: boolean;
  /** objects: the next string is a key */
  wantKey: boolean;
  key: string;
  /** an object whose `items` elements are recorded */
  owner?: JsonObjectLines;
  /** an array whose elements are recorded (the root array, or an owner's `items`) */
  collect?: (line: number) => JsonObjectLines | undefined;
}

const NL = 10, QUOTE = 34, COMMA = 44, COLON = 58, OPEN_BRACE = 123, CLOSE_BRACE = 125, OPEN_BRACKET = 91, CLOSE_BRACKET = 93;

/** Lines (1-based) of the top-level objects of JSON text that JSON.parse accepted, and of their `items`. */
export function jsonObjectLines(text: string): JsonObjectLines[] {
  const out: JsonObjectLines[] = [];
  const stack: Frame[] = [];
  let line = 1;
  const n = text.length;

  // A value starts here: recorded if its parent collects; returns the frame it opens, if it is an object or array.
  const valueStart = (c: number): Frame | undefined => {
    const top = stack.at(-1);
    let owner: JsonObjectLines | undefined;
    if (!top) {
      if (c === OPEN_BRACKET) return { arr: true, wantKey: false, key: '', collect: (l) => { const o = { line: l }; out.push(o); return o; } };
      owner = { line };
      out.push(owner);
    } else if (top.collect) {
      owner = top.collect(line);
    } else if (!top.arr && top.owner && top.key === 'items' && c === OPEN_BRACKET) {
      const items: number[] = (top.owner.items = []);
      return { arr: true, wantKey: false, key: '', collect: (l) => { items.push(l); return undefined; } };
    }
    if (c === OPEN_BRACE) return { arr: false, wantKey: true, key: '', ...(owner ? { owner } : {}) };
    if (c === OPEN_BRACKET) return { arr: true, wantKey: false, key: '' };
    return undefined;
  };

  for (let i = 0; i < n;) {
    const c = text.charCodeAt(i);
    if (c === NL) { line++; i++; continue; }
    if (c === 32 || c === 9 || c === 13 || c === COLON) { i++; continue; }
    if (c === COMMA) { const top = stack.at(-1); if (top && !top.arr) top.wantKey = true; i++; continue; }
    if (c === CLOSE_BRACE || c === CLOSE_BRACKET) { stack.pop(); i++; continue; }
    if (c === QUOTE) {
      let end = text.indexOf('"', i + 1);
      while (end !== -1 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
      if (end === -1) break;
      const top = stack.at(-1);
      if (top && !top.arr && top.wantKey) {
        top.key = end - i === 6 ? text.slice(i + 1, end) : '';
        top.wantKey = false;
      } else valueStart(c);
      i = end + 1;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      stack.push(valueStart(c)!);
      i++;
      continue;
    }
    // a number, true, false or null: up to the next delimiter
    valueStart(c);
    while (i < n) {
      const d = text.charCodeAt(i);
      if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || d === NL || d === 32 || d === 9 || d === 13) break;
      i++;
    }
  }
  return out;
}

/** Whether the quote at `at` is escaped (an odd run of backslashes before it). */
function isEscaped(text: string, at: number): boolean {
  let k = at - 1;
  while (k >= 0 && text.charCodeAt(k) === 92) k--;
  return (at - 1 - k) % 2 === 1;
}
