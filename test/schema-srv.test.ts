// SRV records: reference §5.3 and §13.4 (CoreDNS handler_test.go SRV rows; weights from plugin/backend_lookup.go SRV()).
// Weight = floor(100 / n) over the (address × port) entries the query matched; SRVs de-duplicated on (target, port);
// one A/AAAA per distinct (target, address) in the additional section.
import t from 'tap';
import { runCases, type Case } from './helpers/cases.js';
import { queryTcp } from './helpers/dns-wire.js';
import { startSchemaServer } from './helpers/server.js';

const Z = 'testns.svc.cluster.local';

const cases: Case[] = [
  {
    q: `_http._tcp.svc1.${Z}`, type: 'SRV', rcode: 'NOERROR',
    answer: [`_http._tcp.svc1.${Z} 5 SRV 0 100 80 svc1.${Z}`], extra: [`svc1.${Z} 5 A 10.0.0.1`],
  },
  {
    q: `_dns._udp.svc1.${Z}`, type: 'SRV', rcode: 'NOERROR',
    answer: [`_dns._udp.svc1.${Z} 5 SRV 0 100 53 svc1.${Z}`], extra: [`svc1.${Z} 5 A 10.0.0.1`],
  },
  {
    q: `svc1.${Z}`, type: 'SRV', rcode: 'NOERROR', why: 'bare name: every port, n = 2',
    answer: [`svc1.${Z} 5 SRV 0 50 80 svc1.${Z}`, `svc1.${Z} 5 SRV 0 50 53 svc1.${Z}`], extra: [`svc1.${Z} 5 A 10.0.0.1`],
  },
  {
    q: `http.tcp.svc1.${Z}`, type: 'SRV', rcode: 'NOERROR', why: 'underscores are optional, §4.5',
    answer: [`http.tcp.svc1.${Z} 5 SRV 0 100 80 svc1.${Z}`], extra: [`svc1.${Z} 5 A 10.0.0.1`],
  },
  {
    q: `_HTTP._Tcp.svc1.${Z}`, type: 'SRV', rcode: 'NOERROR', why: 'port and protocol match case-insensitively',
    answer: [`_HTTP._Tcp.svc1.${Z} 5 SRV 0 100 80 svc1.${Z}`], extra: [`svc1.${Z} 5 A 10.0.0.1`],
  },
  { q: `_http._udp.svc1.${Z}`, type: 'SRV', rcode: 'NXDOMAIN', why: 'protocol does not match' },
  { q: `_https._tcp.svc1.${Z}`, type: 'SRV', rcode: 'NXDOMAIN', why: 'port name does not match' },
  { q: `_http._tcp.svc0.${Z}`, type: 'SRV', rcode: 'NXDOMAIN' },
  { q: `_http._tcp.svc1.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`_http._tcp.svc1.${Z} 5 A 10.0.0.1`], why: 'A at a port name (quirk), §5.3' },
  {
    q: `svcempty.${Z}`, type: 'SRV', rcode: 'NOERROR',
    answer: [`svcempty.${Z} 5 SRV 0 100 80 svcempty.${Z}`], extra: [`svcempty.${Z} 5 A 10.0.0.4`],
  },
  {
    q: `_http._tcp.svc6.${Z}`, type: 'SRV', rcode: 'NOERROR',
    answer: [`_http._tcp.svc6.${Z} 5 SRV 0 100 80 svc6.${Z}`], extra: [`svc6.${Z} 5 AAAA 1234:abcd::1`],
  },
  {
    q: `svc-dual-stack.${Z}`, type: 'SRV', rcode: 'NOERROR', why: 'dual-stack: one SRV, weight 50, A and AAAA glue',
    answer: [`svc-dual-stack.${Z} 5 SRV 0 50 80 svc-dual-stack.${Z}`],
    extra: [`svc-dual-stack.${Z} 5 A 10.0.0.3`, `svc-dual-stack.${Z} 5 AAAA 10::3`],
  },
  {
    q: `svc-unnamed.${Z}`, type: 'SRV', rcode: 'NOERROR', why: 'unnamed port: bare-name SRV only',
    answer: [`svc-unnamed.${Z} 5 SRV 0 100 8080 svc-unnamed.${Z}`], extra: [`svc-unnamed.${Z} 5 A 10.0.0.6`],
  },
  { q: `_http._tcp.svc-unnamed.${Z}`, type: 'SRV', rcode: 'NXDOMAIN' },
  { q: `svc-portless.${Z}`, type: 'SRV', rcode: 'NODATA', why: 'no ports: no SRV, §5.3' },
  { q: `_http._tcp.svc-portless.${Z}`, type: 'SRV', rcode: 'NXDOMAIN' },
  { q: `hdlsprtls.${Z}`, type: 'SRV', rcode: 'NODATA', why: 'portless headless' },
  {
    q: `_http._tcp.hdls1.${Z}`, type: 'SRV', rcode: 'NOERROR', why: 'headless: 6 entries → weight 16; dup-name SRV de-duplicated',
    answer: [
      `_http._tcp.hdls1.${Z} 5 SRV 0 16 80 172-0-0-2.hdls1.${Z}`,
      `_http._tcp.hdls1.${Z} 5 SRV 0 16 80 172-0-0-3.hdls1.${Z}`,
      `_http._tcp.hdls1.${Z} 5 SRV 0 16 80 5678-abcd--1.hdls1.${Z}`,
      `_http._tcp.hdls1.${Z} 5 SRV 0 16 80 5678-abcd--2.hdls1.${Z}`,
      `_http._tcp.hdls1.${Z} 5 SRV 0 16 80 dup-name.hdls1.${Z}`,
    ],
    extra: [
      `172-0-0-2.hdls1.${Z} 5 A 172.0.0.2`,
      `172-0-0-3.hdls1.${Z} 5 A 172.0.0.3`,
      `5678-abcd--1.hdls1.${Z} 5 AAAA 5678:abcd::1`,
      `5678-abcd--2.hdls1.${Z} 5 AAAA 5678:abcd::2`,
      `dup-name.hdls1.${Z} 5 A 172.0.0.4`,
      `dup-name.hdls1.${Z} 5 A 172.0.0.5`,
    ],
  },
  {
    q: `hdls1.${Z}`, type: 'SRV', rcode: 'NOERROR', why: 'bare headless name',
    answer: [
      `hdls1.${Z} 5 SRV 0 16 80 172-0-0-2.hdls1.${Z}`,
      `hdls1.${Z} 5 SRV 0 16 80 172-0-0-3.hdls1.${Z}`,
      `hdls1.${Z} 5 SRV 0 16 80 5678-abcd--1.hdls1.${Z}`,
      `hdls1.${Z} 5 SRV 0 16 80 5678-abcd--2.hdls1.${Z}`,
      `hdls1.${Z} 5 SRV 0 16 80 dup-name.hdls1.${Z}`,
    ],
  },
  {
    q: `dup-name.hdls1.${Z}`, type: 'SRV', rcode: 'NOERROR', why: 'SRV at an endpoint name: 2 entries, one SRV',
    answer: [`dup-name.hdls1.${Z} 5 SRV 0 50 80 dup-name.hdls1.${Z}`],
    extra: [`dup-name.hdls1.${Z} 5 A 172.0.0.4`, `dup-name.hdls1.${Z} 5 A 172.0.0.5`],
  },
  {
    q: `ep1a.svc1.${Z}`, type: 'SRV', rcode: 'NOERROR', why: 'endpoint name of a ClusterIP service: the slice ports',
    answer: [`ep1a.svc1.${Z} 5 SRV 0 50 8080 ep1a.svc1.${Z}`, `ep1a.svc1.${Z} 5 SRV 0 50 5353 ep1a.svc1.${Z}`],
    extra: [`ep1a.svc1.${Z} 5 A 172.0.0.1`],
  },
  {
    q: `_http._tcp.hdls-dual.${Z}`, type: 'SRV', rcode: 'NOERROR', why: 'hostname owning A and AAAA: one SRV, both glue records',
    answer: [
      `_http._tcp.hdls-dual.${Z} 5 SRV 0 25 80 web-0.hdls-dual.${Z}`,
      `_http._tcp.hdls-dual.${Z} 5 SRV 0 25 80 172-0-2-2.hdls-dual.${Z}`,
      `_http._tcp.hdls-dual.${Z} 5 SRV 0 25 80 2001-db8--0.hdls-dual.${Z}`,
    ],
    extra: [
      `web-0.hdls-dual.${Z} 5 A 172.0.2.1`,
      `web-0.hdls-dual.${Z} 5 AAAA fd00::1`,
      `172-0-2-2.hdls-dual.${Z} 5 A 172.0.2.2`,
      `2001-db8--0.hdls-dual.${Z} 5 AAAA 2001:db8::`,
    ],
  },
  {
    q: `_http._tcp.hdls-dup.${Z}`, type: 'SRV', rcode: 'NOERROR',
    why: 'an address in two slices: n counts it twice (4 → 25) before de-duplication, §5.3',
    answer: [
      `_http._tcp.hdls-dup.${Z} 5 SRV 0 25 80 172-0-3-1.hdls-dup.${Z}`,
      `_http._tcp.hdls-dup.${Z} 5 SRV 0 25 80 172-0-3-2.hdls-dup.${Z}`,
      `_http._tcp.hdls-dup.${Z} 5 SRV 0 25 80 172-0-3-3.hdls-dup.${Z}`,
    ],
    extra: [
      `172-0-3-1.hdls-dup.${Z} 5 A 172.0.3.1`,
      `172-0-3-2.hdls-dup.${Z} 5 A 172.0.3.2`,
      `172-0-3-3.hdls-dup.${Z} 5 A 172.0.3.3`,
    ],
  },
  {
    q: 'kube-dns.kube-system.svc.cluster.local', type: 'SRV', rcode: 'NOERROR', why: 'kube-dns: 3 entries → 33; dns and dns-tcp share port 53 → one SRV',
    answer: [
      'kube-dns.kube-system.svc.cluster.local 5 SRV 0 33 53 kube-dns.kube-system.svc.cluster.local',
      'kube-dns.kube-system.svc.cluster.local 5 SRV 0 33 9153 kube-dns.kube-system.svc.cluster.local',
    ],
    extra: ['kube-dns.kube-system.svc.cluster.local 5 A 10.96.0.10'],
  },
  {
    q: '_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local', type: 'SRV', rcode: 'NOERROR',
    answer: ['_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local 5 SRV 0 100 53 kube-dns.kube-system.svc.cluster.local'],
    extra: ['kube-dns.kube-system.svc.cluster.local 5 A 10.96.0.10'],
  },
  { q: `_http._tcp.svc-dual-stack.${Z}`, type: 'AAAA', rcode: 'NOERROR', answer: [`_http._tcp.svc-dual-stack.${Z} 5 AAAA 10::3`], why: 'AAAA at a port name (quirk)' },
  { q: `ext-out.${Z}`, type: 'SRV', rcode: 'NODATA', why: 'SRV at an ExternalName, §5.4' },
  { q: `_http._tcp.ext-out.${Z}`, type: 'SRV', rcode: 'NXDOMAIN', why: 'nothing below an ExternalName' },
];

t.test('SRV over UDP and TCP', async (t) => {
  const { server } = await startSchemaServer(t);
  await runCases(t, server, cases);
});

t.test('SRV weight for 100 headless entries is floor(100/100) = 1 (TCP, the answer is large)', async (t) => {
  const { server } = await startSchemaServer(t);
  const r = await queryTcp(server, `_http._tcp.hdls-big.${Z}`, 'SRV');
  t.equal(r.msg.rcode, 'NOERROR');
  t.equal(r.msg.answers.length, 100, 'one SRV per endpoint');
  t.ok(r.msg.answers.every((a) => a.type === 'SRV' && a.data.weight === 1 && a.data.priority === 0 && a.data.port === 80), 'weight 1, priority 0, port 80');
  t.equal(r.msg.additionals.filter((a) => a.type === 'A').length, 100, 'one glue A per target');
});
