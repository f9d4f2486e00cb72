// `clusterdns resolver status`: reads the installed files back and asks the address they name for each zone's SOA,
// with a real clusterdns CLI answering, then a zone it does not serve, then nothing listening.
import t from 'tap';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startCli, stopCli } from './helpers/cli.js';
import { freePort } from './helpers/dnsmasq.js';
import { resolver, tempRoot } from './helpers/resolver-root.js';

t.test('status asks clusterdns for the SOA at the installed address: answering, then not', async (t) => {
  const root = tempRoot(t);
  const port = await freePort();
  const srv = await startCli(['--listen', `127.0.0.1:${port}`, '--admin', 'off', '--zone', 'cluster.local', '--no-watch', '--log-level', 'warn']);
  t.teardown(() => stopCli(srv.proc));
  t.equal((await resolver(['install', '--root', root, '--backend', 'dnsmasq', '--port', String(port), '--zone', 'cluster.local'])).code, 0);
  const up = await resolver(['status', '--root', root, '--backend', 'dnsmasq']);
  t.equal(up.code, 0, up.stderr);
  t.match(up.stdout, `cluster.local: 127.0.0.1:${port} SOA cluster.local.: clusterdns answers (NOERROR, authoritative, 1 answer)`);
  // A zone clusterdns does not serve: it answers REFUSED, and status says so.
  t.equal((await resolver(['install', '--root', root, '--backend', 'dnsmasq', '--port', String(port), '--zone', 'cluster.local', '--zone', 'not-served.test'])).code, 0);
  const half = await resolver(['status', '--root', root, '--backend', 'dnsmasq']);
  t.equal(half.code, 1);
  t.match(half.stdout, `not-served.test: 127.0.0.1:${port} SOA not-served.test.: NOT answering (REFUSED`);
  await stopCli(srv.proc);
  const started = Date.now();
  const down = await resolver(['status', '--root', root, '--backend', 'dnsmasq']);
  t.equal(down.code, 1);
  t.match(down.stdout, /cluster\.local: .*NOT answering \((no answer in 1000 ms|.*ECONNREFUSED.*)\)/);
  t.match(down.stderr, `start clusterdns with --listen 127.0.0.1:${port}`);
  t.ok(Date.now() - started < 10_000, 'status gives up quickly');
  t.ok(existsSync(path.join(root, 'etc/dnsmasq.d/clusterdns.conf')), 'status changes nothing');
  t.equal((await resolver(['uninstall', '--root', root, '--backend', 'dnsmasq'])).code, 0);
  const again = await resolver(['uninstall', '--root', root, '--backend', 'dnsmasq']);
  t.equal(again.code, 0);
  t.match(again.stdout, 'nothing of ours installed: nothing to remove');
  const none = await resolver(['status', '--root', root, '--backend', 'dnsmasq']);
  t.equal(none.code, 1);
  t.match(none.stdout, 'not installed: no file of ours in');
});
