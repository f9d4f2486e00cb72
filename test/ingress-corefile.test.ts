// The `ingress` directive in a Corefile, and the stability of an Ingress's synthesised address across a fixture
// edit. Expected values come from the fixture and the library's synthesis of it.
import t from 'tap';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startCli, stopCli } from './helpers/cli.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { INGRESS_FIXTURE, lbAddressOf } from './helpers/ingress.js';

const dir = mkdtempSync(join(tmpdir(), 'ingress-corefile-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const corefile = (text: string) => {
  const p = join(dir, `Corefile.${Math.random().toString(36).slice(2)}`);
  writeFileSync(p, text);
  return p;
};

t.test('ingress ZONE { class; ttl } in a Corefile; the address survives a fixture edit', { skip: digMissing }, async (t) => {
  const fixture = join(dir, 'cluster.yaml');
  copyFileSync(INGRESS_FIXTURE, fixture);
  const cf = corefile('. {\n  kubernetes cluster.local\n  ingress dev.test apps.test {\n    class nginx\n    ttl 30\n  }\n}\n');
  const srv = await startCli(['--corefile', cf, '--fixtures', fixture, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  t.notMatch(srv.stderr(), /not implemented[^\n]*ingress/);
  const ask = (...a: string[]) => dig({ host: '127.0.0.1', port: srv.port }, a);
  const before = lbAddressOf('ingress-nginx', 'ingress-nginx-controller', fixture);
  t.strictSame(digSection(await ask('shop.dev.test', 'A'), 'ANSWER'), before.map((ip) => `shop.dev.test. 30 IN A ${ip}`));
  t.equal(digStatus(await ask('edge.apps.test', 'A')), 'NXDOMAIN', 'class nginx: the traefik Ingress is not served');
  t.equal(digStatus(await ask('nope.example.org', 'A')), 'SERVFAIL', 'outside its zones: on down the chain (a Corefile block ends in SERVFAIL)');

  // More LoadBalancers and Ingresses: the controller keeps its address (synthesis is stable under additions).
  const extra = Array.from({ length: 12 }, (_, i) => `---
apiVersion: v1
kind: Service
metadata: {name: lb${i}, namespace: more}
spec: {type: LoadBalancer, selector: {app: x}, ports: [{port: 80}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: more${i}, namespace: more}
spec: {ingressClassName: nginx, rules: [{host: more${i}.dev.test}]}`).join('\n');
  writeFileSync(fixture, `${readFileSync(INGRESS_FIXTURE, 'utf8')}\n${extra}\n`);
  let seen = 'NXDOMAIN';
  for (let i = 0; i < 50 && seen !== 'NOERROR'; i++) {
    seen = digStatus(await ask('more11.dev.test', 'A'));
    if (seen !== 'NOERROR') await new Promise((r) => setTimeout(r, 200));
  }
  t.equal(seen, 'NOERROR', 'the edit was picked up');
  t.strictSame(lbAddressOf('ingress-nginx', 'ingress-nginx-controller', fixture), before, 'synthesis agrees the address did not move');
  t.strictSame(digSection(await ask('shop.dev.test', 'A'), 'ANSWER'), before.map((ip) => `shop.dev.test. 30 IN A ${ip}`));
  t.strictSame(digSection(await ask('more3.dev.test', 'A'), 'ANSWER'), before.map((ip) => `more3.dev.test. 30 IN A ${ip}`));
});

t.test('bad ingress directives name the Corefile line', async (t) => {
  for (const [body, re] of [
    ['ingress . ', /root zone/],
    ['ingress dev.test {\n    ttl 99999\n  }', /line 4: .*ttl must be in range/],
    ['ingress dev.test {\n    class Not_A_Class\n  }', /line 4: .*class NAME/],
    ['ingress dev.test {\n    gateway x\n  }', /line 4: .*unknown property 'gateway'/],
  ] as const) {
    const r = await runCli(['--corefile', corefile(`. {\n  kubernetes cluster.local\n  ${body}\n}\n`), '--listen', '127.0.0.1:0', '--admin', 'off']);
    t.not(r.code, 0, body);
    t.match(r.stderr, re, body);
  }
  const flags = await runCli(['--ingress-class', 'nginx', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.equal(flags.code, 2);
  t.match(flags.stderr, /--ingress-class needs --external-zone/);
  const zone = await runCli(['--external-zone', 'cluster.local', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.match(zone.stderr, /--external-zone cluster.local: that is a cluster zone/);
});
