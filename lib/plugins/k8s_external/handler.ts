// The k8s_external plugin's ServeDNS (CoreDNS's plugin/k8s_external/external.go + apex.go): names under its zones
// are answered from the cluster's external addresses; the apex and the `<apex>` subdomain hold the zone's own
// records; names outside its zones go on down the chain, and with `fallthrough` so does an NXDOMAIN.
import type { ClusterView } from '../../cluster/store.js';
import { keepEncodable } from '../../dns/encodable.js';
import { inZone, ipFromReverseName, splitLabels } from '../../dns/names.js';
import { QTYPE, RCODE, type Answer, type RR } from '../../dns/records.js';
import type { ResolverConfig } from '../../dns/resolver-config.js';
import { answerReply, type Next, type Plugin, type Reply, type Request } from '../../plugin/handler.js';
import { addressRecords, externalNameServerIPs, externalNs, externalSoa, join } from './apex.js';
import { MAX_ITEMS, externalLookup, externalReverse, type ExtLookup } from './lookup.js';
import { addressAnswer, ptrAnswer, srvAnswer } from './records.js';

export interface ExternalOptions {
  /** lower case, no trailing dot, '' = the root; reverse zones as in-addr.arpa / ip6.arpa names */
  zones: string[];
  /** the label(s) the name server's names live under (default "dns") */
  apex: string;
  ttl: number;
  headless: boolean;
  /** null: no fallthrough; [] : every name; else the zones whose NXDOMAINs go on */
  fallthrough: string[] | null;
}


export class K8sExternalPlugin implements Plugin {
  readonly name = 'k8s_external';
  /** longest first: a name belongs to the longest zone that holds it (plugin.Zones.Matches) */
  private readonly zones: string[];

  constructor(readonly opts: ExternalOptions, private readonly view: ClusterView, private readonly cfg: () => ResolverConfig) {
    this.zones = [...opts.zones].sort((a, b) => b.length - a.length);
  }

  generation(): number {
    return this.view.generation;
  }

  serveDNS(req: Request, next: Next): Reply | Promise<Reply> {
    const lname = req.name.toLowerCase();
    const zone = this.zones.find((z) => inZone(lname, z));
    if (zone === undefined) return next(req);
    const ans = this.answer(req.name, lname, req.type, zone);
    if (ans === 'next') return next(req);
    return answerReply(ans, this.name);
  }

  /** The answer for a name in `zone`, or 'next' for an NXDOMAIN that falls through. */
  answer(qname: string, lname: string, qtype: number, zone: string): Answer | 'next' {
    const { apex, ttl, headless } = this.opts;
    if (lname === zone) return this.apexAnswer(qname, qtype, zone);
    const apexName = join(apex, zone);
    if (inZone(lname, apexName)) return this.subApexAnswer(qname, lname, qtype, zone);

    const cfg = this.cfg();
    const t = { ttl, k8sTtl: cfg.ttl };
    let found: ExtLookup;
    let ptr: RR[] | undefined;
    const ip = qtype === QTYPE.PTR ? ipFromReverseName(lname) : '';
    if (ip) {
      const svcs = externalReverse(this.view, ip);
      found = { items: [], total: 0, rcode: svcs.length > 0 ? RCODE.NOERROR : RCODE.NXDOMAIN };
      ptr = ptrAnswer(qname, svcs, this.opts.zones[0] ?? '', ttl);
    } else {
      const base = splitLabels(zone === '' ? lname : lname.slice(0, lname.length - zone.length - 1));
      found = externalLookup(this.view, base, zone, headless, cfg.endpointPodNames, { perAddress: qtype !== QTYPE.SRV, max: MAX_ITEMS });
    }

    if (found.items.length === 0 && !ptr?.length) {
      if (found.rcode === RCODE.NXDOMAIN && this.fallsThrough(lname)) return 'next';
      return this.negative(found.rcode, zone);
    }
    let records: RR[] = [];
    let extra: RR[] = [];
    let chase: Answer['chase'];
    switch (qtype) {
      case QTYPE.A:
      case QTYPE.AAAA:
        ({ records, chase } = addressAnswer(qname, qtype, found.items, t));
        break;
      case QTYPE.SRV:
        ({ records, extra } = srvAnswer(qname, found.items, found.total, t));
        break;
      case QTYPE.PTR:
        records = ptr ?? [];
        break;
    }
    // Records for the name but not of this type: NODATA.
    if (records.length === 0) return this.negative(RCODE.NOERROR, zone);
    return this.positive(records, extra, chase);
  }

  private apexAnswer(qname: string, qtype: number, zone: string): Answer {
    const { apex, ttl, headless } = this.opts;
    if (qtype === QTYPE.SOA) return this.positive([externalSoa(zone, apex, ttl, this.view)], []);
    if (qtype === QTYPE.NS) {
      const glue = addressRecords(join('ns1', apex, qname), externalNameServerIPs(this.view, this.cfg(), headless), 0, ttl);
      return this.positive([externalNs(zone, apex, ttl)], glue);
    }
    return this.negative(RCODE.NOERROR, zone);
  }

  /** `<apex>.<zone>` is an empty non-terminal, ns1.<apex>.<zone> the name server, anything else there NXDOMAIN. */
  private subApexAnswer(qname: string, lname: string, qtype: number, zone: string): Answer {
    const { ttl, headless } = this.opts;
    const base = splitLabels(zone === '' ? lname : lname.slice(0, lname.length - zone.length - 1));
    if (base.length === 1) return this.negative(RCODE.NOERROR, zone);
    if (base.length !== 2 || base[0] !== 'ns1') return this.negative(RCODE.NXDOMAIN, zone);
    const records = qtype === QTYPE.A || qtype === QTYPE.AAAA
      ? addressRecords(qname, externalNameServerIPs(this.view, this.cfg(), headless), qtype, ttl) : [];
    return records.length > 0 ? this.positive(records, []) : this.negative(RCODE.NOERROR, zone);
  }

  private fallsThrough(lname: string): boolean {
    const f = this.opts.fallthrough;
    return f !== null && (f.length === 0 || f.some((z) => inZone(lname, z)));
  }

  private negative(rcode: number, zone: string): Answer {
    // Before the first sync "does not exist" is not known yet: SERVFAIL, as the kubernetes plugin answers.
    const rc = rcode === RCODE.NXDOMAIN && !this.view.synced ? RCODE.SERVFAIL : rcode;
    return { rcode: rc, aa: true, answer: [], authority: [externalSoa(zone, this.opts.apex, this.opts.ttl, this.view)], additional: [] };
  }

  private positive(records: RR[], extra: RR[], chase?: Answer['chase']): Answer {
    // A record that cannot be encoded (a name past 255 bytes under a long zone) is left out; nothing left: SERVFAIL.
    const answer = keepEncodable(records);
    if (answer.length === 0) return { rcode: RCODE.SERVFAIL, aa: false, answer: [], authority: [], additional: [], leftOut: records.length };
    const additional = keepEncodable(extra);
    const a: Answer = { rcode: RCODE.NOERROR, aa: true, answer, authority: [], additional };
    const leftOut = records.length - answer.length + extra.length - additional.length;
    if (leftOut > 0) a.leftOut = leftOut;
    if (chase) a.chase = chase;
    return a;
  }
}
