// The bytes of a reply: an Answer encoded with ID 0 and RD/CD clear (what the answer cache keeps), the query's own
// ID and flags patched into a copy, and the messages of a multi-message reply encoded with them directly.
import type { Answer } from '../dns/records.js';
import { EncodeError, encodeResponse, type Edns, type Question } from './encoder.js';
import type { ParsedQuery } from './query.js';

/** The encoded answer, or null when some record cannot be written into a message. */
export function encodeOrNull(ans: Answer, question: Question, edns: Edns | undefined, limit: number): Buffer | null {
  try {
    return encodeAnswer(ans, question, edns, limit);
  } catch (err) {
    if (!(err instanceof EncodeError)) throw err;
    return null;
  }
}

/** One message of several, with the query's ID, RD and CD (never cached: no patch, no copy), or null. */
export function encodeMessage(m: Answer, question: Question, q: ParsedQuery): Buffer | null {
  try {
    return encodeResponse({
      header: { id: q.id, opcode: 0, aa: m.aa, rd: q.rd, cd: q.cd, rcode: m.rcode },
      question, answer: m.answer, authority: m.authority, additional: m.additional, ...(m.tc ? { tc: true } : {}),
    });
  } catch (err) {
    if (!(err instanceof EncodeError)) throw err;
    return null;
  }
}

/** The question as the encoder takes it. Built only past the cache: a hit never decodes the name. */
export function questionOf(q: ParsedQuery): Question {
  return { name: q.name, type: q.type, class: q.class };
}

/** Encodes an answer with ID 0 and RD/CD clear; `patch` puts the query's own in. */
export function encodeAnswer(ans: Answer, question: Question, edns: Edns | undefined, limit: number): Buffer {
  return encodeResponse({
    header: { id: 0, opcode: 0, aa: ans.aa, rd: false, cd: false, rcode: ans.rcode },
    question,
    answer: ans.answer,
    authority: ans.authority,
    additional: ans.additional,
    ...(ans.tc ? { tc: true } : {}),
    ...(edns ? { edns } : {}),
  }, limit);
}

export function patch(cached: Buffer, q: ParsedQuery): Buffer {
  const out = Buffer.allocUnsafe(cached.length);
  cached.copy(out);
  out[0] = q.id >> 8;
  out[1] = q.id & 0xff;
  if (q.rd) out[2] |= 0x01;
  if (q.cd) out[3] |= 0x10;
  return out;
}
