// CoreDNS's `namespace_labels`: a namespace exists for DNS only when its labels match the selector. Every namespace
// carries kubernetes.io/metadata.name (the API server sets it since 1.21), so fixtures get it too, and a namespace
// known only from its objects (no Namespace manifest) has that label alone.
import { selectorMatches, type StringSelector } from './label-selector.js';

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** Names asked for are the client's choice, not the cluster's: the cache is bounded. */
const MAX_CACHED = 10_000;

export class NamespaceLabelFilter {
  /** namespace → whether it matches; emptied on every store change */
  private cache = new Map<string, boolean>();

  constructor(private readonly selector: StringSelector) {}

  matches(ns: string, labels: Readonly<Record<string, string>> | undefined): boolean {
    let ok = this.cache.get(ns);
    if (ok === undefined) {
      ok = selectorMatches(this.selector, { ...labels, [NAMESPACE_NAME_LABEL]: ns });
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(ns, ok);
    }
    return ok;
  }

  clear(): void {
    this.cache.clear();
  }
}
