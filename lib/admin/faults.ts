// Fault injection for test suites: per name pattern, answer NXDOMAIN/SERVFAIL/REFUSED, delay, drop or truncate, or
// answer wrong data (chosen addresses, an empty NOERROR), while every other name gets its real records; optionally
// only on every Nth, a seeded random fraction, one client or one transport of the queries the name matches
// (fault-selectors.ts). Checked before the answer cache, so a fault never gets cached.
// The table is consulted on every query, so what it may cost is bounded: patterns match in linear time
// (name-pattern.ts), exact names and patterns ending in whole labels are found through maps keyed by name and
// label suffix, and the table holds at most MAX_FAULTS faults, of which at most MAX_SCANNING_FAULTS may have a
// pattern that costs more than a map look-up and a comparison of each end.
import { parseType, RCODE, typeName } from '../dns/records.js';
import type { FaultAction, QuestionRef, Transport } from '../wire/responder.js';
import { compileAnswer, FaultDataError, type AnswerSpec } from './fault-data.js';
import { compileSelector, SelectorError, type Selector, type SelectorSpec } from './fault-selectors.js';
import { compilePattern, PatternError, type NamePattern } from './name-pattern.js';

export type FaultKind = 'nxdomain' | 'servfail' | 'refused' | 'delay' | 'drop' | 'truncate' | 'answer' | 'empty';
export const FAULT_KINDS: readonly FaultKind[] = ['nxdomain', 'servfail', 'refused', 'delay', 'drop', 'truncate', 'answer', 'empty'];

/** Faults a table holds at once: a test suite needs a handful; 20,000 used to cost 10 ms a query. */
export const MAX_FAULTS = 1000;
/**
 * Of those, faults whose pattern has two or more `*` (matching scans the name) or does not end in whole labels ("*",
 * "web-*": tried on every query, whatever its name).
 */
export const MAX_SCANNING_FAULTS = 100;

export interface FaultSpec extends SelectorSpec, AnswerSpec {
  /** name pattern: exact name, or with `*` matching any run of characters (dots included); case-insensitive */
  name: string;
  fault: FaultKind;
  /** only for this query type (e.g. "AAAA"); all types when absent */
  type?: string;
  /** delay in ms (fault "delay") */
  delayMs?: number;
  /** act this many times, then remove itself (e.g. fail twice, then answer) */
  times?: number;
}

const LISTED_ONLY = new Set(['id', 'hits', 'seen']);
const SPEC_FIELDS = new Set(['name', 'fault', 'type', 'delayMs', 'times', 'addresses', 'cname', 'every', 'probability', 'seed', 'client', 'transport']);

export interface Fault extends FaultSpec {
  id: number;
  /** queries the fault acted on */
  hits: number;
  /** queries its name and type matched that reached it (no earlier fault acted on them), fired or not */
  seen: number;
}

/** The spec is wrong: say what to fix (HTTP 400). */
export class FaultError extends Error {}
/** The spec is fine but the table is full (HTTP 409). */
export class FaultLimitError extends FaultError {}

interface Rule {
  fault: Fault;
  pattern: NamePattern;
  qtype?: number;
  action: FaultAction;
  /** every/probability/client/transport: undefined when the fault acts on every query its name and type match */
  select?: Selector;
  /** the bucket this rule sits in (one of the maps' arrays, or the unindexed list) */
  bucket: Rule[];
}

export class Faults {
  /** every rule in the order added: the first added that matches wins */
  private rules: Rule[] = [];
  private exact = new Map<string, Rule[]>();
  private bySuffix = new Map<string, Rule[]>();
  /** the most labels any suffix key has: a query looks up at most this many of its suffixes */
  private suffixLabels = 0;
  private unindexed: Rule[] = [];
  /** rules counted against MAX_SCANNING_FAULTS */
  private scanning = 0;
  /** rules with a selector: while there are none, the first rule the name and type match acts */
  private selective = 0;
  private nextId = 1;

  get size(): number {
    return this.rules.length;
  }

