// The rewrite plugin's rules, as CoreDNS 1.14.7 builds them (plugin/rewrite/rewrite.go newRule, name.go, type.go):
// `[continue|stop] name [exact|prefix|suffix|substring|regex] FROM TO [answer auto | answer name FROM TO |
// answer value FROM TO]...` and `[continue|stop] type FROM TO`. Names are matched in CoreDNS's form: lower case,
// fully qualified (trailing dot); FROM and TO are normalised the same way (regex FROM excepted).
import { parseType } from '../../dns/records.js';
import { expand, Pattern, subExprUsage } from './regex.js';

export type Mode = 'stop' | 'continue';

/** rewrites a name (a record's owner, or the name in its rdata) on the way back */
export type StringRewriter = (s: string) => string;

export interface ResponseRule {
  /** 'name': the owner; 'value': the name in CNAME/NS/PTR/DNAME/MX/SRV/SOA(mname)/NAPTR rdata */
  field: 'name' | 'value';
  rewrite: StringRewriter;
}

export interface Rewritten {
  name?: string;
  type?: number;
  responses: ResponseRule[];
}

export interface Rule {
  readonly mode: Mode;
  /** `name` is the question as CoreDNS's state.Name() gives it (lower case, with the trailing dot) */
  rewrite(name: string, type: number): Rewritten | null;
}

export class RuleError extends Error {}

/** plugin.Name(s).Normalize(): lower case, fully qualified */
export function normalize(s: string): string {
  const l = s.toLowerCase();
  return isFqdn(l) ? l : `${l}.`;
}

