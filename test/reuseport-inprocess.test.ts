// reusePort: true, the in-process form of --reuse-port: two startClusterDns() on one port, serving different data
// so each answer says which one gave it; queries from new source ports get both, and once one closes, the other
// answers all. Without reusePort the second start rejects with an EADDRINUSE that names the option.
import t from 'tap';
import { startClusterDns } from '../lib/index.js';
import { reusePortProblem } from '../lib/wire/reuse-port.js';
import { query } from './helpers/dns-client.js';

const service = (ip: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: ip, ports: [{ port: 80 }] } });
const NAME = 'web.default.svc.cluster.local';

async function firstA(port: number, tcp = false): Promise<string> {
  const r = await query(port, NAME, 'A', { tcp });
  return String((r.answers ?? []).find((a) => a.type === 'A')?.data ?? r.rcode);
}

t.test('two in-process servers share a port with reusePort: true', { skip: reusePortProblem() }, async (t) => {
  const one = await startClusterDns({ reusePort: true, objects: [service('10.96.0.11')] });
  t.teardown(() => one.close());
  const two = await startClusterDns({ reusePort: true, listen: { host: '127.0.0.1', port: one.port }, objects: [service('10.96.0.22')] });
  t.teardown(() => two.close());
  t.equal(two.port, one.port, 'the second bound the first one\'s port');
  t.equal(two.config.reusePort, true, 'and its config says reusePort');
  const seen = new Map<string, number>();
  for (let i = 0; i < 100; i++) {
    const ip = await firstA(one.port);
    seen.set(ip, (seen.get(ip) ?? 0) + 1);
  }
  t.comment(`answers: ${[...seen].map(([ip, n]) => `${ip} ×${n}`).join(', ')}`);
  t.same([...seen.keys()].sort(), ['10.96.0.11', '10.96.0.22'], 'both servers answered (the kernel spreads by source port)');
  t.equal(one.queries().length + two.queries().length, 100, 'each journal holds its own share, together every query');
  await one.close();
  const after = new Set<string>();
  for (let i = 0; i < 30; i++) after.add(await firstA(one.port));
  after.add(await firstA(one.port, true));
  t.same([...after], ['10.96.0.22'], 'after one closes, the other answers every UDP and TCP query');
});

t.test('without reusePort the second start fails and says what would share the port', async (t) => {
  const one = await startClusterDns({ objects: [service('10.96.0.11')] });
  t.teardown(() => one.close());
  await t.rejects(startClusterDns({ listen: `127.0.0.1:${one.port}`, objects: [service('10.96.0.22')] }),
    { code: 'EADDRINUSE', message: /EADDRINUSE.*reusePort: true/ });
  if (!reusePortProblem()) {
    await t.rejects(startClusterDns({ reusePort: true, listen: `127.0.0.1:${one.port}` }),
      { code: 'EADDRINUSE', message: /does not share it/ }, 'with it on one side only: the holder does not share');
  }
  t.equal(await firstA(one.port), '10.96.0.11', 'the first keeps answering');
});
