// After anything hostile, the server must still answer a normal query correctly, over UDP and over TCP.
import type { Asserts } from './expect.js';
import { queryTcp, queryUdp, type ServerAddress } from './dns-wire.js';
import { answers } from './records.js';

export async function expectHealthy(t: Asserts, server: ServerAddress, after: string): Promise<void> {
  const name = 'svc1.testns.svc.cluster.local';
  const u = await queryUdp(server, name, 'A');
  t.same(answers(u), [`${name} 5 A 10.0.0.1`], `UDP still answers after ${after}`);
  const c = await queryTcp(server, name, 'A');
  t.same(answers(c), [`${name} 5 A 10.0.0.1`], `TCP still answers after ${after}`);
}