  add(spec: FaultSpec): Fault {
    if (!spec || typeof spec !== 'object' || Array.isArray(spec)) throw new FaultError('a fault is a JSON object: {"name": "*.default.svc.cluster.local", "fault": "servfail"}');
    for (const key of Object.keys(spec)) {
      // What GET lists can be posted back (a saved set restored): the counters and the id are the table's own.
      if (LISTED_ONLY.has(key)) continue;
      if (!SPEC_FIELDS.has(key)) throw new FaultError(`unknown field ${JSON.stringify(key.slice(0, 40))}: a fault has ${[...SPEC_FIELDS].join(', ')}`);
    }
    if (typeof spec.name !== 'string' || spec.name === '') throw new FaultError('a fault needs "name": a name or pattern such as "*.default.svc.cluster.local"');
    let pattern: NamePattern;
    try {
      pattern = compilePattern(spec.name);
    } catch (err) {
      if (err instanceof PatternError) throw new FaultError(err.message);
      throw err;
    }
    if (!FAULT_KINDS.includes(spec.fault)) throw new FaultError(`"fault" must be one of ${FAULT_KINDS.join(', ')}`);
    let qtype: number | undefined;
    if (spec.type !== undefined) {
      qtype = typeof spec.type === 'string' ? parseType(spec.type) : undefined;
      if (qtype === undefined) throw new FaultError(`"type" ${String(spec.type).slice(0, 20)} is not a DNS type (e.g. A, AAAA, SRV)`);
    }
    if (spec.fault === 'delay' && !(Number.isInteger(spec.delayMs) && spec.delayMs! >= 0 && spec.delayMs! <= 60_000)) {
      throw new FaultError('a "delay" fault needs "delayMs", 0 to 60000');
    }
    if (spec.times !== undefined && !(Number.isInteger(spec.times) && spec.times > 0)) throw new FaultError('"times" must be a positive whole number');
    if (spec.fault !== 'answer' && (spec.addresses !== undefined || spec.cname !== undefined)) {
      throw new FaultError('"addresses" and "cname" belong to an "answer" fault: set "fault": "answer", or leave them out');
    }
    let answer: ReturnType<typeof compileAnswer> | undefined;
    let selected: ReturnType<typeof compileSelector>;
    try {
      if (spec.fault === 'answer') answer = compileAnswer(spec);
      selected = compileSelector(spec);
    } catch (err) {
      if (err instanceof FaultDataError || err instanceof SelectorError) throw new FaultError(err.message);
      throw err;
    }
    if (this.rules.length >= MAX_FAULTS) {
      throw new FaultLimitError(`the fault table is full (${MAX_FAULTS} faults): remove some first (DELETE /api/v1/faults/{id}, or DELETE /api/v1/faults for all), or cover many names with one pattern such as "*.default.svc.cluster.local"`);
    }
    const scanning = isScanning(pattern);
    if (scanning && this.scanning >= MAX_SCANNING_FAULTS) {
      throw new FaultLimitError(`${MAX_SCANNING_FAULTS} faults already have a pattern with two or more "*" or not ending in a domain ("*", "web-*", "*.svc.*"), and each of those costs time on every query: remove some, or use one "*" and end the pattern in whole labels ("web-*.default.svc.cluster.local")`);
    }
    const action: FaultAction = spec.fault === 'delay' ? { action: 'delay', ms: spec.delayMs! }
      : spec.fault === 'drop' ? { action: 'drop' }
      : spec.fault === 'truncate' ? { action: 'truncate' }
      : answer ? answer.action
      : spec.fault === 'empty' ? { action: 'empty' }
      : { action: 'rcode', rcode: spec.fault === 'nxdomain' ? RCODE.NXDOMAIN : spec.fault === 'servfail' ? RCODE.SERVFAIL : RCODE.REFUSED };
    const fault: Fault = {
      name: spec.name, fault: spec.fault,
      ...(qtype !== undefined ? { type: typeName(qtype) } : {}),
      ...(spec.delayMs !== undefined ? { delayMs: spec.delayMs } : {}),
      ...(spec.times !== undefined ? { times: spec.times } : {}),
      ...answer?.echo,
      ...selected.echo,
      id: this.nextId++, hits: 0, seen: 0,
    };
    let bucket: Rule[];
    if (pattern.exact) bucket = bucketOf(this.exact, pattern.source);
    else if (pattern.suffixKey !== undefined) {
      bucket = bucketOf(this.bySuffix, pattern.suffixKey);
      this.suffixLabels = Math.max(this.suffixLabels, labelCount(pattern.suffixKey));
    } else bucket = this.unindexed;
    const rule: Rule = { fault, pattern, ...(qtype !== undefined ? { qtype } : {}), action, bucket, ...(selected.selector ? { select: selected.selector } : {}) };
    bucket.push(rule);
    this.rules.push(rule);
    if (scanning) this.scanning++;
    if (rule.select) this.selective++;
    return copy(fault);
  }

  remove(id: number): boolean {
    const i = this.rules.findIndex((r) => r.fault.id === id);
    if (i < 0) return false;
    this.drop(this.rules[i], i);
    return true;
  }

  clear(): void {
    this.rules = [];
    this.exact.clear();
    this.bySuffix.clear();
    this.unindexed = [];
    this.suffixLabels = 0;
    this.scanning = 0;
    this.selective = 0;
  }

  list(): Fault[] {
    return this.rules.map((r) => copy(r.fault));
  }

