// A reload that changes a block's `bind` on a port other than the kubernetes block's moves its listener: before,
// the listener kept its sockets on the old address (served there, silent on the new one) because listeners were
// matched by port alone.
import t from 'tap';
import { startCli, stopCli } from './helpers/cli.js';
import { corefileDir } from './helpers/corefile-run.js';
import { dig, digMissing, digSection } from './helpers/dig.js';
import { freePort, query, udpQuery } from './helpers/dnsmasq.js';
import { until } from './helpers/until.js';

t.test('reload moves a listener whose bind changed', { skip: digMissing }, async (t) => {
  const c = corefileDir(t);
  const port = await freePort();
  const ip = '192.0.2.7';
  const file = (bind: string) => `cluster.local:53 {\n  kubernetes\n}\nexample.org:${port} {\n  bind ${bind}\n  hosts {\n    ${ip} h.example.org\n  }\n}\n`;
  c.write(file('127.0.0.1'));
  const srv = await startCli(['--corefile', c.corefile, '--listen', '127.0.0.1:0', '--admin', 'off', '--fixtures', c.fixtures]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const answer = async (host: string) => digSection(await dig({ host, port }, ['h.example.org', 'A']), 'ANSWER').map((l) => l.split(/\s+/).at(-1));
  t.strictSame(await answer('127.0.0.1'), [ip], 'served on the first bind address');

  c.write(file('127.0.0.2'));
  srv.proc.kill('SIGUSR1');
  const moved = await until(() => answer('127.0.0.2').catch(() => []), (a) => a.length === 1, 5000);
  t.strictSame(moved, [ip], 'served on the new bind address');
  const old = await udpQuery(port, query('h.example.org', 'A'), 300, '127.0.0.1').then(() => 'open', () => 'closed');
  t.equal(old, 'closed', 'and no longer on the old one');
});
