// `namespace_labels EXPR` from fixtures, through the Corefile-started CLI and dig: only namespaces whose labels match
// the selector exist; a Service anywhere else is NXDOMAIN, as if absent. A namespace with no manifest has only the
// label the API server gives every namespace (kubernetes.io/metadata.name). Label changes in the file take effect
// while running.
import t from 'tap';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, startCli, stopCli } from './helpers/cli.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { query } from './helpers/dns-client.js';
import { until } from './helpers/until.js';
import { corefile, writeList, type Raw } from './multicluster-helpers.js';

const SELECTOR = 'team in (blue, green),!hidden';
const NAMESPACES: Record<string, Record<string, string> | undefined> = {
  blue: { team: 'blue' },
  green: { team: 'green', hidden: 'yes' },
  red: { team: 'red' },
  bare: undefined, // no Namespace manifest
};
/** What the selector above makes of each namespace's labels. */
const served = (labels: Record<string, string> | undefined) => !!labels && ['blue', 'green'].includes(labels.team) && !('hidden' in labels);

const ips: Record<string, string> = { blue: '10.96.1.1', green: '10.96.1.2', red: '10.96.1.3', bare: '10.96.1.4' };

function items(namespaces: typeof NAMESPACES): Raw[] {
  const out: Raw[] = [];
  for (const [name, labels] of Object.entries(namespaces)) {
    if (labels) out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
    out.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: name }, spec: { clusterIP: ips[name], ports: [{ port: 80 }] } });
  }
  return out;
}

t.test('only namespaces whose labels match are served', { skip: digMissing }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-nslabels-'));
  const fixture = path.join(dir, 'ns.json');
  writeList(fixture, items(NAMESPACES));
  const cf = corefile(dir, [`namespace_labels ${SELECTOR}`], 'kubernetes cluster.local in-addr.arpa');
  const srv = await startCli(['--corefile', cf, '--fixtures', fixture, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  t.notMatch(srv.stderr(), /not implemented/, 'no "not implemented" warning for namespace_labels');
  const at = { host: '127.0.0.1', port: srv.port };

  for (const [name, labels] of Object.entries(NAMESPACES)) {
    const svc = await dig(at, [`web.${name}.svc.cluster.local`, 'A']);
    const nsName = await dig(at, [`${name}.svc.cluster.local`, 'A']);
    if (served(labels)) {
      t.same(digSection(svc, 'ANSWER'), [`web.${name}.svc.cluster.local. 5 IN A ${ips[name]}`], `${name}: served`);
      t.equal(digStatus(nsName), 'NOERROR', `${name}: the namespace name exists`);
    } else {
      t.equal(digStatus(svc), 'NXDOMAIN', `${name}: its Service is NXDOMAIN, as if absent`);
      t.match(digSection(svc, 'AUTHORITY')[0], /^cluster\.local\. 5 IN SOA /, 'with the SOA');
      t.equal(digStatus(nsName), 'NXDOMAIN', `${name}: the namespace does not exist either`);
    }
  }
  // CoreDNS filters PTR by `namespaces` only; namespace_labels leaves reverse answers alone.
  const red = await dig(at, ['-x', ips.red]);
  t.same(digSection(red, 'ANSWER'), [`${ips.red.split('.').reverse().join('.')}.in-addr.arpa. 5 IN PTR web.red.svc.cluster.local.`], 'PTR is not filtered (CoreDNS)');

  // Relabel red into the selection, and blue out of it.
  writeList(fixture, items({ ...NAMESPACES, red: { team: 'green' }, blue: { team: 'blue', hidden: 'now' } }));
  const redNow = await until(() => query(srv.port, 'web.red.svc.cluster.local', 'A'), (a) => a.rcode === 'NOERROR', 5000);
  t.equal(redNow.answers?.[0]?.data, ips.red, 'a namespace whose labels come to match is served');
  const blueNow = await until(() => query(srv.port, 'web.blue.svc.cluster.local', 'A'), (a) => a.rcode === 'NXDOMAIN', 5000);
  t.equal(blueNow.rcode, 'NXDOMAIN', 'one whose labels stop matching is not');
});

t.test('the API server\'s kubernetes.io/metadata.name label selects namespaces with no manifest', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-nslabels-'));
  const fixture = path.join(dir, 'ns.json');
  writeList(fixture, items(NAMESPACES));
  const cf = corefile(dir, ['namespace_labels kubernetes.io/metadata.name in (bare, red)'], 'kubernetes cluster.local');
  const srv = await startCli(['--corefile', cf, '--fixtures', fixture, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  for (const name of Object.keys(NAMESPACES)) {
    const a = await query(srv.port, `web.${name}.svc.cluster.local`, 'A');
    t.equal(a.rcode, ['bare', 'red'].includes(name) ? 'NOERROR' : 'NXDOMAIN', name);
  }
});

t.test('bad selectors and namespaces + namespace_labels are Corefile errors naming the line', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-nslabels-'));
  const fixture = path.join(dir, 'ns.json');
  writeList(fixture, []);
  const cases: [string[], RegExp][] = [
    [['namespace_labels team in (blue'], /line 3: namespace_labels: unable to parse the label selector "team in \(blue": unbalanced parentheses/],
    [['namespace_labels team > 3'], /line 3: namespace_labels: .*< and > are not allowed/],
    [['namespace_labels te@m=blue'], /line 3: namespace_labels: .*"te@m" is not a valid label key/],
    [['namespace_labels team=bl ue'], /line 3: namespace_labels: .*is not a valid label value/],
    [['namespace_labels'], /line 3: namespace_labels: expected namespace_labels SELECTOR/],
    [['namespaces blue', 'namespace_labels team=blue'], /line 4: namespaces and namespace_labels cannot both be set/],
  ];
  for (const [inner, want] of cases) {
    const r = await runCli(['--corefile', corefile(dir, inner, 'kubernetes cluster.local'), '--fixtures', fixture, '--listen', '127.0.0.1:0', '--admin', 'off']);
    t.equal(r.code, 2, inner.join('; '));
    t.match(r.stderr, want);
  }
});
