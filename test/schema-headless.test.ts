// Headless services and endpoint names: reference §5.2, §8 and §13.1, §13.5–6 (CoreDNS handler_test.go hdls1 rows).
import t from 'tap';
import { runCases, type Case } from './helpers/cases.js';
import { startSchemaServer } from './helpers/server.js';

const Z = 'testns.svc.cluster.local';

const cases: Case[] = [
  {
    q: `hdls1.${Z}`, type: 'A', rcode: 'NOERROR', why: 'one A per ready IPv4 address; the not-ready 172.0.0.6 is left out',
    answer: [`hdls1.${Z} 5 A 172.0.0.2`, `hdls1.${Z} 5 A 172.0.0.3`, `hdls1.${Z} 5 A 172.0.0.4`, `hdls1.${Z} 5 A 172.0.0.5`],
  },
  { q: `hdls1.${Z}`, type: 'AAAA', rcode: 'NOERROR', answer: [`hdls1.${Z} 5 AAAA 5678:abcd::1`, `hdls1.${Z} 5 AAAA 5678:abcd::2`] },
  { q: `172-0-0-2.hdls1.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`172-0-0-2.hdls1.${Z} 5 A 172.0.0.2`], why: 'dashed-IP label' },
  { q: `172-0-0-3.hdls1.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`172-0-0-3.hdls1.${Z} 5 A 172.0.0.3`], why: 'ready unset counts as ready' },
  { q: `172-0-0-2.hdls1.${Z}`, type: 'AAAA', rcode: 'NODATA' },
  { q: `dup-name.hdls1.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`dup-name.hdls1.${Z} 5 A 172.0.0.4`, `dup-name.hdls1.${Z} 5 A 172.0.0.5`], why: 'two endpoints share a hostname' },
  { q: `172-0-0-4.hdls1.${Z}`, type: 'A', rcode: 'NXDOMAIN', why: 'an endpoint with a hostname has no dashed-IP name' },
  { q: `5678-abcd--1.hdls1.${Z}`, type: 'AAAA', rcode: 'NOERROR', answer: [`5678-abcd--1.hdls1.${Z} 5 AAAA 5678:abcd::1`] },
  { q: `5678-abcd--2.hdls1.${Z}`, type: 'AAAA', rcode: 'NOERROR', answer: [`5678-abcd--2.hdls1.${Z} 5 AAAA 5678:abcd::2`] },
  { q: `5678-abcd--1.hdls1.${Z}`, type: 'A', rcode: 'NODATA' },
  { q: `notready.hdls1.${Z}`, type: 'A', rcode: 'NXDOMAIN', why: 'not-ready endpoints are dropped, §8' },
  { q: `172-0-0-6.hdls1.${Z}`, type: 'A', rcode: 'NXDOMAIN' },
  { q: `bogusendpoint.hdls1.${Z}`, type: 'A', rcode: 'NXDOMAIN' },
  { q: `hdls1.${Z}`, type: 'TXT', rcode: 'NODATA' },
  // Portless headless service and endpoint.
  { q: `hdlsprtls.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`hdlsprtls.${Z} 5 A 172.0.0.20`] },
  { q: `172-0-0-20.hdlsprtls.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`172-0-0-20.hdlsprtls.${Z} 5 A 172.0.0.20`] },
  // No ready endpoints: NXDOMAIN for every type and every name below (§5.2, §13.1).
  { q: `hdls-noready.${Z}`, type: 'A', rcode: 'NXDOMAIN', why: 'headless with no ready endpoints, §13.1' },
  { q: `hdls-noready.${Z}`, type: 'AAAA', rcode: 'NXDOMAIN' },
  { q: `hdls-noready.${Z}`, type: 'SRV', rcode: 'NXDOMAIN' },
  { q: `hdls-noready.${Z}`, type: 'TXT', rcode: 'NXDOMAIN' },
  { q: `nr-0.hdls-noready.${Z}`, type: 'A', rcode: 'NXDOMAIN' },
  { q: `hdls-noslice.${Z}`, type: 'A', rcode: 'NXDOMAIN', why: 'headless without any EndpointSlice' },
  // publishNotReadyAddresses publishes the not-ready endpoint (§8, §13.6).
  { q: `hdls-pnr.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`hdls-pnr.${Z} 5 A 172.0.0.30`, `hdls-pnr.${Z} 5 A 172.0.0.31`], why: 'publishNotReadyAddresses' },
  { q: `pnr-0.hdls-pnr.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`pnr-0.hdls-pnr.${Z} 5 A 172.0.0.30`] },
  // Dual-stack headless: slices of both families merged; a hostname owns both A and AAAA (§8).
  { q: `hdls-dual.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`hdls-dual.${Z} 5 A 172.0.2.1`, `hdls-dual.${Z} 5 A 172.0.2.2`] },
  { q: `hdls-dual.${Z}`, type: 'AAAA', rcode: 'NOERROR', answer: [`hdls-dual.${Z} 5 AAAA fd00::1`, `hdls-dual.${Z} 5 AAAA 2001:db8::`] },
  { q: `web-0.hdls-dual.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`web-0.hdls-dual.${Z} 5 A 172.0.2.1`] },
  { q: `web-0.hdls-dual.${Z}`, type: 'AAAA', rcode: 'NOERROR', answer: [`web-0.hdls-dual.${Z} 5 AAAA fd00::1`] },
  { q: `172-0-2-2.hdls-dual.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`172-0-2-2.hdls-dual.${Z} 5 A 172.0.2.2`] },
  { q: `2001-db8--0.hdls-dual.${Z}`, type: 'AAAA', rcode: 'NOERROR', answer: [`2001-db8--0.hdls-dual.${Z} 5 AAAA 2001:db8::`], why: 'a trailing "-" gets "0" appended, §5.2' },
  { q: `fd00--1.hdls-dual.${Z}`, type: 'AAAA', rcode: 'NXDOMAIN', why: 'hostname set, so no dashed name' },
  // The same address in two slices of one service answers once (§5.2, §8).
  { q: `hdls-dup.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`hdls-dup.${Z} 5 A 172.0.3.1`, `hdls-dup.${Z} 5 A 172.0.3.2`, `hdls-dup.${Z} 5 A 172.0.3.3`], why: 'dedup across slices' },
  { q: `172-0-3-2.hdls-dup.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`172-0-3-2.hdls-dup.${Z} 5 A 172.0.3.2`] },
  { q: `hdls-dup.${Z}`, type: 'AAAA', rcode: 'NODATA', why: 'addresses of one family only: the other is NODATA, §5.2' },
  { q: `_http._tcp.dup-name.hdls1.${Z}`, type: 'SRV', rcode: 'NXDOMAIN', why: 'three labels left of the service' },
  // Legacy v1 Endpoints, converted: ready addresses only (issue 2, fixture files).
  { q: `legacy.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`legacy.${Z} 5 A 172.0.5.1`], why: 'v1 Endpoints: notReadyAddresses left out' },
  { q: `leg-0.legacy.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`leg-0.legacy.${Z} 5 A 172.0.5.1`] },
  { q: `leg-1.legacy.${Z}`, type: 'A', rcode: 'NXDOMAIN' },
];

