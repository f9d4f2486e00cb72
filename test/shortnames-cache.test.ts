// What the answer cache may keep of short-name answers: an expansion from the cluster alone may be cached until the
// cluster changes (a new Service shows at once); one that came after an upstream's NXDOMAIN is not, so the day the
// upstream starts to know the name, the upstream's answer wins on the next query. The upstream is a stub in this
// process whose table the test changes.
import t, { type Test } from 'tap';
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { startClusterDns } from '../lib/index.js';
import { buildQuery, udpExchange } from './helpers/dns-client.js';

const objects = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'blog' } },
  { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'shop', name: 'web' }, spec: { clusterIP: '10.96.7.7', ports: [{ port: 80 }] } },
  { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'blog', name: 'web' }, spec: { clusterIP: '10.96.8.8', ports: [{ port: 80 }] } },
];

/** answers A from `table`, NXDOMAIN otherwise; counts queries per name */
async function stubUpstream(t: Test, table: Map<string, string>): Promise<{ port: number; asked: Map<string, number> }> {
  const asked = new Map<string, number>();
  const s = dgram.createSocket('udp4');
  s.on('message', (m, r) => {
    let q: dnsPacket.Packet;
    try { q = dnsPacket.decode(m); } catch { return; }
    const name = (q.questions?.[0]?.name ?? '').toLowerCase();
    asked.set(name, (asked.get(name) ?? 0) + 1);
    const ip = table.get(name);
    s.send(dnsPacket.encode({
      type: 'response', id: q.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (ip ? 0 : 3), questions: q.questions,
      answers: ip ? [{ type: 'A', name, ttl: 30, data: ip }] : [],
    }), r.port, r.address);
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => s.close());
  return { port: s.address().port, asked };
}

const addresses = async (port: number, name: string) =>
  ((dnsPacket.decode(await udpExchange(port, buildQuery(name, 'A'), '127.0.0.1', 3000)) as any).answers ?? []).map((a: any) => a.data);

t.test('the answer cache and short names', async (t) => {
  const table = new Map<string, string>();
  const up = await stubUpstream(t, table);
  const dns = await startClusterDns({ listen: '127.0.0.1:0', objects, shortNames: true, upstreams: [`127.0.0.1:${up.port}`], logLevel: 'silent' } as any);
  t.teardown(() => dns.close());

  t.test('a TLD-named namespace: not cached, the upstream asked each time, and its new name wins at once', async (t) => {
    t.same(await addresses(dns.port, 'web.shop'), ['10.96.7.7']);
    t.same(await addresses(dns.port, 'web.shop'), ['10.96.7.7']);
    t.equal(up.asked.get('web.shop'), 2, 'the upstream was asked both times (the reply depended on it)');
    table.set('web.shop', '192.0.2.9');
    t.same(await addresses(dns.port, 'web.shop'), ['192.0.2.9'], "now that the name exists upstream, it is the upstream's");
  });

  t.test('a namespace that is no TLD: from the cluster alone (the upstream never asked), and a new Service shows at once (the cache follows the cluster)', async (t) => {
    t.same(await addresses(dns.port, 'web.blog.svc'), ['10.96.8.8']);
    t.same(await addresses(dns.port, 'api.blog.svc'), [], 'no such Service yet');
    const before = up.asked.get('api.blog.svc') ?? 0;
    t.equal(up.asked.get('web.blog.svc'), undefined, 'the upstream never asked for a name the cluster answered');
    await dns.apply([{ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'blog', name: 'api' }, spec: { clusterIP: '10.96.8.9', ports: [{ port: 80 }] } }]);
    t.same(await addresses(dns.port, 'api.blog.svc'), ['10.96.8.9'], 'the new Service, not a cached answer');
    t.equal(up.asked.get('api.blog.svc') ?? 0, before, 'and no upstream query for it');
  });
});
