// The autopath plugin's ServeDNS (CoreDNS plugin/autopath/autopath.go): a query whose name is under the first element
// of the client's search list is walked through that list on the server, one lookup through the rest of the chain
// per element, so a pod's resolver gets in one query what its own search-list walk would take several to find. The
// first reply that is not NXDOMAIN wins and gets a CNAME from the asked name to what was found (cname.ts); when every
// element gives NXDOMAIN the first reply goes back as it was (the client then walks its list itself).
//
// With `@kubernetes` the list is the client pod's: `<its namespace>.svc.<zone>, svc.<zone>, <zone>`, the host's
// search domains, then the name as asked. The pod is found by the query's source address (pods verified).
import { RCODE } from '../../dns/records.js';
import type { ResolverConfig } from '../../dns/resolver-config.js';
import { then } from '../../plugin/chain.js';
import type { Next, Plugin, RawReply, Reply, Request } from '../../plugin/handler.js';
import { EDNS_UDP_SIZE } from '../../wire/responder.js';
import { EncodeError, encodeResponse } from '../../wire/encoder.js';
import { cnamer } from './cname.js';
import { readRawMessage } from './raw-message.js';
import { rcodeOf } from '../../plugin/reply.js';
import { inZone } from '../../dns/names.js';

/** Where the search list comes from. */
export type SearchSource =
  /** CoreDNS's AutoPather of the kubernetes plugin; hostSearch: the server's resolv.conf search domains */
  | { kind: 'kubernetes'; hostSearch: string[] }
  /** `autopath FILE`: the file's search domains, the same for every client */
  | { kind: 'file'; search: string[] };

export interface AutopathOptions {
  /** the zones autopath acts in, lower case without the trailing dot ('' = the root) */
  zones: string[];
  source: SearchSource;
}

export interface AutopathDeps {
  /** the namespace of the running pod with this IP (lib/cluster/store.ts) */
  podNamespaceByIP(ip: string): string | undefined;
  resolverConfig(): ResolverConfig;
  /** one more query answered from the search list (coredns_autopath_success_total) */
  onSuccess(): void;
}

/** The longest name a lookup can be made for: 255 bytes on the wire */
const MAX_NAME = 253;

/** a source address as a pod's status.podIP spells it */
function clientIP(client: string): string {
  const ip = client.startsWith('::ffff:') && client.includes('.') ? client.slice(7) : client;
  const zone = ip.indexOf('%');
  return zone >= 0 ? ip.slice(0, zone) : ip;
}

export class AutopathPlugin implements Plugin {
  readonly name = 'autopath';

  constructor(private readonly opts: AutopathOptions, private readonly deps: AutopathDeps) {}

  serveDNS(req: Request, next: Next): Reply | Promise<Reply> {
    const lname = req.name.toLowerCase();
    if (!this.opts.zones.some((z) => inZone(lname, z))) return next(req);
    const search = this.searchList(req.client, lname);
    if (!search || !inZone(lname, search[0]!)) return this.direct(req, next, lname);
    if (lname === search[0]) {
      // CoreDNS's TrimZone fails on the bare first element (the pod's namespace's own name): SERVFAIL, as there.
      req.varies = true;
      return { kind: 'answer', answer: { rcode: RCODE.SERVFAIL, aa: false, answer: [], authority: [], additional: [] }, plugin: this.name };
    }
    return this.walk(req, next, search);
  }

  /**
   * The client's search list, the name as asked last (''); undefined when this client gets none. Elements are
   * lower case without the trailing dot.
   */
  searchList(client: string, lname: string): string[] | undefined {
    const src = this.opts.source;
    if (src.kind === 'file') return src.search.length > 0 ? [...src.search, ''] : undefined;
    const cfg = this.deps.resolverConfig();
    // CoreDNS: without pods verified the kubernetes plugin offers no search list (autopath does nothing).
    if (cfg.pods !== 'verified' || !client) return undefined;
    let zone: string | undefined;
    for (const z of cfg.zones) if (inZone(lname, z) && (zone === undefined || z.length > zone.length)) zone = z;
    if (zone === undefined) return undefined;
    const ns = this.deps.podNamespaceByIP(clientIP(client));
    if (ns === undefined) return undefined;
    return [`${ns}.svc.${zone}`, `svc.${zone}`, zone, ...src.hostSearch, ''];
  }

  /**
   * A query autopath does not walk for this client. Its reply is the same for every client unless some pod would
   * have it walked: a name under `<namespace>.svc.<zone>` whose direct reply is NXDOMAIN, or that the walk would
   * change. Only those are kept out of the answer cache, so that one client's reply is not served to another.
   */
  private direct(req: Request, next: Next, lname: string): Reply | Promise<Reply> {
    const shape = this.podShape(lname);
    if (shape === undefined) return next(req);
    if (shape === 'namespace') req.varies = true;
    return then(next(req), (r) => {
      if (this.walkWouldChange(r, req.name)) req.varies = true;
      return r;
    });
  }

