// The SRV names an annotated Service publishes (`_port._proto.<host>`) exist: other types there are NODATA, as is
// the `_proto.<host>` name between them and the host (an empty non-terminal), never NXDOMAIN, which would tell a
// resolver the SRV record is not there either. A port the Service lacks stays NXDOMAIN. Service, host and ports
// come from test/fixtures/rev3a/dnsendpoint-mix.yaml.
import t from 'tap';
import { join } from 'node:path';
import { ROOT, startCli, stopCli } from './helpers/cli.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { docs } from './helpers/ingress.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'rev3a', 'dnsendpoint-mix.yaml');
const svc = docs(FIXTURE).find((d) => d.kind === 'Service' && d.metadata.name === 'sip');
const host: string = svc.metadata.annotations['external-dns.alpha.kubernetes.io/hostname'];
const port = svc.spec.ports[0];
const proto = `_${port.protocol.toLowerCase()}`;
const srvName = `_${port.name}.${proto}.${host}`;

t.test('an annotation host\'s SRV names exist for every type', { skip: digMissing }, async (t) => {
  const srv = await startCli(['--fixtures', FIXTURE, '--external-zone', 'dev.test', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const at = { host: '127.0.0.1', port: srv.port };
  const s = await dig(at, [srvName, 'SRV']);
  t.equal(digSection(s, 'ANSWER').length, 1, `${srvName} SRV answers`);
  for (const [name, type] of [[srvName, 'TXT'], [srvName, 'MX'], [`${proto}.${host}`, 'A'], [`${proto}.${host}`, 'SRV']] as const) {
    const out = await dig(at, [name, type]);
    t.equal(digStatus(out), 'NOERROR', `${name} ${type}: NODATA`);
    t.strictSame(digSection(out, 'ANSWER'), [], `${name} ${type}: no records`);
  }
  t.equal(digStatus(await dig(at, [`_nope.${proto}.${host}`, 'SRV'])), 'NXDOMAIN', 'a port it lacks: NXDOMAIN');
  t.equal(digStatus(await dig(at, [`_nope._sctp.${host}`, 'A'])), 'NXDOMAIN', 'a protocol it lacks: NXDOMAIN');
});
