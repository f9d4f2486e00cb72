// Reverse lookups: reference §5.6 and §13.10 (CoreDNS reverse.go, reverse_test.go).
import t from 'tap';
import { runCases, type Case } from './helpers/cases.js';
import { queryUdp } from './helpers/dns-wire.js';
import { startSchemaServer } from './helpers/server.js';

const Z = 'testns.svc.cluster.local';

/** The ip6.arpa name of an IPv6 address (nibbles reversed). */
function ip6arpa(addr: string): string {
  const [head, tail = ''] = addr.split('::');
  const h = head ? head.split(':') : [];
  const tl = tail ? tail.split(':') : [];
  const groups = addr.includes('::') ? [...h, ...Array(8 - h.length - tl.length).fill('0'), ...tl] : h;
  const hex = groups.map((g) => g.padStart(4, '0')).join('');
  return `${hex.split('').reverse().join('.')}.ip6.arpa`;
}

const cases: Case[] = [
  { q: '1.0.0.10.in-addr.arpa', type: 'PTR', rcode: 'NOERROR', answer: [`1.0.0.10.in-addr.arpa 5 PTR svc1.${Z}`], why: 'ClusterIP → one PTR' },
  { q: '4.0.0.10.in-addr.arpa', type: 'PTR', rcode: 'NOERROR', answer: [`4.0.0.10.in-addr.arpa 5 PTR svcempty.${Z}`] },
  { q: '3.0.0.10.in-addr.arpa', type: 'PTR', rcode: 'NOERROR', answer: [`3.0.0.10.in-addr.arpa 5 PTR svc-dual-stack.${Z}`] },
  { q: ip6arpa('10::3'), type: 'PTR', rcode: 'NOERROR', answer: [`${ip6arpa('10::3')} 5 PTR svc-dual-stack.${Z}`], why: 'the IPv6 ClusterIP of a dual-stack service' },
  { q: ip6arpa('1234:abcd::1'), type: 'PTR', rcode: 'NOERROR', answer: [`${ip6arpa('1234:abcd::1')} 5 PTR svc6.${Z}`] },
  { q: '1.9.0.10.in-addr.arpa', type: 'PTR', rcode: 'NOERROR', answer: ['1.9.0.10.in-addr.arpa 5 PTR only.objns.svc.cluster.local'] },
  // Endpoint addresses → <endpoint>.<svc>... (hostname or dashed IP).
  { q: '2.0.0.172.in-addr.arpa', type: 'PTR', rcode: 'NOERROR', answer: [`2.0.0.172.in-addr.arpa 5 PTR 172-0-0-2.hdls1.${Z}`] },
  { q: '4.0.0.172.in-addr.arpa', type: 'PTR', rcode: 'NOERROR', answer: [`4.0.0.172.in-addr.arpa 5 PTR dup-name.hdls1.${Z}`], why: 'hostname endpoint' },
  { q: '1.0.0.172.in-addr.arpa', type: 'PTR', rcode: 'NOERROR', answer: [`1.0.0.172.in-addr.arpa 5 PTR ep1a.svc1.${Z}`], why: 'endpoint of a ClusterIP service' },
  { q: ip6arpa('5678:abcd::1'), type: 'PTR', rcode: 'NOERROR', answer: [`${ip6arpa('5678:abcd::1')} 5 PTR 5678-abcd--1.hdls1.${Z}`] },
  { q: ip6arpa('fd00::1'), type: 'PTR', rcode: 'NOERROR', answer: [`${ip6arpa('fd00::1')} 5 PTR web-0.hdls-dual.${Z}`] },
  { q: ip6arpa('2001:db8::'), type: 'PTR', rcode: 'NOERROR', answer: [`${ip6arpa('2001:db8::')} 5 PTR 2001-db8--0.hdls-dual.${Z}`] },
  { q: '2.3.0.172.in-addr.arpa', type: 'PTR', rcode: 'NOERROR', answer: [`2.3.0.172.in-addr.arpa 5 PTR 172-0-3-2.hdls-dup.${Z}`], why: 'in two slices of one service: one PTR' },
  {
    q: '3.3.0.172.in-addr.arpa', type: 'PTR', rcode: 'NOERROR', why: 'selected by two services: one PTR each',
    answer: [`3.3.0.172.in-addr.arpa 5 PTR 172-0-3-3.hdls-dup.${Z}`, `3.3.0.172.in-addr.arpa 5 PTR 172-0-3-3.hdls-dup2.${Z}`],
  },
  { q: '30.0.0.172.in-addr.arpa', type: 'PTR', rcode: 'NOERROR', answer: [`30.0.0.172.in-addr.arpa 5 PTR pnr-0.hdls-pnr.${Z}`], why: 'published not-ready endpoint' },
  { q: '10.0.96.10.in-addr.arpa', type: 'PTR', rcode: 'NOERROR', answer: ['10.0.96.10.in-addr.arpa 5 PTR kube-dns.kube-system.svc.cluster.local'] },
  { q: '8.0.0.10.in-addr.arpa', type: 'PTR', rcode: 'NOERROR', answer: [`8.0.0.10.in-addr.arpa 5 PTR svc-lb.${Z}`] },
  { q: '10.2.0.192.in-addr.arpa', type: 'PTR', rcode: 'NXDOMAIN', zone: 'in-addr.arpa', why: 'externalIPs have no PTR' },
  { q: '6.0.0.172.in-addr.arpa', type: 'PTR', rcode: 'NXDOMAIN', zone: 'in-addr.arpa', why: 'not-ready endpoints have no PTR' },
  { q: '40.0.0.172.in-addr.arpa', type: 'PTR', rcode: 'NXDOMAIN', zone: 'in-addr.arpa' },
  { q: '9.9.9.10.in-addr.arpa', type: 'PTR', rcode: 'NXDOMAIN', zone: 'in-addr.arpa', why: 'unknown IP' },
  { q: ip6arpa('fd00::99'), type: 'PTR', rcode: 'NXDOMAIN', zone: 'ip6.arpa' },
  { q: '1.0.0.10.in-addr.arpa', type: 'A', rcode: 'NXDOMAIN', zone: 'in-addr.arpa', why: 'non-PTR query under a reverse zone, §4' },
  { q: '1.0.0.10.in-addr.arpa', type: 'TXT', rcode: 'NXDOMAIN', zone: 'in-addr.arpa' },
  { q: 'foo.1.0.0.10.in-addr.arpa', type: 'PTR', rcode: 'NXDOMAIN', zone: 'in-addr.arpa', why: 'malformed reverse name' },
  { q: '10.in-addr.arpa', type: 'PTR', rcode: 'NXDOMAIN', zone: 'in-addr.arpa', why: 'partial reverse name' },
  { q: '0.1.ip6.arpa', type: 'PTR', rcode: 'NXDOMAIN', zone: 'ip6.arpa', why: 'partial reverse name' },
  { q: '1.0.0.10.In-Addr.ARPA', type: 'PTR', rcode: 'NOERROR', answer: [`1.0.0.10.In-Addr.ARPA 5 PTR svc1.${Z}`], why: 'owner echoed, target lower case' },
];

t.test('PTR over UDP and TCP', async (t) => {
  const { server } = await startSchemaServer(t);
  await runCases(t, server, cases);
});

t.test('SOA at the apex of a reverse zone', async (t) => {
  const { server } = await startSchemaServer(t);
  const r = await queryUdp(server, 'in-addr.arpa', 'SOA');
  t.equal(r.msg.rcode, 'NOERROR');
  t.has(r.msg.answers, [{
    name: 'in-addr.arpa', type: 'SOA', ttl: 5,
    data: { mname: 'ns.dns.in-addr.arpa', rname: 'hostmaster.in-addr.arpa', refresh: 7200, retry: 1800, expire: 86400, minimum: 5 },
  }]);
});

t.test('PTR targets use the primary (first) zone', async (t) => {
  const { server } = await startSchemaServer(t, { zones: ['cluster.local', 'other.test'] });
  await runCases(t, server, [
    { q: '1.0.0.10.in-addr.arpa', type: 'PTR', rcode: 'NOERROR', answer: [`1.0.0.10.in-addr.arpa 5 PTR svc1.${Z}`] },
  ], ['udp']);
});
