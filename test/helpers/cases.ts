// Table-driven query cases in the shape of CoreDNS's handler tests, each run over both UDP and TCP.
import { query, type ServerAddress, type Transport } from './dns-wire.js';
import { expectAnswer, expectNoData, expectNxdomain, type Asserts } from './expect.js';

export interface Case {
  q: string;
  type: string;
  /** NODATA = NOERROR, empty answer, SOA in authority */
  rcode: 'NOERROR' | 'NXDOMAIN' | 'NODATA';
  answer?: string[];
  extra?: string[];
  /** SOA owner for negative answers (the zone as spelled in the query) */
  zone?: string;
  ttl?: number;
  /** why, with the reference section */
  why?: string;
}

interface Runner extends Asserts {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  test(name: string, fn: (t: any) => Promise<void>): PromiseLike<unknown>;
}

export async function checkCase(t: Asserts, server: ServerAddress, c: Case, transport: Transport): Promise<void> {
  const reply = await query(transport, server, c.q, c.type, { edns: transport === 'udp' ? { udpSize: 1232 } : undefined });
  if (c.rcode === 'NODATA') expectNoData(t, reply, { zone: c.zone, ttl: c.ttl });
  else if (c.rcode === 'NXDOMAIN') expectNxdomain(t, reply, { zone: c.zone, ttl: c.ttl });
  else expectAnswer(t, reply, { answer: c.answer ?? [], extra: c.extra });
}

export async function runCases(t: Runner, server: ServerAddress, cases: readonly Case[], transports: readonly Transport[] = ['udp', 'tcp']): Promise<void> {
  for (const transport of transports) {
    for (const c of cases) {
      const title = `${transport}: ${c.q} ${c.type} → ${c.rcode}${c.why ? ` (${c.why})` : ''}`;
      await t.test(title, async (tt: Asserts) => checkCase(tt, server, c, transport));
    }
  }
}
