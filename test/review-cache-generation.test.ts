// Review: the answer cache is emptied when the server blocks' generation() changes. It was a hash of the epoch of
// the ServerBlocks (one per build) and each plugin's generation, folded as g*31+x: a reload's new epoch (+1) and
// a new hosts plugin's generation (back to 1 after the old one had loaded its file twice) cancelled out when the
// hosts block came first, so answers of the old Corefile (its kubernetes ttl) stayed in the cache after a reload.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCli, stopCli } from './helpers/cli.js';
import { corefileDir, WEB } from './helpers/corefile-run.js';
import { dig, digMissing, digSection } from './helpers/dig.js';
import { until } from './helpers/until.js';

t.test('a reload empties the answer cache whatever the hosts file did before', { skip: digMissing }, async (t) => {
  const c = corefileDir(t);
  const hostsFile = join(c.dir, 'hosts');
  writeFileSync(hostsFile, '192.0.2.1 a.example.organization\n');
  // The hosts block's zone is the longer one: its chain comes first in the listener's blocks.
  const corefile = (ttl: number) => `cluster.local:53 {\n  kubernetes {\n    ttl ${ttl}\n  }\n  reload 200ms 100ms\n}\n`
    + `example.organization:53 {\n  hosts ${hostsFile} {\n    reload 200ms\n  }\n}\n`;
  c.write(corefile(10));
  const srv = await startCli(['--corefile', c.corefile, '--listen', '127.0.0.1:0', '--admin', 'off', '--fixtures', c.fixtures]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const at = { host: srv.host, port: srv.port };
  const hostsAnswer = () => dig(at, ['a.example.organization', 'A']).then((o) => digSection(o, 'ANSWER').map((l) => l.split(' ').at(-1)));
  // The hosts file changes once: its plugin's generation goes from 1 to 2.
  writeFileSync(hostsFile, '192.0.2.2 a.example.organization\n');
  t.strictSame(await until(hostsAnswer, (a) => a[0] === '192.0.2.2', 5000), ['192.0.2.2'], 'the hosts file reloaded');
  t.strictSame(digSection(await dig(at, [WEB.fqdn, 'A']), 'ANSWER'), [`${WEB.fqdn} 10 IN A ${WEB.ip}`], 'cached with ttl 10');
  c.write(corefile(20));
  await until(async () => srv.stderr(), (s) => s.includes('reload: running the new Corefile'), 5000);
  t.strictSame(digSection(await dig(at, [WEB.fqdn, 'A']), 'ANSWER'), [`${WEB.fqdn} 20 IN A ${WEB.ip}`], 'the new ttl at once');
});
