// ClusterIP services: reference §5.1, §6 and §13.1–2 (CoreDNS handler_test.go svc1/svcempty/svc6/svc-dual-stack rows).
import t from 'tap';
import { runCases, type Case } from './helpers/cases.js';
import { startSchemaServer } from './helpers/server.js';

const Z = 'testns.svc.cluster.local';

const cases: Case[] = [
  { q: `svc1.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`svc1.${Z} 5 A 10.0.0.1`] },
  { q: `svc1.${Z}`, type: 'AAAA', rcode: 'NODATA', why: 'IPv4-only service, §6' },
  { q: `svcempty.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`svcempty.${Z} 5 A 10.0.0.4`], why: 'no endpoints still answers, §13.1' },
  { q: `svc6.${Z}`, type: 'AAAA', rcode: 'NOERROR', answer: [`svc6.${Z} 5 AAAA 1234:abcd::1`] },
  { q: `svc6.${Z}`, type: 'A', rcode: 'NODATA' },
  { q: `svc-dual-stack.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`svc-dual-stack.${Z} 5 A 10.0.0.3`], why: 'clusterIPs by family, §5.1' },
  { q: `svc-dual-stack.${Z}`, type: 'AAAA', rcode: 'NOERROR', answer: [`svc-dual-stack.${Z} 5 AAAA 10::3`] },
  { q: `svc-portless.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`svc-portless.${Z} 5 A 10.0.0.5`], why: 'portless service, §8' },
  { q: `svc-unnamed.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`svc-unnamed.${Z} 5 A 10.0.0.6`] },
  { q: 'only.objns.svc.cluster.local', type: 'A', rcode: 'NOERROR', answer: ['only.objns.svc.cluster.local 5 A 10.0.9.1'] },
  // Endpoint names also resolve under a ClusterIP service (quirk, §5.1).
  { q: `ep1a.svc1.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`ep1a.svc1.${Z} 5 A 172.0.0.1`], why: 'endpoint name under ClusterIP, §5.1' },
  { q: `ep1a.svc1.${Z}`, type: 'AAAA', rcode: 'NODATA' },
  { q: `172-0-0-1.svc1.${Z}`, type: 'A', rcode: 'NXDOMAIN', why: 'endpoint with a hostname has no dashed name, §5.2' },
  { q: `bogusendpoint.svc1.${Z}`, type: 'A', rcode: 'NXDOMAIN' },
  { q: `svc0.${Z}`, type: 'A', rcode: 'NXDOMAIN', why: 'missing service, §6' },
  { q: `svc0.${Z}`, type: 'AAAA', rcode: 'NXDOMAIN' },
  { q: `bogusendpoint.svc0.${Z}`, type: 'A', rcode: 'NXDOMAIN' },
  { q: `a.b.c.svc1.${Z}`, type: 'A', rcode: 'NXDOMAIN', why: 'three labels left of the service, §4.5' },
  // An existing service with a type it has no data for: NODATA (§6 row "service exists, qtype has no data").
  { q: `svc1.${Z}`, type: 'TXT', rcode: 'NODATA' },
  { q: `svc1.${Z}`, type: 'MX', rcode: 'NODATA' },
  { q: `svc1.${Z}`, type: 'HINFO', rcode: 'NODATA' },
  { q: `svc1.${Z}`, type: 'CNAME', rcode: 'NODATA', why: 'CNAME at a non-ExternalName, §5.7' },
  { q: `svc1.${Z}`, type: 'SOA', rcode: 'NODATA', why: 'SOA below the apex, §5.7' },
  { q: `svc1.${Z}`, type: 'NS', rcode: 'NODATA' },
  { q: `svc1.${Z}`, type: 'PTR', rcode: 'NODATA', why: 'PTR at an existing forward name, §5.6' },
  { q: `svc0.${Z}`, type: 'PTR', rcode: 'NXDOMAIN' },
  { q: `svc0.${Z}`, type: 'TXT', rcode: 'NXDOMAIN' },
  { q: `svc0.${Z}`, type: 'MX', rcode: 'NXDOMAIN', why: 'other types test existence with an A lookup, §5.7' },
  { q: `svc0.${Z}`, type: 'SOA', rcode: 'NODATA', why: 'SOA below the apex is NODATA even for a missing name (quirk), §5.7' },
  // Any other type tests existence with an A lookup (§5.7).
  { q: `svc1.${Z}`, type: 'ANY', rcode: 'NODATA' },
  { q: `svc1.${Z}`, type: 'CAA', rcode: 'NODATA' },
  { q: `svc0.${Z}`, type: 'ANY', rcode: 'NXDOMAIN' },
  { q: `svc0.${Z}`, type: 'CAA', rcode: 'NXDOMAIN' },
  // NodePort / LoadBalancer: the ClusterIP only, never externalIPs or LB ingress (§5.1).
  { q: `svc-nodeport.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`svc-nodeport.${Z} 5 A 10.0.0.7`] },
  { q: `svc-lb.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`svc-lb.${Z} 5 A 10.0.0.8`], why: 'externalIPs and LB ingress are not served' },
  { q: 'kube-dns.kube-system.svc.cluster.local', type: 'A', rcode: 'NOERROR', answer: ['kube-dns.kube-system.svc.cluster.local 5 A 10.96.0.10'] },
  // "*" and "any" are ordinary labels since CoreDNS 1.9 (§2): they match nothing.
  { q: `*.${Z}`, type: 'A', rcode: 'NXDOMAIN', why: 'no wildcards' },
  { q: `any.${Z}`, type: 'A', rcode: 'NXDOMAIN' },
  { q: 'svc1.*.svc.cluster.local', type: 'A', rcode: 'NXDOMAIN' },
  { q: `*.svc1.${Z}`, type: 'A', rcode: 'NXDOMAIN' },
];

t.test('ClusterIP services over UDP and TCP', async (t) => {
  const { server } = await startSchemaServer(t);
  await runCases(t, server, cases);
});
