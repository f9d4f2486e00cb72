// External names in live mode (the real CLI watching the fake API server): a PTR for an Ingress's status address
// follows the Ingress (appears with the status, names the new host after a change, goes with a delete), and
// /api/v1/resolve says the address comes from the Ingress's own status, not from synthesis.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeApiServer, kubeconfigFor } from './fake-apiserver.js';
import { startCli, stopCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';
import { until } from './helpers/until.js';

const ZONE = 'dev.test';
const IP = '198.51.100.42';
const REV = `${IP.split('.').reverse().join('.')}.in-addr.arpa`;
const ingress = (hosts: string[]) => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'shop', namespace: 'shop' },
  spec: { ingressClassName: 'nginx', rules: hosts.map((host) => ({ host })) },
  status: { loadBalancer: { ingress: [{ ip: IP }] } },
});

t.test('live: PTR and provenance follow the Ingress', async (t) => {
  const api = await FakeApiServer.start({ token: 't' });
  t.teardown(() => api.close());
  api.load([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }]);
  const dir = mkdtempSync(join(tmpdir(), 'extnames-live-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'kubeconfig'), kubeconfigFor(api));
  const srv = await startCli(['--source', 'kubernetes', '--kubeconfig', join(dir, 'kubeconfig'), '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--external-zone', ZONE]);
  t.teardown(() => stopCli(srv.proc));
  const admin = /admin (http:\/\/\S+)/.exec(srv.line)![1]!.replace(/[,;]$/, '');
  const ptrs = (r: Awaited<ReturnType<typeof query>>) => (r.answers ?? []).filter((a) => a.type === 'PTR').map((a) => String(a.data)).sort();

  t.equal((await until(() => query(srv.port, REV, 'PTR'), (r) => r.rcode === 'NXDOMAIN', 10_000)).rcode, 'NXDOMAIN', 'no Ingress: the cluster zone\'s NXDOMAIN');
  api.apply(ingress([`shop.${ZONE}`, `api.shop.${ZONE}`]));
  const r1 = await until(() => query(srv.port, REV, 'PTR'), (r) => ptrs(r).length === 2, 5000);
  t.strictSame(ptrs(r1), [`api.shop.${ZONE}`, `shop.${ZONE}`], 'both hosts, sorted');
  const body = await (await fetch(`${admin}/api/v1/resolve?name=shop.${ZONE}`)).json() as { answer: { data: string; rule: string; source: string }[] };
  t.equal(body.answer[0]!.data, IP);
  t.equal(body.answer[0]!.source, 'Ingress/shop/shop');
  t.equal(body.answer[0]!.rule, 'Ingress shop/shop spec.rules[0].host; addresses: its status.loadBalancer.ingress', 'the rule: the host\'s field, and the status');

  api.apply(ingress([`store.${ZONE}`]));
  const r2 = await until(() => query(srv.port, REV, 'PTR'), (r) => ptrs(r).join() === `store.${ZONE}`, 5000);
  t.strictSame(ptrs(r2), [`store.${ZONE}`], 'the PTR follows the changed host');
  api.delete('Ingress', 'shop', 'shop');
  const r3 = await until(() => query(srv.port, REV, 'PTR'), (r) => r.rcode === 'NXDOMAIN', 5000);
  t.equal(r3.rcode, 'NXDOMAIN', 'deleted: NXDOMAIN again');
});
