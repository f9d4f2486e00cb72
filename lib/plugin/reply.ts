// Small readings of a request and a reply that plugins which try several names share (autopath, shortnames).
import { RCODE } from '../dns/records.js';
import type { Reply } from './handler.js';


/** rcode of a reply; -1 when nobody answered (the end of the chain, a dropped query) */
export function rcodeOf(r: Reply): number {
  if (!r) return -1;
  if (r.kind === 'raw') return r.bytes.length >= 4 ? r.bytes[3]! & 0x0f : -1;
  if (r.kind === 'answer') return r.plugin === '' ? -1 : r.answer.rcode;
  return RCODE.NOERROR;
}
