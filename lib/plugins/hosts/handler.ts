// The hosts plugin's ServeDNS, as CoreDNS 1.14.7's plugin/hosts/hosts.go answers:
// - a name outside its zones goes on (a PTR question is looked up whatever its zone);
// - A / AAAA: the file's addresses then the inline ones, TTL `ttl`, authoritative, owner in lower case (CoreDNS
//   answers with request.Name(), which is lower-cased);
// - PTR: the names of the address, or on down the chain when it has none (whatever `fallthrough` says);
// - another type for a name it has: NODATA, authoritative, no SOA (there is no zone around hosts data), or on
//   with `fallthrough_unsupported`;
// - a name it does not have: on with `fallthrough` (in its zones), else SERVFAIL: CoreDNS cannot write NXDOMAIN
//   without a SOA, so it answers SERVFAIL, unauthoritative.
import { QTYPE, RCODE, type Answer, type RR } from '../../dns/records.js';
import { answerReply, type Next, type Plugin, type Reply, type Request } from '../../plugin/handler.js';
import type { HostsFile } from './hosts-file.js';
import { addressOfReverse, type Family, type HostsMap } from './hosts-map.js';
import { inZones } from './parse.js';

export interface HostsHandlerOptions {
  zones: readonly string[];
  ttl: number;
  /** null: no fallthrough; zones ('' = every name) */
  fallthrough: readonly string[] | null;
  fallthroughUnsupported: boolean;
}

export class HostsPlugin implements Plugin {
  readonly name = 'hosts';

  constructor(private readonly file: HostsFile, private readonly inline: HostsMap, private readonly opts: HostsHandlerOptions) {}

  generation(): number {
    return this.file.generation;
  }

  close(): void {
    this.file.close();
  }

  private through(lname: string): boolean {
    return this.opts.fallthrough !== null && inZones(lname, this.opts.fallthrough);
  }

  private addresses(lname: string, family: Family): string[] {
    const a = this.file.map.lookup(lname, family);
    const b = this.inline.lookup(lname, family);
    return b.length === 0 ? a as string[] : a.length === 0 ? b as string[] : [...a, ...b];
  }

  serveDNS(req: Request, next: Next): Reply | Promise<Reply> {
    const lname = req.name.toLowerCase();
    const type = req.type;
    if (type !== QTYPE.PTR && !inZones(lname, this.opts.zones)) return next(req);
    const ttl = this.opts.ttl;
    let answer: RR[] = [];
    if (type === QTYPE.PTR) {
      const ip = addressOfReverse(lname);
      const names = ip ? [...this.file.map.names(ip), ...this.inline.names(ip)] : [];
      if (names.length === 0) return next(req);
      answer = names.map((n): RR => ({ name: lname, type: QTYPE.PTR, ttl, data: n }));
    } else if (type === QTYPE.A || type === QTYPE.AAAA) {
      const t = type;
      answer = this.addresses(lname, t === QTYPE.A ? 4 : 6).map((ip): RR => ({ name: lname, type: t, ttl, data: ip }));
    } else if (this.opts.fallthroughUnsupported && this.through(lname)) {
      return next(req);
    }
    if (answer.length === 0 && this.addresses(lname, 4).length === 0 && this.addresses(lname, 6).length === 0) {
      if (this.through(lname)) return next(req);
      return answerReply({ rcode: RCODE.SERVFAIL, aa: false, answer: [], authority: [], additional: [] }, this.name);
    }
    const out: Answer = { rcode: RCODE.NOERROR, aa: true, answer, authority: [], additional: [] };
    return answerReply(out, this.name);
  }
}
