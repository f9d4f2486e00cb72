// Ingress hostnames as a user asks for them: the real CLI with --external-zone on a fixture, dig. Expected
// addresses come from the fixture (test/fixtures/ingress/cluster.yaml) and the library's synthesis of it.
import t from 'tap';
import { startCli, stopCli } from './helpers/cli.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { INGRESS_FIXTURE, lbAddressOf, manifest, statusOf } from './helpers/ingress.js';

const rr = (name: string, type: string, data: string) => `${name}. 5 IN ${type} ${data}`;
const soaOwner = (out: string) => digSection(out, 'AUTHORITY').map((l) => l.split(/\s+/).slice(0, 4).join(' '));

t.test('ingress hostnames under --external-zone', { skip: digMissing }, async (t) => {
  const srv = await startCli(['--fixtures', INGRESS_FIXTURE, '--external-zone', 'dev.test', '--external-zone', 'apps.test', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const ask = (...a: string[]) => dig({ host: '127.0.0.1', port: srv.port }, a);
  const controller = lbAddressOf('ingress-nginx', 'ingress-nginx-controller');
  t.equal(controller.length, 1, 'the controller got a synthesised LB address');

  await t.test('a rule host: the controller\'s LB address (no status offline)', async (t) => {
    const a = await ask('shop.dev.test', 'A');
    t.equal(digStatus(a), 'NOERROR');
    t.strictSame(digSection(a, 'ANSWER'), controller.map((ip) => rr('shop.dev.test', 'A', ip)));
  });
  await t.test('a TLS host only: answered too', async (t) => {
    t.strictSame(digSection(await ask('pay.dev.test', 'A'), 'ANSWER'), controller.map((ip) => rr('pay.dev.test', 'A', ip)));
  });
  await t.test('wildcard: one label only; the more specific name wins', async (t) => {
    t.strictSame(digSection(await ask('anything.dev.test', 'A'), 'ANSWER'), controller.map((ip) => rr('anything.dev.test', 'A', ip)));
    const deep = await ask('a.b.dev.test', 'A');
    t.equal(digStatus(deep), 'NXDOMAIN', 'two labels below the wildcard');
    t.strictSame(soaOwner(deep), ['dev.test. 5 IN SOA']);
    const blog = statusOf(manifest('Ingress', 'blog'));
    t.strictSame(digSection(await ask('blog.dev.test', 'A'), 'ANSWER'), blog.filter((ip) => !ip.includes(':')).map((ip) => rr('blog.dev.test', 'A', ip)));
    t.strictSame(digSection(await ask('blog.dev.test', 'AAAA'), 'ANSWER'), blog.filter((ip) => ip.includes(':')).map((ip) => rr('blog.dev.test', 'AAAA', ip)));
  });
  await t.test('a hostname-only status: CNAME to it', async (t) => {
    const [target] = statusOf(manifest('Ingress', 'elb'));
    const a = await ask('api.apps.test', 'A');
    t.match(digSection(a, 'ANSWER')[0], rr('api.apps.test', 'CNAME', `${target}.`));
  });
  await t.test('NODATA vs NXDOMAIN, SOA and NS at each apex', async (t) => {
    const txt = await ask('shop.dev.test', 'TXT');
    t.equal(digStatus(txt), 'NOERROR');
    t.strictSame(digSection(txt, 'ANSWER'), []);
    t.strictSame(soaOwner(txt), ['dev.test. 5 IN SOA']);
    t.equal(digStatus(await ask('nothing.apps.test', 'A')), 'NXDOMAIN');
    for (const z of ['dev.test', 'apps.test']) {
      t.match(digSection(await ask(z, 'SOA'), 'ANSWER')[0], `${z}. 5 IN SOA ns1.dns.${z}. hostmaster.dns.${z}.`);
      t.strictSame(digSection(await ask(z, 'NS'), 'ANSWER'), [rr(z, 'NS', `ns1.dns.${z}.`)]);
      const apexA = await ask(z, 'A');
      t.equal(digStatus(apexA), 'NOERROR', `${z} A: NODATA`);
      t.strictSame(digSection(apexA, 'ANSWER'), []);
    }
  });
  await t.test('names outside every external zone are not answered by it; the cluster zone is untouched', async (t) => {
    t.equal(digStatus(await ask('shop.other.test', 'A')), 'REFUSED');
    t.equal(digStatus(await ask('ingress-nginx-controller.ingress-nginx.svc.cluster.local', 'A')), 'NOERROR');
  });
  await t.test('a bad Ingress is named with the field to fix; the rest serve', async (t) => {
    t.match(srv.stderr(), /Ingress shop\/\\?"broken\\?" is invalid: spec\.rules\[1\]\.host/);
    t.equal(digStatus(await ask('ok.apps.test', 'A')), 'NXDOMAIN', 'the bad object is skipped whole');
    t.equal(digStatus(await ask('edge.apps.test', 'A')), 'NOERROR');
  });
});

t.test('--ingress-class: only Ingresses of that class', { skip: digMissing }, async (t) => {
  const srv = await startCli(['--fixtures', INGRESS_FIXTURE, '--external-zone', 'apps.test', '--ingress-class', 'traefik', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const ask = (...a: string[]) => dig({ host: '127.0.0.1', port: srv.port }, a);
  const edge = statusOf(manifest('Ingress', 'edge'));
  t.strictSame(digSection(await ask('edge.apps.test', 'A'), 'ANSWER'), edge.map((ip) => rr('edge.apps.test', 'A', ip)));
  t.equal(digStatus(await ask('api.apps.test', 'A')), 'NXDOMAIN', 'an nginx Ingress is not served');
});

t.test('--lb-address: every synthesised address is that one', { skip: digMissing }, async (t) => {
  const srv = await startCli(['--fixtures', INGRESS_FIXTURE, '--external-zone', 'dev.test', '--lb-address', '127.0.0.1', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const a = await dig({ host: '127.0.0.1', port: srv.port }, ['shop.dev.test', 'A']);
  t.strictSame(digSection(a, 'ANSWER'), [rr('shop.dev.test', 'A', '127.0.0.1')]);
});
