// Thousands of objects naming one host, applied at once while queries come: the host indexes (Ingress, Gateway API,
// DNSEndpoint) kept each host's list sorted by a full sort on every add, so 10,000 Ingresses on one host took seconds
// of indexing in one batch on the event loop. With a binary insertion the apply leaves no long gap in answers.
import t from 'tap';
import { join } from 'node:path';
import { Prober } from '../bench/probe.js';
import { ROOT, startCli, stopCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';

const ZONE = 'dev.test';
const MYAPP = 'myapp.default.svc.cluster.local';

t.test('10,000 Ingresses and 2,000 DNSEndpoints naming one host, applied while probing', async (t) => {
  const srv = await startCli(['--fixtures', join(ROOT, 'fixtures', 'myapp.yaml'), '--external-zone', ZONE, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0'], 60_000);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const admin = /admin http:\/\/([^\s,;]+)/.exec(srv.line)![1];
  const items = [
    ...Array.from({ length: 10_000 }, (_, i) => ({
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: `same-${9999 - i}`, namespace: `n${i % 50}` },
      spec: { rules: [{ host: `same.${ZONE}` }] }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
    })),
    ...Array.from({ length: 2_000 }, (_, i) => ({
      apiVersion: 'externaldns.k8s.io/v1alpha1', kind: 'DNSEndpoint', metadata: { name: `txt-${1999 - i}`, namespace: `n${i % 50}` },
      spec: { endpoints: [{ dnsName: `same.${ZONE}`, recordType: 'TXT', targets: [`v=${i}`] }] },
    })),
  ];
  const prober = new Prober(srv.port, MYAPP);
  t.teardown(() => prober.stop());
  prober.start(2);
  await new Promise((r) => setTimeout(r, 300));
  const from = performance.now();
  const res = await fetch(`http://${admin}/api/v1/objects`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
  t.equal(res.status, 200, `applied: ${res.status}`);
  await new Promise((r) => setTimeout(r, 500));
  const w = prober.worst(from, performance.now(), 1000);
  t.ok(w.answered > 100, `kept answering: ${w.answered} answers`);
  t.ok(w.maxGapMs < 1000, `longest time without an answer ${w.maxGapMs.toFixed(0)} ms`);
  const a = await query(srv.port, `same.${ZONE}`, 'A');
  t.same((a.answers ?? []).map((x) => x.data), ['192.0.2.1'], 'the host answers');
  const txt = await query(srv.port, `same.${ZONE}`, 'TXT', { tcp: true });
  t.ok((txt.answers ?? []).length > 0, `its TXT answers (${(txt.answers ?? []).length} records, bounded)`);
});
