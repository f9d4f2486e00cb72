// Fault injection for test suites: per name pattern, answer NXDOMAIN/SERVFAIL/REFUSED, delay, drop or truncate,
// while every other name gets its real records. Checked before the answer cache, so a fault never gets cached.
import { parseType, RCODE, typeName } from '../dns/records.js';
import type { FaultAction, QuestionRef } from '../wire/responder.js';

export type FaultKind = 'nxdomain' | 'servfail' | 'refused' | 'delay' | 'drop' | 'truncate';
export const FAULT_KINDS: readonly FaultKind[] = ['nxdomain', 'servfail', 'refused', 'delay', 'drop', 'truncate'];

export interface FaultSpec {
  /** name pattern: exact name, or with `*` matching any run of characters (dots included); case-insensitive */
  name: string;
  fault: FaultKind;
  /** only for this query type (e.g. "AAAA"); all types when absent */
  type?: string;
  /** delay in ms (fault "delay") */
  delayMs?: number;
  /** apply this many times, then remove itself (e.g. fail twice, then answer) */
  times?: number;
}

export interface Fault extends FaultSpec {
  id: number;
  hits: number;
}

export class FaultError extends Error {}

function compile(pattern: string): RegExp {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  return new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

export class Faults {
  private rules: { fault: Fault; re: RegExp; qtype?: number; action: FaultAction }[] = [];
  private nextId = 1;

  get size(): number {
    return this.rules.length;
  }

  add(spec: FaultSpec): Fault {
    if (!spec || typeof spec.name !== 'string' || spec.name === '') throw new FaultError('a fault needs "name": a name or pattern such as "*.default.svc.cluster.local"');
    if (!FAULT_KINDS.includes(spec.fault)) throw new FaultError(`"fault" must be one of ${FAULT_KINDS.join(', ')}`);
    let qtype: number | undefined;
    if (spec.type !== undefined) {
      qtype = parseType(spec.type);
      if (qtype === undefined) throw new FaultError(`"type" ${spec.type} is not a DNS type (e.g. A, AAAA, SRV)`);
    }
    if (spec.fault === 'delay' && !(Number.isInteger(spec.delayMs) && spec.delayMs! >= 0 && spec.delayMs! <= 60_000)) {
      throw new FaultError('a "delay" fault needs "delayMs", 0 to 60000');
    }
    if (spec.times !== undefined && !(Number.isInteger(spec.times) && spec.times > 0)) throw new FaultError('"times" must be a positive whole number');
    const action: FaultAction = spec.fault === 'delay' ? { action: 'delay', ms: spec.delayMs! }
      : spec.fault === 'drop' ? { action: 'drop' }
      : spec.fault === 'truncate' ? { action: 'truncate' }
      : { action: 'rcode', rcode: spec.fault === 'nxdomain' ? RCODE.NXDOMAIN : spec.fault === 'servfail' ? RCODE.SERVFAIL : RCODE.REFUSED };
    const fault: Fault = { ...spec, ...(qtype !== undefined ? { type: typeName(qtype) } : {}), id: this.nextId++, hits: 0 };
    this.rules.push({ fault, re: compile(spec.name), ...(qtype !== undefined ? { qtype } : {}), action });
    return fault;
  }

  remove(id: number): boolean {
    const i = this.rules.findIndex((r) => r.fault.id === id);
    if (i < 0) return false;
    this.rules.splice(i, 1);
    return true;
  }

  clear(): void {
    this.rules = [];
  }

  list(): Fault[] {
    return this.rules.map((r) => ({ ...r.fault }));
  }

  /** The responder's hook: with no faults it returns at once, without decoding the question's name. */
  match = (q: QuestionRef): FaultAction | undefined => {
    if (this.rules.length === 0) return undefined;
    const lname = q.name.toLowerCase();
    const qtype = q.type;
    for (let i = 0; i < this.rules.length; i++) {
      const r = this.rules[i];
      if ((r.qtype === undefined || r.qtype === qtype) && r.re.test(lname)) {
        r.fault.hits++;
        if (r.fault.times !== undefined && r.fault.hits >= r.fault.times) this.rules.splice(i, 1);
        return r.action;
      }
    }
    return undefined;
  };
}
