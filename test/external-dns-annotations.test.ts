// external-dns hostname annotations on Services, as a user asks for them: the real CLI with --external-zone on a
// fixture, dig. Expected addresses come from the fixture (test/fixtures/external-dns/cluster.yaml) and the library's
// own synthesis of its LoadBalancer addresses.
import t from 'tap';
import { join } from 'node:path';
import { runCli, startCli, stopCli, ROOT } from './helpers/cli.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { lbAddressOf, manifest, statusOf } from './helpers/ingress.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'external-dns', 'cluster.yaml');
const rr = (name: string, type: string, data: string) => `${name}. 5 IN ${type} ${data}`;
const lb = (name: string) => lbAddressOf('shop', name, FIXTURE);

t.test('hostname annotations under --external-zone', { skip: digMissing }, async (t) => {
  const srv = await startCli(['--fixtures', FIXTURE, '--external-zone', 'dev.test', '--external-zone', 'apps.test', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const ask = (...a: string[]) => dig({ host: '127.0.0.1', port: srv.port }, a);
  const answer = async (name: string, type = 'A') => digSection(await ask(name, type), 'ANSWER');

  await t.test('several hosts in one annotation, a trailing dot, both annotation keys', async (t) => {
    const web = lb('web');
    t.equal(web.length, 1, 'the LoadBalancer Service got a synthesised address');
    t.strictSame(await answer('web.dev.test'), web.map((ip) => rr('web.dev.test', 'A', ip)));
    t.strictSame(await answer('www.dev.test'), web.map((ip) => rr('www.dev.test', 'A', ip)));
    t.strictSame(await answer('api.dev.test'), lb('api').map((ip) => rr('api.dev.test', 'A', ip)), 'coredns.io/hostname');
    for (const h of ['one.dev.test', 'two.dev.test', 'three.dev.test']) {
      t.strictSame(await answer(h), lb('both').map((ip) => rr(h, 'A', ip)), `${h}: both keys on one Service`);
    }
  });
  await t.test('externalIPs are published; a ClusterIP Service is not (no --publish-internal-services)', async (t) => {
    const ext = manifest('Service', 'fixed', FIXTURE).spec.externalIPs as string[];
    t.strictSame(await answer('fixed.dev.test'), ext.map((ip) => rr('fixed.dev.test', 'A', ip)));
    t.equal(digStatus(await ask('internal.dev.test', 'A')), 'NXDOMAIN');
  });
  await t.test('precedence: an Ingress host beats an annotation host; an exact name beats a wildcard', async (t) => {
    const ing = statusOf(manifest('Ingress', 'shared', FIXTURE));
    t.strictSame(await answer('shared.dev.test'), ing.map((ip) => rr('shared.dev.test', 'A', ip)), 'the Ingress');
    t.strictSame(await answer('exact.apps.test'), ing.map((ip) => rr('exact.apps.test', 'A', ip)), 'the exact Ingress host, not the wildcard annotation');
    t.strictSame(await answer('anything.apps.test'), lb('catchall').map((ip) => rr('anything.apps.test', 'A', ip)), 'the wildcard annotation');
    t.equal(digStatus(await ask('a.b.apps.test', 'A')), 'NXDOMAIN', 'a wildcard covers one label');
  });
  await t.test('NODATA for other types, SOA in the authority section', async (t) => {
    const txt = await ask('web.dev.test', 'TXT');
    t.equal(digStatus(txt), 'NOERROR');
    t.strictSame(digSection(txt, 'ANSWER'), []);
    t.match(digSection(txt, 'AUTHORITY')[0], /^dev\.test\.\s+5\s+IN\s+SOA/);
  });
  await t.test('a bad host is refused naming the field; the rest serve', async (t) => {
    t.match(srv.stderr(), /Service shop\/\\?"broken\\?" is invalid: metadata\.annotations\[external-dns\.alpha\.kubernetes\.io\/hostname\]/);
    t.equal(digStatus(await ask('ok.dev.test', 'A')), 'NXDOMAIN', 'the bad Service is skipped whole');
    t.equal(digStatus(await ask('web.dev.test', 'A')), 'NOERROR');
    t.equal(digStatus(await ask('web.shop.svc.cluster.local', 'A')), 'NOERROR', 'the cluster zone is untouched');
  });
});

t.test('clusterdns records lists the annotation hosts with their owner', async (t) => {
  const r = await runCli(['records', '--fixtures', FIXTURE, '--external-zone', 'dev.test']);
  t.equal(r.code, 0, r.stderr);
  for (const h of ['web.dev.test', 'www.dev.test', 'api.dev.test', 'three.dev.test', 'fixed.dev.test']) t.match(r.stdout, h);
  t.notMatch(r.stdout, 'internal.dev.test');
});
