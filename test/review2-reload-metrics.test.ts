// coredns_plugin_enabled after a reload lists the plugins of the Corefile in service, as CoreDNS's does (it kept
// listing the start-up Corefile's: a plugin removed by a reload still showed as enabled, a new one never did).
import t from 'tap';
import { startCli, stopCli } from './helpers/cli.js';
import { corefileDir } from './helpers/corefile-run.js';
import { until } from './helpers/until.js';

t.test('coredns_plugin_enabled follows a reload', async (t) => {
  const c = corefileDir(t);
  c.write('cluster.local:53 {\n  log\n  kubernetes\n}\n');
  const srv = await startCli(['--corefile', c.corefile, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--fixtures', c.fixtures]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const admin = /admin http:\/\/([^\s,;]+)/.exec(srv.line)![1];
  const enabled = async () => [...(await (await fetch(`http://${admin}/metrics`)).text()).matchAll(/^coredns_plugin_enabled\{.*zone="cluster\.local\.".*name="([^"]+)"\} 1$/gm)].map((m) => m[1]).sort();
  t.strictSame(await enabled(), ['kubernetes', 'log'], 'the start-up Corefile');
  c.write('cluster.local:53 {\n  errors\n  kubernetes\n}\n');
  srv.proc.kill('SIGUSR1');
  const after = await until(enabled, (e) => !e.includes('log'), 5000).catch(() => enabled());
  t.strictSame(after, ['errors', 'kubernetes'], 'the reloaded Corefile');
});
