// Fault name patterns: `*` matches any run of characters (dots included), everything else matches itself,
// case-insensitively. Matched in time linear in the name plus the pattern, whatever either holds: a pattern used to
// become a `.*`-joined RegExp, and V8's backtracking made `*.*.*…*.z` against a 121-label name run for minutes on
// the event loop that answers every query.
//
// With only `*` as a wildcard, a greedy leftmost match is exact: the pattern's first piece must start the name, its
// last piece must end it, and the pieces between must occur in order, each as far left as it can. Each middle piece
// is found with KMP, whose text position only moves forward, so the whole match reads each character of the name
// a bounded number of times.

/** A DNS name is at most 255 octets on the wire (253 characters as text): a longer pattern cannot mean a name. */
export const MAX_PATTERN_LENGTH = 255;

export class PatternError extends Error {}

export interface NamePattern {
  /** lower case, no trailing dot, runs of `*` collapsed */
  readonly source: string;
  /** true when the pattern has no `*`: only `source` itself matches */
  readonly exact: boolean;
  /**
   * Whole labels every matching name ends with, after a dot ("default.svc.cluster.local" for
   * "*.default.svc.cluster.local"), so a fault table can look candidates up by the name's label suffixes instead of
   * trying every pattern; undefined when the pattern ends in a wildcard label ("*", "web-*", "*.svc.*").
   */
  readonly suffixKey?: string;
  /**
   * true when matching scans the name (two or more `*`: pieces to find in between); otherwise matching is at most
   * one comparison of each end
   */
  readonly scans: boolean;
  /** `name`: lower case, no trailing dot */
  matches(name: string): boolean;
}

/** KMP failure table: fail[i] is the length of the longest proper border of piece[0..i]. */
function failureTable(piece: string): Int32Array {
  const fail = new Int32Array(piece.length);
  let k = 0;
  for (let i = 1; i < piece.length; i++) {
    while (k > 0 && piece.charCodeAt(i) !== piece.charCodeAt(k)) k = fail[k - 1];
    if (piece.charCodeAt(i) === piece.charCodeAt(k)) k++;
    fail[i] = k;
  }
  return fail;
}

/** The end of the leftmost occurrence of `piece` in text[from, to), or -1. */
function findFrom(text: string, from: number, to: number, piece: string, fail: Int32Array): number {
  let k = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    while (k > 0 && c !== piece.charCodeAt(k)) k = fail[k - 1];
    if (c === piece.charCodeAt(k)) k++;
    if (k === piece.length) return i + 1;
  }
  return -1;
}

export function normalizePattern(pattern: string): string {
  return pattern.toLowerCase().replace(/\.$/, '').replace(/\*{2,}/g, '*');
}

export function compilePattern(pattern: string): NamePattern {
  if (typeof pattern !== 'string' || pattern === '') throw new PatternError('a fault needs "name": a name or pattern such as "*.default.svc.cluster.local"');
  if (pattern.length > MAX_PATTERN_LENGTH + 1) {
    throw new PatternError(`"name" is ${pattern.length} characters: a DNS name has at most 253, so a pattern may have at most ${MAX_PATTERN_LENGTH}; shorten it (one "*" matches any run of characters, dots included)`);
  }
  const source = normalizePattern(pattern);
  if (source.length > MAX_PATTERN_LENGTH) {
    throw new PatternError(`"name" is ${source.length} characters: a pattern may have at most ${MAX_PATTERN_LENGTH}; shorten it`);
  }
  if (source === '') throw new PatternError('"name" is only a dot: give a name or pattern such as "*.default.svc.cluster.local"');
  const pieces = source.split('*');
  if (pieces.length === 1) return { source, exact: true, scans: false, matches: (name) => name === source };

  const head = pieces[0];
  const tail = pieces[pieces.length - 1];
  const middles = pieces.slice(1, -1);
  const fails = middles.map(failureTable);
  const minLength = pieces.reduce((n, p) => n + p.length, 0);
  const dot = tail.indexOf('.');
  const suffixKey = dot >= 0 && dot < tail.length - 1 ? tail.slice(dot + 1) : undefined;
  return {
    source,
    exact: false,
    scans: middles.length > 0,
    ...(suffixKey !== undefined ? { suffixKey } : {}),
    matches(name: string): boolean {
      if (name.length < minLength || !name.startsWith(head) || !name.endsWith(tail)) return false;
      let at = head.length;
      const end = name.length - tail.length;
      for (let i = 0; i < middles.length; i++) {
        at = findFrom(name, at, end, middles[i], fails[i]);
        if (at < 0) return false;
      }
      return true;
    },
  };
}
