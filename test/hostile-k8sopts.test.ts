// Hostile input for the kubernetes options: every bad value is refused with its Corefile line (and the real
// executable exits with it), and a flood of the longest zonal names a query can carry (127 labels, 255 bytes,
// distinct each time so the answer cache never helps) against a 2,000-endpoint headless Service leaves the server
// answering, with no long gap for a steady prober.
import t from 'tap';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import packet from 'dns-packet';
import { Prober } from '../bench/probe.js';
import { corefileToConfig } from '../lib/corefile/to-config.js';
import { parseCorefile } from '../lib/corefile/parse.js';
import { runCli, startCli, stopCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';

t.setTimeout(180_000);
const dir = mkdtempSync(path.join(os.tmpdir(), 'hostile-k8sopts-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const block = (opts: string) => `.:53 {\n  kubernetes cluster.local {\n${opts}\n  }\n}\n`;
const map = (text: string) => corefileToConfig(parseCorefile(text, { env: {} }), { file: 'Corefile' });

t.test('bad option values are refused with the line', async (t) => {
  const bad: [string, RegExp][] = [
    ['startup_timeout', /line 3: startup_timeout: expected startup_timeout DURATION/],
    ['startup_timeout 5', /line 3: startup_timeout: "5" is not a duration from 0s to 600s/],
    ['startup_timeout -1s', /is not a duration/],
    ['startup_timeout 11m', /"11m" is not a duration from 0s to 600s/],
    ['startup_timeout 1h', /is not a duration/],
    [`startup_timeout ${'9'.repeat(40)}s`, /is not a duration/],
    ['startup_timeout 1s 2s', /expected startup_timeout DURATION/],
    ['apiserver_qps', /line 3: apiserver_qps: expected apiserver_qps QPS/],
    ['apiserver_qps -1', /apiserver_qps: "-1" is not a number from 0 to 100000/],
    ['apiserver_qps 1e3', /"1e3" is not a number/],
    ['apiserver_qps NaN', /"NaN" is not a number/],
    ['apiserver_qps Infinity', /"Infinity" is not a number/],
    ['apiserver_qps 0x10', /"0x10" is not a number/],
    ['apiserver_qps 100000.5', /is not a number from 0 to 100000/],
    ['apiserver_burst 1.5', /apiserver_burst: "1.5" is not a whole number from 0 to 100000/],
    ['apiserver_burst -1', /is not a whole number/],
    ['apiserver_burst 100001', /is not a whole number from 0 to 100000/],
    ['apiserver_burst 99999999999999999999', /is not a whole number/],
    ['apiserver_max_inflight 10001', /apiserver_max_inflight: "10001" is not a whole number from 0 to 10000/],
    ['apiserver_max_inflight two', /is not a whole number/],
    ['zonal yes', /line 3: zonal: takes no arguments/],
    ['noendpoints please', /line 3: noendpoints: takes no arguments/],
    ['ignore', /line 3: ignore: only "ignore empty_service" exists/],
    ['ignore empty_services', /only "ignore empty_service" exists/],
    ['noendpoints\n    zonal', /line 4: zonal requires the endpoint data; remove noendpoints/],
    [`fallthrough ${Array.from({ length: 65 }, (_, i) => `z${i}.test`).join(' ')}`, /line 3: fallthrough: expected fallthrough \[ZONE\.\.\.\] \(at most 64 zones\)/],
    ['fallthrough 10.0.0.0/7', /line 3: zone "10.0.0.0\/7": the prefix length must be 8, 16, 24 or 32/],
  ];
  for (const [opts, msg] of bad) t.throws(() => map(block(`    ${opts}`)), msg, opts.slice(0, 60));
  // The edges that are allowed.
  const ok = map(block('    startup_timeout 0s\n    apiserver_qps 0\n    apiserver_burst 0\n    apiserver_max_inflight 0\n    fallthrough .'));
  t.equal(ok.config.startupTimeoutMs, 0);
  t.equal(ok.config.apiQps, 0);
  t.strictSame(ok.config.fallthrough, [''], '"." falls through everywhere');
  const top = map(block('    startup_timeout 10m\n    apiserver_qps 100000\n    apiserver_burst 100000\n    apiserver_max_inflight 10000\n    ignore empty_service'));
  t.equal(top.config.startupTimeoutMs, 600_000);
  t.strictSame([top.config.apiQps, top.config.apiBurst, top.config.apiMaxInflight], [100_000, 100_000, 10_000]);
  t.strictSame(top.warnings, [], 'no "not implemented" warning for any of them');

  const slow = map(block('    apiserver_qps 0.01'));
  t.match(slow.warnings, [/line 3: apiserver_qps 0\.01: one API request every 100 s/], 'a rate below one a second is said to be slow');
  const file = path.join(dir, 'Corefile.bad');
  writeFileSync(file, block('    apiserver_qps lots'));
  const r = await runCli(['--corefile', file, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.equal(r.code, 2, 'the executable refuses to start');
  t.match(r.stderr, `${file} line 3: apiserver_qps: "lots" is not a number from 0 to 100000`);
});

t.test('a flood of the longest zonal names leaves the server answering', async (t) => {
  const ZONES = 10;
  const endpoints = Array.from({ length: 2000 }, (_, i) => ({
    addresses: [`10.${100 + Math.floor(i / 250)}.${i % 250}.1`], conditions: { ready: true }, zone: `zone-${i % ZONES}`,
  }));
  const docs = [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'big', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ name: 'p', port: 1 }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'steady', namespace: 'default' }, spec: { clusterIP: '10.96.0.50', ports: [{ name: 'p', port: 1 }] } },
    ...[0, 1].map((s) => ({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: `big-${s}`, namespace: 'default', labels: { 'kubernetes.io/service-name': 'big' } },
      addressType: 'IPv4', ports: [{ name: 'p', port: 1, protocol: 'TCP' }], endpoints: endpoints.slice(s * 1000, s * 1000 + 1000),
    })),
  ];
  const fixture = path.join(dir, 'big.yaml');
  writeFileSync(fixture, docs.map((d) => JSON.stringify(d)).join('\n---\n'));
  const corefile = path.join(dir, 'Corefile.zonal');
  writeFileSync(corefile, block('    zonal'));
  const srv = await startCli(['--corefile', corefile, '--fixtures', fixture, '--listen', '127.0.0.1:0', '--admin', 'off', '--log-level', 'warn']);
  t.teardown(() => stopCli(srv.proc));

  const tail = 'pin._zone.big.default.svc.cluster.local';
  const one = await query(srv.port, `zone-3.${tail}`, 'A', { tcp: true });
  t.equal(one.answers?.length, endpoints.filter((e) => e.zone === 'zone-3').length, 'a pin name: the zone\'s 200 endpoints (over TCP)');

  const prober = new Prober(srv.port, 'steady.default.svc.cluster.local');
  prober.start(2);
  t.teardown(() => prober.stop());
  const from = performance.now();
  const sock = dgram.createSocket('udp4');
  t.teardown(() => sock.close());
  let replies = 0;
  sock.on('message', () => { replies++; });
  // 127 one-character labels of zone value in front of the directive, distinct per query; prefer names of an
  // unknown zone make the server walk every endpoint twice.
  const longName = (i: number, directive: string) => {
    const labels = (i.toString(36) + 'x'.repeat(200)).slice(0, 250 - tail.length - 2).split('').join('.');
    return `${labels.slice(0, 253 - tail.length - 1).replace(/\.$/, '')}.${directive === 'pin' ? tail : tail.replace(/^pin/, 'prefer')}`;
  };
  const N = 6000;
  // ~2,500 queries a second: a flood, not saturation (each prefer name of an unknown zone builds 2,000 records)
  const PACE_MS = 20;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const name = longName(i, i % 2 ? 'pin' : 'prefer');
    sock.send(packet.encode({ type: 'query', id: i & 0xffff, questions: [{ type: i % 3 ? 'A' : 'SRV', name }] }), srv.port, '127.0.0.1');
    if (i % 100 === 99) await new Promise((r) => setTimeout(r, PACE_MS));
  }
  const sendMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 1500));
  t.comment(`sent ${N} in ${sendMs.toFixed(0)} ms; ${replies} replies`);
  const w = prober.worst(from, performance.now());
  t.ok(replies > N / 2, `${replies} of ${N} flood queries answered (UDP may drop some)`);
  t.ok(w.answered > 20, `probe answered ${w.answered}`);
  t.ok(w.maxGapMs < 1000, `longest gap for the prober during the flood: ${w.maxGapMs.toFixed(1)} ms`);
  const after = await query(srv.port, 'steady.default.svc.cluster.local', 'A');
  t.equal(after.answers?.[0]?.data, '10.96.0.50', 'still answering afterwards');
});
