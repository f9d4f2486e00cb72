// Hostile input for `multicluster` and `namespace_labels`: ServiceImports and imported slices the API server would
// refuse (in fixtures, and served by an API server that does not validate), a large cluster set under a query
// flood, and selectors built to be slow or huge. Each is bounded or refused with the field to fix; the server
// keeps answering.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { Prober } from '../bench/probe.js';
import { MAX_REQUIREMENTS, MAX_SELECTOR_LENGTH, parseSelectorString, selectorMatches } from '../lib/cluster/label-selector.js';
import { FakeApiServer, kubeconfigFor } from './fake-apiserver.js';
import { runCli, startCli, stopCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';
import { until } from './helpers/until.js';
import { waitFor } from './live-helpers.js';
import { corefile, mcsSlice, serviceImport, writeList, type Raw } from './multicluster-helpers.js';

const Z = 'clusterset.local';
const tmp = (t: { teardown(fn: () => void): void }) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hostile-mcs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

/** Refused objects, each with what its warning must say. */
const BAD: { kind: string; name: string; why: RegExp; obj: Raw }[] = [
  { kind: 'ServiceImport', name: 'bad-type', why: /spec\.type: Invalid value: "LoadBalancer": Unsupported value/, obj: serviceImport('shop', 'bad-type', { type: 'LoadBalancer', ips: ['10.42.1.1'], ports: [{ port: 80 }] }) },
  { kind: 'ServiceImport', name: 'no-type', why: /spec\.type: Required value/, obj: serviceImport('shop', 'no-type', { ips: ['10.42.1.2'], ports: [{ port: 80 }] }) },
  { kind: 'ServiceImport', name: 'bad-ip', why: /spec\.ips\[0\]: Invalid value: "10\.42\.1\.300"/, obj: serviceImport('shop', 'bad-ip', { type: 'ClusterSetIP', ips: ['10.42.1.300'], ports: [{ port: 80 }] }) },
  { kind: 'ServiceImport', name: 'bad-port', why: /spec\.ports\[0\]\.port: Invalid value: 70000/, obj: serviceImport('shop', 'bad-port', { type: 'ClusterSetIP', ips: ['10.42.1.4'], ports: [{ name: 'http', port: 70000 }] }) },
  { kind: 'ServiceImport', name: 'many-ips', why: /spec\.ips: .*at most two entries/, obj: serviceImport('shop', 'many-ips', { type: 'ClusterSetIP', ips: ['10.42.1.5', '10.42.1.6', '10.42.1.7'], ports: [{ port: 80 }] }) },
  { kind: 'ServiceImport', name: 'no-port', why: /spec\.ports\[0\]\.port: Required value/, obj: serviceImport('shop', 'no-port', { type: 'ClusterSetIP', ips: ['10.42.1.8'], ports: [{ name: 'http' }] }) },
  { kind: 'ServiceImport', name: 'bad-portname', why: /spec\.ports\[0\]\.name: Invalid value: "Not_A_Label"/, obj: serviceImport('shop', 'bad-portname', { type: 'ClusterSetIP', ips: ['10.42.1.11'], ports: [{ name: 'Not_A_Label', port: 80 }] }) },
  { kind: 'ServiceImport', name: 'Dotted.Name', why: /metadata\.name: .*DNS-1035/, obj: serviceImport('shop', 'Dotted.Name', { type: 'ClusterSetIP', ips: ['10.42.1.9'], ports: [{ port: 80 }] }) },
  { kind: 'ServiceImport', name: 'huge-ports', why: /spec\.ports: Invalid value: 5000: must have at most 100 items/, obj: serviceImport('shop', 'huge-ports', { type: 'ClusterSetIP', ips: ['10.42.1.10'], ports: Array.from({ length: 5000 }, (_, i) => ({ name: `p${i}`, port: 1 + (i % 65535) })) }) },
  { kind: 'EndpointSlice', name: 'db-bad-cluster', why: /metadata\.labels\[multicluster\.kubernetes\.io\/source-cluster\]/, obj: { ...mcsSlice('shop', 'db', 'x'.repeat(70), [{ ip: '10.1.9.9' }]), metadata: { name: 'db-bad-cluster', namespace: 'shop', labels: { 'multicluster.kubernetes.io/service-name': 'db', 'multicluster.kubernetes.io/source-cluster': `-${'x'.repeat(70)}` } } } },
];

const GOOD: Raw[] = [
  serviceImport('shop', 'web', { type: 'ClusterSetIP', ips: ['10.42.0.1'], ports: [{ name: 'http', protocol: 'TCP', port: 80 }] }),
  serviceImport('shop', 'db', { type: 'Headless', ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }] }),
  mcsSlice('shop', 'db', 'east', [{ ip: '10.1.0.5', hostname: 'db-0' }]),
];

