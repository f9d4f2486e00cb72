// The store's small indexes: address → the keys of the objects holding it, and structural equality of model objects.
/**
 * Address → keys "ns/name", sorted. Nearly every address belongs to one Service, so a lone key is kept as the
 * string itself: an array for each of 150,000 endpoint addresses cost ~8 MB.
 */
export type AddressIndex = Map<string, string | string[]>;

export function addToIndex(index: AddressIndex, k: string, v: string): void {
  const got = index.get(k);
  if (got === undefined) index.set(k, v);
  else if (typeof got === 'string') { if (got !== v) index.set(k, got < v ? [got, v] : [v, got]); }
  else if (!got.includes(v)) { got.push(v); got.sort(); }
}

export function removeFromIndex(index: AddressIndex, k: string, v: string): void {
  const got = index.get(k);
  if (got === undefined) return;
  if (typeof got === 'string') { if (got === v) index.delete(k); return; }
  const i = got.indexOf(v);
  if (i >= 0) got.splice(i, 1);
  if (got.length === 1) index.set(k, got[0]);
}

export function keysAt(index: AddressIndex, k: string): readonly string[] | undefined {
  const got = index.get(k);
  return typeof got === 'string' ? [got] : got;
}

/** Cheap structural equality for plain JSON-like model objects. */
export function sameObject(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!sameObject((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
