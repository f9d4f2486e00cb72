// deploy/RESOLVER.md's dnsmasq recipe, for real: a dnsmasq whose only upstream is `server=/cluster.local/` →
// clusterdns, queried by Node's resolver, by dig with the pod search list, and after an object is applied.
import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Resolver } from 'node:dns/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import dnsPacket from 'dns-packet';
import { startClusterDns, type ClusterDns } from '../lib/in-process.js';
import { DNSMASQ_SKIP, findDnsmasq, query, startDnsmasq, udpQuery, type Dnsmasq, rcodeOf } from './helpers/dnsmasq.js';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binary = findDnsmasq();
if (!binary) {
  t.plan(0, DNSMASQ_SKIP);
  process.exit(0);
}

let clusterdns: ClusterDns;
let dnsmasq: Dnsmasq;
let resolver: Resolver;
t.before(async () => {
  clusterdns = await startClusterDns({ fixtures: [join(root, 'fixtures')], listen: '127.0.0.1:0' });
  const target = `127.0.0.1#${clusterdns.port}`;
  dnsmasq = await startDnsmasq(binary!, [
    `--server=/cluster.local/${target}`,
    '--rebind-domain-ok=/cluster.local/',
    `--server=/96.10.in-addr.arpa/${target}`,
  ]);
  resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${dnsmasq.port}`]);
});
t.teardown(async () => {
  await dnsmasq?.stop();
  await clusterdns?.close();
});

t.test('a cluster name resolves through dnsmasq with the same answer clusterdns gives', async (t) => {
  t.same(await resolver.resolve4('myapp.default.svc.cluster.local'), ['10.96.120.15']);
  const headless = (await resolver.resolve4('myapp-headless.default.svc.cluster.local')).sort();
  t.same(headless, ['10.244.0.11', '10.244.0.12', '10.244.0.13']);
  const direct = dnsPacket.decode(await udpQuery(clusterdns.port, query('myapp-headless.default.svc.cluster.local', 'A')));
  t.same(headless, direct.answers!.map((a) => (a as { data: string }).data).sort());
});

t.test('NXDOMAIN and reverse lookups pass through', async (t) => {
  const nx = dnsPacket.decode(await udpQuery(dnsmasq.port, query('nothing-here.default.svc.cluster.local', 'A')));
  t.equal(rcodeOf(nx), 'NXDOMAIN');
  t.same(await resolver.reverse('10.96.120.15'), ['myapp.default.svc.cluster.local']);
});

t.test('names outside cluster.local never reach clusterdns', async (t) => {
  // This dnsmasq has no other upstream, so it refuses; clusterdns (no --upstream) would also refuse, but the point
  // is that the split recipe leaves other names with the machine's resolver.
  const other = dnsPacket.decode(await udpQuery(dnsmasq.port, query('example.com', 'A')));
  t.equal(rcodeOf(other), 'REFUSED');
  t.match(dnsmasq.log(), new RegExp(`using nameserver 127\\.0\\.0\\.1#${clusterdns.port} for domain cluster\\.local`));
});

const hasDig = await run('dig', ['-v']).then(() => true, () => false);
t.test('short names with the pod search list: dig +domain +ndots through dnsmasq', {
  skip: hasDig ? false : 'dig is not installed (apt-get install dnsutils)',
}, async (t) => {
  for (const [domain, name] of [['svc.cluster.local', 'myapp.default'], ['default.svc.cluster.local', 'myapp']]) {
    const { stdout } = await run('dig', [`@127.0.0.1`, '-p', String(dnsmasq.port), `+domain=${domain}`, '+ndots=5', '+short', name]);
    t.equal(stdout.trim(), '10.96.120.15', `${name} with search ${domain}`);
  }
});

t.test('an object applied to clusterdns is visible through dnsmasq', async (t) => {
  await clusterdns.apply(`apiVersion: v1
kind: Service
metadata:
  name: late
  namespace: default
spec:
  clusterIP: 10.96.7.7
  ports:
    - port: 80
`);
  t.same(await resolver.resolve4('late.default.svc.cluster.local'), ['10.96.7.7']);
});
