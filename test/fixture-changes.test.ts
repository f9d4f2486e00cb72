// Changes to the fixture source run one after another, each whole: applies, deletes and reloads fired together
// all land, a bad one changes nothing, and answers keep coming while a large one is worked out.
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startClusterDns } from '../lib/index.js';
import { query } from './helpers/dns-client.js';

const svc = (name: string, ns: string, ip: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { clusterIP: ip, ports: [{ port: 80 }] } });

t.test('changes fired together all land, in order', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-changes-'));
  writeFileSync(path.join(dir, 'a.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: file, namespace: a}\nspec: {clusterIP: 10.96.8.1}\n');
  const dns = await startClusterDns({ fixtures: [dir] });
  t.teardown(() => dns.close());
  writeFileSync(path.join(dir, 'b.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: file2, namespace: b}\nspec: {clusterIP: 10.96.8.2}\n');
  const results = await Promise.allSettled([
    dns.apply([svc('one', 'a', '10.96.8.10')]),
    dns.apply([svc('two', 'b', '10.96.8.11')]),
    dns.reload(),
    dns.apply([{ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'a' } }]),
    dns.apply([svc('one', 'a', '10.96.8.12')]),
    dns.delete('Service', 'b', 'two'),
  ]);
  t.same(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  t.match((results[3] as PromiseRejectedResult).reason.message, /metadata\.name/, 'the bad one says what is missing');
  const a = async (name: string) => (await query(dns.port, name, 'A')).answers?.[0]?.data;
  t.equal(await a('one.a.svc.cluster.local'), '10.96.8.12', 'the later apply wins');
  t.equal(await a('two.b.svc.cluster.local'), undefined, 'the delete after the apply removed it');
  t.equal(await a('file2.b.svc.cluster.local'), '10.96.8.2', 'the reload read the new file');
  t.equal(await a('file.a.svc.cluster.local'), '10.96.8.1');
});

t.test('a bad object in an apply leaves the others of that apply out too', async (t) => {
  const dns = await startClusterDns({ fixtures: [] });
  t.teardown(() => dns.close());
  await t.rejects(dns.apply([svc('good', 'default', '10.96.8.20'), { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default' } }]));
  t.equal(dns.store.service('default', 'good'), undefined, 'nothing of the failed apply');
  await dns.apply([svc('good', 'default', '10.96.8.21')]);
  t.same(dns.store.service('default', 'good')?.clusterIPs, ['10.96.8.21']);
});

t.test('queries are answered while a large apply is worked out', async (t) => {
  const dns = await startClusterDns({ fixtures: [] });
  t.teardown(() => dns.close());
  await dns.apply([svc('probe', 'default', '10.96.9.1')]);
  // 200 namespaces of 20 Services each: synthesis pauses between namespaces.
  const many = [];
  for (let n = 0; n < 200; n++) for (let i = 0; i < 20; i++) many.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}`, namespace: `ns${n}` }, spec: { selector: { app: `s${i}` }, ports: [{ port: 80 }] } });
  let answered = 0;
  const applying = dns.apply(many).then(() => 'done');
  let state: string = 'pending';
  void applying.then((s) => { state = s; });
  while (state === 'pending') {
    const r = await query(dns.port, 'probe.default.svc.cluster.local', 'A');
    if (state === 'pending' && r.answers?.[0]?.data === '10.96.9.1') answered++;
  }
  t.ok(answered > 0, `${answered} answers while the apply was in progress`);
  t.ok(dns.store.service('ns199', 's19'), 'and the apply landed whole');
});
