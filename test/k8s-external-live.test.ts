// k8s_external in live mode: the real CLI from a Corefile, watching the fake API server. A LoadBalancer controller
// writing a Service's status (an IP, another IP, a hostname, nothing) changes the answers while it runs.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeApiServer, kubeconfigFor } from './fake-apiserver.js';
import { startCli, stopCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';
import { externalOf, manifests, reverse4, service, v4 } from './helpers/k8s-external.js';
import { until } from './helpers/until.js';

const ZONE = 'example.org';

t.test('live: a Service\'s LoadBalancer status changing while running changes the answers', async (t) => {
  const api = await FakeApiServer.start({ token: 't' });
  t.teardown(() => api.close());
  api.load(manifests() as any);
  const dir = mkdtempSync(join(tmpdir(), 'k8s-external-live-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'kubeconfig'), kubeconfigFor(api));
  const lb = service('web', 'lb');
  const first = v4(externalOf(lb))[0]!;
  const next = first.replace(/\d+$/, (n) => String((Number(n) + 1) % 250));
  const rzone = reverse4(first).split('.').slice(1).join('.');
  writeFileSync(join(dir, 'Corefile'), [
    '. {',
    `  kubernetes cluster.local {`,
    `    kubeconfig ${join(dir, 'kubeconfig')}`,
    '  }',
    `  k8s_external ${ZONE} ${rzone}`,
    '}',
  ].join('\n'));
  const srv = await startCli(['--corefile', join(dir, 'Corefile'), '--source', 'kubernetes', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const ask = (name: string, type: string) => query(srv.port, name, type);
  const addresses = (r: Awaited<ReturnType<typeof ask>>) => (r.answers ?? []).filter((a) => a.type === 'A').map((a) => a.data);
  const name = `lb.web.${ZONE}`;

  const a0 = await until(() => ask(name, 'A'), (r) => r.rcode === 'NOERROR', 10_000);
  t.strictSame(addresses(a0), v4(externalOf(lb)), 'the listed status');

  const withStatus = (ingress: unknown[]) => ({ ...structuredClone(lb), status: { loadBalancer: { ingress } } });
  let started = performance.now();
  api.apply(withStatus([{ ip: next }]));
  const a1 = await until(() => ask(name, 'A'), (r) => addresses(r).includes(next), 5000);
  t.strictSame(addresses(a1), [next], 'the new ingress IP, the old one gone');
  t.ok(performance.now() - started < 5000, 'within seconds of the watch event');
  t.equal((await ask(reverse4(next), 'PTR')).answers?.[0]?.data, name, 'PTR follows the new address');
  t.equal((await ask(reverse4(first), 'PTR')).rcode, 'NXDOMAIN', 'and leaves the old one');

  api.apply(withStatus([{ hostname: `lb.${ZONE}.cloud.example.net` }]));
  const a2 = await until(() => ask(name, 'A'), (r) => (r.answers ?? []).some((a) => a.type === 'CNAME'), 5000);
  t.equal(a2.answers?.[0]?.type, 'CNAME');
  t.equal(a2.answers?.[0]?.data, `lb.${ZONE}.cloud.example.net`, 'a hostname: CNAME');

  started = performance.now();
  api.apply(withStatus([]));
  const a3 = await until(() => ask(name, 'A'), (r) => r.rcode === 'NXDOMAIN', 5000);
  t.equal(a3.authorities?.[0]?.type, 'SOA', 'no address left: NXDOMAIN with the SOA');
  t.ok(performance.now() - started < 5000);

  // A Service created and deleted while running
  const added = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'late', namespace: 'web' },
    spec: { clusterIP: '10.96.50.40', externalIPs: [next], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } };
  api.apply(added);
  const a4 = await until(() => ask(`late.web.${ZONE}`, 'A'), (r) => r.rcode === 'NOERROR', 5000);
  t.strictSame(addresses(a4), [next]);
  api.delete('Service', 'web', 'late');
  const a5 = await until(() => ask(`late.web.${ZONE}`, 'A'), (r) => r.rcode === 'NXDOMAIN', 5000);
  t.equal(a5.rcode, 'NXDOMAIN', 'deleted: NXDOMAIN');
});
