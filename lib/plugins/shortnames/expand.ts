// Which cluster names a short name stands for: the search list a pod has (`svc.<zone>`, `<zone>`), without the
// pod's own namespace, since a host has none. `api.shop` → `api.shop.svc.<zone>`, `api.shop.svc` and
// `1-2-3-4.shop.pod` → `… .<zone>`. A name expands only when its namespace exists, so `github.com` never does.
import { createRequire } from 'node:module';

/** the work one query may cause: lookups of expansions (one per cluster zone, the first zones first) */
export const MAX_EXPANSIONS = 3;
/** the longest name in presentation form without the trailing dot that fits the wire's 255 bytes */
const MAX_NAME = 253;

// The IANA root zone's TLDs (the `tlds` package, kept current by its maintainers): a namespace named like one of
// them ("dev", "app", "shop") may be a real name upstream, so the name as asked is tried there first.
const TLDS: ReadonlySet<string> = new Set(createRequire(import.meta.url)('tlds') as string[]);
// Special-use and private-use suffixes (RFC 6761, 6762, 8375, 9476; ICANN's `internal`) and the ones private
// networks use without registration: an upstream of a home or corporate network may answer them.
const PRIVATE_SUFFIXES: ReadonlySet<string> = new Set([
  'local', 'internal', 'lan', 'home', 'corp', 'intranet', 'private', 'localdomain', 'test', 'example', 'invalid',
  'onion', 'alt',
]);
// Never expanded: names that are the host's own (RFC 6761 localhost) or reverse lookups.
const NEVER: ReadonlySet<string> = new Set(['localhost', 'arpa']);

export interface Expansion {
  /** the cluster names to try, in order, at most MAX_EXPANSIONS */
  names: string[];
  /** the short name may be a real name elsewhere: the rest of the chain (the upstream) is asked first */
  risky: boolean;
}

/** Whether `lname` may stand for a cluster name; undefined when it cannot (it is then left alone). */
export function expand(lname: string, zones: readonly string[], namespaceExists: (ns: string) => boolean): Expansion | undefined {
  const last = lname.lastIndexOf('.');
  // One label has no namespace: `api` or `localhost` are the host's business.
  if (last <= 0 || last === lname.length - 1) return undefined;
  const tld = lname.slice(last + 1);
  if (NEVER.has(tld)) return undefined;
  let suffix: string;
  let ns: string;
  if (tld === 'svc' || tld === 'pod') {
    // `<name>.<ns>.svc` / `<ip>.<ns>.pod`: the namespace is the label before, and there must be a name before it.
    const before = lname.lastIndexOf('.', last - 1);
    if (before <= 0) return undefined;
    ns = lname.slice(before + 1, last);
    suffix = '';
  } else {
    ns = tld;
    suffix = '.svc';
  }
  if (ns.length === 0 || ns.length > 63 || !namespaceExists(ns)) return undefined;
  const names: string[] = [];
  for (const z of zones) {
    if (names.length >= MAX_EXPANSIONS) break;
    if (z === '') continue;
    const name = `${lname}${suffix}.${z}`;
    if (name.length <= MAX_NAME) names.push(name);
  }
  if (names.length === 0) return undefined;
  return { names, risky: TLDS.has(tld) || PRIVATE_SUFFIXES.has(tld) };
}
