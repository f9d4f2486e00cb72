// The rewrite plugin's ServeDNS (CoreDNS 1.14.7 plugin/rewrite/rewrite.go): the rules run in order on the question;
// a rule that matches changes the name or type the rest of the chain sees and adds its response rules; a `stop`
// rule ends the list. On the way back the client gets its own question (the responder always writes it) and the
// records' names reverted by the response rules. What it answers depends on the question alone: cacheable.
import { RCODE } from '../../dns/records.js';
import { then } from '../../plugin/chain.js';
import type { Next, Plugin, Reply, Request } from '../../plugin/handler.js';
import { EncodeError, encodeResponse } from '../../wire/encoder.js';
import { readMessage } from './raw-message.js';
import { fqdn, revertAnswer, revertRecord, unFqdn } from './revert.js';
import type { ResponseRule, Rule } from './rules.js';

/** miekg/dns IsDomainName: labels of 1-63 bytes, at most 255 bytes on the wire (escapes counted as one byte) */
export function isDomainName(s: string): boolean {
  if (s === '.') return true;
  if (s === '') return false;
  let label = 0;
  let wire = 1;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      i += /^\d{3}$/.test(s.slice(i + 1, i + 4)) ? 3 : 1;
      c = 0;
    } else if (c === 0x2e /* . */) {
      if (label === 0) return false;
      wire += label + 1;
      label = 0;
      continue;
    }
    label++;
    if (label > 63) return false;
  }
  if (label > 0) wire += label + 1;
  return wire <= 255;
}

export class RewritePlugin implements Plugin {
  readonly name = 'rewrite';

  constructor(private readonly rules: readonly Rule[]) {}

  serveDNS(req: Request, next: Next): Reply | Promise<Reply> {
    let name = fqdn(req.name).toLowerCase();
    let type = req.type;
    let matched = false;
    let renamed = false;
    let stopped = false;
    const responses: ResponseRule[] = [];
    for (const rule of this.rules) {
      const r = rule.rewrite(name, type);
      if (!r) continue;
      matched = true;
      if (r.name !== undefined) {
        // CoreDNS answers SERVFAIL ("invalid name after rewrite") with the client's question.
        if (!isDomainName(r.name)) return { kind: 'answer', answer: { rcode: RCODE.SERVFAIL, aa: false, answer: [], authority: [], additional: [] }, plugin: this.name };
        name = r.name;
        renamed = true;
      }
      if (r.type !== undefined) type = r.type;
      responses.push(...r.responses);
      if (rule.mode === 'stop') { stopped = true; break; }
    }
    if (!matched) return next(req);
    // CoreDNS's rewritten name is lower case (state.Name()); a type rule alone leaves the client's spelling.
    if (renamed) {
      req.name = unFqdn(name);
      // The reply's names are then lower case whatever the client's spelling, so they compress against the question
      // only when the client asked in lower case: the answer cache cannot serve one spelling's bytes for another.
      if (req.asked.name !== req.asked.name.toLowerCase()) req.varies = true;
    }
    req.type = type;
    // CoreDNS reverts (question and records) after a stop rule or when some rule left response rules.
    if (!stopped && responses.length === 0) return next(req);
    return then(next(req), (reply) => this.revert(reply, responses, req));
  }

  private revert(reply: Reply, rules: readonly ResponseRule[], req: Request): Reply {
    if (!reply) return reply;
    if (reply.kind === 'answer') return rules.length === 0 ? reply : { ...reply, answer: revertAnswer(reply.answer, rules) };
    if (reply.kind !== 'raw') return reply;
    // An upstream's reply carries the rewritten question: read it, revert it, write it with the client's question.
    const m = readMessage(reply.bytes);
    if (!m) return reply;
    const map = (rrs: typeof m.answer) => (rules.length ? rrs.map((rr) => revertRecord(rr, rules)) : rrs);
    try {
      const out = encodeResponse({
        header: { id: 0, opcode: (m.flags >> 11) & 0xf, aa: (m.flags & 0x0400) !== 0, rd: (m.flags & 0x0100) !== 0, cd: (m.flags & 0x0010) !== 0, rcode: m.flags & 0xf },
        question: { name: req.asked.name, type: req.asked.type, class: 1 },
        answer: map(m.answer), authority: map(m.authority), additional: map(m.additional),
        ...((m.flags & 0x0200) !== 0 ? { tc: true } : {}),
        ...(m.edns ? { edns: m.edns } : {}),
      }, req.limit);
      // RA and AD are the upstream's to say; the encoder writes neither.
      out[3] = out[3]! | (m.flags & 0xa0);
      return { ...reply, bytes: out };
    } catch (err) {
      if (err instanceof EncodeError) return reply;
      throw err;
    }
  }
}