// endpoint_pod_names: hostname > targetRef pod name (< 64 chars) > dashed IP (§2, §13.5).
const podNameCases: Case[] = [
  { q: `hdls1-a.hdls1.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`hdls1-a.hdls1.${Z} 5 A 172.0.0.2`] },
  { q: `172-0-0-2.hdls1.${Z}`, type: 'A', rcode: 'NXDOMAIN', why: 'the pod name replaces the dashed IP' },
  { q: `dup-name.hdls1.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`dup-name.hdls1.${Z} 5 A 172.0.0.4`, `dup-name.hdls1.${Z} 5 A 172.0.0.5`], why: 'hostname still wins' },
  { q: `hdls1-c.hdls1.${Z}`, type: 'A', rcode: 'NXDOMAIN', why: 'hostname wins over the pod name' },
  { q: `hdls1-f.hdls1.${Z}`, type: 'AAAA', rcode: 'NOERROR', answer: [`hdls1-f.hdls1.${Z} 5 AAAA 5678:abcd::1`] },
  { q: `172-0-2-2.hdls-dual.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`172-0-2-2.hdls-dual.${Z} 5 A 172.0.2.2`], why: 'a pod name of 64+ characters is not used' },
  { q: `172-0-0-20.hdlsprtls.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`172-0-0-20.hdlsprtls.${Z} 5 A 172.0.0.20`], why: 'no targetRef: dashed IP' },
  { q: `ep1a.svc1.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`ep1a.svc1.${Z} 5 A 172.0.0.1`] },
  {
    q: `_http._tcp.hdls1.${Z}`, type: 'SRV', rcode: 'NOERROR',
    answer: [
      `_http._tcp.hdls1.${Z} 5 SRV 0 16 80 hdls1-a.hdls1.${Z}`,
      `_http._tcp.hdls1.${Z} 5 SRV 0 16 80 hdls1-b.hdls1.${Z}`,
      `_http._tcp.hdls1.${Z} 5 SRV 0 16 80 dup-name.hdls1.${Z}`,
      `_http._tcp.hdls1.${Z} 5 SRV 0 16 80 hdls1-f.hdls1.${Z}`,
      `_http._tcp.hdls1.${Z} 5 SRV 0 16 80 hdls1-g.hdls1.${Z}`,
    ],
    extra: [
      `hdls1-a.hdls1.${Z} 5 A 172.0.0.2`, `hdls1-b.hdls1.${Z} 5 A 172.0.0.3`,
      `dup-name.hdls1.${Z} 5 A 172.0.0.4`, `dup-name.hdls1.${Z} 5 A 172.0.0.5`,
      `hdls1-f.hdls1.${Z} 5 AAAA 5678:abcd::1`, `hdls1-g.hdls1.${Z} 5 AAAA 5678:abcd::2`,
    ],
  },
];

t.test('headless services and endpoint names over UDP and TCP', async (t) => {
  const { server } = await startSchemaServer(t);
  await runCases(t, server, cases);
});

t.test('endpointPodNames: the target pod name labels endpoints without a hostname', async (t) => {
  const { server } = await startSchemaServer(t, { endpointPodNames: true });
  await runCases(t, server, podNameCases);
});
