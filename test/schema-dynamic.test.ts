// Objects applied and deleted while the server runs (programmatic API): answers follow at once, a namespace exists
// while any object lives in it, and the SOA serial moves forward (§7, §8).
import t from 'tap';
import { queryUdp } from './helpers/dns-wire.js';
import { expectNoData, expectNxdomain } from './helpers/expect.js';
import { answers } from './helpers/records.js';
import { startServer } from './helpers/server.js';

const svc = (ns: string, name: string, ip: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns },
  spec: { clusterIP: ip, ports: [{ name: 'http', protocol: 'TCP', port: 80 }] },
});

t.test('apply and delete objects while serving', async (t) => {
  const { dns, server } = await startServer(t, { objects: [svc('dyn', 'first', '10.50.0.1')] });

  let r = await queryUdp(server, 'first.dyn.svc.cluster.local', 'A');
  t.same(answers(r), ['first.dyn.svc.cluster.local 5 A 10.50.0.1'], 'objects option is served');
  expectNoData(t, await queryUdp(server, 'dyn.svc.cluster.local', 'A'), {});
  const soa1 = (await queryUdp(server, 'cluster.local', 'SOA')).msg.answers[0]?.data.serial as number;

  await dns.apply([svc('dyn', 'second', '10.50.0.2')]);
  r = await queryUdp(server, 'second.dyn.svc.cluster.local', 'A');
  t.same(answers(r), ['second.dyn.svc.cluster.local 5 A 10.50.0.2'], 'applied object answers at once');

  await dns.apply(`apiVersion: v1
kind: Service
metadata: {name: second, namespace: dyn}
spec:
  clusterIP: 10.50.0.22
  ports: [{name: http, protocol: TCP, port: 80}]
`);
  r = await queryUdp(server, 'second.dyn.svc.cluster.local', 'A');
  t.same(answers(r), ['second.dyn.svc.cluster.local 5 A 10.50.0.22'], 'YAML text replaces the object');
  r = await queryUdp(server, '22.0.50.10.in-addr.arpa', 'PTR');
  t.same(answers(r), ['22.0.50.10.in-addr.arpa 5 PTR second.dyn.svc.cluster.local'], 'PTR index follows the update');
  expectNxdomain(t, await queryUdp(server, '2.0.50.10.in-addr.arpa', 'PTR'), { zone: 'in-addr.arpa' });

  const soa2 = (await queryUdp(server, 'cluster.local', 'SOA')).msg.answers[0]?.data.serial as number;
  t.ok(soa2 >= soa1, `SOA serial does not go back (${soa1} → ${soa2})`);

  t.equal(await dns.delete('Service', 'dyn', 'first'), true, 'delete returns true for an existing object');
  expectNxdomain(t, await queryUdp(server, 'first.dyn.svc.cluster.local', 'A'));
  expectNoData(t, await queryUdp(server, 'dyn.svc.cluster.local', 'A'), {});
  t.equal(await dns.delete('Service', 'dyn', 'first'), false, 'delete returns false when nothing was there');

  t.equal(await dns.delete('Service', 'dyn', 'second'), true);
  expectNxdomain(t, await queryUdp(server, 'dyn.svc.cluster.local', 'A'), {});
});

t.test('a headless service gains and loses endpoints', async (t) => {
  const { dns, server } = await startServer(t, {
    objects: [{
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' },
      spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] },
    }],
  });
  expectNxdomain(t, await queryUdp(server, 'web.default.svc.cluster.local', 'A'));
  const slice = (ready: boolean) => ({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'web-abc', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
    endpoints: [{ addresses: ['10.99.1.5'], hostname: 'web-0', conditions: { ready } }],
  });
  await dns.apply([slice(true)]);
  t.same(answers(await queryUdp(server, 'web.default.svc.cluster.local', 'A')), ['web.default.svc.cluster.local 5 A 10.99.1.5']);
  t.same(answers(await queryUdp(server, 'web-0.web.default.svc.cluster.local', 'A')), ['web-0.web.default.svc.cluster.local 5 A 10.99.1.5']);
  t.same(answers(await queryUdp(server, '5.1.99.10.in-addr.arpa', 'PTR')), ['5.1.99.10.in-addr.arpa 5 PTR web-0.web.default.svc.cluster.local']);
  await dns.apply([slice(false)]);
  expectNxdomain(t, await queryUdp(server, 'web.default.svc.cluster.local', 'A'));
  expectNxdomain(t, await queryUdp(server, '5.1.99.10.in-addr.arpa', 'PTR'), { zone: 'in-addr.arpa' });
  t.equal(await dns.delete('EndpointSlice', 'default', 'web-abc'), true);
  expectNxdomain(t, await queryUdp(server, 'web-0.web.default.svc.cluster.local', 'A'));
});

t.test('several servers run in one process, each with its own objects', async (t) => {
  const a = await startServer(t, { objects: [svc('one', 'x', '10.60.0.1')] });
  const b = await startServer(t, { objects: [svc('two', 'x', '10.60.0.2')] });
  t.not(a.server.port, b.server.port);
  t.same(answers(await queryUdp(a.server, 'x.one.svc.cluster.local', 'A')), ['x.one.svc.cluster.local 5 A 10.60.0.1']);
  expectNxdomain(t, await queryUdp(a.server, 'x.two.svc.cluster.local', 'A'));
  t.same(answers(await queryUdp(b.server, 'x.two.svc.cluster.local', 'A')), ['x.two.svc.cluster.local 5 A 10.60.0.2']);
});
