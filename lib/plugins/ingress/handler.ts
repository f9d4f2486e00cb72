// The ingress plugin's ServeDNS: Ingress hostnames under its zones, answered with the Ingress's load-balancer
// addresses (lookup.ts). Its zones are its own: the apex holds SOA and NS (ns1.dns.<zone>, as k8s_external names
// them), a name no Ingress lists is NXDOMAIN, one with only other types or hosts below it NODATA. Names outside
// every zone go on down the chain.
import type { ClusterView } from '../../cluster/store.js';
import { keepEncodable } from '../../dns/encodable.js';
import { QTYPE, RCODE, type Answer, type RR } from '../../dns/records.js';
import type { ResolverConfig } from '../../dns/resolver-config.js';
import { answerReply, type Next, type Plugin, type Reply, type Request } from '../../plugin/handler.js';
import { addressRecords, externalNameServerIPs, externalNs, externalSoa, join } from '../k8s_external/apex.js';
import { isAddress, matchName } from './lookup.js';
import { dnsEndpointAnswer } from './dnsendpoint.js';

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
const inZone = (lname: string, zone: string) =>
  lname === zone || (lname.endsWith(zone) && lname.charCodeAt(lname.length - zone.length - 1) === 46);

export class IngressPlugin implements Plugin {
  readonly name = 'ingress';
  private readonly zones: string[];

  constructor(readonly opts: IngressOptions, private readonly view: ClusterView, private readonly cfg: () => ResolverConfig) {
    this.zones = [...opts.zones].sort((a, b) => b.length - a.length);
  }

  generation(): number {
    return this.view.generation;
  }

  serveDNS(req: Request, next: Next): Reply | Promise<Reply> {
    const lname = req.name.toLowerCase().replace(/\.$/, '');
    const zone = this.zones.find((z) => inZone(lname, z));
    if (zone === undefined) return next(req);
    return answerReply(this.answer(req.name, lname, req.type, zone), this.name);
  }

  answer(qname: string, lname: string, qtype: number, zone: string): Answer {
    const { ttl } = this.opts;
    // the apex's SOA and NS are the zone's own, whatever a DNSEndpoint publishes there
    const dep = lname === zone && (qtype === QTYPE.SOA || qtype === QTYPE.NS) ? undefined : dnsEndpointAnswer(this.view, this.opts, qname, lname, qtype, ttl);
    if (dep) return dep.kind === 'records' ? this.positive(dep.records, dep.chase) : this.negative(RCODE.NOERROR, zone);
    const found = matchName(this.view, lname, this.opts);
    if (!found) {
      if (lname === zone) return this.apex(qname, qtype, zone);
      if (lname === join(APEX, zone)) return this.negative(RCODE.NOERROR, zone);
      if (lname === join('ns1', APEX, zone)) {
        const rr = qtype === QTYPE.A || qtype === QTYPE.AAAA ? addressRecords(qname, this.nsIPs(), qtype, ttl).map((r) => ({ ...r, source: 'ingress' })) : [];
        return rr.length ? this.positive(rr) : this.negative(RCODE.NOERROR, zone);
      }
      const rc = this.view.ingressHostBelow(lname) || this.view.gateways.hasBelow(lname) || this.view.dnsEndpoints.hasBelow(lname) ? RCODE.NOERROR : RCODE.NXDOMAIN;
      return this.negative(rc === RCODE.NXDOMAIN && !this.view.synced ? RCODE.SERVFAIL : rc, zone);
    }
    const source = `${found.sources.join(',')} host ${found.host}`;
    const ips = found.addresses.filter(isAddress);
    const hostname = found.addresses.find((a) => !isAddress(a));
    let records: RR[] = [];
    let chase: Answer['chase'];
    if (ips.length === 0 && hostname !== undefined && (qtype === QTYPE.A || qtype === QTYPE.AAAA || qtype === QTYPE.CNAME)) {
      // Only a hostname published (an AWS ELB): a CNAME to it, whose target the server then looks up.
      records = [{ name: qname, type: QTYPE.CNAME, ttl, data: hostname, source }];
      if (qtype !== QTYPE.CNAME) chase = { name: hostname, type: qtype };
    } else if (qtype === QTYPE.A || qtype === QTYPE.AAAA) {
      const want6 = qtype === QTYPE.AAAA;
      records = ips.filter((ip) => ip.includes(':') === want6).map((ip) => ({ name: qname, type: qtype, ttl, data: ip, source }));
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
