// A CoreDNS Corefile's `endpoint URL` and `tls CERT KEY CACERT` reach the API server as CoreDNS does: the endpoint
// over TLS trusting CACERT, with the client certificate as the credential; a bad tls file is named with its line.
import t from 'tap';
import type { TLSSocket } from 'node:tls';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeApiServer } from './fake-apiserver.js';
import { runCli, startCli, stopCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';
import { until } from './helpers/until.js';
import { clientCertificate, loadShop, tempDir } from './kubeconfig-helpers.js';

const saved = { KUBECONFIG: process.env.KUBECONFIG, KUBERNETES_SERVICE_HOST: process.env.KUBERNETES_SERVICE_HOST };
t.teardown(() => {
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
});
delete process.env.KUBERNETES_SERVICE_HOST;
delete process.env.KUBECONFIG;

t.test('Corefile endpoint + tls: mutual TLS to the named API server', async (t) => {
  const client = clientCertificate();
  const api = await FakeApiServer.start({
    tls: true,
    tlsOptions: { requestCert: true, rejectUnauthorized: false, ca: client.caPem },
    authorize: (req) => (req.socket as TLSSocket).authorized,
  });
  t.teardown(() => api.close());
  loadShop(api);
  const dir = tempDir(t);
  writeFileSync(join(dir, 'client.pem'), client.certPem);
  writeFileSync(join(dir, 'client.key'), client.keyPem);
  writeFileSync(join(dir, 'ca.crt'), api.caPem!);
  const corefile = join(dir, 'Corefile');
  const block = (tls: string) => writeFileSync(corefile, `.:53 {\n  kubernetes cluster.local {\n    endpoint ${api.url}\n    ${tls}\n  }\n}\n`);
  block(`tls ${join(dir, 'client.pem')} ${join(dir, 'client.key')} ${join(dir, 'ca.crt')}`);
  const srv = await startCli(['--corefile', corefile, '--source', 'kubernetes', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const a = await until(() => query(srv.port, 'cart.shop.svc.cluster.local', 'A'), (r) => r.rcode === 'NOERROR', 5000);
  t.equal(a.answers?.[0]?.data, '10.96.7.7');
  t.ok(api.requests.length > 0 && api.requests.every((r) => r.authorization === undefined), 'the client certificate was the credential');

  block(`tls ${join(dir, 'client.pem')} ${join(dir, 'client.key')} ${join(dir, 'missing-ca.crt')}`);
  const r = await runCli(['--corefile', corefile, '--source', 'kubernetes', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.equal(r.code, 1);
  t.match(r.stderr, `${corefile} line 4: tls CACERT: ${join(dir, 'missing-ca.crt')} cannot be read (ENOENT)`);
});
