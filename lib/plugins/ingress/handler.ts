// The ingress plugin's ServeDNS: Ingress hostnames under its zones, answered with the Ingress's load-balancer
// addresses (lookup.ts). Its zones are its own: the apex holds SOA and NS (ns1.dns.<zone>, as k8s_external names
// them), a name no Ingress lists is NXDOMAIN, one with only other types or hosts below it NODATA. Names outside
// every zone go on down the chain, except a PTR for an address its names answer with (reverse.ts): the rest of
// the chain is asked first and only where it has no name for the address (NXDOMAIN, SERVFAIL, or nobody serves it) do our
// PTRs answer, so a reverse name the cluster, a hosts file or an upstream owns is never shadowed.
import { inZone, ipFromReverseName } from '../../dns/names.js';
import { keepEncodable } from '../../dns/encodable.js';
import { QTYPE, RCODE, type Answer, type RR } from '../../dns/records.js';
import type { ResolverConfig } from '../../dns/resolver-config.js';
import { then } from '../../plugin/chain.js';
import { answerReply, type Next, type Plugin, type Reply, type Request } from '../../plugin/handler.js';
import { rcodeOf } from '../../plugin/reply.js';
import { addressRecords, externalNameServerIPs, externalNs, externalSoa, join } from '../k8s_external/apex.js';
import type { HostView } from './hosts.js';
import { isAddress, matchName } from './lookup.js';
import { dnsEndpointAnswer } from './dnsendpoint.js';
import { wildcardPrefix } from './provenance.js';
import { ReverseIndex } from './reverse.js';
import { annotationSrv, annotationSrvNameExists, splitSrvName } from './srv.js';

export interface IngressOptions {
  /** lower case, no trailing dot */
  zones: string[];
  className?: string;
  /** --gateway-class / gateway_class: only Gateways of this GatewayClass (and the routes attached to them) */
  gatewayClass?: string;
  ttl: number;
  lbAddress?: string;
}

const APEX = 'dns';

export class IngressPlugin implements Plugin {
  readonly name = 'ingress';
  private readonly zones: string[];
  private readonly reverse: ReverseIndex;

  constructor(readonly opts: IngressOptions, private readonly view: HostView, private readonly cfg: () => ResolverConfig) {
    this.zones = [...opts.zones].sort((a, b) => b.length - a.length);
    this.reverse = new ReverseIndex(view, opts);
  }

  generation(): number {
    return this.view.generation;
  }

  close(): void {
    this.reverse.close();
  }

  /** the zone of ours `lname` (lower case) is in, if any */
  zoneOf(lname: string): string | undefined {
    return this.zones.find((z) => inZone(lname, z));
  }

  serveDNS(req: Request, next: Next): Reply | Promise<Reply> {
    const lname = req.name.toLowerCase().replace(/\.$/, '');
    const zone = this.zoneOf(lname);
    if (zone === undefined) {
      const ip = req.type === QTYPE.PTR ? ipFromReverseName(lname) : '';
      if (ip === '' || !this.reverse.has(ip)) return next(req);
      const qname = req.name;
      return then(next(req), (r) => {
        const rc = rcodeOf(r);
        // SERVFAIL too: a laptop offline (an upstream that cannot be reached) still gets the names it serves itself
        if (rc !== -1 && rc !== RCODE.NXDOMAIN && rc !== RCODE.REFUSED && rc !== RCODE.SERVFAIL) return r;
        const ptr = this.ptrAnswer(qname, lname);
        return ptr ? answerReply(ptr, this.name) : r;
      });
    }
    return answerReply(this.answer(req.name, lname, req.type, zone), this.name);
  }

  /**
   * Our PTRs for a reverse name outside our zones, when its address is one our names answer with; undefined
   * otherwise. Only asked once the rest of the chain had no name for it (see serveDNS).
   */
  ptrAnswer(qname: string, lname: string): Answer | undefined {
    const ip = ipFromReverseName(lname);
    if (ip === '') return undefined;
    const { records } = this.reverse.records(qname, ip, this.opts.ttl);
    return records.length > 0 ? this.positive(records) : undefined;
  }

