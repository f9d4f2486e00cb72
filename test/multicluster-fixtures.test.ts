// `multicluster clusterset.local` from fixtures, as a user drives it: a Corefile, a fixture file holding ServiceImports
// and the EndpointSlices an MCS controller imports, the real CLI, and dig. Expected answers are derived from the
// fixture below, following CoreDNS 1.14.7's findMultiClusterServices.
import t from 'tap';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, startCli, stopCli } from './helpers/cli.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { query } from './helpers/dns-client.js';
import { until } from './helpers/until.js';
import { corefile, endpointName, mcsSlice, serviceImport, writeList, type McsEndpoint } from './multicluster-helpers.js';

const NS = 'shop';
const WEB_IPS = ['10.42.0.1'];
const WEB_PORTS = [{ name: 'http', protocol: 'TCP', port: 80 }, { name: 'metrics', protocol: 'TCP', port: 9090 }];
const EAST: McsEndpoint[] = [{ ip: '10.1.0.5', hostname: 'db-0' }, { ip: '10.1.0.6' }, { ip: '10.1.0.7', ready: false }];
const WEST: McsEndpoint[] = [{ ip: '10.2.0.5', hostname: 'db-0' }];
const CLUSTER_IP = '10.96.0.20';

const items = (webIps = WEB_IPS) => [
  // A Service of the same name in this cluster: cluster.local keeps answering it.
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: NS }, spec: { clusterIP: CLUSTER_IP, ports: [{ name: 'http', port: 80 }] } },
  serviceImport(NS, 'web', { type: 'ClusterSetIP', ips: webIps, ports: WEB_PORTS }),
  serviceImport(NS, 'db', { type: 'Headless', ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }] }),
  serviceImport(NS, 'noports', { type: 'ClusterSetIP', ips: ['10.42.0.9'] }),
  mcsSlice(NS, 'db', 'east', EAST),
  mcsSlice(NS, 'db', 'west', WEST),
];

const ready = (eps: McsEndpoint[]) => eps.filter((e) => e.ready !== false);
const Z = 'clusterset.local';

