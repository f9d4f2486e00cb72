// The programmatic API takes the answer-changing kubernetes options too (ignoreEmptyService, noEndpoints, zonal), checked
// like every other option; answers seen through Node's own resolver, and apply() moving a Service in and out of empty.
import t from 'tap';
import { promises as dnsp } from 'node:dns';
import { startClusterDns } from '../lib/index.js';
import { CLUSTER_IPS, NS, dbEndpoints, objects } from './helpers/k8sopts-cluster.js';

const ZONE = 'cluster.local';

t.test('ignoreEmptyService and zonal through startClusterDns', async (t) => {
  const dns = await startClusterDns({ objects: objects(), ignoreEmptyService: true, zonal: true });
  t.teardown(() => dns.close());
  const r = new dnsp.Resolver();
  r.setServers([dns.address]);
  await t.rejects(r.resolve4(`empty.${NS}.svc.${ZONE}`), { code: 'ENOTFOUND' }, 'empty ClusterIP Service: NXDOMAIN');
  t.strictSame(await r.resolve4(`api.${NS}.svc.${ZONE}`), [CLUSTER_IPS.api]);
  t.strictSame((await r.resolve4(`eu-west-1a.pin._zone.db.${NS}.svc.${ZONE}`)).sort(),
    dbEndpoints('eu-west-1a').filter((e) => !e.ip.includes(':')).map((e) => e.ip).sort());
  await dns.apply([{
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'empty-1', namespace: NS, labels: { 'kubernetes.io/service-name': 'empty' } },
    addressType: 'IPv4', ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    endpoints: [{ addresses: ['10.244.7.7'], conditions: { ready: true } }],
  }]);
  t.strictSame(await r.resolve4(`empty.${NS}.svc.${ZONE}`), [CLUSTER_IPS.empty], 'a ready endpoint applied: the ClusterIP answers');
});

t.test('noEndpoints through startClusterDns; bad values are TypeErrors', async (t) => {
  const dns = await startClusterDns({ objects: objects(), noEndpoints: true });
  t.teardown(() => dns.close());
  const r = new dnsp.Resolver();
  r.setServers([dns.address]);
  await t.rejects(r.resolve4(`db.${NS}.svc.${ZONE}`), { code: 'ENOTFOUND' }, 'headless: NXDOMAIN');
  t.strictSame(await r.resolve4(`api.${NS}.svc.${ZONE}`), [CLUSTER_IPS.api]);
  await t.rejects(startClusterDns({ zonal: 'yes' as unknown as boolean }), TypeError);
  await t.rejects(startClusterDns({ ignoreEmptyService: 1 as unknown as boolean }), TypeError);
  await t.rejects(startClusterDns({ zonal: true, noEndpoints: true }), { name: 'TypeError', message: /zonal and noEndpoints exclude each other/ });
});
