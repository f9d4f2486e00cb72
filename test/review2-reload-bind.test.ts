// A reloaded Corefile whose blocks bind two addresses on one port (clusterdns binds one per port) is refused as a
// whole, with its line, and the running configuration stays whole: before, it was refused only when the blocks were
// built, after the new kubernetes ttl (and shared upstreams) had been put in service, while the log said "the
// running configuration stays".
import t from 'tap';
import { startCli, stopCli } from './helpers/cli.js';
import { corefileDir, WEB } from './helpers/corefile-run.js';
import { dig, digMissing, digSection } from './helpers/dig.js';
import { freePort } from './helpers/dnsmasq.js';
import { until } from './helpers/until.js';
import { parseCorefile } from '../lib/corefile/parse.js';
import { corefileToConfig } from '../lib/corefile/to-config.js';

const k8s = (ttl: number) => `cluster.local:53 {\n  kubernetes {\n    ttl ${ttl}\n  }\n}\n`;
const twoBinds = (port: number) => `a.test:${port} {\n  bind 127.0.0.1\n}\nb.test:${port} {\n  bind 127.0.0.2\n}\n`;

t.test('two bind addresses on one port: a Corefile error naming the block', async (t) => {
  const text = `${k8s(5)}${twoBinds(1053)}`;
  t.throws(() => corefileToConfig(parseCorefile(text, { file: 'Corefile' }), { file: 'Corefile' }), /Corefile line 9: port 1053: this block binds 127.0.0.2 but the block at Corefile line 6 binds 127.0.0.1/);
  const same = `${k8s(5)}a.test:1053 {\n  bind 127.0.0.1\n}\nb.test:1053 {\n  bind 127.0.0.1\n}\nc.test:1053 {\n}\n`;
  t.equal(corefileToConfig(parseCorefile(same, { file: 'Corefile' }), { file: 'Corefile' }).config.servers?.length, 4, 'one address (or none) per port is fine');
});

t.test('SIGUSR1 with such a file keeps the running ttl', { skip: digMissing }, async (t) => {
  const c = corefileDir(t);
  c.write(k8s(11));
  const srv = await startCli(['--corefile', c.corefile, '--listen', '127.0.0.1:0', '--admin', 'off', '--fixtures', c.fixtures]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const at = { host: srv.host, port: srv.port };
  const port = await freePort();
  c.write(`${k8s(22)}${twoBinds(port)}`);
  srv.proc.kill('SIGUSR1');
  await until(async () => srv.stderr(), (s) => /reload: .*binds/.test(s), 5000);
  t.match(srv.stderr(), /line \d+: port \d+: this block binds 127\.0\.0\.2/, 'the refusal names the block');
  t.strictSame(digSection(await dig(at, [WEB.fqdn, 'A']), 'ANSWER'), [`${WEB.fqdn} 11 IN A ${WEB.ip}`], 'the running ttl stays');
});
