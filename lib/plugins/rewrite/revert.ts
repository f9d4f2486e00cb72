// The way back (CoreDNS's ResponseReverter): every record of the authority, answer and additional sections gets the
// response rules, last rule first, on its owner name ('name') and on the name in its rdata ('value'). Records are
// copied when changed, never edited: the resolver's answers may be shared.
import { QTYPE, type Answer, type RR } from '../../dns/records.js';
import type { ResponseRule } from './rules.js';

/** presentation name without the trailing dot (clusterdns's records) → CoreDNS's fully qualified form */
export function fqdn(name: string): string {
  return name === '' || name === '.' ? '.' : `${name}.`;
}

/** back: '.' is the root (''), and a trailing dot goes */
export function unFqdn(name: string): string {
  if (name === '.') return '';
  return name.endsWith('.') && !name.endsWith('\\.') ? name.slice(0, -1) : name;
}

function apply(rules: readonly ResponseRule[], field: 'name' | 'value', name: string): string {
  let s = fqdn(name);
  for (let i = rules.length - 1; i >= 0; i--) if (rules[i]!.field === field) s = rules[i]!.rewrite(s);
  return unFqdn(s);
}

/** One record with the rules applied (the same object when nothing changed). */
export function revertRecord(rr: RR, rules: readonly ResponseRule[]): RR {
  // A rule changes either the owner or the value, so applying each field's rules apart keeps CoreDNS's order.
  let out: RR = rr;
  const owner = apply(rules, 'name', rr.name);
  if (owner !== rr.name) out = { ...out, name: owner };
  if (rr.data === undefined) return out;
  switch (rr.type) {
    case QTYPE.CNAME: case QTYPE.NS: case QTYPE.PTR: {
      const v = apply(rules, 'value', rr.data);
      return v === rr.data ? out : { ...out, data: v } as RR;
    }
    case QTYPE.MX: {
      const v = apply(rules, 'value', rr.data.exchange);
      return v === rr.data.exchange ? out : { ...out, data: { ...rr.data, exchange: v } } as RR;
    }
    case QTYPE.SRV: {
      const v = apply(rules, 'value', rr.data.target);
      return v === rr.data.target ? out : { ...out, data: { ...rr.data, target: v } } as RR;
    }
    case QTYPE.SOA: {
      const v = apply(rules, 'value', rr.data.mname);
      return v === rr.data.mname ? out : { ...out, data: { ...rr.data, mname: v } } as RR;
    }
    default:
      return out;
  }
}

export function revertAnswer(a: Answer, rules: readonly ResponseRule[]): Answer {
  if (rules.length === 0) return a;
  const map = (rrs: RR[]) => rrs.map((rr) => revertRecord(rr, rules));
  return { ...a, answer: map(a.answer), authority: map(a.authority), additional: map(a.additional) };
}
