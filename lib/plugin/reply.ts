// Small readings of a request and a reply that plugins which try several names share (autopath, shortnames).
import { RCODE } from '../dns/records.js';
import type { Reply } from './handler.js';

/** Whether the lower-case name is `zone` or below it ('' is the root). */
export const under = (lname: string, zone: string): boolean =>
  zone === '' || lname === zone || (lname.endsWith(zone) && lname.charCodeAt(lname.length - zone.length - 1) === 46);

/** rcode of a reply; -1 when nobody answered (the end of the chain, a dropped query) */
export function rcodeOf(r: Reply): number {
  if (!r) return -1;
  if (r.kind === 'raw') return r.bytes.length >= 4 ? r.bytes[3]! & 0x0f : -1;
  if (r.kind === 'answer') return r.plugin === '' ? -1 : r.answer.rcode;
  return RCODE.NOERROR;
}
