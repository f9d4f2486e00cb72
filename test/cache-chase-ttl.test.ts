// An ExternalName's CNAME and the target's records looked up for it leave the kubernetes plugin as one answer, as in
// CoreDNS (its upstream lookup re-enters the server from inside the plugin), so the plugins before it treat them as
// one: cache gives every record the reply's smallest TTL (MinimalTTL), where the target once kept its own.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startCli, stopCli } from './helpers/cli.js';
import { corefileDir } from './helpers/corefile-run.js';
import { dig, digMissing, digSection } from './helpers/dig.js';

t.test('cache caps a chased ExternalName answer as one reply', { skip: digMissing }, async (t) => {
  const c = corefileDir(t);
  writeFileSync(path.join(c.fixtures, 'ext.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: ext\n  namespace: default\nspec:\n  type: ExternalName\n  externalName: ext.example.test\n');
  // kubernetes' default TTL is 5 s; the hosts entry's 3600 s is capped to 30 by cache before the outer cap
  c.write('.:53 {\n  cache 30\n  hosts {\n    10.9.9.9 ext.example.test\n    fallthrough\n  }\n  kubernetes cluster.local\n}\n');
  const srv = await startCli(['--corefile', c.corefile, '--listen', '127.0.0.1:0', '--admin', 'off', '--fixtures', c.fixtures]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const at = { host: srv.host, port: srv.port };
  for (const round of ['first', 'cached']) {
    const lines = digSection(await dig(at, ['ext.default.svc.cluster.local', 'A']), 'ANSWER').map((l) => l.split(/\s+/));
    t.same(lines.map((f) => [f[0], f[3], f[4]]), [['ext.default.svc.cluster.local.', 'CNAME', 'ext.example.test.'], ['ext.example.test.', 'A', '10.9.9.9']], `${round}: the CNAME and its target`);
    t.same(lines.map((f) => Number(f[1])), [5, 5], `${round}: both records carry the smallest TTL, 5`);
  }
  const direct = digSection(await dig(at, ['ext.example.test', 'A']), 'ANSWER')[0]!.split(/\s+/);
  t.equal(Number(direct[1]), 30, 'the target asked by itself: the hosts TTL under the cache cap');
});