t.test('refused ServiceImports and slices in fixtures: each named with the field to fix, the rest serves', async (t) => {
  const dir = tmp(t);
  const fixture = path.join(dir, 'mcs.json');
  writeList(fixture, [...BAD.map((b) => b.obj), ...GOOD]);
  const cli = await startCli(['--corefile', corefile(dir, [`multicluster ${Z}`]), '--fixtures', fixture, '--listen', '127.0.0.1:0', '--admin', 'off', '--log-level', 'warn']);
  t.teardown(() => stopCli(cli.proc));
  const refusals = () => cli.stderr().split('\n').filter((l) => l.includes('API server would refuse')).map((l) => JSON.parse(l));
  await waitFor('every refusal logged', () => refusals().length >= BAD.length, 5000);
  t.equal(refusals().length, BAD.length, 'one warning per refused object');
  for (const b of BAD) {
    const w = refusals().find((x) => x.kind === b.kind && x.name === b.name);
    t.ok(w, `${b.kind} ${b.name} is named`);
    if (w) t.match(w.msg, b.why, 'with what to fix');
  }
  t.same((await query(cli.port, `web.shop.svc.${Z}`, 'A')).answers?.map((a) => a.data), ['10.42.0.1'], 'a good ServiceImport serves');
  t.same((await query(cli.port, `db.shop.svc.${Z}`, 'A')).answers?.map((a) => a.data), ['10.1.0.5'], 'a refused slice adds nothing to its ServiceImport');
  for (const name of ['bad-type', 'bad-ip', 'bad-port', 'many-ips', 'huge-ports']) {
    t.equal((await query(cli.port, `${name}.shop.svc.${Z}`, 'A')).rcode, 'NXDOMAIN', `${name} does not exist`);
  }

  const wrongVersion = path.join(dir, 'v1beta1.json');
  writeList(wrongVersion, [{ ...GOOD[0], apiVersion: 'multicluster.x-k8s.io/v1beta1' }]);
  const r = await runCli(['--corefile', corefile(dir, [`multicluster ${Z}`]), '--fixtures', wrongVersion, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.equal(r.code, 1, 'an API version clusterdns does not read is a fixture error, as for EndpointSlices');
  t.match(r.stderr, /apiVersion multicluster\.x-k8s\.io\/v1beta1 is not supported, use multicluster\.x-k8s\.io\/v1alpha1/);
});

t.test('an API server that serves refused ServiceImports: skipped and logged, the rest keeps serving', async (t) => {
  const api = await FakeApiServer.start();
  t.teardown(() => api.close());
  api.load([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, ...GOOD, ...BAD.map((b) => b.obj)] as any);
  const dir = tmp(t);
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(api));
  const cli = await startCli(['--corefile', corefile(dir, [`kubeconfig ${kubeconfig}`, `multicluster ${Z}`]), '--source', 'kubernetes', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(cli.proc));
  const web = await until(() => query(cli.port, `web.shop.svc.${Z}`, 'A'), (a) => a.rcode === 'NOERROR', 5000);
  t.same(web.answers?.map((a) => a.data), ['10.42.0.1']);
  await waitFor('the refusals logged', () => cli.stderr().includes('huge-ports'), 5000);
  t.match(cli.stderr(), /ServiceImport shop\/\\"bad-port\\" is invalid: spec\.ports\[0\]\.port: Invalid value: 70000/, 'named as kubectl would');
  t.equal((await query(cli.port, `bad-port.shop.svc.${Z}`, 'A')).rcode, 'NXDOMAIN');
  // Fixed in the cluster while running: it serves.
  api.apply(serviceImport('shop', 'bad-port', { type: 'ClusterSetIP', ips: ['10.42.1.4'], ports: [{ name: 'http', port: 8080 }] }) as any);
  const fixed = await until(() => query(cli.port, `bad-port.shop.svc.${Z}`, 'A'), (a) => a.rcode === 'NOERROR', 5000);
  t.same(fixed.answers?.map((a) => a.data), ['10.42.1.4'], 'once valid, it answers');
});

t.test('a large cluster set under a query flood keeps answering', async (t) => {
  const dir = tmp(t);
  const fixture = path.join(dir, 'big.json');
  const IMPORTS = 10_000;
  const HEADLESS = 2_000;
  const items: Raw[] = [];
  for (let i = 0; i < IMPORTS; i++) {
    items.push(serviceImport(`ns${i % 50}`, `svc${i}`, { type: 'ClusterSetIP', ips: [`10.${40 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`], ports: [{ name: 'http', protocol: 'TCP', port: 80 }] }));
  }
  for (let i = 0; i < HEADLESS; i++) {
    items.push(serviceImport(`ns${i % 50}`, `hl${i}`, { type: 'Headless', ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }] }));
    for (const c of ['east', 'west']) items.push(mcsSlice(`ns${i % 50}`, `hl${i}`, c, [0, 1, 2].map((k) => ({ ip: `10.${c === 'east' ? 1 : 2}.${i >> 6}.${((i & 63) << 2) + k}` }))));
  }
  writeList(fixture, items);
  const began = performance.now();
  const cli = await startCli(['--corefile', corefile(dir, [`multicluster ${Z}`]), '--fixtures', fixture, '--listen', '127.0.0.1:0', '--admin', 'off'], 60_000);
  t.teardown(() => stopCli(cli.proc));
  const startMs = performance.now() - began;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${cli.proc.pid}/status`, 'utf8'))![1]) / 1024;
  t.comment(`${IMPORTS} ClusterSetIP + ${HEADLESS} Headless ServiceImports with ${HEADLESS * 2} slices: started in ${Math.round(startMs)} ms, RSS ${Math.round(rss)} MB`);
  t.ok(rss < 1024, 'memory stays bounded');

  const probe = new Prober(cli.port, `svc7.ns7.svc.${Z}`);
  t.teardown(() => probe.stop());
  probe.start(1);
  const from = performance.now();
  // 3,000 queries, 100 at a time: real names, unknown ones, deep ones, endpoint.cluster names.
  const names = Array.from({ length: 3000 }, (_, i) => {
    switch (i % 4) {
      case 0: return [`svc${i % IMPORTS}.ns${i % IMPORTS % 50}.svc.${Z}`, 'A'];
      case 1: return [`_pg._tcp.hl${i % HEADLESS}.ns${i % HEADLESS % 50}.svc.${Z}`, 'SRV'];
      case 2: return [`${'a.'.repeat(50)}hl1.ns1.svc.${Z}`, 'A'];
      default: {
        const j = i % HEADLESS;
        return [`10-1-${j >> 6}-${((j & 63) << 2) + (i & 1)}.east.hl${j}.ns${j % 50}.svc.${Z}`, 'A'];
      }
    }
  });
  const rcodes: Record<string, number> = {};
  for (let i = 0; i < names.length; i += 100) {
    const batch = await Promise.all(names.slice(i, i + 100).map(([n, ty]) => query(cli.port, n, ty).catch(() => ({ rcode: 'TIMEOUT' }))));
    for (const a of batch) rcodes[a.rcode ?? 'NOERROR'] = (rcodes[a.rcode ?? 'NOERROR'] ?? 0) + 1;
  }
  const to = performance.now();
  await new Promise((r) => setTimeout(r, 200));
  const w = probe.worst(from, to);
  t.comment(`flood: ${JSON.stringify(rcodes)} in ${Math.round(to - from)} ms; probe worst ${w.maxMs.toFixed(1)} ms, longest gap ${w.maxGapMs.toFixed(1)} ms`);
  t.notOk(rcodes.TIMEOUT, 'every query answered');
  t.notOk(rcodes.SERVFAIL, 'none failed');
  t.equal(rcodes.NXDOMAIN, names.length / 4, 'exactly the too-deep names are NXDOMAIN');
  t.ok(w.maxGapMs < 1000, 'the probe never waited a second');
});

t.test('namespace_labels selectors are bounded, and parse in linear time', async (t) => {
  const dir = tmp(t);
  const fixture = path.join(dir, 'empty.json');
  writeList(fixture, [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'blue' }, spec: { clusterIP: '10.96.3.1' } }]);
  const huge = `team in (${Array.from({ length: 2000 }, (_, i) => `v${i}`).join(',')})`;
  t.ok(huge.length > MAX_SELECTOR_LENGTH);
  let r = await runCli(['--corefile', corefile(dir, [`namespace_labels ${huge}`], 'kubernetes cluster.local'), '--fixtures', fixture, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.equal(r.code, 2);
  t.match(r.stderr, new RegExp(`line 3: namespace_labels: .*at most ${MAX_SELECTOR_LENGTH} are accepted`), 'a selector too long for any real policy: refused with its line');
  const many = Array.from({ length: MAX_REQUIREMENTS + 1 }, (_, i) => `k${i}`).join(',');
  r = await runCli(['--corefile', corefile(dir, [`namespace_labels ${many}`], 'kubernetes cluster.local'), '--fixtures', fixture, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.equal(r.code, 2);
  t.match(r.stderr, new RegExp(`at most ${MAX_REQUIREMENTS} are accepted`));

  // Keys and values shaped to make a backtracking matcher work hard: parsed (and refused) fast.
  const nasty = [
    `${'a.'.repeat(150)}/x=1`, `${'a-'.repeat(200)}!`, `k=${'a.'.repeat(40)}-`, `${'('.repeat(1000)}`, `k in (${'a,'.repeat(1500)}`,
    Array.from({ length: MAX_REQUIREMENTS }, (_, i) => `${'p'.repeat(60)}.example.com/${'k'.repeat(62)}${i % 10} notin (${'v'.repeat(60)})`).join(',').slice(0, MAX_SELECTOR_LENGTH),
  ];
  for (const s of nasty) {
    const t0 = performance.now();
    try { parseSelectorString(s); } catch { /* refused is fine */ }
    t.ok(performance.now() - t0 < 100, `${s.slice(0, 30)}... parsed in ${(performance.now() - t0).toFixed(1)} ms`);
  }
  // The largest accepted selector still serves answers at the usual rate.
  const biggest = Array.from({ length: MAX_REQUIREMENTS }, (_, i) => `k${i}!=v`).join(',');
  t.ok(selectorMatches(parseSelectorString(biggest), { team: 'blue' }));
  const cli = await startCli(['--corefile', corefile(dir, [`namespace_labels ${biggest}`], 'kubernetes cluster.local'), '--fixtures', fixture, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(cli.proc));
  const t0 = performance.now();
  for (let i = 0; i < 500; i++) {
    const a = await query(cli.port, `web.blue.svc.cluster.local`, 'A');
    if (a.rcode !== 'NOERROR') { t.fail(`query ${i}: ${a.rcode}`); break; }
  }
  t.comment(`500 sequential queries with a ${MAX_REQUIREMENTS}-requirement namespace selector: ${Math.round(performance.now() - t0)} ms`);
  t.ok(performance.now() - t0 < 5000);
});
