// ExternalName services: reference §5.4 and §13.9 (CoreDNS handler_test.go "external" rows, plugin/backend_lookup.go A()).
import t from 'tap';
import { runCases, type Case } from './helpers/cases.js';
import { query, type Transport } from './helpers/dns-wire.js';
import { answers } from './helpers/records.js';
import { startSchemaServer } from './helpers/server.js';

const Z = 'testns.svc.cluster.local';

const cases: Case[] = [
  { q: `ext-out.${Z}`, type: 'CNAME', rcode: 'NOERROR', answer: [`ext-out.${Z} 5 CNAME ext.interwebs.test`] },
  { q: `ext-in.${Z}`, type: 'CNAME', rcode: 'NOERROR', answer: [`ext-in.${Z} 5 CNAME svc1.${Z}`] },
  { q: `ext-hdls.${Z}`, type: 'CNAME', rcode: 'NOERROR', answer: [`ext-hdls.${Z} 5 CNAME hdls1.${Z}`], why: 'trailing dot in externalName' },
  { q: `ext-missing.${Z}`, type: 'CNAME', rcode: 'NOERROR', answer: [`ext-missing.${Z} 5 CNAME nosuchsvc.${Z}`] },
  {
    q: `ext-in.${Z}`, type: 'A', rcode: 'NOERROR', why: 'in-zone target chased internally',
    answer: [`ext-in.${Z} 5 CNAME svc1.${Z}`, `svc1.${Z} 5 A 10.0.0.1`],
  },
  { q: `ext-in.${Z}`, type: 'AAAA', rcode: 'NODATA', why: 'chase found nothing: no CNAME either (quirk)' },
  {
    q: `ext-hdls.${Z}`, type: 'A', rcode: 'NOERROR',
    answer: [`ext-hdls.${Z} 5 CNAME hdls1.${Z}`, `hdls1.${Z} 5 A 172.0.0.2`, `hdls1.${Z} 5 A 172.0.0.3`, `hdls1.${Z} 5 A 172.0.0.4`, `hdls1.${Z} 5 A 172.0.0.5`],
  },
  {
    q: `ext-hdls.${Z}`, type: 'AAAA', rcode: 'NOERROR',
    answer: [`ext-hdls.${Z} 5 CNAME hdls1.${Z}`, `hdls1.${Z} 5 AAAA 5678:abcd::1`, `hdls1.${Z} 5 AAAA 5678:abcd::2`],
  },
  { q: `ext-missing.${Z}`, type: 'A', rcode: 'NODATA', why: 'in-zone target that does not exist: no CNAME, NODATA' },
  { q: `ext-loop-a.${Z}`, type: 'A', rcode: 'NODATA', why: 'a CNAME loop is dropped, not followed forever' },
  { q: `ext-loop-a.${Z}`, type: 'CNAME', rcode: 'NOERROR', answer: [`ext-loop-a.${Z} 5 CNAME ext-loop-b.${Z}`] },
  { q: `ext-ip.${Z}`, type: 'A', rcode: 'NXDOMAIN', why: 'an IP-literal externalName is not served' },
  { q: `ext-ip.${Z}`, type: 'CNAME', rcode: 'NXDOMAIN' },
  { q: `endpoint.ext-out.${Z}`, type: 'CNAME', rcode: 'NXDOMAIN', why: 'nothing exists below an ExternalName' },
  { q: `endpoint.ext-out.${Z}`, type: 'A', rcode: 'NXDOMAIN' },
  { q: `foo.ext-in.${Z}`, type: 'A', rcode: 'NXDOMAIN' },
  { q: `ext-out.${Z}`, type: 'SRV', rcode: 'NODATA' },
  {
    q: `ext-chain.${Z}`, type: 'A', rcode: 'NOERROR', why: 'a chain of ExternalNames is followed inside the zone',
    answer: [`ext-chain.${Z} 5 CNAME ext-in.${Z}`, `ext-in.${Z} 5 CNAME svc1.${Z}`, `svc1.${Z} 5 A 10.0.0.1`],
  },
];

t.test('ExternalName over UDP and TCP', async (t) => {
  const { server } = await startSchemaServer(t);
  await runCases(t, server, cases);

  for (const transport of ['udp', 'tcp'] as Transport[]) {
    await t.test(`${transport}: CNAME comes before the records it points at`, async (t) => {
      for (const name of [`ext-in.${Z}`, `ext-hdls.${Z}`]) {
        const r = await query(transport, server, name, 'A');
        t.equal(r.msg.answers[0]?.type, 'CNAME', `${name}: first answer record is the CNAME`);
        t.ok(r.msg.answers.slice(1).every((a) => a.type === 'A'), `${name}: then the target's A records`);
      }
    });

    // Out-of-zone target with no upstream: the CNAME is still sent, whatever the chase's rcode (§5.4: the upstream
    // rcode is ignored; this server has no upstream, so the chase itself is REFUSED).
    await t.test(`${transport}: out-of-zone target, A query → NOERROR with just the CNAME`, async (t) => {
      const r = await query(transport, server, `ext-out.${Z}`, 'A');
      t.equal(r.msg.rcode, 'NOERROR');
      t.equal(r.msg.flag_aa, true, 'AA');
      t.same(answers(r), [`ext-out.${Z} 5 CNAME ext.interwebs.test`]);
    });
  }
});
