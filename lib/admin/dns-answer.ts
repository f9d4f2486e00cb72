// The exact answer DNS gives, as JSON: /api/v1/resolve and explain both ask the transport's own responder
// (resolve.ts) and read the resolver's answer only to name each record's object.
import { formatRR, rcodeName, typeName, type Answer, type RR } from '../dns/records.js';
import type { HandleResult } from '../wire/responder.js';
import { resolveThroughDns } from './resolve.js';

export interface AnswerSource {
  handle(msg: Buffer, transport: 'udp' | 'tcp', client: string): HandleResult;
  resolve(name: string, type: number): Answer;
  /** upstreams configured (notes on out-of-zone names) */
  upstreams: number;
}

export function rrJson(rr: RR) {
  return {
    name: `${rr.name}.`, type: typeName(rr.type), ttl: rr.ttl,
    data: rr.data === undefined ? rr.raw.toString('hex') : rr.data, text: formatRR(rr),
    ...(rr.source ? { source: rr.source } : {}),
    ...(rr.rule ? { rule: rr.rule } : {}),
  };
}

export type RRJson = ReturnType<typeof rrJson>;

export interface AnswerJson {
  name: string;
  type: string;
  rcode: string;
  aa: boolean;
  note?: string;
  answer: RRJson[];
  authority: RRJson[];
  additional: RRJson[];
}

/** `name` without the trailing dot; throws NameError (resolve.ts) for a name no DNS query can carry. */
export async function answerJson(src: AnswerSource, name: string, type: number): Promise<AnswerJson> {
  let explained: Answer | undefined;
  const explain = () => (explained = src.resolve(name, type));
  const r = await resolveThroughDns((m, t, c) => src.handle(m, t, c), name, type, explain);
  const a = explained;
  const notes: string[] = [];
  if (a?.outOfZone) notes.push(src.upstreams ? 'outside the cluster zones: forwarded to the upstreams' : 'outside the cluster zones: REFUSED (no --upstream)');
  else if (a?.chase) notes.push(`the CNAME target is outside our zones${src.upstreams ? ': its records come from the upstreams' : ''}`);
  if (r.leftOut > 0) notes.push(`${r.leftOut} record(s) left out: they cannot be encoded (an object the API server would refuse; see the log)`);
  if (!r.reply) {
    notes.push('a fault drops this query: DNS clients get no reply and time out');
    return { name: `${name}.`, type: typeName(type), rcode: 'NOREPLY', aa: false, note: notes.join('; '), answer: [], authority: [], additional: [] };
  }
  const d = r.reply;
  return {
    name: `${name}.`, type: typeName(type), rcode: rcodeName(d.rcode), aa: d.aa, ...(notes.length ? { note: notes.join('; ') } : {}),
    answer: d.answer.map(rrJson), authority: d.authority.map(rrJson), additional: d.additional.map(rrJson),
  };
}
