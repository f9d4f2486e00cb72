// A label selector in the string form kubectl and CoreDNS's `labels`/`namespace_labels` take
// (`env=prod,tier in (a,b),!legacy`), parsed as apimachinery's labels.Parse + ParseToLabelSelector accept it.
// Hand-written and linear: the Corefile's text is user input, and no regex here runs on more than one token.
import { labelValue } from './name-rules.js';

export interface SelectorRequirement {
  key: string;
  op: '=' | '!=' | 'in' | 'notin' | 'exists' | '!exists';
  values: string[];
}

export type StringSelector = readonly SelectorRequirement[];

/** Bounds on Corefile input: a selector longer than this is a mistake, not a policy. */
export const MAX_SELECTOR_LENGTH = 4096;
export const MAX_REQUIREMENTS = 100;

// A qualified name (prefix/name): at most 253 + 1 + 63 characters, alphanumerics with - _ . inside.
const NAME = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

function checkKey(key: string): void {
  if (key.length > 317 || !NAME.test(key)) {
    throw new Error(`"${key.slice(0, 80)}" is not a valid label key (a qualified name: [prefix/]name, name at most 63 characters)`);
  }
}

function checkValue(v: string): void {
  const bad = labelValue(v);
  if (bad.length > 0) throw new Error(`"${v.slice(0, 80)}" is not a valid label value: ${bad.join(', ')}`);
}

/** Splits on commas outside parentheses. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (depth < 0 || depth > 1) throw new Error('unbalanced parentheses');
    if (ch === ',' && depth === 0) { out.push(cur); cur = ''; } else cur += ch;
  }
  if (depth !== 0) throw new Error('unbalanced parentheses');
  out.push(cur);
  return out.map((p) => p.trim());
}

/** Parses a selector string; throws an Error saying what is wrong. '' selects everything. */
export function parseSelectorString(text: string): StringSelector {
  if (text.length > MAX_SELECTOR_LENGTH) throw new Error(`the selector is ${text.length} characters long; at most ${MAX_SELECTOR_LENGTH} are accepted`);
  if (text.trim() === '') return [];
  const parts = splitTopLevel(text);
  if (parts.length > MAX_REQUIREMENTS) throw new Error(`the selector has ${parts.length} requirements; at most ${MAX_REQUIREMENTS} are accepted`);
  return parts.map((part) => {
    if (part === '') throw new Error('an empty requirement (two commas in a row, or a trailing comma)');
    const set = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(part);
    if (set) {
      checkKey(set[1]);
      const values = set[3].split(',').map((v) => v.trim());
      if (values.length === 1 && values[0] === '') throw new Error(`"${part.slice(0, 80)}": the set of values is empty`);
      values.forEach(checkValue);
      return { key: set[1], op: set[2] as 'in' | 'notin', values };
    }
    if (part.startsWith('!')) {
      const key = part.slice(1).trim();
      checkKey(key);
      return { key, op: '!exists', values: [] };
    }
    const eq = part.indexOf('=');
    if (eq > 0) {
      const neg = part[eq - 1] === '!';
      const key = part.slice(0, neg ? eq - 1 : eq).trim();
      const value = part.slice(part[eq + 1] === '=' && !neg ? eq + 2 : eq + 1).trim();
      checkKey(key);
      checkValue(value);
      return { key, op: neg ? '!=' : '=', values: [value] };
    }
    if (/[<>]/.test(part)) throw new Error(`"${part.slice(0, 80)}": the operators < and > are not allowed in a label selector`);
    checkKey(part);
    return { key: part, op: 'exists', values: [] };
  });
}

export function selectorMatches(sel: StringSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const r of sel) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = labels[r.key];
    switch (r.op) {
      case '=': if (!has || v !== r.values[0]) return false; break;
      case '!=': if (has && v === r.values[0]) return false; break;
      case 'in': if (!has || !r.values.includes(v)) return false; break;
      case 'notin': if (has && r.values.includes(v)) return false; break;
      case 'exists': if (!has) return false; break;
      case '!exists': if (has) return false; break;
    }
  }
  return true;
}
