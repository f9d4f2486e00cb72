// What a test asks the query journal for: "a query for this name, of this type, from this client, over this
// transport, answered with this rcode". One rule for the in-process API (queries(), waitForQuery()) and the admin
// HTTP API (GET /api/v1/queries, /api/v1/queries/wait), checked once up front: a misspelt field or type must fail
// with what to fix, not wait until the timeout for a query that can never match.
import { isIP } from 'node:net';
import { parseType, RCODE, typeName } from '../dns/records.js';
import { compilePattern, MAX_PATTERN_LENGTH, PatternError } from './name-pattern.js';

/** One query the server received, as the journal keeps it. */
export interface JournalEntry {
  /** ms since the epoch */
  time: number;
  name: string;
  type: string;
  transport: 'udp' | 'tcp';
  client: string;
  /** NOERROR, NXDOMAIN, ...; "DROPPED" when no answer was sent */
  rcode: string;
  answers: number;
}

/** Every field given must match; none given matches every query. */
export interface QueryMatch {
  /** case-insensitive, trailing dot optional; `*` matches any run of characters ("*.shop.svc.cluster.local"); or a RegExp */
  name?: string | RegExp;
  /** "A", "aaaa", "SRV", "TYPE65"... */
  type?: string;
  /** "NOERROR", "NXDOMAIN", "SERVFAIL", ...; "DROPPED" for a query that got no reply */
  rcode?: string;
  /** the client's IP address, as the server saw it ("127.0.0.1", "::1") */
  client?: string;
  transport?: 'udp' | 'tcp';
}

/** A match, or a function deciding for each query. */
export type QueryMatcher = QueryMatch | ((entry: JournalEntry) => boolean);

const FIELDS = ['name', 'type', 'rcode', 'client', 'transport'] as const;
const RCODES = [...Object.keys(RCODE), 'DROPPED'];

/** A match that cannot match anything as given. statusCode: the admin API answers 400 with the message. */
export class QueryMatchError extends TypeError {
  readonly statusCode = 400;
}

function bad(message: string): never {
  throw new QueryMatchError(message);
}

/**
 * A compiled match. `lname` is the entry's name in lower case without a trailing dot, computed once per query by the
 * caller, not once per waiter. `scans`: the name pattern has two or more `*` (matching it reads the whole name).
 */
export interface CompiledMatch {
  test: (e: JournalEntry, lname: string) => boolean;
  scans: boolean;
}

export const lowerName = (name: string): string => name.toLowerCase().replace(/\.$/, '');

/** Checks a match and turns it into a test; throws a QueryMatchError that says what to fix. */
export function compileQueryMatch(m: QueryMatcher | undefined): CompiledMatch {
  if (m === undefined) return { test: () => true, scans: false };
  if (typeof m === 'function') return { test: (e) => m(e), scans: false };
  if (!m || typeof m !== 'object' || Array.isArray(m)) bad(`a query match is an object with ${FIELDS.join(', ')} (or a function of the entry)`);
  const tests: ((e: JournalEntry, lname: string) => boolean)[] = [];
  let scans = false;
  for (const [key, v] of Object.entries(m)) {
    if (v === undefined) continue;
    if (!(FIELDS as readonly string[]).includes(key)) bad(`no field "${key}" in a query match: use ${FIELDS.join(', ')}`);
    if (key === 'name') {
      const n = nameTest(v);
      tests.push(n.test);
      scans = n.scans;
    }
    else if (typeof v !== 'string') bad(`${key} ${JSON.stringify(v)}: expected a string`);
    else if (key === 'type') {
      const t = parseType(v.trim());
      if (t === undefined) bad(`type "${v}" is not a DNS type: use A, AAAA, SRV, PTR, TXT, CNAME, SOA, NS or TYPEnn`);
      const want = typeName(t);
      tests.push((e) => e.type === want);
    } else if (key === 'rcode') {
      const want = v.trim().toUpperCase();
      if (!RCODES.includes(want) && !/^RCODE\d{1,4}$/.test(want)) bad(`rcode "${v}" is not a response code: use ${RCODES.join(', ')}`);
      tests.push((e) => e.rcode === want);
    } else if (key === 'client') {
      const want = v.trim().toLowerCase();
      if (!isIP(want)) bad(`client "${v}" is not an IP address: give the address the query came from, e.g. 127.0.0.1`);
      tests.push((e) => e.client.toLowerCase() === want);
    } else {
      const want = v.trim().toLowerCase();
      if (want !== 'udp' && want !== 'tcp') bad(`transport "${v}": use udp or tcp`);
      tests.push((e) => e.transport === want);
    }
  }
  if (tests.length === 0) return { test: () => true, scans };
  if (tests.length === 1) return { test: tests[0], scans };
  return { test: (e, lname) => tests.every((t) => t(e, lname)), scans };
}

function nameTest(v: unknown): CompiledMatch {
  // A RegExp comes only from in-process code (the HTTP API takes strings): the test's own to keep fast.
  if (v instanceof RegExp) return { test: (e) => v.test(e.name), scans: false };
  if (typeof v !== 'string' || v.trim() === '' || v.trim() === '.') bad(`name ${JSON.stringify(v)}: expected a DNS name such as "api.default.svc.cluster.local", or a pattern with "*"`);
  let pattern;
  try {
    // The fault tables' matcher: linear in the name and the pattern whatever they hold.
    pattern = compilePattern(v.trim());
  } catch (err) {
    if (err instanceof PatternError) bad(`name: a DNS name or pattern has at most ${MAX_PATTERN_LENGTH} characters`);
    throw err;
  }
  return { test: (_e, lname) => pattern.matches(lname), scans: pattern.scans };
}

/** A match as a test's error message shows it. */
export function describeMatch(m: QueryMatcher | undefined): string {
  if (m === undefined) return 'any query';
  if (typeof m === 'function') return `the predicate ${m.name || '(anonymous)'}`;
  const parts = Object.entries(m).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${v instanceof RegExp ? String(v) : JSON.stringify(v)}`);
  return parts.length ? `{ ${parts.join(', ')} }` : 'any query';
}

/** One journal entry as a line of an error message. */
export function describeEntry(e: JournalEntry): string {
  const t = new Date(e.time).toISOString().slice(11, 23);
  return `${t} ${e.transport} ${e.client} ${e.name} ${e.type} -> ${e.rcode}${e.rcode === 'NOERROR' ? ` (${e.answers} answer${e.answers === 1 ? '' : 's'})` : ''}`;
}