function isFqdn(s: string): boolean {
  if (!s.endsWith('.')) return false;
  let backslashes = 0;
  for (let i = s.length - 2; i >= 0 && s[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 0;
}

/** remapStringRewriter: `orig` itself or a name under it gets `replacement` in its place */
function remap(orig: string, replacement: string): StringRewriter {
  return (src) => {
    if (src === orig) return replacement;
    const i = src.length - orig.length;
    if (i > 0 && src[i - 1] === '.' && src.endsWith(orig)) return src.slice(0, i) + replacement;
    return src;
  };
}

/** suffixStringRewriter: plain string suffix, no label boundary (as CoreDNS) */
function suffix(from: string, to: string): StringRewriter {
  return (src) => (src.endsWith(from) ? src.slice(0, src.length - from.length) + to : src);
}

/** regexStringRewriter: a matching name is replaced whole by the expanded replacement */
function regexRewriter(p: Pattern, replacement: string): StringRewriter {
  return (src) => {
    const g = p.submatch(src);
    return g ? expand(replacement, g) : src;
  };
}

function compileChecked(from: string, to: string): Pattern {
  const p = Pattern.compile(from);
  if (typeof p === 'string') throw new RuleError(p);
  if (subExprUsage(to) > p.groups) {
    throw new RuleError(`the rewrite regex pattern (${to}) uses more subexpressions than its corresponding matching regex pattern (${from})`);
  }
  return p;
}

type Match = 'exact' | 'prefix' | 'suffix' | 'substring' | 'regex';

/** parseAnswerRules: `answer auto`, `answer name FROM TO`, `answer value FROM TO`, `answer` optional after the first */
function answerRules(match: string, args: string[]): { auto: boolean; rules: ResponseRule[] } {
  let auto = false;
  let nameRules = 0;
  const rules: ResponseRule[] = [];
  if (args.length < 2) throw new RuleError(`invalid arguments for ${match} rule`);
  let arg = 0;
  let last = '';
  while (arg < args.length) {
    if (last === '' && args[arg] !== 'answer') throw new RuleError(`exceeded the number of arguments for a non-answer rule argument for ${match} rule`);
    if (args[arg] === 'answer') arg++;
    if (arg >= args.length) throw new RuleError(`type missing for answer rule for ${match} rule`);
    last = args[arg++]!;
    if (last === 'auto') { auto = true; continue; }
    if (last !== 'name' && last !== 'value') throw new RuleError(`invalid type "${last}" for answer rule for ${match} rule`);
    if (args.length - arg < 2) throw new RuleError(`${last} answer rule for ${match} rule: 2 arguments required`);
    const from = args[arg]!;
    const to = args[arg + 1]!;
    let p: Pattern;
    try {
      p = compileChecked(from, to);
    } catch (err) {
      throw new RuleError(`${last} answer rule for ${match} rule: ${(err as Error).message}`);
    }
    rules.push({ field: last, rewrite: regexRewriter(p, normalize(to)) });
    if (last === 'name') nameRules++;
    arg += 2;
  }
  if (auto && nameRules > 0) throw new RuleError('auto name answer rule cannot be combined with explicit name anwer rules');
  return { auto, rules };
}

/** the rules that undo the question's rewrite (`answer auto`): built per query from the two names */
function autoRules(rewritten: string, original: string): ResponseRule[] {
  const r = remap(rewritten, original);
  return [{ field: 'name', rewrite: r }, { field: 'value', rewrite: r }];
}

function nameRule(mode: Mode, args: string[]): Rule {
  if (args.length < 2) throw new RuleError('too few arguments for a name rule');
  let match: Match;
  let from: string;
  let to: string;
  if (args.length === 2) {
    match = 'exact';
    from = normalize(args[0]!);
    to = normalize(args[1]!);
  } else {
    const m = args[0]!.toLowerCase();
    if (!['exact', 'prefix', 'suffix', 'substring', 'regex'].includes(m)) {
      throw new RuleError(`name rule supports only exact, prefix, suffix, substring, and regex name matching, received: ${m}`);
    }
    match = m as Match;
    from = match === 'regex' ? args[1]! : normalize(args[1]!);
    to = match === 'regex' ? args[2]! : normalize(args[2]!);
  }
  if (match === 'exact' || match === 'suffix') {
    if (!from.endsWith('.')) from += '.';
    if (!to.endsWith('.')) to += '.';
  }
  const { auto, rules: statics } = args.length > 3 ? answerRules(match, args.slice(3)) : { auto: false, rules: [] };
  const respond = (useAuto: boolean, rewritten: string, original: string): ResponseRule[] =>
    (useAuto ? [...autoRules(rewritten, original), ...statics] : statics);
  switch (match) {
    case 'exact': {
      // CoreDNS compiles TO as a pattern here (isValidRegexPattern(to, from)): a TO that is no valid regex is refused.
      compileChecked(to, from);
      return { mode, rewrite: (name) => (name === from ? { name: to, responses: respond(true, to, name) } : null) };
    }
    case 'prefix':
      return { mode, rewrite: (name) => {
        if (!name.startsWith(from)) return null;
        const n = to + name.slice(from.length);
        return { name: n, responses: respond(auto, n, name) };
      } };
    case 'suffix': {
      // For a suffix, `answer auto` maps the suffix back by string (not per query): as CoreDNS's newSuffixNameRule.
      const back = suffix(to, from);
      const fixed: ResponseRule[] = auto ? [{ field: 'name', rewrite: back }, { field: 'value', rewrite: back }, ...statics] : statics;
      return { mode, rewrite: (name) => (name.endsWith(from) ? { name: name.slice(0, name.length - from.length) + to, responses: fixed } : null) };
    }
    case 'substring':
      return { mode, rewrite: (name) => {
        if (!name.includes(from)) return null;
        const n = name.split(from).join(to);
        return { name: n, responses: respond(auto, n, name) };
      } };
    case 'regex': {
      const p = compileChecked(from, to);
      const replacement = normalize(to);
      return { mode, rewrite: (name) => {
        const g = p.submatch(name);
        if (!g) return null;
        const n = expand(replacement, g);
        return { name: n, responses: respond(auto, n, name) };
      } };
    }
  }
}

function typeRule(mode: Mode, args: string[]): Rule {
  const from = parseType(args[0]!);
  const to = parseType(args[1]!);
  if (from === undefined || /^\d/.test(args[0]!)) throw new RuleError(`invalid type "${args[0]!.toUpperCase()}"`);
  if (to === undefined || /^\d/.test(args[1]!)) throw new RuleError(`invalid type "${args[1]!.toUpperCase()}"`);
  return { mode, rewrite: (_name, type) => (from > 0 && to > 0 && type === from ? { type: to, responses: [] } : null) };
}

/** rule types CoreDNS has that clusterdns does not: the rule is dropped with a warning */
export const UNSUPPORTED_RULES = new Set(['class', 'edns0', 'ttl', 'cname', 'rcode']);

/** newRule: a rule from one directive's arguments (the block's lines appended), or a RuleError */
export function newRule(args: string[]): Rule | { unsupported: string } {
  if (args.length === 0) throw new RuleError('no rule type specified for rewrite');
  const arg0 = args[0]!.toLowerCase();
  let mode: Mode = 'stop';
  let start = 1;
  if (arg0 === 'continue' || arg0 === 'stop') {
    if (args.length < 2) throw new RuleError(`${arg0} rule must begin with a rule type`);
    mode = arg0;
    start = 2;
  }
  const type = args[start - 1]!.toLowerCase();
  const rest = args.slice(start);
  switch (type) {
    case 'answer': throw new RuleError('response rewrites must begin with a name rule');
    case 'name': return nameRule(mode, rest);
    case 'type':
      if (rest.length !== 2) throw new RuleError('type rules must have exactly two arguments');
      return typeRule(mode, rest);
    default:
      if (UNSUPPORTED_RULES.has(type)) return { unsupported: type };
      throw new RuleError(`invalid rule type "${args[0]}"`);
  }
}
