// The forward plugin's ServeDNS: names under its FROM zone (and not under an `except` name) go to the upstreams
// (lib/upstream/forwarder.ts) and their reply is sent back as it came; other names go on down the chain. An
// upstream that fails gives SERVFAIL; past max_concurrent queries in flight, REFUSED (as CoreDNS does).
import { RCODE } from '../../dns/records.js';
import { queryFor } from '../../plugin/raw-records.js';
import type { Next, Plugin, Reply, Request, Upstream } from '../../plugin/handler.js';
import { inZone } from '../../dns/names.js';


export class ForwardPlugin implements Plugin {
  readonly name = 'forward';
  private inFlight = 0;

  /** `from`: the zones forwarded, lower case without the trailing dot ('' = every name, `forward .`) */
  constructor(
    readonly upstream: Upstream,
    private from: readonly string[] = [''],
    private except: readonly string[] = [],
    private maxConcurrent = Infinity,
  ) {}

  private covers(lname: string): boolean {
    for (const z of this.except) if (inZone(lname, z)) return false;
    for (const z of this.from) if (inZone(lname, z)) return true;
    return false;
  }

  serveDNS(req: Request, next: Next): Reply | Promise<Reply> {
    if (this.except.length > 0 || this.from.length !== 1 || this.from[0] !== '') {
      if (!this.covers(req.name.toLowerCase())) return next(req);
    }
    req.varies = true;
    if (this.inFlight >= this.maxConcurrent) return failure(RCODE.REFUSED, this.name);
    this.inFlight++;
    // The client's own bytes when the question is still theirs (their EDNS options go along), else a new query.
    const msg = wireQuery(req);
    // A lookup the server makes for itself (depth > 0) wants the whole answer: the forwarder retries a TC over TCP.
    const opts = req.depth === 0 ? { clientTransport: req.transport } : {};
    return this.upstream.forward(msg, opts).catch(() => null).then((bytes): Reply => {
      this.inFlight--;
      return bytes ? { kind: 'raw', bytes, plugin: this.name } : failure(RCODE.SERVFAIL, this.name);
    });
  }
}

function failure(rcode: number, plugin: string): Reply {
  return { kind: 'answer', answer: { rcode, aa: false, answer: [], authority: [], additional: [] }, plugin };
}

/** The query bytes for what the request asks now: the client's message unless a plugin changed the question. */
export function wireQuery(req: Request): Buffer {
  if (req.asked.name === req.name && req.asked.type === req.type) return req.msg;
  return queryFor(req.name, req.type, req.rd);
}
