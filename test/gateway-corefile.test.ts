// The Gateway API side of the `ingress` directive and its flags: --gateway-class and `gateway_class` in a Corefile,
// --lb-address, and the stability of a Gateway's synthesised address across a fixture edit. Expected values come
// from the fixture and the library's synthesis of it.
import t from 'tap';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startCli, stopCli } from './helpers/cli.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { GATEWAY_FIXTURE, gatewayAddressOf, gatewayStatusOf } from './helpers/gateway.js';
import { manifest } from './helpers/ingress.js';

const dir = mkdtempSync(join(tmpdir(), 'gateway-corefile-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const corefile = (text: string) => {
  const p = join(dir, `Corefile.${Math.random().toString(36).slice(2)}`);
  writeFileSync(p, text);
  return p;
};
const internal = gatewayStatusOf(manifest('Gateway', 'internal', GATEWAY_FIXTURE)).filter((a) => !a.includes(':'));

t.test('--gateway-class: only Gateways of that class and the routes attached to them', { skip: digMissing }, async (t) => {
  const srv = await startCli(['--fixtures', GATEWAY_FIXTURE, '--external-zone', 'gw.test', '--gateway-class', 'istio', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const ask = (...a: string[]) => dig({ host: '127.0.0.1', port: srv.port }, a);
  t.strictSame(digSection(await ask('rpc.gw.test', 'A'), 'ANSWER'), internal.map((ip) => `rpc.gw.test. 5 IN A ${ip}`));
  t.strictSame(digSection(await ask('both.gw.test', 'A'), 'ANSWER'), internal.map((ip) => `both.gw.test. 5 IN A ${ip}`), 'only the istio parent');
  t.equal(digStatus(await ask('db.gw.test', 'A')), 'NXDOMAIN', 'the envoy Gateway\'s listener is not served');
  t.equal(digStatus(await ask('secure.gw.test', 'A')), 'NXDOMAIN', 'a route whose only parent is of another class');
  // The route's parent is filtered out: the Ingress naming the same host answers instead.
  const ing = manifest('Ingress', 'shop-legacy', GATEWAY_FIXTURE).status.loadBalancer.ingress.map((e: any) => e.ip);
  t.strictSame(digSection(await ask('shop.gw.test', 'A'), 'ANSWER'), ing.map((ip: string) => `shop.gw.test. 5 IN A ${ip}`));
});

t.test('gateway_class in a Corefile; the synthesised Gateway address survives a fixture edit', { skip: digMissing }, async (t) => {
  const fixture = join(dir, 'cluster.yaml');
  copyFileSync(GATEWAY_FIXTURE, fixture);
  const cf = corefile('. {\n  kubernetes cluster.local\n  ingress gw.test {\n    gateway_class envoy\n    ttl 30\n  }\n}\n');
  const srv = await startCli(['--corefile', cf, '--fixtures', fixture, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const ask = (...a: string[]) => dig({ host: '127.0.0.1', port: srv.port }, a);
  const before = gatewayAddressOf('infra', 'public', fixture);
  t.equal(before.length, 1);
  t.strictSame(digSection(await ask('www.shop.gw.test', 'A'), 'ANSWER'), before.map((ip) => `www.shop.gw.test. 30 IN A ${ip}`));
  t.equal(digStatus(await ask('rpc.gw.test', 'A')), 'NXDOMAIN', 'gateway_class envoy: the istio Gateway\'s route is not served');

  // More Gateways without status and LoadBalancer Services: the first Gateway keeps its address.
  const extra = Array.from({ length: 10 }, (_, i) => `---
apiVersion: v1
kind: Service
metadata: {name: lb${i}, namespace: more}
spec: {type: LoadBalancer, selector: {app: x}, ports: [{port: 80}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw${i}, namespace: more}
spec: {gatewayClassName: envoy, listeners: [{name: h, protocol: HTTP, port: 80}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r${i}, namespace: more}
spec: {parentRefs: [{name: gw${i}}], hostnames: [more${i}.gw.test]}`).join('\n');
  writeFileSync(fixture, `${readFileSync(GATEWAY_FIXTURE, 'utf8')}\n${extra}\n`);
  let seen = 'NXDOMAIN';
  for (let i = 0; i < 50 && seen !== 'NOERROR'; i++) {
    seen = digStatus(await ask('more9.gw.test', 'A'));
    if (seen !== 'NOERROR') await new Promise((r) => setTimeout(r, 200));
  }
  t.equal(seen, 'NOERROR', 'the edit was picked up');
  t.strictSame(gatewayAddressOf('infra', 'public', fixture), before, 'synthesis agrees the address did not move');
  t.strictSame(digSection(await ask('www.shop.gw.test', 'A'), 'ANSWER'), before.map((ip) => `www.shop.gw.test. 30 IN A ${ip}`));
  const more = new Set<string>();
  for (let i = 0; i < 10; i++) {
    const [a] = gatewayAddressOf('more', `gw${i}`, fixture);
    t.strictSame(digSection(await ask(`more${i}.gw.test`, 'A'), 'ANSWER'), [`more${i}.gw.test. 30 IN A ${a}`]);
    more.add(a!);
  }
  t.equal(more.size, 10, 'each new Gateway its own address');
  t.notOk(more.has(before[0]!), 'none takes the first Gateway\'s');
});

t.test('--lb-address: a Gateway without status answers that one address', { skip: digMissing }, async (t) => {
  const srv = await startCli(['--fixtures', GATEWAY_FIXTURE, '--external-zone', 'gw.test', '--lb-address', '127.0.0.1', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  t.strictSame(digSection(await dig({ host: '127.0.0.1', port: srv.port }, ['shop.gw.test', 'A']), 'ANSWER'), ['shop.gw.test. 5 IN A 127.0.0.1']);
});

t.test('bad gateway_class and --gateway-class values are refused, naming the line or flag', async (t) => {
  const r = await runCli(['--corefile', corefile('. {\n  kubernetes cluster.local\n  ingress gw.test {\n    gateway_class Not_A_Class\n  }\n}\n'), '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.not(r.code, 0);
  t.match(r.stderr, /line 4: .*gateway_class NAME/);
  const f = await runCli(['--external-zone', 'gw.test', '--gateway-class', 'Bad!', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.equal(f.code, 2);
  t.match(f.stderr, /--gateway-class Bad!: expected a GatewayClass name/);
  const g = await runCli(['--gateway-class', 'envoy', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.match(g.stderr, /--gateway-class needs --external-zone/);
});
