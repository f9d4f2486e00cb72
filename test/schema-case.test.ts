// Case: names match case-insensitively; the question and owners echo the query; the zone part of generated names
// (SRV targets, glue, SOA owner/mname/rname) uses the query's spelling, the rest comes from the API objects (§7, §13.8).
import t from 'tap';
import { query, type Transport } from './helpers/dns-wire.js';
import { expectNxdomain, expectNoData, expectQuestionEcho } from './helpers/expect.js';
import { answers, extras } from './helpers/records.js';
import { startSchemaServer } from './helpers/server.js';

t.test('mixed-case queries', async (t) => {
  const { server } = await startSchemaServer(t);
  for (const transport of ['udp', 'tcp'] as Transport[]) {
    await t.test(`${transport}: SRV _HtTp._TcP.sVc1.TeStNs.SvC.cLuStEr.LoCaL`, async (t) => {
      const name = '_HtTp._TcP.sVc1.TeStNs.SvC.cLuStEr.LoCaL';
      const r = await query(transport, server, name, 'SRV');
      expectQuestionEcho(t, r, name, 'SRV');
      t.equal(r.msg.rcode, 'NOERROR');
      t.same(answers(r), [`${name} 5 SRV 0 100 80 svc1.testns.svc.cLuStEr.LoCaL`]);
      t.same(extras(r), ['svc1.testns.svc.cLuStEr.LoCaL 5 A 10.0.0.1']);
    });

    await t.test(`${transport}: A SVC1.TESTNS.SVC.CLUSTER.LOCAL`, async (t) => {
      const name = 'SVC1.TESTNS.SVC.CLUSTER.LOCAL';
      const r = await query(transport, server, name, 'A');
      expectQuestionEcho(t, r, name, 'A');
      t.same(answers(r), [`${name} 5 A 10.0.0.1`]);
    });

    await t.test(`${transport}: headless SRV targets keep the query's zone spelling`, async (t) => {
      const name = 'Dup-Name.HDLS1.testns.svc.Cluster.Local';
      const r = await query(transport, server, name, 'SRV');
      t.same(answers(r), [`${name} 5 SRV 0 50 80 dup-name.hdls1.testns.svc.Cluster.Local`]);
      t.same(extras(r), ['dup-name.hdls1.testns.svc.Cluster.Local 5 A 172.0.0.4', 'dup-name.hdls1.testns.svc.Cluster.Local 5 A 172.0.0.5']);
    });

    await t.test(`${transport}: negative answers carry the SOA in the query's zone spelling`, async (t) => {
      const nx = await query(transport, server, 'svc0.TestNS.svc.CLUSTER.local', 'A');
      expectQuestionEcho(t, nx, 'svc0.TestNS.svc.CLUSTER.local', 'A');
      expectNxdomain(t, nx, { zone: 'CLUSTER.local' });
      const nodata = await query(transport, server, 'Svc1.TestNS.svc.CLUSTER.local', 'AAAA');
      expectNoData(t, nodata, { zone: 'CLUSTER.local' });
    });

    await t.test(`${transport}: ExternalName and dns-version in mixed case`, async (t) => {
      const r = await query(transport, server, 'EXT-IN.testns.SVC.cluster.local', 'A');
      t.same(answers(r), ['EXT-IN.testns.SVC.cluster.local 5 CNAME svc1.testns.svc.cluster.local', 'svc1.testns.svc.cluster.local 5 A 10.0.0.1']);
      const v = await query(transport, server, 'DNS-Version.Cluster.Local', 'TXT');
      t.same(answers(v), ['DNS-Version.Cluster.Local 28800 TXT "1.1.0"']);
    });
  }
});
