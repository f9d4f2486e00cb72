// A transfer's records cut into messages by size, as CoreDNS's transfer plugin does since 1.14.3: records are added
// to a message until the next would take its records past 63,000 bytes uncounting compression, which leaves room
// for the header and the question under the 65,535 bytes a DNS message over TCP can have.
import { QTYPE, type MxData, type RR, type SoaData, type SrvData } from '../../dns/records.js';

export const BATCH_BYTES = 63_000;

/** Wire length of a name written uncompressed (an escape counts as its text: a bound, never less). */
function nameLength(name: string): number {
  if (name === '' || name === '.') return 1;
  return (name.endsWith('.') ? name.length : name.length + 1) + 1;
}

/** The record's length on the wire, uncompressed: owner, type, class, TTL, length, data. */
export function wireLength(rr: RR): number {
  const head = nameLength(rr.name) + 10;
  if (rr.data === undefined) return head + rr.raw.length;
  switch (rr.type) {
    case QTYPE.A: return head + 4;
    case QTYPE.AAAA: return head + 16;
    case QTYPE.CNAME: case QTYPE.PTR: case QTYPE.NS: return head + nameLength(rr.data as string);
    case QTYPE.SRV: return head + 6 + nameLength((rr.data as SrvData).target);
    case QTYPE.MX: return head + 2 + nameLength((rr.data as MxData).exchange);
    case QTYPE.SOA: {
      const d = rr.data as SoaData;
      return head + nameLength(d.mname) + nameLength(d.rname) + 20;
    }
    case QTYPE.TXT: return head + (rr.data as string[]).reduce((n, t) => n + 1 + Buffer.byteLength(t), 0);
    default: return head;
  }
}

/** `records` in messages of at most `limit` bytes of records each (a record larger than that goes alone). */
export function* batches(records: Iterable<RR>, limit = BATCH_BYTES): Generator<RR[], void, void> {
  let batch: RR[] = [];
  let size = 0;
  for (const rr of records) {
    const len = wireLength(rr);
    if (batch.length > 0 && size + len > limit) {
      yield batch;
      batch = [];
      size = 0;
    }
    batch.push(rr);
    size += len;
  }
  if (batch.length > 0) yield batch;
}
