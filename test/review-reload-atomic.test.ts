// Review: a reloaded Corefile that parses but cannot be put in service (two blocks on one port binding different
// addresses: lib/server-blocks.ts refuses that when it builds the blocks) must leave the running configuration as
// it was, as the log line says and CoreDNS does. The new kubernetes ttl was applied before the build failed.
import t from 'tap';
import { startCli, stopCli } from './helpers/cli.js';
import { corefileDir, WEB } from './helpers/corefile-run.js';
import { dig, digMissing, digSection } from './helpers/dig.js';
import { freePort } from './helpers/dnsmasq.js';
import { until } from './helpers/until.js';

t.test('a Corefile that cannot be put in service changes nothing', { skip: digMissing }, async (t) => {
  const c = corefileDir(t);
  const k8s = (ttl: number) => `cluster.local:53 {\n  kubernetes {\n    ttl ${ttl}\n  }\n  reload 200ms 100ms\n}\n`;
  c.write(k8s(10));
  const srv = await startCli(['--corefile', c.corefile, '--listen', '127.0.0.1:0', '--admin', 'off', '--fixtures', c.fixtures]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const at = { host: srv.host, port: srv.port };
  t.strictSame(digSection(await dig(at, [WEB.fqdn, 'A']), 'ANSWER'), [`${WEB.fqdn} 10 IN A ${WEB.ip}`]);

  const port2 = await freePort();
  c.write(`${k8s(30)}a.example:${port2} {\n  bind 127.0.0.1\n  hosts {\n    192.0.2.1 a.example\n  }\n}\n`
    + `b.example:${port2} {\n  bind 127.0.0.2\n  hosts {\n    192.0.2.2 b.example\n  }\n}\n`);
  await until(async () => srv.stderr(), (s) => s.includes('could not be put in service'), 5000);
  // Another EDNS size: a question the answer cache has not seen, so the kubernetes plugin answers it now.
  t.strictSame(digSection(await dig(at, ['+bufsize=1000', WEB.fqdn, 'A']), 'ANSWER'), [`${WEB.fqdn} 10 IN A ${WEB.ip}`],
    'the running ttl stays');
  t.strictSame(digSection(await dig(at, ['+noedns', WEB.fqdn, 'SRV']), 'ANSWER').map((l) => l.split(' ')[1]), ['10'],
    'for every question');
});

t.test("a block's new bind address on a port kept across a reload is bound (the old socket stayed on the old address)", { skip: digMissing }, async (t) => {
  const c = corefileDir(t);
  const port2 = await freePort();
  const k8s = `cluster.local:53 {\n  kubernetes\n  reload 200ms 100ms\n}\n`;
  const other = (bind: string, ip: string) => `a.example:${port2} {\n  bind ${bind}\n  hosts {\n    ${ip} a.example\n  }\n}\n`;
  c.write(k8s + other('127.0.0.1', '192.0.2.1'));
  const srv = await startCli(['--corefile', c.corefile, '--listen', '127.0.0.1:0', '--admin', 'off', '--fixtures', c.fixtures]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const ask = (host: string) => dig({ host, port: port2 }, ['a.example', 'A']).then((o) => digSection(o, 'ANSWER').map((l) => l.split(' ').at(-1)), () => ['no reply']);
  t.strictSame(await ask('127.0.0.1'), ['192.0.2.1']);
  c.write(k8s + other('127.0.0.2', '192.0.2.2'));
  const got = await until(() => ask('127.0.0.2'), (a) => a[0] === '192.0.2.2', 5000).catch(() => undefined);
  t.strictSame(got ?? await ask('127.0.0.2'), ['192.0.2.2'], 'the new address answers with the new block');
  t.strictSame(await ask('127.0.0.1'), ['no reply'], 'the old address is closed');
});
