// Where a DNSEndpoint shares a name with another source: its records must not take away what the other source
// answers (a verification TXT beside an annotated Service leaves the Service's SRV at the host). Expected values come from test/fixtures/rev3a/dnsendpoint-mix.yaml.
import t from 'tap';
import { join } from 'node:path';
import { ROOT, startCli, stopCli } from './helpers/cli.js';
import { dig, digMissing, digSection } from './helpers/dig.js';
import { docs } from './helpers/ingress.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'rev3a', 'dnsendpoint-mix.yaml');
const objs = docs(FIXTURE);
const svc = objs.find((d) => d.kind === 'Service' && d.metadata.name === 'sip');
const endpoints: { dnsName: string; recordType: string; targets: string[] }[] = objs.find((d) => d.kind === 'DNSEndpoint').spec.endpoints;

t.test('DNSEndpoint and annotation on one name', { skip: digMissing }, async (t) => {
  const srv = await startCli(['--fixtures', FIXTURE, '--external-zone', 'dev.test', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const server = { host: '127.0.0.1', port: srv.port };
  const host: string = svc.metadata.annotations['external-dns.alpha.kubernetes.io/hostname'];

  await t.test('the Service still answers SRV at its host beside a DNSEndpoint TXT', async (t) => {
    const out = await dig(server, [host, 'SRV']);
    const ports = digSection(out, 'ANSWER').map((l) => Number(l.split(/\s+/).at(-2)));
    t.strictSame(ports, svc.spec.ports.map((p: any) => p.port), out);
    const txt = await dig(server, [host, 'TXT']);
    t.match(digSection(txt, 'ANSWER').join('\n'), endpoints.find((e) => e.dnsName === host)!.targets[0]!, 'and the TXT answers too');
  });

});
