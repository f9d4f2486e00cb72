// A DNS answer from the static table: authoritative, each record with its own TTL, a CNAME followed through the
// table and into the cluster zones (the chain in the answer, as CoreDNS does within its own data), and a target
// that is neither left to the upstreams (Answer.chase, as for an ExternalName). No SOA in negative answers: there
// is no zone around static names (CoreDNS's hosts plugin answers NODATA the same way).
import { QTYPE, RCODE, type Answer, type RR } from '../dns/records.js';
import type { StaticSource } from './table.js';

/** links followed before giving up, as the resolver's in-zone chains */
const MAX_CNAME_CHAIN = 8;

/**
 * The static answer for a question, or undefined when the table does not have the name (it is then forwarded).
 * `cluster` answers a name from the cluster zones (outOfZone when the name is not in them).
 */
export function staticAnswer(table: StaticSource, qname: string, qtype: number,
  cluster: (name: string, type: number) => Answer): Answer | undefined {
  const first = table.lookup(qname, qtype);
  if (first.kind === 'miss') return undefined;
  const ans: Answer = { rcode: RCODE.NOERROR, aa: true, answer: [], authority: [], additional: [] };
  if (first.kind === 'nodata') return ans;
  ans.answer.push(...first.records);
  let last: RR | undefined = first.records.length === 1 ? first.records[0] : undefined;
  if (qtype === QTYPE.CNAME || qtype === QTYPE.ANY) return ans;
  const seen = new Set<string>([qname.toLowerCase().replace(/\.$/, '')]);
  for (let depth = 0; last && last.type === QTYPE.CNAME && depth < MAX_CNAME_CHAIN; depth++) {
    const target = last.data as string;
    const ltarget = target.toLowerCase();
    if (seen.has(ltarget)) break;
    seen.add(ltarget);
    last = undefined;
    const c = cluster(target, qtype);
    if (!c.outOfZone && !c.fallthrough) {
      ans.answer.push(...c.answer);
      ans.rcode = c.rcode;
      if (c.answer.length === 0) ans.authority.push(...c.authority);
      if (c.chase) ans.chase = c.chase;
      break;
    }
    const s = table.lookup(target, qtype);
    if (s.kind === 'records') {
      ans.answer.push(...s.records);
      last = s.records.length === 1 ? s.records[0] : undefined;
    } else if (s.kind === 'miss' && c.outOfZone) {
      ans.chase = { name: target, type: qtype };
    }
  }
  return ans;
}
