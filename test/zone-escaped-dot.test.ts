// A label may hold a literal dot (`a\.b`, RFC 1035 §5.1). `a\.b.example.org` has the labels `a.b`, `example`, `org`:
// it is in example.org, not in b.example.org. Zone matching compared presentation strings, so the escaped dot looked
// like a label boundary and the wrong server block (and plugin zone) answered. Each block here is a k8s_external
// zone, whose NXDOMAIN carries its own apex SOA: the SOA's owner tells which block answered.
import t from 'tap';
import { startCli, stopCli } from './helpers/cli.js';
import { corefileDir } from './helpers/corefile-run.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { freePort } from './helpers/dnsmasq.js';

t.test('an escaped dot in a label is not a zone boundary', { skip: digMissing }, async (t) => {
  const c = corefileDir(t);
  const port = await freePort();
  c.write(`cluster.local:${port} {\n  kubernetes\n}\nb.example.org:${port} {\n  k8s_external b.example.org\n}\nexample.org:${port} {\n  k8s_external example.org\n}\n`);
  const srv = await startCli(['--corefile', c.corefile, '--admin', 'off', '--fixtures', c.fixtures]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const at = { host: '127.0.0.1', port };
  const soaOwner = async (name: string) => {
    const out = await dig(at, [name, 'A']);
    return { status: digStatus(out), owner: digSection(out, 'AUTHORITY').find((l) => l.includes(' SOA '))?.split(/\s+/)[0] };
  };
  t.same(await soaOwner('z.b.example.org'), { status: 'NXDOMAIN', owner: 'b.example.org.' }, 'a plain name under b.example.org: that block');
  t.same(await soaOwner('a\\.b.example.org'), { status: 'NXDOMAIN', owner: 'example.org.' }, 'a\\.b.example.org: the example.org block');
  t.same(await soaOwner('a\\\\.b.example.org'), { status: 'NXDOMAIN', owner: 'b.example.org.' }, 'an escaped backslash before a real dot: b.example.org again');
});
