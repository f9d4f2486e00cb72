// Label selectors (matchLabels + matchExpressions, as workloads write them; a plain map, as Services write them),
// and a per-namespace label index so a selector finds its pods without scanning every pod of the cluster.
import { ManifestError } from '../cluster/objects.js';

export interface LabelRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: string[];
}

export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: LabelRequirement[];
}

type Raw = Record<string, any>;

const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses a metav1.LabelSelector; `what` names the owning object in errors. */
export function parseLabelSelector(raw: unknown, what: string): LabelSelector {
  if (!isObj(raw)) throw new ManifestError(`${what}: selector must be a mapping`);
  const matchLabels: Record<string, string> = {};
  if (raw.matchLabels !== undefined && raw.matchLabels !== null) {
    if (!isObj(raw.matchLabels)) throw new ManifestError(`${what}: selector.matchLabels must be a mapping`);
    for (const [k, v] of Object.entries(raw.matchLabels)) matchLabels[k] = String(v);
  }
  const matchExpressions: LabelRequirement[] = [];
  if (raw.matchExpressions !== undefined && raw.matchExpressions !== null) {
    if (!Array.isArray(raw.matchExpressions)) throw new ManifestError(`${what}: selector.matchExpressions must be a list`);
    for (const e of raw.matchExpressions) {
      const op = isObj(e) ? e.operator : undefined;
      if (!isObj(e) || typeof e.key !== 'string' || !['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(op)) {
        throw new ManifestError(`${what}: selector.matchExpressions entries need a key and an operator In, NotIn, Exists or DoesNotExist`);
      }
      matchExpressions.push({ key: e.key, operator: op, values: Array.isArray(e.values) ? e.values.map(String) : [] });
    }
  }
  return { matchLabels, matchExpressions };
}

export function selectorFromMap(map: Record<string, string>): LabelSelector {
  return { matchLabels: map, matchExpressions: [] };
}

export function isEmptySelector(s: LabelSelector): boolean {
  return s.matchExpressions.length === 0 && Object.keys(s.matchLabels).length === 0;
}

export function matchesSelector(s: LabelSelector, labels: Record<string, string>): boolean {
  for (const k in s.matchLabels) if (labels[k] !== s.matchLabels[k]) return false;
  for (const r of s.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.operator) {
      case 'In': if (!has || !r.values.includes(labels[r.key])) return false; break;
      case 'NotIn': if (has && r.values.includes(labels[r.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
    }
  }
  return true;
}

/** Objects with labels, indexed per namespace by label key and value, for selector look-ups. */
export class LabelIndex<T extends { namespace: string; labels: Record<string, string> }> {
  private byNs = new Map<string, { all: T[]; byLabel: Map<string, Map<string, T[]>> }>();

  add(o: T): void {
    let ns = this.byNs.get(o.namespace);
    if (!ns) this.byNs.set(o.namespace, ns = { all: [], byLabel: new Map() });
    ns.all.push(o);
    for (const k in o.labels) {
      let values = ns.byLabel.get(k);
      if (!values) ns.byLabel.set(k, values = new Map());
      const list = values.get(o.labels[k]);
      if (list) list.push(o);
      else values.set(o.labels[k], [o]);
    }
  }

  /** Objects of `namespace` matching `s`, in insertion order. An empty selector matches everything. */
  select(namespace: string, s: LabelSelector): T[] {
    const candidates = this.candidates(namespace, s);
    if (!candidates) return [];
    // A single matchLabels entry is answered by its list alone.
    if (candidates.exact) return candidates.list.slice();
    return candidates.list.filter((o) => matchesSelector(s, o.labels));
  }

  /** Whether any object of `namespace` matches `s`. */
  any(namespace: string, s: LabelSelector): boolean {
    const candidates = this.candidates(namespace, s);
    if (!candidates) return false;
    return candidates.exact ? candidates.list.length > 0 : candidates.list.some((o) => matchesSelector(s, o.labels));
  }

  /** The shortest list holding every match: the smallest matchLabels entry's, or the whole namespace's. */
  private candidates(namespace: string, s: LabelSelector): { list: T[]; exact: boolean } | undefined {
    const ns = this.byNs.get(namespace);
    if (!ns) return undefined;
    let list = ns.all;
    let keys = 0;
    for (const k in s.matchLabels) {
      const l = ns.byLabel.get(k)?.get(s.matchLabels[k]);
      if (!l) return undefined;
      if (l.length < list.length) list = l;
      keys++;
    }
    return { list, exact: keys === 1 && s.matchExpressions.length === 0 };
  }
}
