// The ingress plugin's zones and an escaped dot: `a\.b.example.org` has the labels `a.b`, `example`, `org`, so it
// is not in the ingress zone b.example.org and goes on down the chain (here past its end: SERVFAIL, as CoreDNS's
// NextOrFailure), where `z.b.example.org` is the ingress zone's NXDOMAIN with that zone's SOA.
import t from 'tap';
import { startCli, stopCli } from './helpers/cli.js';
import { corefileDir } from './helpers/corefile-run.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { freePort } from './helpers/dnsmasq.js';

t.test('an escaped dot is no boundary of an ingress zone', { skip: digMissing }, async (t) => {
  const c = corefileDir(t);
  const port = await freePort();
  const zone = 'b.example.org';
  c.write(`cluster.local:${port} {\n  kubernetes\n}\nexample.org:${port} {\n  ingress ${zone}\n}\n`);
  const srv = await startCli(['--corefile', c.corefile, '--admin', 'off', '--fixtures', c.fixtures]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const at = { host: '127.0.0.1', port };
  const ask = async (name: string) => {
    const out = await dig(at, [name, 'A']);
    return { status: digStatus(out), owner: digSection(out, 'AUTHORITY').find((l) => l.includes(' SOA '))?.split(/\s+/)[0] };
  };
  t.same(await ask(`z.${zone}`), { status: 'NXDOMAIN', owner: `${zone}.` }, 'a plain name under the ingress zone: its NXDOMAIN');
  t.same(await ask(`a\\.${zone}`), { status: 'SERVFAIL', owner: undefined }, 'a\\.b.example.org: not the ingress zone, past the chain end');
  t.same(await ask(`a\\\\.${zone}`), { status: 'NXDOMAIN', owner: `${zone}.` }, 'an escaped backslash before a real dot: in the zone again');
});
