// Looking up an ExternalName's out-of-zone target through the upstream resolvers, as CoreDNS re-enters its own
// plugin chain: the records are appended after our CNAME with the upstream's TTLs; the upstream rcode is ignored.
import dns2 from 'dns2';
import { randomInt } from 'node:crypto';
import { QTYPE, type RR } from '../dns/records.js';
import { encodeResponse } from './encoder.js';
import type { Upstream } from './responder.js';

export async function upstreamAnswerRecords(up: Upstream, name: string, type: number, rd: boolean): Promise<{ records: RR[]; tc: boolean } | undefined> {
  const query = encodeResponse({
    header: { id: randomInt(0, 0x10000), opcode: 0, aa: false, rd, cd: false, rcode: 0 },
    question: { name, type, class: 1 }, answer: [], authority: [], additional: [],
  });
  // encodeResponse writes a response; turn it into a query (QR=0).
  query[2] &= 0x7f;
  const res = await up.forward(query);
  if (!res) return undefined;
  const pkt: any = (dns2 as any).Packet.parse(res);
  const records: RR[] = [];
  for (const a of pkt.answers ?? []) {
    const owner = String(a.name ?? '').replace(/\.$/, '');
    const ttl = Number(a.ttl ?? 0);
    if (a.type === QTYPE.A && a.address) records.push({ name: owner, type: QTYPE.A, ttl, data: a.address });
    else if (a.type === QTYPE.AAAA && a.address) records.push({ name: owner, type: QTYPE.AAAA, ttl, data: a.address });
    else if (a.type === QTYPE.CNAME && a.domain) records.push({ name: owner, type: QTYPE.CNAME, ttl, data: String(a.domain).replace(/\.$/, '') });
  }
  return { records, tc: (res[2] & 0x02) !== 0 };
}
