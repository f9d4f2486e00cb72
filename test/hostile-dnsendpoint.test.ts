// Hostile DNSEndpoints and Gateway API lists. A DNSEndpoint at every bound (256 endpoints, 64 TXT targets of 4 KiB)
// loads and answers within a DNS message (UDP: truncated, TCP: cut to ~32 KiB, never refused or dropped); one past a
// bound is refused naming the field; in live mode a route list past the object bound fails with that bound named
// while the last good state keeps answering, and the server keeps answering throughout.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Prober } from '../bench/probe.js';
import { MAX_DNS_ENDPOINTS, MAX_DNS_TARGETS, MAX_TXT_BYTES } from '../lib/cluster/validate-dnsendpoint.js';
import { startCli, stopCli } from './helpers/cli.js';
import { dig, digMissing, digStatus } from './helpers/dig.js';
import { query } from './helpers/dns-client.js';
import { until } from './helpers/until.js';
import { data, gateway, liveSetup, route, ZONE } from './gateway-live-helpers.js';

const dep = (name: string, endpoints: object[]) => ({ apiVersion: 'externaldns.k8s.io/v1alpha1', kind: 'DNSEndpoint', metadata: { name, namespace: 'web' }, spec: { endpoints } });

t.test('DNSEndpoints at and past every bound (fixture mode)', { skip: digMissing }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-dnsendpoint-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const txt = (i: number) => `${String(i).padStart(4, '0')}${'x'.repeat(MAX_TXT_BYTES - 4)}`;
  const atBounds = [
    { dnsName: `big.${ZONE}`, recordType: 'TXT', targets: Array.from({ length: MAX_DNS_TARGETS }, (_, i) => txt(i)) },
    ...Array.from({ length: MAX_DNS_ENDPOINTS - 1 }, (_, i) => ({ dnsName: `n${i}.${ZONE}`, recordType: 'A', targets: ['198.51.100.1'] })),
  ];
  const docs = [
    dep('at-bounds', atBounds),
    dep('too-many', Array.from({ length: MAX_DNS_ENDPOINTS + 1 }, (_, i) => ({ dnsName: `m${i}.${ZONE}`, recordType: 'A', targets: ['198.51.100.2'] }))),
    dep('too-long', [{ dnsName: `long.${ZONE}`, recordType: 'TXT', targets: ['y'.repeat(MAX_TXT_BYTES + 1)] }]),
    dep('bad-name', [{ dnsName: `-x..${ZONE}`, recordType: 'A', targets: ['198.51.100.3'] }]),
    dep('ok', [{ dnsName: `ok.${ZONE}`, recordType: 'A', targets: ['198.51.100.4'] }]),
  ];
  writeFileSync(join(dir, 'h.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs }));
  const srv = await startCli(['--fixtures', dir, '--external-zone', ZONE, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const probe = new Prober(srv.port, `ok.${ZONE}`);
  probe.start(2);
  t.teardown(() => probe.stop());
  const from = performance.now();

  const udp = await dig({ host: '127.0.0.1', port: srv.port }, [`big.${ZONE}`, 'TXT', '+ignore', '+bufsize=1232']);
  t.match(udp, /flags: qr aa tc/, 'UDP: truncated');
  const tcp = await dig({ host: '127.0.0.1', port: srv.port }, [`big.${ZONE}`, 'TXT', '+tcp']);
  t.equal(digStatus(tcp), 'NOERROR');
  const size = Number(/MSG SIZE\s+rcvd: (\d+)/.exec(tcp)?.[1]);
  const count = Number(/ANSWER: (\d+)/.exec(tcp)?.[1]);
  t.ok(count >= 1 && count < MAX_DNS_TARGETS, `TCP: ${count} of ${MAX_DNS_TARGETS} targets in ${size} bytes`);
  t.ok(size < 40_000, 'within the answer budget');
  t.strictSame(data(await query(srv.port, `n${MAX_DNS_ENDPOINTS - 2}.${ZONE}`, 'A')), ['198.51.100.1'], 'the last endpoint at the bound answers');

  const log = srv.stderr();
  t.match(log, new RegExp(`"too-many\\\\" is invalid: spec\\.endpoints: .*must have at most ${MAX_DNS_ENDPOINTS} items`));
  t.match(log, new RegExp(`"too-long\\\\" is invalid: spec\\.endpoints\\[0\\]\\.targets\\[0\\]: .*at most ${MAX_TXT_BYTES} bytes`));
  t.match(log, /"bad-name\\" is invalid: spec\.endpoints\[0\]\.dnsName/);
  for (const n of [`m0.${ZONE}`, `long.${ZONE}`]) t.equal((await query(srv.port, n, 'A')).rcode, 'NXDOMAIN', `${n}: refused object not served`);

  const w = probe.worst(from, performance.now());
  t.ok(w.answered > 10 && w.lost === 0, `kept answering, none lost (${w.answered} probes answered, ${w.lost} lost, worst ${w.maxMs.toFixed(1)} ms)`);
  t.ok(w.maxMs < 1000, 'no stall over a second');
});

t.test('a route list past the object bound: the bound named, the last good state answers', async (t) => {
  process.env.CLUSTERDNS_API_LIMITS = 'listObjects=1000';
  t.teardown(() => { delete process.env.CLUSTERDNS_API_LIMITS; });
  const { api, srv, ask } = await liveSetup(t);
  api.apply(gateway('gw', { addresses: ['198.51.100.30'] }));
  api.apply(route('HTTPRoute', 'good', [`good.${ZONE}`], ['gw']));
  t.strictSame(data(await until(() => ask(`good.${ZONE}`), (r) => data(r).length === 1, 10_000)), ['198.51.100.30']);
  // 1,500 routes appear while the history is compacted, then the watches drop: the relist is over the bound
  api.load(Array.from({ length: 1500 }, (_, i) => route('HTTPRoute', `r${i}`, [`r${i}.${ZONE}`], ['gw'])));
  api.cutWatches();
  await until(async () => srv.stderr(), (e) => /httproutes over 1000 objects/.test(e), 10_000);
  t.match(srv.stderr(), /a list of httproutes over 1000 objects/, 'the bound is named');
  t.strictSame(data(await ask(`good.${ZONE}`)), ['198.51.100.30'], 'the last good state answers');
  t.equal((await ask(`r1.${ZONE}`)).rcode, 'NXDOMAIN', 'nothing of the over-long list was taken');
});
