// Pod records <a-b-c-d>.<ns>.pod.<zone>: reference §5.5, §6 and §13.7 (handler_pod_{disabled,insecure,verified}_test.go).
import t from 'tap';
import { runCases, type Case } from './helpers/cases.js';
import { startSchemaServer } from './helpers/server.js';

const disabled: Case[] = [
  { q: '10-240-0-1.podns.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', why: 'pods disabled is the default' },
  { q: '1-2-3-4.testns.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN' },
  { q: 'testns.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', why: 'everything under pod. is NXDOMAIN when disabled' },
  { q: 'pod.cluster.local', type: 'A', rcode: 'NODATA', why: 'pod.<zone> itself exists, §4.1' },
];

const insecure: Case[] = [
  { q: '1-2-3-4.testns.pod.cluster.local', type: 'A', rcode: 'NOERROR', answer: ['1-2-3-4.testns.pod.cluster.local 5 A 1.2.3.4'], why: 'any IP is echoed' },
  { q: '10-240-0-1.podns.pod.cluster.local', type: 'A', rcode: 'NOERROR', answer: ['10-240-0-1.podns.pod.cluster.local 5 A 10.240.0.1'] },
  { q: '1-2-3-4.testns.pod.cluster.local', type: 'AAAA', rcode: 'NODATA' },
  { q: '1-2-3-4.default.pod.cluster.local', type: 'A', rcode: 'NOERROR', answer: ['1-2-3-4.default.pod.cluster.local 5 A 1.2.3.4'], why: 'built-in namespace exists' },
  { q: '1-2-3-4.nsnoexist.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', why: 'the namespace must exist even in insecure mode' },
  { q: 'fd00-10-244--5.podns.pod.cluster.local', type: 'AAAA', rcode: 'NOERROR', answer: ['fd00-10-244--5.podns.pod.cluster.local 5 AAAA fd00:10:244::5'] },
  { q: 'fd00-10-244-0-0-0-0-5.podns.pod.cluster.local', type: 'AAAA', rcode: 'NOERROR', answer: ['fd00-10-244-0-0-0-0-5.podns.pod.cluster.local 5 AAAA fd00:10:244::5'], why: 'any spelling of an IPv6 address' },
  { q: 'fd00-10-244--5.podns.pod.cluster.local', type: 'A', rcode: 'NODATA' },
  { q: 'not-an-ip.testns.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN' },
  { q: '1-2-3.testns.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', why: 'two dashes: read as IPv6, not an address' },
  { q: 'testns.pod.cluster.local', type: 'A', rcode: 'NODATA', why: '<ns>.pod.<zone> of an existing namespace' },
  { q: 'nsnoexist.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN' },
  // One label left of a pod name parses as an endpoint label, which the pod lookup ignores (CoreDNS parse.go +
  // findPods: quirk); three labels are too many.
  { q: 'x.1-2-3-4.testns.pod.cluster.local', type: 'A', rcode: 'NOERROR', answer: ['x.1-2-3-4.testns.pod.cluster.local 5 A 1.2.3.4'], why: 'endpoint label ignored under pod (quirk)' },
  { q: 'a.b.c.1-2-3-4.testns.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', why: 'three labels left of the pod name' },
  { q: '1-2-3-4.testns.pod.cluster.local', type: 'TXT', rcode: 'NODATA' },
];

const verified: Case[] = [
  { q: '10-240-0-1.podns.pod.cluster.local', type: 'A', rcode: 'NOERROR', answer: ['10-240-0-1.podns.pod.cluster.local 5 A 10.240.0.1'], why: 'a pod with that IP in that namespace' },
  { q: '10-240-0-1.testns.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', why: 'the pod is in another namespace' },
  { q: '10-240-0-2.podns.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', why: 'no such pod' },
  { q: '172-0-0-2.testns.pod.cluster.local', type: 'A', rcode: 'NOERROR', answer: ['172-0-0-2.testns.pod.cluster.local 5 A 172.0.0.2'] },
  { q: 'fd00-10-244--5.podns.pod.cluster.local', type: 'AAAA', rcode: 'NOERROR', answer: ['fd00-10-244--5.podns.pod.cluster.local 5 AAAA fd00:10:244::5'] },
  { q: 'fd00-10-244-0-0-0-0-5.podns.pod.cluster.local', type: 'AAAA', rcode: 'NXDOMAIN', why: 'verified compares the exact podIP string' },
  { q: '1-2-3-4.testns.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN' },
  { q: 'podns.pod.cluster.local', type: 'A', rcode: 'NODATA', why: 'namespace exists through its pods' },
];

t.test('pods disabled (default)', async (t) => {
  const { server } = await startSchemaServer(t);
  await runCases(t, server, disabled);
});

t.test('pods insecure', async (t) => {
  const { server } = await startSchemaServer(t, { pods: 'insecure' });
  await runCases(t, server, insecure);
});

t.test('pods verified', async (t) => {
  const { server } = await startSchemaServer(t, { pods: 'verified' });
  await runCases(t, server, verified);
});
