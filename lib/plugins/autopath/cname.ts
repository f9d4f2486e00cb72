// CoreDNS's autopath cnamer (plugin/autopath/cname.go): the answer found for another name gets a CNAME from the
// name the client asked to the owner of the first answer record that is not already the asked name, with that
// record's TTL, in front of the answer section. An answer whose records all have the asked name is unchanged.
import { QTYPE, type RR } from '../../dns/records.js';

/** `answer` with the CNAME in front, or the same array when no record needs one */
export function cnamer(answer: RR[], original: string): RR[] {
  const lower = original.toLowerCase();
  for (const rr of answer) {
    if (rr.name.toLowerCase() === lower) continue;
    return [{ name: original, type: QTYPE.CNAME, ttl: rr.ttl, data: rr.name }, ...answer];
  }
  return answer;
}
