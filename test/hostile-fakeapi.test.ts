// Bad input to the fake API server's writes and files: every one is refused with a Status saying what to fix, the
// server stays up, and the live-mode clusterdns watching it keeps answering the last good state without a gap.
import { mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Prober } from '../bench/probe.js';
import { kubectl, kubectlMissing, startClusterDns, startFakeApiCli } from './helpers/fakeapi.js';
import { until } from './helpers/until.js';

type Raw = Record<string, any>;

t.test('refused writes and a broken fixture file leave the fake API server and live DNS serving', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-fakeapi-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync('fixtures', join(dir, 'fixtures'), { recursive: true });
  const api = await startFakeApiCli(t, ['--fixtures', join(dir, 'fixtures')]);
  const dns = await startClusterDns(t, ['--source', 'kubernetes', '--kubeconfig', api.kubeconfig]);
  const prober = new Prober(dns.dns.port, 'api.shop.svc.cluster.local');
  t.teardown(() => prober.stop());
  const start = performance.now();
  prober.start(1);
  const first = await prober.waitFor(0, (r) => r.rcode === 'NOERROR' && r.address !== '', 10_000);
  t.ok(first, 'api.shop answers before');

  const send = async (method: string, path: string, body: string, type = 'application/json'): Promise<{ status: number; body: Raw }> => {
    const res = await fetch(`${api.url}${path}`, { method, body, headers: { 'Content-Type': type }, signal: AbortSignal.timeout(20_000) });
    return { status: res.status, body: await res.json() as Raw };
  };
  const services = '/api/v1/namespaces/shop/services';

  const huge = await send('POST', services, ' '.repeat(4 * 1024 * 1024));
  t.equal(huge.status, 413, 'a 4 MiB body: 413');
  t.match(huge.body.message, /over 3145728 bytes/);

  const notJson = await send('POST', services, '{"kind": "Service", ');
  t.equal(notJson.status, 400);
  t.match(notJson.body.message, /not JSON/);

  const exists = await send('POST', services, JSON.stringify({ kind: 'Service', metadata: { name: 'api' }, spec: { ports: [{ port: 80 }] } }));
  t.equal(exists.status, 409, 'creating an existing Service: 409');
  t.equal(exists.body.reason, 'AlreadyExists');

  const invalid = await send('POST', services, JSON.stringify({ kind: 'Service', metadata: { name: 'cart' }, spec: { clusterIP: 'not-an-ip', ports: [{ port: 80 }] } }));
  t.equal(invalid.status, 422, 'an invalid Service: 422');
  t.match(invalid.body.message, /spec\.clusterIP/, 'naming the field to fix');

  const wrongKind = await send('POST', services, JSON.stringify({ kind: 'Pod', metadata: { name: 'x' } }));
  t.equal(wrongKind.status, 400);
  t.match(wrongKind.body.message, /is a Pod, but the request is for services/);

  const jsonPatch = await send('PATCH', `${services}/api`, '[{"op":"remove","path":"/spec"}]', 'application/json-patch+json');
  t.equal(jsonPatch.status, 415, 'a JSON patch: 415');
  t.match(jsonPatch.body.message, /strategic merge or a merge patch/);

  const missing = await send('PATCH', `${services}/nothere`, '{}', 'application/merge-patch+json');
  t.equal(missing.status, 404);

  const current = await (await fetch(`${api.url}${services}/api`)).json() as Raw;
  const stale = await send('PUT', `${services}/api`, JSON.stringify({ ...current, metadata: { ...current.metadata, resourceVersion: '1' } }));
  t.equal(stale.status, 409, 'a PUT with a stale resourceVersion: 409');
  t.match(stale.body.message, /has been modified/);

  let nested = '{"x":1}';
  for (let i = 0; i < 200_000; i++) nested = `{"a":${nested}}`;
  const deep = await send('PATCH', `${services}/api`, `{"metadata":{"labels":${nested}}}`, 'application/merge-patch+json');
  t.ok(deep.status === 400 || deep.status === 422, `a 200,000-deep patch is refused (${deep.status})`);

  if (!kubectlMissing) {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: Service\nmetadata: { name: cart, namespace: shop }\nspec:\n  clusterIP: not-an-ip\n  ports: [{ port: 80 }]\n');
    const out = await kubectl(api, ['apply', '-f', file]);
    t.not(out.code, 0, 'kubectl apply of an invalid Service fails');
    t.match(out.stderr, /spec\.clusterIP/, 'and says which field');
  }

  // A fixture file that does not parse: the fake server says where, and keeps what it served.
  writeFileSync(join(dir, 'fixtures', 'shop.yaml'), 'kind: Service\nmetadata:\n  name: [broken\n');
  await until(async () => api.lines.some((l) => l.includes('fixtures not reloaded')), Boolean, 10_000);
  t.match(api.lines.find((l) => l.includes('fixtures not reloaded')), /shop\.yaml:\d+/, 'the error names the file and line');

  const list = await (await fetch(`${api.url}${services}`)).json() as Raw;
  t.same(list.items.map((s: Raw) => s.metadata.name).sort(), ['api', 'payments', 'postgres', 'web'], 'shop\'s Services are all still served');
  t.equal(api.proc.exitCode, null, 'the fake API server is up');
  t.equal(dns.proc.exitCode, null, 'clusterdns is up');
  await new Promise((r) => setTimeout(r, 200));
  const w = prober.worst(start, performance.now());
  prober.stop();
  t.ok(w.answered > 50, `answered ${w.answered} probes`);
  t.ok(w.maxGapMs < 1000, `longest gap between answers ${w.maxGapMs.toFixed(1)} ms < 1 s`);
  t.equal(prober.replies.filter((r) => r.rcode !== 'NOERROR' || !r.address).length, 0, 'every answer was the ClusterIP');
});
