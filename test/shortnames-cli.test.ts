// --short-names as a user drives it: the CLI on the bundled fixtures/, dig for the short forms, a dnsmasq upstream
// that knows some names under a namespace's TLD-like name. Expected answers are the server's own for the full
// cluster name (the short form must answer the same records, owned by the name asked).
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli, startCli, stopCli, ROOT } from './helpers/cli.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { DNSMASQ_SKIP, findDnsmasq, startDnsmasq } from './helpers/dnsmasq.js';

const FIXTURES = path.join(ROOT, 'fixtures');
const REAL_WEB_SHOP = '192.0.2.20';
const REAL_API_DEV = '192.0.2.30';

type Srv = { host: string; port: number };

/** dig's answer lines with the owner replaced by `asked`: what the short form must give */
const ownedBy = (lines: string[], full: string, asked: string) => lines.map((l) => (l.startsWith(`${full}. `) ? `${asked}.${l.slice(full.length + 1)}` : l)).sort();

async function sameAsFull(tt: Test, srv: Srv, asked: string, full: string, type: string): Promise<void> {
  const short = await dig(srv, [asked, type]);
  const long = await dig(srv, [full, type]);
  tt.equal(digStatus(long), 'NOERROR', `${full} ${type} is a cluster name`);
  tt.equal(digStatus(short), digStatus(long), `${asked} ${type}: the status of ${full}`);
  tt.same(digSection(short, 'ANSWER'), ownedBy(digSection(long, 'ANSWER'), full, asked), `${asked} ${type}: the records of ${full}, owned by ${asked}`);
  tt.same(digSection(short, 'ADDITIONAL'), digSection(long, 'ADDITIONAL'), `${asked} ${type}: the same additional records`);
}

const dnsmasq = findDnsmasq();
const skip = digMissing || (dnsmasq ? false : DNSMASQ_SKIP);

t.test('--short-names on the bundled fixtures, with an upstream', { skip }, async (t) => {
  // The upstream knows web.shop (a real name under the .shop TLD, where the fixtures also have a Service "web") and
  // nothing else under shop; outside, it knows www.example.test.
  const up = await startDnsmasq(dnsmasq!, [`--host-record=web.shop,${REAL_WEB_SHOP}`, '--host-record=www.example.test,192.0.2.40',
    '--local=/shop/', '--local=/test/', '--local=/default/', '--local=/svc/', '--local=/pod/', '--local=/localhost/', '--local=/cluster/', '--local=/nosuchns/']);
  t.teardown(() => up.stop());
  const srv = await startCli(['--fixtures', FIXTURES, '--listen', '127.0.0.1:0', '--admin', 'off', '--pods', 'insecure',
    '--short-names', '--upstream', `127.0.0.1:${up.port}`, '--log-level', 'warn']);
  t.teardown(() => stopCli(srv.proc));

  t.test('Service short forms: NAME.NS and NAME.NS.svc, A and SRV (a TLD-named namespace: the upstream said NXDOMAIN)', async (t) => {
    await sameAsFull(t, srv, 'api.shop', 'api.shop.svc.cluster.local', 'A');
    await sameAsFull(t, srv, 'api.shop.svc', 'api.shop.svc.cluster.local', 'A');
    await sameAsFull(t, srv, 'api.shop', 'api.shop.svc.cluster.local', 'SRV');
    await sameAsFull(t, srv, '_http._tcp.api.shop', '_http._tcp.api.shop.svc.cluster.local', 'SRV');
    await sameAsFull(t, srv, '_http._tcp.api.shop.svc', '_http._tcp.api.shop.svc.cluster.local', 'SRV');
  });

  t.test('a namespace that is no TLD: headless Services, pod hostnames, SRV, the pod form', async (t) => {
    await sameAsFull(t, srv, 'myapp-headless.default', 'myapp-headless.default.svc.cluster.local', 'A');
    await sameAsFull(t, srv, 'web-0.web-headless.default', 'web-0.web-headless.default.svc.cluster.local', 'A');
    await sameAsFull(t, srv, '_web._tcp.web-headless.default', '_web._tcp.web-headless.default.svc.cluster.local', 'SRV');
    await sameAsFull(t, srv, '_http._tcp.myapp.default', '_http._tcp.myapp.default.svc.cluster.local', 'SRV');
    await sameAsFull(t, srv, '10-244-0-11.default.pod', '10-244-0-11.default.pod.cluster.local', 'A');
    await sameAsFull(t, srv, 'MyApp.Default', 'myapp.default.svc.cluster.local', 'A');
  });

  t.test('AAAA of a v4-only Service: NODATA as the full name, not NXDOMAIN (getaddrinfo asks both)', async (t) => {
    const full = await dig(srv, ['myapp.default.svc.cluster.local', 'AAAA']);
    const short = await dig(srv, ['myapp.default', 'AAAA']);
    t.equal(digStatus(full), 'NOERROR');
    t.equal(digStatus(short), 'NOERROR');
    t.same(digSection(short, 'ANSWER'), digSection(full, 'ANSWER'));
  });

  t.test('a name that exists upstream is never shadowed', async (t) => {
    const web = await dig(srv, ['web.shop', 'A']);
    t.equal(digStatus(web), 'NOERROR');
    t.same(digSection(web, 'ANSWER').map((l) => l.split(' ').pop()), [REAL_WEB_SHOP], "web.shop: the upstream's address, not the Service's");
    const ext = await dig(srv, ['www.example.test', 'A']);
    t.same(digSection(ext, 'ANSWER').map((l) => l.split(' ').pop()), ['192.0.2.40']);
  });

  t.test('names that do not expand: the upstream answers them as asked', async (t) => {
    for (const name of ['nope.shop', 'api.shop.svc.cluster', 'api.nosuchns', 'foo.localhost', 'api.default.svc.nosuchns']) {
      const out = await dig(srv, [name, 'A']);
      t.equal(digStatus(out), 'NXDOMAIN', `${name}: the upstream's NXDOMAIN`);
      t.same(digSection(out, 'ANSWER'), [], `${name}: no records`);
    }
    const full = await dig(srv, ['nope.default.svc.cluster.local', 'A']);
    t.equal(digStatus(full), 'NXDOMAIN', 'cluster names are untouched');
  });
});

