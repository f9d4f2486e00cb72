// Review: static records (--records) sit in every server block, also in a block without kubernetes on a port of its
// own. A static CNAME into the cluster zone carries the cluster's answer for its target, so that listener's answer
// cache must follow the cluster too: it followed the static table alone and kept the old address of the Service.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCli, stopCli } from './helpers/cli.js';
import { corefileDir, WEB } from './helpers/corefile-run.js';
import { dig, digMissing, digSection } from './helpers/dig.js';
import { freePort } from './helpers/dnsmasq.js';
import { until } from './helpers/until.js';

t.test('a static CNAME into the cluster on another listener follows the cluster', { skip: digMissing }, async (t) => {
  const c = corefileDir(t);
  const port2 = await freePort();
  c.write(`cluster.local:53 {\n  kubernetes\n}\nexample.org:${port2} {\n  bind 127.0.0.1\n}\n`);
  const records = join(c.dir, 'records.txt');
  writeFileSync(records, `alias.example.org. 30 IN CNAME ${WEB.fqdn}\n`);
  const srv = await startCli(['--corefile', c.corefile, '--listen', '127.0.0.1:0', '--admin', 'off', '--fixtures', c.fixtures, '--records', records]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const addresses = () => dig({ host: '127.0.0.1', port: port2 }, ['alias.example.org', 'A'])
    .then((o) => digSection(o, 'ANSWER').filter((l) => l.includes(' IN A ')).map((l) => l.split(' ').at(-1)));
  t.strictSame(await addresses(), [WEB.ip], 'the CNAME and the Service address');
  const NEW = '10.96.0.99';
  writeFileSync(join(c.fixtures, 'web.yaml'), `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${WEB.name}\n  namespace: ${WEB.namespace}\nspec:\n  clusterIP: ${NEW}\n  ports:\n    - name: http\n      port: 80\n`);
  await until(() => dig({ host: srv.host, port: srv.port }, [WEB.fqdn, 'A']).then((o) => digSection(o, 'ANSWER')), (a) => a[0]?.endsWith(NEW) ?? false, 5000);
  t.strictSame(await addresses(), [NEW], 'the new Service address through the CNAME');
});
