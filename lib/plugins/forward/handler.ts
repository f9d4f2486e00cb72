// The forward plugin's ServeDNS: names under its FROM zone go to the upstreams (lib/upstream/forwarder.ts) and their
// reply is sent back as it came; other names go on down the chain. An upstream that fails gives SERVFAIL.
import { RCODE } from '../../dns/records.js';
import { queryFor } from '../../plugin/raw-records.js';
import type { Next, Plugin, Reply, Request, Upstream } from '../../plugin/handler.js';

export class ForwardPlugin implements Plugin {
  readonly name = 'forward';

  /** `from`: the zones forwarded, lower case without the trailing dot ('' = every name, `forward .`) */
  constructor(readonly upstream: Upstream, private from: readonly string[] = ['']) {}

  private covers(lname: string): boolean {
    for (const z of this.from) if (z === '' || lname === z || lname.endsWith(`.${z}`)) return true;
    return false;
  }

  serveDNS(req: Request, next: Next): Reply | Promise<Reply> {
    if (this.from.length !== 1 || this.from[0] !== '') {
      if (!this.covers(req.name.toLowerCase())) return next(req);
    }
    req.varies = true;
    // The client's own bytes when the question is still theirs (their EDNS options go along), else a new query.
    const msg = wireQuery(req);
    // A lookup the server makes for itself (depth > 0) wants the whole answer: the forwarder retries a TC over TCP.
    const opts = req.depth === 0 ? { clientTransport: req.transport } : {};
    return this.upstream.forward(msg, opts).catch(() => null).then((bytes): Reply => bytes
      ? { kind: 'raw', bytes, plugin: this.name }
      : { kind: 'answer', answer: { rcode: RCODE.SERVFAIL, aa: false, answer: [], authority: [], additional: [] }, plugin: this.name });
  }
}

/** The query bytes for what the request asks now: the client's message unless a plugin changed the question. */
export function wireQuery(req: Request): Buffer {
  if (req.asked.name === req.name && req.asked.type === req.type) return req.msg;
  return queryFor(req.name, req.type, req.rd);
}
