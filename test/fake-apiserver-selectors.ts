// Label and field selectors for the fake API server: the subset of the apimachinery grammar clients send.
type Raw = Record<string, any>;

export interface LabelRequirement {
  key: string;
  op: '=' | '!=' | 'in' | 'notin' | 'exists' | '!exists';
  values: string[];
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) { out.push(cur); cur = ''; } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out.map((p) => p.trim()).filter(Boolean);
}

export function parseLabelSelector(s: string | undefined): LabelRequirement[] {
  if (!s) return [];
  return splitTopLevel(s).map((part) => {
    let m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
    if (m) return { key: m[1], op: m[2] as 'in' | 'notin', values: m[3].split(',').map((v) => v.trim()).filter(Boolean) };
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (m) return { key: m[1], op: m[2] === '!=' ? '!=' : '=', values: [m[3]] };
    if (part.startsWith('!')) return { key: part.slice(1).trim(), op: '!exists', values: [] };
    if (/^[^\s=!()]+$/.test(part)) return { key: part, op: 'exists', values: [] };
    throw new Error(`unable to parse requirement: "${part}"`);
  });
}

export function matchesLabels(obj: Raw, reqs: LabelRequirement[]): boolean {
  const labels: Record<string, string> = obj.metadata?.labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = labels[r.key];
    switch (r.op) {
      case '=': return has && v === r.values[0];
      case '!=': return !has || v !== r.values[0];
      case 'in': return has && r.values.includes(v);
      case 'notin': return !has || !r.values.includes(v);
      case 'exists': return has;
      case '!exists': return !has;
    }
    return false;
  });
}

export interface FieldRequirement {
  path: string[];
  negate: boolean;
  value: string;
}

export function parseFieldSelector(s: string | undefined): FieldRequirement[] {
  if (!s) return [];
  return splitTopLevel(s).map((part) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(part);
    if (!m) throw new Error(`invalid field selector: "${part}"`);
    return { path: m[1].trim().split('.'), negate: m[2] === '!=', value: m[3].trim() };
  });
}

export function matchesFields(obj: Raw, reqs: FieldRequirement[]): boolean {
  return reqs.every((r) => {
    let v: any = obj;
    for (const p of r.path) v = v?.[p];
    const s = v === undefined || v === null ? '' : String(v);
    return r.negate ? s !== r.value : s === r.value;
  });
}
