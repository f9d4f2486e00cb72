// Hostile Gateway API objects: more hostnames, parentRefs, listeners or status addresses than the CRD schemas allow
// (refused, naming the field; the rest serve), thousands of routes naming one host through many Gateways (the answer
// reads a bounded number of them), and a burst of queries for names that do not exist. The server keeps answering.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, stopCli } from './helpers/cli.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { MAX_GATEWAY_ADDRESSES, MAX_LISTENERS, MAX_PARENT_REFS, MAX_ROUTE_HOSTNAMES } from '../lib/cluster/validate-gateway.js';
import { MAX_ADDRESSES_PER_NAME } from '../lib/plugins/ingress/gateway-lookup.js';

const dir = mkdtempSync(join(tmpdir(), 'hostile-gateway-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const ZONE = 'gw.test';
const API = 'gateway.networking.k8s.io/v1';
const gw = (ns: string, name: string, ips: string[], hosts: string[] = []) => JSON.stringify({
  apiVersion: API, kind: 'Gateway', metadata: { name, namespace: ns },
  spec: { gatewayClassName: 'c', listeners: hosts.length ? hosts.map((hostname, i) => ({ name: `l${i}`, protocol: 'HTTP', port: 80, hostname })) : [{ name: 'l', protocol: 'HTTP', port: 80 }] },
  status: { addresses: ips.map((value) => ({ type: 'IPAddress', value })) },
});
const route = (ns: string, name: string, hostnames: string[], parents: string[]) => JSON.stringify({
  apiVersion: API, kind: 'HTTPRoute', metadata: { name, namespace: ns },
  spec: { parentRefs: parents.map((p) => ({ name: p.split('/')[1], namespace: p.split('/')[0] })), hostnames },
});

t.test('hostile Gateway API objects are bounded; the server keeps answering', { skip: digMissing }, async (t) => {
  const gateways = 50;
  const crowd = 2000;
  const docs = [
    gw('g', 'good', ['192.0.2.7']),
    route('x', 'too-many-hostnames', Array.from({ length: MAX_ROUTE_HOSTNAMES + 1 }, (_, i) => `h${i}.${ZONE}`), ['g/good']),
    route('x', 'too-many-parents', [`parents.${ZONE}`], Array.from({ length: MAX_PARENT_REFS + 1 }, () => 'g/good')),
    gw('g', 'too-many-listeners', ['192.0.2.8'], Array.from({ length: MAX_LISTENERS + 1 }, (_, i) => `l${i}.${ZONE}`)),
    gw('g', 'too-many-addresses', Array.from({ length: MAX_GATEWAY_ADDRESSES + 1 }, (_, i) => `10.3.0.${i}`), [`addr.${ZONE}`]),
    // 50 Gateways of 16 addresses each, and thousands of routes naming one host through all of them
    ...Array.from({ length: gateways }, (_, i) => gw('many', `gw${i}`, Array.from({ length: MAX_GATEWAY_ADDRESSES }, (_, j) => `10.4.${i}.${j}`))),
    ...Array.from({ length: crowd }, (_, i) => route(`n${i % 50}`, `same-${i}`, [`same.${ZONE}`], Array.from({ length: MAX_PARENT_REFS }, (_, j) => `many/gw${(i + j) % gateways}`))),
    route('x', 'good', [`good.${ZONE}`], ['g/good']),
  ];
  const file = join(dir, 'hostile.yaml');
  writeFileSync(file, docs.join('\n---\n'));
  const srv = await startCli(['--fixtures', file, '--external-zone', ZONE, '--listen', '127.0.0.1:0', '--admin', 'off'], 60_000);
  t.teardown(() => stopCli(srv.proc));
  const ask = (...a: string[]) => dig({ host: '127.0.0.1', port: srv.port }, a);

  t.match(srv.stderr(), /too-many-hostnames[^\n]*spec\.hostnames[^\n]*at most 16/);
  t.match(srv.stderr(), /too-many-parents[^\n]*spec\.parentRefs[^\n]*at most 32/);
  t.match(srv.stderr(), /too-many-listeners[^\n]*spec\.listeners[^\n]*at most 64/);
  t.match(srv.stderr(), /too-many-addresses[^\n]*status\.addresses[^\n]*at most 16/);
  for (const n of ['h0', 'parents', 'l0', 'addr']) t.equal(digStatus(await ask(`${n}.${ZONE}`, 'A')), 'NXDOMAIN', `${n}: the refused object serves nothing`);
  t.strictSame(digSection(await ask(`good.${ZONE}`, 'A'), 'ANSWER').map((l) => l.split(/\s+/)[4]), ['192.0.2.7'], 'a good route next to them serves');

  const started = performance.now();
  const same = await ask('+tcp', `same.${ZONE}`, 'A');
  t.equal(digStatus(same), 'NOERROR');
  const n = digSection(same, 'ANSWER').length;
  t.ok(n > 0 && n <= MAX_ADDRESSES_PER_NAME, `one name listed by ${crowd} routes through ${gateways} Gateways answers a bounded number of addresses (${n})`);
  t.ok(performance.now() - started < 1000, 'and quickly');

  const t0 = performance.now();
  for (let i = 0; i < 100; i++) t.equal(digStatus(await ask(`missing-${i}.${ZONE}`, 'A')), 'NXDOMAIN');
  t.ok(performance.now() - t0 < 20_000, '100 NXDOMAINs in bounded time');
  t.strictSame(digSection(await ask(`good.${ZONE}`, 'A'), 'ANSWER').length, 1, 'still answering');
});
