// The host indexes (Ingress, Gateway API, DNSEndpoint) keep each host's objects sorted, so answers do not depend on
// the order objects arrived in. A push and a full sort per add made thousands of objects naming one host quadratic
// (8,000 Ingresses on one host: 3.3 s of indexing, all on the event loop); a binary insertion is O(log n) compares.

/** Inserts `item` into `list`, which is sorted by `key`, after the items with an equal key. */
export function insertSorted<T>(list: T[], item: T, key: (x: T) => string): void {
  const k = key(item);
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(list[mid]!) <= k) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, item);
}
