// The answers of the wrong-data faults ("answer": chosen addresses, "empty": NODATA), shaped as the server shapes its
// real ones, so a client cannot tell them apart by anything but the data: AA and the zone's SOA in the authority
// section of a NODATA when the name is in a zone we serve, records with the configured TTL, the owner spelled as
// asked. They are Answers, encoded by the responder like any other (and never cached).
import type { ClusterView } from '../cluster/store.js';
import { QTYPE, RCODE, type Answer, type RR } from '../dns/records.js';
import { resolve } from '../dns/resolver.js';
import type { ResolverConfig } from '../dns/resolver-config.js';

export type WrongData =
  | { action: 'answer'; v4: readonly string[]; v6: readonly string[]; cname?: string }
  | { action: 'empty' };

export function faultAnswer(f: WrongData, view: ClusterView, cfg: ResolverConfig, qname: string, qtype: number): Answer {
  // An SOA query for the name gives the zone's SOA when the name is in one (in the answer at the apex, else in the
  // authority section), and nothing outside our zones: what a NODATA of ours carries.
  const soa = resolve(view, cfg, qname, QTYPE.SOA);
  const inZone = !soa.outOfZone;
  const answer: RR[] = [];
  if (f.action === 'answer') {
    let owner = qname;
    if (f.cname !== undefined) {
      answer.push({ name: qname, type: QTYPE.CNAME, ttl: cfg.ttl, data: f.cname });
      owner = f.cname;
    }
    const addresses = qtype === QTYPE.A || qtype === QTYPE.ANY ? f.v4 : [];
    for (const ip of addresses) answer.push({ name: owner, type: QTYPE.A, ttl: cfg.ttl, data: ip });
    if (qtype === QTYPE.AAAA || qtype === QTYPE.ANY) for (const ip of f.v6) answer.push({ name: owner, type: QTYPE.AAAA, ttl: cfg.ttl, data: ip });
    // A CNAME query asks for the alias itself: the target's addresses are not part of its answer.
    if (qtype === QTYPE.CNAME) answer.splice(1);
  }
  const authority = answer.length > 0 || !inZone ? [] : soa.authority.length ? soa.authority : soa.answer.filter((r) => r.type === QTYPE.SOA);
  return { rcode: RCODE.NOERROR, aa: inZone, answer, authority, additional: [] };
}
