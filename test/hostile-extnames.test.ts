// Many names on one address: 3000 Ingress hosts behind one controller LoadBalancer address. A PTR answer names at
// most MAX_PTR_PER_ADDRESS of them, the first in sorted order (the same set every time), and building the reverse
// index does not hold the server up: queries keep being answered, and the PTR comes within a second.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { startCli, stopCli } from './helpers/cli.js';
import { lbAddressOf } from './helpers/ingress.js';
import { MAX_PTR_PER_ADDRESS } from '../lib/plugins/ingress/reverse.js';
import { MAX_SRV } from '../lib/plugins/ingress/srv.js';

const N = 3000;
const CONTROLLER = `apiVersion: v1
kind: Namespace
metadata: { name: ingress-nginx }
---
apiVersion: v1
kind: Service
metadata: { name: ingress-nginx-controller, namespace: ingress-nginx }
spec:
  type: LoadBalancer
  ports: [ { name: http, port: 80 } ]
`;
const ingress = (i: number) => `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: app-${i}, namespace: default }
spec:
  ingressClassName: nginx
  rules: [ { host: app-${i}.many.test }, { host: www.app-${i}.many.test } ]
`;

t.test('thousands of names on one address: a bounded, stable PTR set', { skip: digMissing }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-extnames-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'many.yaml');
  writeFileSync(file, CONTROLLER + Array.from({ length: N }, (_, i) => ingress(i)).join(''));
  const ip = lbAddressOf('ingress-nginx', 'ingress-nginx-controller', file)[0]!;
  t.ok(ip, 'synthesis gives the controller an address');
  const srv = await startCli(['--fixtures', file, '--external-zone', 'many.test', '--listen', '127.0.0.1:0', '--admin', 'off'], 60_000);
  t.teardown(() => stopCli(srv.proc));
  const names = Array.from({ length: N }, (_, i) => [`app-${i}.many.test.`, `www.app-${i}.many.test.`]).flat().sort();

  const started = performance.now();
  const [ptr, a] = await Promise.all([dig(srv, ['-x', ip]), dig(srv, ['A', 'app-7.many.test'])]);
  const took = performance.now() - started;
  t.ok(took < 1000, `the first PTR (index built) and a query alongside in ${took.toFixed(0)} ms`);
  t.same(digSection(a, 'ANSWER').map((l) => l.split(' ')[4]), [ip], 'other names keep answering');
  const got = ptr.split('\n').filter((l) => /\tPTR\t/.test(l)).map((l) => l.trim().split(/\s+/)[4]);
  t.equal(got.length, MAX_PTR_PER_ADDRESS, `${N * 2} names on one address: ${MAX_PTR_PER_ADDRESS} PTRs`);
  t.same(got, names.slice(0, MAX_PTR_PER_ADDRESS), 'the first names in sorted order');
  const again = await dig(srv, ['+tcp', '-x', ip]);
  t.same(again.split('\n').filter((l) => /\tPTR\t/.test(l)).map((l) => l.trim().split(/\s+/)[4]), got, 'the same set over TCP, again');
  t.equal(digStatus(await dig(srv, ['-x', '172.18.255.1'])), 'NXDOMAIN', 'an address no name answers: NXDOMAIN from the cluster zone');
});

t.test('a LoadBalancer Service with 1000 named ports: SRV answers are bounded', { skip: digMissing }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-extnames-srv-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'ports.yaml');
  const ports = Array.from({ length: 1000 }, (_, i) => `    - { name: p${i}, port: ${1000 + i} }`).join('\n');
  writeFileSync(file, `apiVersion: v1\nkind: Service\nmetadata:\n  name: wide\n  namespace: default\n  annotations: { external-dns.alpha.kubernetes.io/hostname: wide.many.test }\nspec:\n  type: LoadBalancer\n  ports:\n${ports}\n`);
  const srv = await startCli(['--fixtures', file, '--external-zone', 'many.test', '--listen', '127.0.0.1:0', '--admin', 'off'], 60_000);
  t.teardown(() => stopCli(srv.proc));
  const started = performance.now();
  const all = await dig(srv, ['+tcp', 'SRV', 'wide.many.test']);
  const took = performance.now() - started;
  t.equal(digStatus(all), 'NOERROR');
  t.equal(digSection(all, 'ANSWER').length, MAX_SRV, `SRV at the host: ${MAX_SRV} of 1000 ports`);
  t.ok(took < 1000, `in ${took.toFixed(0)} ms`);
  const one = await dig(srv, ['SRV', '_p999._tcp.wide.many.test']);
  t.same(digSection(one, 'ANSWER').map((l) => l.split(' ').slice(4).join(' ')), ['0 100 1999 wide.many.test.'], 'one named port: its SRV');
});