t.test('multicluster zone from fixtures, through dig', { skip: digMissing }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-mcs-'));
  const fixture = path.join(dir, 'mcs.json');
  writeList(fixture, items());
  const cf = corefile(dir, [`multicluster ${Z}`]);
  const srv = await startCli(['--corefile', cf, '--fixtures', fixture, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const at = { host: '127.0.0.1', port: srv.port };
  const ask = (name: string, type: string) => dig(at, ['+norec', name, type]);
  t.notMatch(srv.stderr(), /not implemented/, 'no "not implemented" warning for multicluster');

  let out = await ask(`web.${NS}.svc.${Z}`, 'A');
  t.same(digSection(out, 'ANSWER'), WEB_IPS.map((ip) => `web.${NS}.svc.${Z}. 5 IN A ${ip}`), 'ClusterSetIP: spec.ips');
  out = await ask(`web.${NS}.svc.cluster.local`, 'A');
  t.same(digSection(out, 'ANSWER'), [`web.${NS}.svc.cluster.local. 5 IN A ${CLUSTER_IP}`], 'the cluster zone still answers the Service');
  out = await ask(`db.${NS}.svc.cluster.local`, 'A');
  t.equal(digStatus(out), 'NXDOMAIN', 'a ServiceImport is not a Service of the cluster zone');

  out = await ask(`_http._tcp.web.${NS}.svc.${Z}`, 'SRV');
  t.same(digSection(out, 'ANSWER'), [`_http._tcp.web.${NS}.svc.${Z}. 5 IN SRV 0 100 80 web.${NS}.svc.${Z}.`], 'ClusterSetIP SRV per named port');
  t.same(digSection(out, 'ADDITIONAL').filter((l) => !l.includes('OPT')), [`web.${NS}.svc.${Z}. 5 IN A ${WEB_IPS[0]}`]);
  out = await ask(`web.${NS}.svc.${Z}`, 'SRV');
  t.equal(digSection(out, 'ANSWER').length, WEB_PORTS.length, 'the bare name carries an SRV per port');
  out = await ask(`_nope._tcp.web.${NS}.svc.${Z}`, 'SRV');
  t.equal(digStatus(out), 'NXDOMAIN', 'no such port: NXDOMAIN');

  const all = [...ready(EAST).map((e) => ({ ...e, cluster: 'east' })), ...ready(WEST).map((e) => ({ ...e, cluster: 'west' }))];
  out = await ask(`db.${NS}.svc.${Z}`, 'A');
  t.same(digSection(out, 'ANSWER'), [...new Set(all.map((e) => e.ip))].map((ip) => `db.${NS}.svc.${Z}. 5 IN A ${ip}`).sort(),
    'Headless: every ready endpoint of every cluster (not-ready ones left out)');

  out = await ask(`_pg._tcp.db.${NS}.svc.${Z}`, 'SRV');
  const weight = Math.floor(100 / all.length);
  t.same(digSection(out, 'ANSWER'), all.map((e) => `_pg._tcp.db.${NS}.svc.${Z}. 5 IN SRV 0 ${weight} 5432 ${endpointName(e)}.${e.cluster}.db.${NS}.svc.${Z}.`).sort(),
    'Headless SRV targets are endpoint.cluster.svc.ns.svc.zone');
  t.same(digSection(out, 'ADDITIONAL').filter((l) => !l.includes('OPT')),
    all.map((e) => `${endpointName(e)}.${e.cluster}.db.${NS}.svc.${Z}. 5 IN A ${e.ip}`).sort(), 'with glue');

  for (const e of all) {
    out = await ask(`${endpointName(e)}.${e.cluster}.db.${NS}.svc.${Z}`, 'A');
    t.same(digSection(out, 'ANSWER'), [`${endpointName(e)}.${e.cluster}.db.${NS}.svc.${Z}. 5 IN A ${e.ip}`], `endpoint ${endpointName(e)} of ${e.cluster}`);
  }
  out = await ask(`db-0.db.${NS}.svc.${Z}`, 'A');
  t.equal(digStatus(out), 'NXDOMAIN', 'an endpoint name without its cluster matches no cluster (CoreDNS)');
  out = await ask(`db-0.north.db.${NS}.svc.${Z}`, 'A');
  t.equal(digStatus(out), 'NXDOMAIN', 'an unknown cluster: NXDOMAIN');
  out = await ask(`${endpointName(EAST[2])}.east.db.${NS}.svc.${Z}`, 'A');
  t.equal(digStatus(out), 'NXDOMAIN', 'a not-ready endpoint has no name');

  out = await ask(`web.${NS}.svc.${Z}`, 'AAAA');
  t.equal(digStatus(out), 'NOERROR', 'an IPv4-only ServiceImport: AAAA is NODATA');
  t.same(digSection(out, 'ANSWER'), []);
  t.match(digSection(out, 'AUTHORITY')[0], new RegExp(`^${Z}\\. 5 IN SOA ns\\.dns\\.${Z}\\. hostmaster\\.${Z}\\. \\d+ 7200 1800 86400 5$`), 'with the multicluster zone\'s SOA');
  out = await ask(`nope.${NS}.svc.${Z}`, 'A');
  t.equal(digStatus(out), 'NXDOMAIN');
  t.match(digSection(out, 'AUTHORITY')[0], new RegExp(`^${Z}\\. 5 IN SOA`));
  out = await ask(`noports.${NS}.svc.${Z}`, 'A');
  t.equal(digStatus(out), 'NXDOMAIN', 'a ClusterSetIP ServiceImport without ports answers nothing (CoreDNS keeps no "no port" entry)');
  out = await ask(`${NS}.svc.${Z}`, 'A');
  t.equal(digStatus(out), 'NOERROR', 'the namespace exists: NODATA');
  out = await ask(`nons.svc.${Z}`, 'A');
  t.equal(digStatus(out), 'NXDOMAIN');
  out = await ask(Z, 'SOA');
  t.match(digSection(out, 'ANSWER')[0], new RegExp(`^${Z}\\. 5 IN SOA ns\\.dns\\.${Z}\\. hostmaster\\.${Z}\\.`), 'SOA at the apex');
  out = await ask(Z, 'NS');
  t.equal(digStatus(out), 'NOERROR', 'NS at the apex answers (NODATA: the server is bound to loopback only, as CoreDNS)');
  out = await ask('1.0.42.10.in-addr.arpa', 'PTR');
  t.equal(digStatus(out), 'NXDOMAIN', 'no PTR for ServiceImport IPs (CoreDNS reads Services only)');
  out = await ask(`web.${NS}.svc.${Z}`, 'PTR');
  t.equal(digStatus(out), 'NOERROR', 'PTR at an existing forward name: NODATA');

  // A change to the fixture file shows while running.
  writeList(fixture, items(['10.42.0.2']));
  const changed = await until(() => query(srv.port, `web.${NS}.svc.${Z}`, 'A'), (a) => a.answers?.[0]?.data === '10.42.0.2', 5000);
  t.equal(changed.answers?.[0]?.data, '10.42.0.2', 'a changed ServiceImport answers its new IP');
  writeList(fixture, items().filter((o) => !(o.kind === 'ServiceImport' && o.metadata.name === 'db')));
  const gone = await until(() => query(srv.port, `db.${NS}.svc.${Z}`, 'A'), (a) => a.rcode === 'NXDOMAIN', 5000);
  t.equal(gone.rcode, 'NXDOMAIN', 'a deleted ServiceImport is gone, its slices left alone');
});

t.test('the Corefile option is checked as CoreDNS checks it', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-mcs-'));
  const fixture = path.join(dir, 'empty.json');
  writeList(fixture, []);
  const notOurs = corefile(dir, ['multicluster example.org']);
  let r = await runCli(['--corefile', notOurs, '--fixtures', fixture, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.equal(r.code, 2, 'a zone kubernetes does not serve is a configuration error');
  t.match(r.stderr, `${notOurs} line 3: multicluster: kubernetes is not authoritative for the multicluster zone example.org`);
  const bareZone = corefile(dir, ['multicluster']);
  const srv = await startCli(['--corefile', bareZone, '--fixtures', fixture, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  t.match(srv.stderr(), /with no zones makes no zone a multicluster zone/, 'multicluster with no zones: said once');
  r = await runCli(['--corefile', corefile(dir, ['multicluster in-addr.arpa']), '--fixtures', fixture, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.equal(r.code, 2, 'a reverse zone cannot be a multicluster zone');
});

t.test('`clusterdns records` lists the multicluster zone from the resolver', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-mcs-'));
  const fixture = path.join(dir, 'mcs.json');
  writeList(fixture, items());
  const r = await runCli(['records', '--corefile', corefile(dir, [`multicluster ${Z}`]), '--fixtures', fixture]);
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n').map((l) => l.split(/\s+/).join(' '));
  for (const e of ready(EAST)) t.ok(lines.includes(`${endpointName(e)}.east.db.${NS}.svc.${Z}. 5 IN A ${e.ip}`), `${endpointName(e)}.east listed`);
  for (const ip of WEB_IPS) t.ok(lines.includes(`web.${NS}.svc.${Z}. 5 IN A ${ip}`), 'the ClusterSetIP listed');
  t.notOk(lines.some((l) => l.startsWith(`noports.${NS}.svc.${Z}.`)), 'nothing for a name that answers nothing');
});
