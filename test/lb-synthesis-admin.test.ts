// Synthesised LoadBalancer addresses stay put when objects are applied through the admin API (POST /api/v1/objects,
// kubectl apply's offline twin); an applied Ingress serves at once; a bad one is refused naming the field.
import t from 'tap';
import { createServer } from 'node:net';
import { startCli, stopCli } from './helpers/cli.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { INGRESS_FIXTURE, lbAddressOf } from './helpers/ingress.js';

const freePort = () => new Promise<number>((resolve, reject) => {
  const s = createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
});

t.test('admin apply: the controller keeps its address, new LoadBalancers and Ingresses serve', { skip: digMissing }, async (t) => {
  const admin = await freePort();
  const srv = await startCli(['--fixtures', INGRESS_FIXTURE, '--external-zone', 'dev.test', '--listen', '127.0.0.1:0', '--admin', `127.0.0.1:${admin}`]);
  t.teardown(() => stopCli(srv.proc));
  const ask = (...a: string[]) => dig({ host: '127.0.0.1', port: srv.port }, a);
  const apply = (body: string) => fetch(`http://127.0.0.1:${admin}/api/v1/objects`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body });
  const controller = lbAddressOf('ingress-nginx', 'ingress-nginx-controller');
  const before = digSection(await ask('shop.dev.test', 'A'), 'ANSWER');
  t.strictSame(before, controller.map((ip) => `shop.dev.test. 5 IN A ${ip}`));

  const lbs = Array.from({ length: 8 }, (_, i) => `apiVersion: v1
kind: Service
metadata: {name: late${i}, namespace: late}
spec: {type: LoadBalancer, selector: {app: late}, ports: [{port: 443}]}`).join('\n---\n');
  const ok = await apply(`${lbs}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: late, namespace: late}
spec: {ingressClassName: nginx, rules: [{host: late.dev.test}]}
`);
  t.equal(ok.status, 200, await ok.clone().text());
  t.strictSame(digSection(await ask('shop.dev.test', 'A'), 'ANSWER'), before, 'the controller kept its address');
  t.strictSame(digSection(await ask('late.dev.test', 'A'), 'ANSWER'), controller.map((ip) => `late.dev.test. 5 IN A ${ip}`));

  const bad = await apply('apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: bad, namespace: late}\nspec: {rules: [{host: "10.0.0.1"}]}\n');
  const text = await bad.text();
  t.not(bad.status, 200, text);
  t.match(text, /spec\.rules\[0\]\.host/);
  t.equal(digStatus(await ask('late.dev.test', 'A')), 'NOERROR', 'still serving');
});
