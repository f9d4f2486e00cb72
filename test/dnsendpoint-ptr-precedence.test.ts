// A PTR names a host only for the address that host answers with: a DNSEndpoint name under a wildcard Ingress
// answers the DNSEndpoint's A (the exact level wins), so that address has the PTR and the wildcard's has none.
// Expected values come from test/fixtures/rev3a/dnsendpoint-mix.yaml.
import t from 'tap';
import { join } from 'node:path';
import { ROOT, startCli, stopCli } from './helpers/cli.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { docs } from './helpers/ingress.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'rev3a', 'dnsendpoint-mix.yaml');
const objs = docs(FIXTURE);
const ing = objs.find((d) => d.kind === 'Ingress');
const endpoints: { dnsName: string; recordType: string; targets: string[] }[] = objs.find((d) => d.kind === 'DNSEndpoint').spec.endpoints;
const pinned = endpoints.find((e) => e.dnsName === 'pinned.dev.test')!;
const last = (l: string) => l.split(/\s+/).at(-1);

t.test('DNSEndpoint under a wildcard Ingress', { skip: digMissing }, async (t) => {
  const srv = await startCli(['--fixtures', FIXTURE, '--external-zone', 'dev.test', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const server = { host: '127.0.0.1', port: srv.port };

  await t.test('PTR follows the address the host answers with', async (t) => {
    const a = await dig(server, [pinned.dnsName, 'A']);
    t.strictSame(digSection(a, 'ANSWER').map(last), pinned.targets, 'the exact DNSEndpoint beats the wildcard Ingress');
    const mine = await dig(server, ['-x', pinned.targets[0]!]);
    t.strictSame(digSection(mine, 'ANSWER').map(last), [`${pinned.dnsName}.`], mine);
    // the wildcard's address names no host: pinned.dev.test does not answer with it
    const theirs = await dig(server, ['-x', ing.status.loadBalancer.ingress[0].ip]);
    t.equal(digStatus(theirs), 'NXDOMAIN', theirs);
  });
});
