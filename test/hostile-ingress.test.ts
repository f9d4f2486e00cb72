// Hostile Ingresses: too many hosts or status entries (refused, naming the field, the rest serve), thousands of
// Ingresses naming one host (the answer reads a bounded number of them), long names near the 253-byte limit, and
// a burst of queries for names that do not exist. The server keeps answering throughout.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, stopCli } from './helpers/cli.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { MAX_INGRESS_ADDRESSES, MAX_INGRESS_HOSTS } from '../lib/cluster/validate-ingress.js';

const dir = mkdtempSync(join(tmpdir(), 'hostile-ingress-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const ZONE = 'dev.test';
const ing = (ns: string, name: string, hosts: string[], ips: string[] = ['192.0.2.1']) => JSON.stringify({
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: ns },
  spec: { rules: hosts.map((host) => ({ host })) },
  status: { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } },
});

t.test('hostile Ingresses are bounded; the server keeps answering', { skip: digMissing }, async (t) => {
  const many = Array.from({ length: MAX_INGRESS_HOSTS + 1 }, (_, i) => `h${i}.${ZONE}`);
  const statuses = Array.from({ length: MAX_INGRESS_ADDRESSES + 1 }, (_, i) => `10.1.${i >> 8}.${i & 255}`);
  // The longest name that still fits, 4 labels of 63 under the zone would not: 3 of 63 plus a short one.
  const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(50)}.${ZONE}`;
  const crowd = 3000;
  const docs = [
    ing('x', 'too-many-hosts', many),
    ing('x', 'too-many-addresses', ['fine.' + ZONE], statuses),
    ing('x', 'long', [long], ['192.0.2.9']),
    ...Array.from({ length: crowd }, (_, i) => ing(`n${i % 50}`, `same-${i}`, [`same.${ZONE}`], [`10.2.${i >> 8}.${i & 255}`])),
    ing('x', 'good', [`good.${ZONE}`], ['192.0.2.7']),
  ];
  const file = join(dir, 'hostile.yaml');
  writeFileSync(file, docs.join('\n---\n'));
  const srv = await startCli(['--fixtures', file, '--external-zone', ZONE, '--listen', '127.0.0.1:0', '--admin', 'off'], 60_000);
  t.teardown(() => stopCli(srv.proc));
  const ask = (...a: string[]) => dig({ host: '127.0.0.1', port: srv.port }, a);

  t.match(srv.stderr(), /too-many-hosts[^\n]*spec\.rules[^\n]*at most 256 hosts/);
  t.match(srv.stderr(), /too-many-addresses[^\n]*status\.loadBalancer\.ingress[^\n]*at most 100/);
  t.equal(digStatus(await ask(`h0.${ZONE}`, 'A')), 'NXDOMAIN', 'the refused Ingress serves nothing');
  t.equal(digStatus(await ask(`fine.${ZONE}`, 'A')), 'NXDOMAIN');
  t.strictSame(digSection(await ask(`good.${ZONE}`, "A"), "ANSWER").length, 1, 'a good Ingress next to them serves');
  t.strictSame(digSection(await ask(long, 'A'), 'ANSWER').map((l) => l.split(/\s+/)[4]), ['192.0.2.9']);

  const started = performance.now();
  const same = await ask('+tcp', `same.${ZONE}`, 'A');
  t.equal(digStatus(same), 'NOERROR');
  const n = digSection(same, 'ANSWER').length;
  t.ok(n > 0 && n <= 64, `one name listed by ${crowd} Ingresses answers from a bounded number of them (${n})`);
  t.ok(performance.now() - started < 1000, 'and quickly');

  const t0 = performance.now();
  for (let i = 0; i < 100; i++) t.equal(digStatus(await ask(`missing-${i}.${ZONE}`, 'A')), 'NXDOMAIN');
  t.ok(performance.now() - t0 < 20_000, '100 NXDOMAINs in bounded time');
  t.strictSame(digSection(await ask(`good.${ZONE}`, "A"), "ANSWER").length, 1, 'still answering');
});
