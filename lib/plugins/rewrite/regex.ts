// The rewrite plugin's regular expressions: Go's regexp syntax (RE2) through re2js, a JavaScript port of RE2 whose
// matching time is linear in the input, so a user's pattern run on every query cannot backtrack exponentially
// (`(a+)+$` on a 255-byte name takes as long as `a+`). JavaScript's own RegExp would also read the syntax differently
// in places (Go has no lookahead; `\z`, `(?i)` and `(?P<name>)` are Go's). Patterns are bounded as CoreDNS bounds them.
import { RE2JS } from 're2js';

/** CoreDNS's maxRegexpLen: longer patterns are refused when the Corefile is read */
export const MAX_PATTERN = 10000;

export class Pattern {
  private constructor(private readonly re: RE2JS, readonly source: string) {}

  /** compiles `source` or returns the error text (CoreDNS's wording) */
  static compile(source: string): Pattern | string {
    if (source.length > MAX_PATTERN) return `regex pattern too long: ${source.length} > ${MAX_PATTERN}`;
    try {
      return new Pattern(RE2JS.compile(source), source);
    } catch {
      return `invalid regex matching pattern: ${source}`;
    }
  }

  /** the number of capture groups */
  get groups(): number {
    return this.re.groupCount();
  }

  /**
   * Go's FindStringSubmatch: the leftmost match's text and groups (an unmatched group is ''), or null. Names are at
   * most 255 bytes (a longer one cannot come off the wire), so the work per call is bounded by pattern × 256.
   */
  submatch(s: string): string[] | null {
    const m = this.re.matcher(s);
    if (!m.find()) return null;
    const out: string[] = [];
    for (let i = 0; i <= this.re.groupCount(); i++) out.push(m.group(i) ?? '');
    return out;
  }
}

/** CoreDNS's getSubExprUsage: how many of {0}..{100} appear in s */
export function subExprUsage(s: string): number {
  let n = 0;
  for (let i = 0; i <= 100; i++) if (s.includes(`{${i}}`)) n++;
  return n;
}

/** `replacement` with {0}, {1}... replaced by the match's groups, in order, as CoreDNS does it */
export function expand(replacement: string, groups: readonly string[]): string {
  let s = replacement;
  for (let i = 0; i < groups.length; i++) s = s.split(`{${i}}`).join(groups[i]!);
  return s;
}
