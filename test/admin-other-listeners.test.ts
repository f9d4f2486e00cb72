// /api/v1/resolve and /api/v1/explain ask DNS itself. With a Corefile whose blocks sit on several ports, a name only
// another port's block serves must be answered as that port answers it (it was asked of the main port alone, which
// called it REFUSED), and a name no block serves stays REFUSED.
import t from 'tap';
import { startCli, stopCli } from './helpers/cli.js';
import { corefileDir, WEB } from './helpers/corefile-run.js';
import { query } from './helpers/dns-client.js';
import { freePort } from './helpers/dnsmasq.js';

t.test('resolve and explain answer a name served on another port as that port does', async (t) => {
  const c = corefileDir(t);
  const port2 = await freePort();
  c.write(`cluster.local:53 {\n  kubernetes\n}\nexample.test:${port2} {\n  hosts {\n    10.1.1.1 a.example.test\n  }\n}\n`);
  const srv = await startCli(['--corefile', c.corefile, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--fixtures', c.fixtures]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const admin = /admin http:\/\/([^\s,;]+)/.exec(srv.line)![1];
  const get = async (path: string) => (await fetch(`http://${admin}${path}`)).json() as Promise<{ rcode: string; answer: Array<{ data: unknown }> }>;

  const dns = await query(port2, 'a.example.test', 'A');
  t.same((dns.answers ?? []).map((a) => a.data), ['10.1.1.1'], 'dig on the second port answers');
  const resolved = await get('/api/v1/resolve?name=a.example.test&type=A');
  t.equal(resolved.rcode, 'NOERROR', '/resolve: NOERROR, as that port answers');
  t.same(resolved.answer.map((a) => a.data), ['10.1.1.1'], '/resolve: the same address');
  const explained = await get('/api/v1/explain?name=a.example.test&type=A');
  t.equal(explained.rcode, 'NOERROR', '/explain: NOERROR');
  t.same(explained.answer.map((a) => a.data), ['10.1.1.1'], '/explain: the same address');

  t.equal((await get(`/api/v1/resolve?name=${WEB.fqdn}`)).rcode, 'NOERROR', 'the cluster names still through the main port');
  t.equal((await get('/api/v1/resolve?name=nowhere.invalid')).rcode, 'REFUSED', 'a name no block serves: REFUSED');
});
