// The programmatic API as a test suite uses it: start in-process on a free port, change objects, close.
import t from 'tap';
import { promises as dnsp } from 'node:dns';
import { startClusterDns } from '../lib/index.js';
import { query } from './helpers/dns-client.js';

const service = (name: string, ip: string) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' },
  spec: { clusterIP: ip, ports: [{ name: 'http', port: 80 }] },
});

t.test('apply and delete change answers while it runs; two servers side by side', async (t) => {
  const a = await startClusterDns({ objects: [service('alpha', '10.96.0.50')] });
  const b = await startClusterDns({ objects: [service('alpha', '10.96.0.60')] });
  t.teardown(async () => { await a.close(); await b.close(); });
  t.not(a.port, b.port, 'each server has its own port');

  const r = new dnsp.Resolver();
  r.setServers([a.address]);
  t.same(await r.resolve4('alpha.default.svc.cluster.local'), ['10.96.0.50']);
  r.setServers([b.address]);
  t.same(await r.resolve4('alpha.default.svc.cluster.local'), ['10.96.0.60'], 'the second server has its own objects');

  await a.apply(`apiVersion: v1
kind: Service
metadata: { name: beta }
spec: { clusterIP: 10.96.0.51 }
`);
  r.setServers([a.address]);
  t.same(await r.resolve4('beta.default.svc.cluster.local'), ['10.96.0.51'], 'YAML text applied');

  await a.apply([service('alpha', '10.96.0.52')]);
  t.same(await r.resolve4('alpha.default.svc.cluster.local'), ['10.96.0.52'], 'apply replaces an object of the same name');

  t.equal(await a.delete('Service', 'default', 'alpha'), true);
  t.equal(await a.delete('Service', 'default', 'alpha'), false, 'deleting twice reports nothing to delete');
  const res = await query(a.port, 'alpha.default.svc.cluster.local', 'A');
  t.equal(res.rcode, 'NXDOMAIN', 'a deleted Service is gone');
});

t.test('a bad applied object is rejected and the running state is kept', async (t) => {
  const dns = await startClusterDns({ objects: [service('alpha', '10.96.0.50')] });
  t.teardown(() => dns.close());
  await t.rejects(dns.apply('kind: Service\nmetadata: {}\n'), /metadata\.name|kind and metadata\.name/);
  await t.rejects(dns.apply('kind: Service\nmetadata: [unclosed\n'), /<request>:\d+/);
  const res = await query(dns.port, 'alpha.default.svc.cluster.local', 'A');
  t.same(res.answers?.map((a) => a.data), ['10.96.0.50']);
});