  /** 'namespace' for `<ns>.svc.<zone>`, 'below' for names under one, undefined for names no pod walks */
  private podShape(lname: string): 'namespace' | 'below' | undefined {
    if (this.opts.source.kind !== 'kubernetes') return undefined;
    const cfg = this.deps.resolverConfig();
    if (cfg.pods !== 'verified') return undefined;
    for (const z of cfg.zones) {
      const suffix = `.svc.${z}`;
      if (lname.length > suffix.length && lname.endsWith(suffix)) {
        return lname.lastIndexOf('.', lname.length - suffix.length - 1) < 0 ? 'namespace' : 'below';
      }
    }
    return undefined;
  }

  /** whether a walk starting with this reply would answer otherwise */
  private walkWouldChange(r: Reply, original: string): boolean {
    const rcode = rcodeOf(r);
    if (rcode === RCODE.NXDOMAIN || rcode === -1) return true;
    return !!r && r.kind === 'answer' && cnamer(r.answer.answer, original) !== r.answer.answer;
  }

  private walk(req: Request, next: Next, search: string[]): Reply | Promise<Reply> {
    const original = req.name;
    const base = original.slice(0, original.length - search[0]!.length - 1);
    let first: Reply = null;
    const step = (i: number): Reply | Promise<Reply> => {
      for (; i < search.length; i++) {
        const s = search[i]!;
        // The first element gives the name as asked, in the client's spelling (its 0x20 case stays).
        const name = i === 0 ? original : s === '' ? base : `${base}.${s}`;
        // A host search domain that would make the name too long for the wire is left out.
        if (name.length > MAX_NAME) continue;
        const sub: Request = { ...req, name, varies: false };
        const at = i;
        return then(next(sub), (r) => {
          if (sub.varies) req.varies = true;
          if (at === 0) first = r;
          const rcode = rcodeOf(r);
          // Upstreams that failed: CoreDNS's forward returns an error, which ends the walk uncounted (SERVFAIL).
          if (r && r.kind === 'answer' && r.plugin === 'forward' && rcode === RCODE.SERVFAIL) { req.varies = true; return r; }
          if (rcode !== RCODE.NXDOMAIN && rcode !== -1) return this.found(req, r, original, at);
          return step(at + 1);
        });
      }
      // Nothing found: the first reply as it was. Another client may get it too, but it is not kept (the walk
      // looked at names whose answers can change without the cluster changing).
      req.varies = true;
      return first;
    };
    return step(0);
  }

  /** The winning reply, with the CNAME in front and the question the client asked. */
  private found(req: Request, r: Reply, original: string, at: number): Reply {
    if (!req.probe) this.deps.onSuccess();
    if (!r || r.kind === 'messages') return r;
    if (r.kind === 'answer') {
      const answer = cnamer(r.answer.answer, original);
      // Found at the name as asked and unchanged: what every client gets, so it may be cached.
      if (at !== 0 || answer !== r.answer.answer) req.varies = true;
      return answer === r.answer.answer ? r : { ...r, answer: { ...r.answer, answer } };
    }
    req.varies = true;
    if (at === 0) {
      const peek = readRawMessage(r.bytes);
      if (!peek || cnamer(peek.answer, original) === peek.answer) return r;
    }
    return this.rewriteRaw(req, r, original) ?? r;
  }

  /**
   * An upstream's reply for another name, re-encoded with the CNAME in front and the client's question; its
   * header flags kept. Undefined when the bytes cannot be read (they go to the client as they came).
   */
  private rewriteRaw(req: Request, r: RawReply, original: string): Reply | undefined {
    const m = readRawMessage(r.bytes);
    if (!m) return undefined;
    let out: Buffer;
    try {
      out = encodeResponse({
        header: { id: 0, opcode: 0, aa: m.aa, rd: req.rd, cd: req.cd, rcode: m.rcode },
        question: { name: original, type: req.type, class: 1 },
        answer: cnamer(m.answer, original), authority: m.authority, additional: m.additional,
        ...(m.tc ? { tc: true } : {}),
        ...(req.edns ? { edns: { udpSize: EDNS_UDP_SIZE, do: req.do } } : {}),
      }, req.limit);
    } catch (err) {
      if (err instanceof EncodeError) return undefined;
      throw err;
    }
    if (m.ra) out[3] |= 0x80;
    if (m.ad) out[3] |= 0x20;
    return { kind: 'raw', bytes: out, plugin: r.plugin };
  }
}
