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

  t.same(await r.resolve4(`svc1.${Z}`), ['10.0.0.1'], 'ClusterIP A');
  t.same(await r.resolve4(`svc1.${Z}`, { ttl: true }), [{ address: '10.0.0.1', ttl: 5 }], 'TTL 5');
  t.same(await r.resolve6(`svc-dual-stack.${Z}`), ['10::3'], 'dual-stack AAAA');
  t.same((await r.resolve4(`hdls1.${Z}`)).sort(), ['172.0.0.2', '172.0.0.3', '172.0.0.4', '172.0.0.5'], 'headless A');
  t.same((await r.resolve6(`hdls1.${Z}`)).sort(), ['5678:abcd::1', '5678:abcd::2'], 'headless AAAA');
  t.same((await r.resolve4(`dup-name.hdls1.${Z}`)).sort(), ['172.0.0.4', '172.0.0.5'], 'shared hostname');
  t.same(await r.resolve4(`web-0.hdls-dual.${Z}`), ['172.0.2.1'], 'StatefulSet-style hostname');

  t.same(await r.resolveSrv(`_http._tcp.svc1.${Z}`), [{ name: `svc1.${Z}`, port: 80, priority: 0, weight: 100 }], 'named-port SRV');
  const srv = await r.resolveSrv(`_http._tcp.hdls1.${Z}`);
  t.same(srv.map((s) => s.name).sort(), [
    `172-0-0-2.hdls1.${Z}`, `172-0-0-3.hdls1.${Z}`, `5678-abcd--1.hdls1.${Z}`, `5678-abcd--2.hdls1.${Z}`, `dup-name.hdls1.${Z}`,
  ], 'headless SRV targets');
  t.ok(srv.every((s) => s.weight === 16 && s.port === 80 && s.priority === 0), 'headless SRV weight 16');

  t.same(await r.resolveTxt('dns-version.cluster.local'), [['1.1.0']], 'dns-version TXT');
  t.same(await r.reverse('10.0.0.1'), [`svc1.${Z}`], 'PTR for a ClusterIP');
  t.same(await r.reverse('172.0.0.4'), [`dup-name.hdls1.${Z}`], 'PTR for an endpoint address');
  t.same(await r.reverse('5678:abcd::2'), [`5678-abcd--2.hdls1.${Z}`], 'IPv6 PTR');
  t.same(await r.resolveCname(`ext-out.${Z}`), ['ext.interwebs.test'], 'ExternalName CNAME');
  t.same(await r.resolve4(`ext-in.${Z}`), ['10.0.0.1'], 'ExternalName chased to an in-zone service');

  // A truncated UDP answer makes c-ares retry over TCP: all 100 addresses arrive.
  t.equal((await r.resolve4(`hdls-big.${Z}`)).length, 100, '100 headless addresses via TC → TCP');

  await t.rejects(r.resolve4(`svc0.${Z}`), { code: 'ENOTFOUND' }, 'NXDOMAIN → ENOTFOUND');
  await t.rejects(r.resolve4(`hdls-noready.${Z}`), { code: 'ENOTFOUND' }, 'headless without ready endpoints → ENOTFOUND');
  await t.rejects(r.resolve6(`svc1.${Z}`), { code: 'ENODATA' }, 'NODATA → ENODATA');
  await t.rejects(r.resolve4('example.com'), { code: 'EREFUSED' }, 'outside the zone → EREFUSED');
});
