// Service names per namespace (explain's "similar name" and "in another namespace" near misses) and every
// EndpointSlice of a Service, ready or not (why an endpoint has no name). The store indexes Services by "ns/name"
// and only ready endpoints; this index is built by one pass over the objects on first use and rebuilt only when the
// store's generation moved, so a burst of explains at 100k Services costs one scan, not one each.
import type { EndpointSlice } from '../cluster/model.js';
import type { ClusterStore } from '../cluster/store.js';

/** names compared per namespace for "similar": past it the rest are skipped (and the reply says so) */
export const MAX_COMPARED = 50_000;

export class ServiceNames {
  private generation = -1;
  private byNs = new Map<string, string[]>();
  private byName = new Map<string, string | string[]>();
  private slices = new Map<string, EndpointSlice[]>();

  constructor(private readonly store: ClusterStore) {}

  private refresh(): void {
    if (this.generation === this.store.generation) return;
    this.byNs = new Map();
    this.byName = new Map();
    this.slices = new Map();
    for (const o of this.store.all()) {
      if (o.kind !== 'EndpointSlice' || o.serviceName === '') continue;
      const key = `${o.namespace}/${o.serviceName}`;
      const list = this.slices.get(key);
      if (list) list.push(o); else this.slices.set(key, [o]);
    }
    for (const s of this.store.allServices()) {
      let list = this.byNs.get(s.namespace);
      if (!list) this.byNs.set(s.namespace, (list = []));
      list.push(s.name);
      const got = this.byName.get(s.name);
      if (got === undefined) this.byName.set(s.name, s.namespace);
      else if (typeof got === 'string') this.byName.set(s.name, [got, s.namespace]);
      else got.push(s.namespace);
    }
    this.generation = this.store.generation;
  }

  /** namespaces with a Service of this name, sorted */
  namespacesOf(name: string): string[] {
    this.refresh();
    const got = this.byName.get(name);
    return got === undefined ? [] : typeof got === 'string' ? [got] : [...got].sort();
  }

  /** every EndpointSlice of the Service, ready endpoints or not */
  slicesOf(ns: string, svc: string): readonly EndpointSlice[] {
    this.refresh();
    return this.slices.get(`${ns}/${svc}`) ?? [];
  }

  namespaces(): string[] {
    this.refresh();
    return [...this.byNs.keys()].sort();
  }

  /** Service names in `ns` within edit distance `max` of `name`, closest first; `scanned` false when cut short */
  similar(ns: string, name: string, max = 2, limit = 5): { names: string[]; complete: boolean } {
    this.refresh();
    return closest(this.byNs.get(ns) ?? [], name, max, limit);
  }
}

/** Candidates within edit distance `max` of `word` (not equal to it), closest then alphabetical, at most `limit`. */
export function closest(candidates: readonly string[], word: string, max: number, limit: number): { names: string[]; complete: boolean } {
  const hits: { n: string; d: number }[] = [];
  const n = Math.min(candidates.length, MAX_COMPARED);
  for (let i = 0; i < n; i++) {
    const c = candidates[i];
    if (c === word || Math.abs(c.length - word.length) > max) continue;
    const d = boundedDistance(word, c, max);
    if (d <= max) hits.push({ n: c, d });
  }
  hits.sort((a, b) => a.d - b.d || (a.n < b.n ? -1 : a.n > b.n ? 1 : 0));
  return { names: hits.slice(0, limit).map((h) => h.n), complete: candidates.length <= MAX_COMPARED };
}

/**
 * Levenshtein distance of a and b, or max+1 once it must exceed max: only the band |i-j| <= max is filled, so a
 * comparison costs O(len × max), never O(len²), whatever the input (names are at most 63 bytes per label anyway).
 */
export function boundedDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const big = max + 1;
  // Two rows reused across calls: a scan of 100k names allocates nothing.
  if (rowA.length <= b.length) { rowA = new Int32Array(b.length + 1); rowB = new Int32Array(b.length + 1); }
  let prev = rowA;
  let cur = rowB;
  for (let j = 0; j <= b.length; j++) prev[j] = j <= max ? j : big;
  for (let i = 1; i <= a.length; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(b.length, i + max);
    cur.fill(big, 0, b.length + 1);
    cur[0] = i <= max ? i : big;
    let rowMin = cur[0];
    const ca = a.charCodeAt(i - 1);
    for (let j = lo; j <= hi; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      let v = prev[j - 1] + cost;
      if (prev[j] + 1 < v) v = prev[j] + 1;
      if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
      cur[j] = v > big ? big : v;
      if (cur[j] < rowMin) rowMin = cur[j];
    }
    if (rowMin > max) return big;
    const t = prev; prev = cur; cur = t;
  }
  return Math.min(prev[b.length], big);
}

let rowA = new Int32Array(64);
let rowB = new Int32Array(64);