  answer(qname: string, lname: string, qtype: number, zone: string): Answer {
    const { ttl } = this.opts;
    // the apex's SOA and NS are the zone's own, whatever an Ingress, route or DNSEndpoint publishes there
    if (lname === zone && (qtype === QTYPE.SOA || qtype === QTYPE.NS)) return this.apex(qname, qtype, zone);
    // At the apex only hosts naming it exactly count: a wildcard one label up (*.test for dev.test) is outside the
    // zone, and a wildcard never reaches across a zone cut (RFC 4592 section 2.2.1).
    const apex = lname === zone;
    const dep = apex && this.view.dnsEndpoints.forName(lname).length === 0 ? undefined : dnsEndpointAnswer(this.view, this.opts, qname, lname, qtype, ttl);
    if (dep?.kind === 'records') return this.positive(dep.records, dep.chase);
    if (qtype === QTYPE.SRV) {
      const q = splitSrvName(qname, lname);
      if (q) {
        const target = matchName(this.view, q.target, this.opts);
        const srv = target && annotationSrv(this.view, q, target, ttl);
        if (srv && srv.records.length > 0) return this.positive(srv.records, undefined, srv.extra);
        if (target && !dep) return this.negative(RCODE.NXDOMAIN, zone);
      }
    }
    if (dep) return this.negative(RCODE.NOERROR, zone);
    const match = matchName(this.view, lname, this.opts);
    const found = apex && match?.host !== lname ? undefined : match;
    if (!found) {
      if (lname === zone) return this.apex(qname, qtype, zone);
      if (lname === join(APEX, zone)) return this.negative(RCODE.NOERROR, zone);
      if (lname === join('ns1', APEX, zone)) {
        const rr = qtype === QTYPE.A || qtype === QTYPE.AAAA ? addressRecords(qname, this.nsIPs(), qtype, ttl).map((r) => ({ ...r, source: 'ingress' })) : [];
        return rr.length ? this.positive(rr) : this.negative(RCODE.NOERROR, zone);
      }
      if (annotationSrvNameExists(this.view, lname, (h) => matchName(this.view, h, this.opts))) return this.negative(RCODE.NOERROR, zone);
      const rc = this.view.ingressHostBelow(lname) || this.view.gateways.hasBelow(lname) || this.view.dnsEndpoints.hasBelow(lname) ? RCODE.NOERROR : RCODE.NXDOMAIN;
      return this.negative(rc === RCODE.NXDOMAIN && !this.view.synced ? RCODE.SERVFAIL : rc, zone);
    }
    const source = found.sources.join(',');
    const rule = `${wildcardPrefix(found.host)}${found.rules.join('; ')}`;
    const ips = found.addresses.filter(isAddress);
    const hostname = found.addresses.find((a) => !isAddress(a));
    let records: RR[] = [];
    let chase: Answer['chase'];
    if (ips.length === 0 && hostname !== undefined && (qtype === QTYPE.A || qtype === QTYPE.AAAA || qtype === QTYPE.CNAME)) {
      // Only a hostname published (an AWS ELB): a CNAME to it, whose target the server then looks up.
      records = [{ name: qname, type: QTYPE.CNAME, ttl, data: hostname, source, rule }];
      if (qtype !== QTYPE.CNAME) chase = { name: hostname, type: qtype };
    } else if (qtype === QTYPE.A || qtype === QTYPE.AAAA) {
      // One family per type: a name with IPv4 addresses only is NODATA for AAAA (and the reverse), never NXDOMAIN.
      const want6 = qtype === QTYPE.AAAA;
      records = ips.filter((ip) => ip.includes(':') === want6).map((ip) => ({ name: qname, type: qtype, ttl, data: ip, source, rule }));
    } else if (qtype === QTYPE.SRV) {
      const srv = annotationSrv(this.view, { qname, target: lname, port: '', protocol: '' }, found, ttl);
      if (srv && srv.records.length > 0) return this.positive(srv.records, undefined, srv.extra);
    }
    if (records.length === 0) return this.negative(RCODE.NOERROR, zone);
    return this.positive(records, chase);
  }

  private apex(qname: string, qtype: number, zone: string): Answer {
    const { ttl } = this.opts;
    if (qtype === QTYPE.SOA) return this.positive([this.soa(zone)]);
    if (qtype === QTYPE.NS) {
      const glue = addressRecords(join('ns1', APEX, qname), this.nsIPs(), 0, ttl).map((r) => ({ ...r, source: 'ingress' }));
      return this.positive([{ ...externalNs(zone, APEX, ttl), source: 'ingress' }], undefined, glue);
    }
    return this.negative(RCODE.NOERROR, zone);
  }

  private nsIPs(): string[] {
    return externalNameServerIPs(this.view, this.cfg(), false);
  }

  private soa(zone: string): RR {
    return { ...externalSoa(zone, APEX, this.opts.ttl, this.view), source: 'ingress' };
  }

  private negative(rcode: number, zone: string): Answer {
    return { rcode, aa: true, answer: [], authority: [this.soa(zone)], additional: [] };
  }

  private positive(records: RR[], chase?: Answer['chase'], extra: RR[] = []): Answer {
    const answer = keepEncodable(records);
    if (answer.length === 0) return { rcode: RCODE.SERVFAIL, aa: false, answer: [], authority: [], additional: [], leftOut: records.length };
    const a: Answer = { rcode: RCODE.NOERROR, aa: true, answer, authority: [], additional: keepEncodable(extra) };
    if (chase) a.chase = chase;
    return a;
  }
}
