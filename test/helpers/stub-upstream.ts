// A UDP upstream on loopback that answers every query with what `reply` makes of it (records in a fixed order, or
// hostile bytes): forwarded replies whose order and shape a test controls.
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { encodeResponse } from '../../lib/wire/encoder.js';
import type { RR } from '../../lib/dns/records.js';

export interface StubUpstream { port: number; queries: () => number; close: () => Promise<void> }

export async function stubUpstream(reply: (q: Buffer, name: string, type: number) => Buffer | null): Promise<StubUpstream> {
  const sock = dgram.createSocket('udp4');
  let n = 0;
  sock.on('message', (msg, rinfo) => {
    n++;
    let name = '';
    let type = 0;
    try {
      name = dnsPacket.decode(msg).questions?.[0]?.name ?? '';
      let o = 12;
      while (msg[o] !== 0) o += 1 + msg[o]!;
      type = msg.readUInt16BE(o + 1);
    } catch { return; }
    const out = reply(msg, name, type);
    if (out) { out[0] = msg[0]!; out[1] = msg[1]!; sock.send(out, rinfo.port, rinfo.address); }
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return { port: sock.address().port, queries: () => n, close: () => new Promise((r) => sock.close(() => r())) };
}

/** A compressed NOERROR reply (RD, RA set) with the given answer records, in that order. */
export function answerWith(name: string, type: number, answer: RR[], additional: RR[] = []): Buffer {
  const b = encodeResponse({ header: { id: 0, opcode: 0, aa: false, rd: true, cd: false, rcode: 0 }, question: { name, type, class: 1 }, answer, authority: [], additional });
  b[3] = b[3]! | 0x80;
  return b;
}
