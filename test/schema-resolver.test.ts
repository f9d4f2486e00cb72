// The user-facing path: Node's own resolver (c-ares) against the server, for A/AAAA/SRV/TXT/PTR/CNAME and the error
// codes a client sees for NXDOMAIN (ENOTFOUND), NODATA (ENODATA) and REFUSED (EREFUSED).
import { promises as dnsp } from 'node:dns';
import t from 'tap';
import { startSchemaServer } from './helpers/server.js';

const Z = 'testns.svc.cluster.local';

t.test('node:dns Resolver', async (t) => {
  const { server } = await startSchemaServer(t);
  const r = new dnsp.Resolver({ timeout: 3000, tries: 2 });
  r.setServers([`${server.host}:${server.port}`]);
  const sortedOf = async (p: Promise<string[]>) => (await p).sort();

  const rows: [string, () => Promise<unknown>, unknown][] = [
    ['ClusterIP A', () => r.resolve4(`svc1.${Z}`), ['10.0.0.1']],
    ['TTL 5', () => r.resolve4(`svc1.${Z}`, { ttl: true }), [{ address: '10.0.0.1', ttl: 5 }]],
    ['dual-stack AAAA', () => r.resolve6(`svc-dual-stack.${Z}`), ['10::3']],
    ['headless A', () => sortedOf(r.resolve4(`hdls1.${Z}`)), ['172.0.0.2', '172.0.0.3', '172.0.0.4', '172.0.0.5']],
    ['headless AAAA', () => sortedOf(r.resolve6(`hdls1.${Z}`)), ['5678:abcd::1', '5678:abcd::2']],
    ['shared hostname', () => sortedOf(r.resolve4(`dup-name.hdls1.${Z}`)), ['172.0.0.4', '172.0.0.5']],
    ['StatefulSet-style hostname', () => r.resolve4(`web-0.hdls-dual.${Z}`), ['172.0.2.1']],
    // Node 24 added `type: 'SRV'` to each record: compare the four fields DNS carries, on every line.
    ['named-port SRV', async () => (await r.resolveSrv(`_http._tcp.svc1.${Z}`)).map(({ name, port, priority, weight }) => ({ name, port, priority, weight })), [{ name: `svc1.${Z}`, port: 80, priority: 0, weight: 100 }]],
    ['headless SRV', async () => (await r.resolveSrv(`_http._tcp.hdls1.${Z}`)).map((s) => `${s.priority} ${s.weight} ${s.port} ${s.name}`).sort(), [
      `0 16 80 172-0-0-2.hdls1.${Z}`, `0 16 80 172-0-0-3.hdls1.${Z}`, `0 16 80 5678-abcd--1.hdls1.${Z}`,
      `0 16 80 5678-abcd--2.hdls1.${Z}`, `0 16 80 dup-name.hdls1.${Z}`,
    ]],
    ['dns-version TXT', () => r.resolveTxt('dns-version.cluster.local'), [['1.1.0']]],
    ['PTR for a ClusterIP', () => r.reverse('10.0.0.1'), [`svc1.${Z}`]],
    ['PTR for an endpoint address', () => r.reverse('172.0.0.4'), [`dup-name.hdls1.${Z}`]],
    ['IPv6 PTR', () => r.reverse('5678:abcd::2'), [`5678-abcd--2.hdls1.${Z}`]],
    ['ExternalName CNAME', () => r.resolveCname(`ext-out.${Z}`), ['ext.interwebs.test']],
    ['ExternalName chased to an in-zone service', () => r.resolve4(`ext-in.${Z}`), ['10.0.0.1']],
    // A truncated UDP answer makes c-ares retry over TCP: all 100 addresses arrive.
    ['100 headless addresses via TC → TCP', async () => (await r.resolve4(`hdls-big.${Z}`)).length, 100],
  ];
  for (const [name, run, want] of rows) {
    await t.test(name, async (t) => t.same(await run(), want));
  }

  const errors: [string, () => Promise<unknown>, string][] = [
    ['NXDOMAIN → ENOTFOUND', () => r.resolve4(`svc0.${Z}`), 'ENOTFOUND'],
    ['headless without ready endpoints → ENOTFOUND', () => r.resolve4(`hdls-noready.${Z}`), 'ENOTFOUND'],
    ['NODATA → ENODATA', () => r.resolve6(`svc1.${Z}`), 'ENODATA'],
    ['outside the zone → EREFUSED', () => r.resolve4('example.com'), 'EREFUSED'],
  ];
  for (const [name, run, code] of errors) {
    await t.test(name, async (t) => t.rejects(run(), { code }));
  }
});