t.test('a namespace named like a TLD ("dev"): the upstream first, the cluster only after its NXDOMAIN', { skip }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'clusterdns-shortnames-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const svc = (name: string, ip: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'dev', name }, spec: { clusterIP: ip, ports: [{ port: 80 }] } });
  writeFileSync(path.join(dir, 'dev.json'), JSON.stringify([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } }, svc('api', '10.96.7.1'), svc('web', '10.96.7.2')]));
  const up = await startDnsmasq(dnsmasq!, [`--host-record=api.dev,${REAL_API_DEV}`, '--local=/dev/']);
  t.teardown(() => up.stop());
  const srv = await startCli(['--fixtures', dir, '--listen', '127.0.0.1:0', '--admin', 'off', '--short-names', '--upstream', `127.0.0.1:${up.port}`, '--log-level', 'warn']);
  t.teardown(() => stopCli(srv.proc));
  for (let round = 0; round < 2; round++) {
    const api = await dig(srv, ['api.dev', 'A']);
    const noTtl = digSection(api, 'ANSWER').map((l) => l.split(' ').filter((_, i) => i !== 1).join(' '));
    t.same(noTtl, [`api.dev. IN A ${REAL_API_DEV}`], `round ${round}: api.dev is the upstream's, under its own name`);
    await sameAsFull(t, srv, 'web.dev', 'web.dev.svc.cluster.local', 'A');
  }
});

t.test('off by default; in a Corefile: shortnames', { skip: digMissing }, async (t) => {
  const off = await startCli(['--fixtures', FIXTURES, '--listen', '127.0.0.1:0', '--admin', 'off', '--log-level', 'warn']);
  t.teardown(() => stopCli(off.proc));
  t.equal(digStatus(await dig(off, ['api.shop', 'A'])), 'REFUSED', 'without --short-names a short name is not ours');
  t.equal(digStatus(await dig(off, ['myapp.default', 'A'])), 'REFUSED');

  const dir = mkdtempSync(path.join(tmpdir(), 'clusterdns-shortnames-cf-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const corefile = path.join(dir, 'Corefile');
  writeFileSync(corefile, '.:53 {\n    shortnames\n    kubernetes cluster.local\n}\n');
  const on = await startCli(['--corefile', corefile, '--fixtures', FIXTURES, '--listen', '127.0.0.1:0', '--admin', 'off', '--log-level', 'warn']);
  t.teardown(() => stopCli(on.proc));
  await sameAsFull(t, on, 'api.shop', 'api.shop.svc.cluster.local', 'A');
  t.equal(digStatus(await dig(on, ['github.com', 'A'])), 'SERVFAIL', 'a name no plugin answers: the end of the chain, as CoreDNS');

  writeFileSync(corefile, '.:53 {\n    kubernetes cluster.local\n    shortnames cluster.local\n}\n');
  const bad = await runCli(['--corefile', corefile, '--fixtures', FIXTURES, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.not(bad.code, 0);
  t.match(bad.stderr, /line 3.*shortnames: takes no arguments|shortnames: takes no arguments.*line 3/s, 'the error names the Corefile line');
  writeFileSync(corefile, '.:53 {\n    shortnames\n    kubernetes cluster.local\n}\n');
  const both = await runCli(['--corefile', corefile, '--short-names']);
  t.not(both.code, 0);
  t.match(both.stderr, /--short-names is for the command line/);
});