  /**
   * The responder's hook: with no faults it returns at once, without decoding the question's name. A query goes
   * through the faults its name and type match in the order they were added, and the first whose selector takes it
   * acts; the ones after it do not see it. `consume` false (a look through the admin resolve route) tells what the
   * next such query would get, and changes no count, every-counter or PRNG.
   */
  match = (q: QuestionRef, client = '', transport: Transport = 'udp', consume = true): FaultAction | undefined => {
    if (this.rules.length === 0) return undefined;
    const lname = q.name.toLowerCase();
    const qtype = q.type;
    if (this.selective > 0) return this.matchSelective(lname, qtype, client, transport, consume);
    let best = firstMatch(this.exact.get(lname), lname, qtype, Infinity);
    if (this.bySuffix.size > 0) {
      // The name's suffixes of 1..suffixLabels whole labels, right to left: "local", "cluster.local", ...
      let dot = lname.length;
      for (let k = 0; k < this.suffixLabels && dot > 0; k++) {
        dot = lname.lastIndexOf('.', dot - 1);
        if (dot < 0) break;
        const hit = firstMatch(this.bySuffix.get(lname.slice(dot + 1)), lname, qtype, best ? best.fault.id : Infinity);
        if (hit) best = hit;
      }
    }
    const loose = firstMatch(this.unindexed, lname, qtype, best ? best.fault.id : Infinity);
    if (loose) best = loose;
    if (!best) return undefined;
    if (consume) this.fire(best);
    return best.action;
  };

  /** Every rule the name and type match, in the order added, until one's selector takes the query. */
  private matchSelective(lname: string, qtype: number, client: string, transport: Transport, consume: boolean): FaultAction | undefined {
    const found: Rule[] = [];
    allMatches(this.exact.get(lname), lname, qtype, found);
    let dot = lname.length;
    for (let k = 0; k < this.suffixLabels && dot > 0; k++) {
      dot = lname.lastIndexOf('.', dot - 1);
      if (dot < 0) break;
      allMatches(this.bySuffix.get(lname.slice(dot + 1)), lname, qtype, found);
    }
    allMatches(this.unindexed, lname, qtype, found);
    if (found.length > 1) found.sort((a, b) => a.fault.id - b.fault.id);
    for (const r of found) {
      if (!consume) {
        if (!r.select || r.select.test(client, transport, false)) return r.action;
        continue;
      }
      r.fault.seen++;
      if (r.select && !r.select.test(client, transport, true)) continue;
      this.fire(r, false);
      return r.action;
    }
    return undefined;
  }

  private fire(rule: Rule, countSeen = true): void {
    if (countSeen) rule.fault.seen++;
    rule.fault.hits++;
    if (rule.fault.times !== undefined && rule.fault.hits >= rule.fault.times) this.drop(rule, this.rules.indexOf(rule));
  }

  private drop(rule: Rule, at: number): void {
    this.rules.splice(at, 1);
    if (isScanning(rule.pattern)) this.scanning--;
    if (rule.select) this.selective--;
    rule.bucket.splice(rule.bucket.indexOf(rule), 1);
    if (rule.bucket.length > 0 || rule.bucket === this.unindexed) return;
    if (rule.pattern.exact) this.exact.delete(rule.pattern.source);
    else if (rule.pattern.suffixKey !== undefined) {
      this.bySuffix.delete(rule.pattern.suffixKey);
      let most = 0;
      for (const key of this.bySuffix.keys()) most = Math.max(most, labelCount(key));
      this.suffixLabels = most;
    }
  }
}

function isScanning(p: NamePattern): boolean {
  return p.scans || (!p.exact && p.suffixKey === undefined);
}

function copy(f: Fault): Fault {
  return { ...f, ...(f.addresses ? { addresses: [...f.addresses] } : {}) };
}

function bucketOf(map: Map<string, Rule[]>, key: string): Rule[] {
  let b = map.get(key);
  if (!b) map.set(key, (b = []));
  return b;
}

function labelCount(name: string): number {
  let n = 1;
  for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) n++;
  return n;
}

/** The earliest-added rule of a bucket (kept in the order added) that applies, if it was added before `beforeId`. */
function firstMatch(bucket: Rule[] | undefined, lname: string, qtype: number, beforeId: number): Rule | undefined {
  if (!bucket) return undefined;
  for (const r of bucket) {
    if (r.fault.id >= beforeId) return undefined;
    if ((r.qtype === undefined || r.qtype === qtype) && r.pattern.matches(lname)) return r;
  }
  return undefined;
}

/** Every rule of a bucket the name and type match, added to `out`. */
function allMatches(bucket: Rule[] | undefined, lname: string, qtype: number, out: Rule[]): void {
  if (!bucket) return;
  for (const r of bucket) if ((r.qtype === undefined || r.qtype === qtype) && r.pattern.matches(lname)) out.push(r);
}
