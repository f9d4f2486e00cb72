// The bridge between whole messages from elsewhere and records: a query for a name the server looks up for itself
// (an ExternalName's target), and the answer records of an upstream's reply to it.
import dns2 from 'dns2';
import { randomInt } from 'node:crypto';
import { QTYPE, type RR } from '../dns/records.js';
import { encodeResponse } from '../wire/encoder.js';

/** A query message (QR=0) for name/type with a random ID. */
export function queryFor(name: string, type: number, rd: boolean): Buffer {
  const query = encodeResponse({
    header: { id: randomInt(0, 0x10000), opcode: 0, aa: false, rd, cd: false, rcode: 0 },
    question: { name, type, class: 1 }, answer: [], authority: [], additional: [],
  });
  // encodeResponse writes a response; turn it into a query.
  query[2] &= 0x7f;
  return query;
}

/**
 * The A, AAAA and CNAME records of a reply's answer section, with the upstream's TTLs (its rcode is ignored, as
 * CoreDNS ignores it when completing an ExternalName); undefined when the bytes are no message.
 */
export function rawAnswerRecords(res: Buffer): { records: RR[]; tc: boolean } | undefined {
  let pkt: any;
  try {
    pkt = (dns2 as any).Packet.parse(res);
  } catch {
    return undefined;
  }
  const records: RR[] = [];
  for (const a of pkt.answers ?? []) {
    const owner = String(a.name ?? '').replace(/\.$/, '');
    const ttl = Number(a.ttl ?? 0);
    if (a.type === QTYPE.A && a.address) records.push({ name: owner, type: QTYPE.A, ttl, data: a.address });
    else if (a.type === QTYPE.AAAA && a.address) records.push({ name: owner, type: QTYPE.AAAA, ttl, data: a.address });
    else if (a.type === QTYPE.CNAME && a.domain) records.push({ name: owner, type: QTYPE.CNAME, ttl, data: String(a.domain).replace(/\.$/, '') });
  }
  return { records, tc: res.length > 2 && (res[2]! & 0x02) !== 0 };
}
