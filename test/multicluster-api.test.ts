// The programmatic API takes the same two options as the Corefile (multiclusterZones, namespaceLabels), checks them
// as CoreDNS checks the Corefile, and run-time apply()/delete() of ServiceImports and Namespaces change answers.
import t from 'tap';
import { startClusterDns } from '../lib/index.js';
import { query } from './helpers/dns-client.js';
import { startServer } from './helpers/server.js';
import { mcsSlice, serviceImport } from './multicluster-helpers.js';

const Z = 'clusterset.local';

t.test('multiclusterZones and namespaceLabels in-process, with apply and delete', async (t) => {
  const { dns } = await startServer(t, {
    zones: ['cluster.local', Z], multiclusterZones: [Z], namespaceLabels: 'mcs=yes',
    objects: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { mcs: 'yes' } } },
      serviceImport('shop', 'web', { type: 'ClusterSetIP', ips: ['10.42.0.1'], ports: [{ port: 80 }] }),
      serviceImport('other', 'web', { type: 'ClusterSetIP', ips: ['10.42.0.2'], ports: [{ port: 80 }] }),
    ],
  });
  t.same((await query(dns.port, `web.shop.svc.${Z}`, 'A')).answers?.map((a) => a.data), ['10.42.0.1']);
  t.equal((await query(dns.port, `web.other.svc.${Z}`, 'A')).rcode, 'NXDOMAIN', 'namespace_labels applies to multicluster zones too');

  await dns.apply([
    serviceImport('shop', 'db', { type: 'Headless', ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }] }),
    mcsSlice('shop', 'db', 'east', [{ ip: '10.1.0.5', hostname: 'db-0' }]),
  ]);
  t.same((await query(dns.port, `db-0.east.db.shop.svc.${Z}`, 'A')).answers?.map((a) => a.data), ['10.1.0.5'], 'applied at run time');
  await dns.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other', labels: { mcs: 'yes' } } }]);
  t.same((await query(dns.port, `web.other.svc.${Z}`, 'A')).answers?.map((a) => a.data), ['10.42.0.2'], 'a namespace labelled at run time is served');
  t.equal(await dns.delete('ServiceImport', 'shop', 'web'), true);
  t.equal((await query(dns.port, `web.shop.svc.${Z}`, 'A')).rcode, 'NXDOMAIN', 'deleted at run time');
  await t.rejects(dns.apply([serviceImport('shop', 'bad', { type: 'ClusterSetIP', ips: ['nope'], ports: [{ port: 80 }] })]),
    /ServiceImport shop\/"bad" is invalid: spec\.ips\[0\]: Invalid value: "nope"/, 'an invalid ServiceImport is refused as the API server would');
});

t.test('bad options fail at start, naming the option', async (t) => {
  await t.rejects(startClusterDns({ zones: ['cluster.local'], multiclusterZones: [Z] }), /multiclusterZones: "clusterset.local" is not one of zones/);
  await t.rejects(startClusterDns({ namespaceLabels: 'a in (b' }), /namespaceLabels .*unbalanced parentheses/);
  await t.rejects(startClusterDns({ namespaces: ['a'], namespaceLabels: 'a=b' }), /namespaces and namespaceLabels exclude each other/);
});
