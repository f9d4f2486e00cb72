// `fallthrough [ZONES]` and `noendpoints` through the real executable started from a Corefile, with dnsmasq as the
// `forward` upstream: every NXDOMAIN in the named zones (any type) goes on to forward, NODATA never does, names
// outside the named zones keep their NXDOMAIN, and without the option nothing goes on (PTR included). With nothing
// after the kubernetes plugin a falling-through query is SERVFAIL, as CoreDNS's NextOrFailure. The command line keeps
// its documented rule: PTR NXDOMAIN in the reverse zones goes to --upstream, forward-zone NXDOMAIN stays.
import t from 'tap';
import { startCli, stopCli } from './helpers/cli.js';
import { dig, digFlags, digMissing, digSection, digStatus } from './helpers/dig.js';
import { DNSMASQ_SKIP, findDnsmasq, startDnsmasq, type Dnsmasq } from './helpers/dnsmasq.js';
import { until } from './helpers/until.js';
import { CLUSTER_IPS, NS, clusterDir, dbEndpoints, rdata } from './helpers/k8sopts-cluster.js';

const binary = findDnsmasq();
if (digMissing || !binary) {
  t.plan(0, digMissing || DNSMASQ_SKIP);
  process.exit(0);
}

const ZONE = 'cluster.local';
/** what the upstream answers for names the cluster does not have */
const UP = { missing: '192.0.2.7', txt: 'from-upstream', ptrIp: '10.1.2.3', ptr: 'host.upstream.test' };
const MISSING = `missing.${NS}.svc.${ZONE}`;

let upstream: Dnsmasq;
t.before(async () => {
  upstream = await startDnsmasq(binary!, [
    `--address=/${MISSING}/${UP.missing}`, `--txt-record=${MISSING},${UP.txt}`,
    `--ptr-record=${UP.ptrIp.split('.').reverse().join('.')}.in-addr.arpa,${UP.ptr}`, '--log-queries',
  ]);
});
t.teardown(() => upstream?.stop());

async function serve(t: { teardown(fn: () => unknown): void }, kubernetesBody: string, withForward = true, extra: string[] = []) {
  const c = clusterDir(t);
  const fwd = withForward ? `  forward . 127.0.0.1:${upstream.port}\n` : '';
  const corefile = c.corefile(`.:53 {\n  kubernetes ${ZONE} in-addr.arpa {\n${kubernetesBody}  }\n${fwd}}\n`);
  const srv = await startCli(['--corefile', corefile, '--fixtures', c.fixture, '--listen', '127.0.0.1:0', '--admin', 'off', ...extra]);
  t.teardown(() => stopCli(srv.proc));
  return { host: '127.0.0.1', port: srv.port };
}
/** the upstream's query log saw this name (dnsmasq --log-queries) */
const reachedUpstream = (name: string) => until(async () => upstream.log(), (l) => l.includes(name), 2000).then((l) => l.includes(name));

t.test('fallthrough without zones: every NXDOMAIN of the plugin goes on, whatever its type', async (t) => {
  const s = await serve(t, '    fallthrough\n');
  const a = await dig(s, [MISSING, 'A']);
  t.strictSame(rdata(digSection(a, 'ANSWER'), 'A'), [UP.missing], 'A for a missing Service: the upstream answers');
  t.notMatch(digSection(a, 'AUTHORITY').join('\n'), /ns\.dns\.cluster\.local/, 'no SOA of ours: the forwarded answer');
  const txt = await dig(s, [MISSING, 'TXT']);
  t.strictSame(rdata(digSection(txt, 'ANSWER'), 'TXT'), [`"${UP.txt}"`], 'TXT too');
  const ptr = await dig(s, ['-x', UP.ptrIp]);
  t.strictSame(rdata(digSection(ptr, 'ANSWER'), 'PTR'), [`${UP.ptr}.`], 'PTR in the reverse zone too');
  // NODATA is an answer, never passed on.
  const aaaa = await dig(s, [`api.${NS}.svc.${ZONE}`, 'AAAA']);
  t.equal(digStatus(aaaa), 'NOERROR');
  t.ok(digFlags(aaaa).includes('aa'), 'NODATA stays ours');
  t.match(digSection(aaaa, 'AUTHORITY').join('\n'), /IN SOA ns\.dns\.cluster\.local\./);
  const ok = await dig(s, [`api.${NS}.svc.${ZONE}`, 'A']);
  t.strictSame(rdata(digSection(ok, 'ANSWER'), 'A'), [CLUSTER_IPS.api], 'what the cluster has is answered by it');
});

t.test('fallthrough in-addr.arpa: only the reverse zone goes on', async (t) => {
  const s = await serve(t, '    fallthrough in-addr.arpa\n');
  const ptr = await dig(s, ['-x', UP.ptrIp]);
  t.strictSame(rdata(digSection(ptr, 'ANSWER'), 'PTR'), [`${UP.ptr}.`]);
  const a = await dig(s, [MISSING, 'A']);
  t.equal(digStatus(a), 'NXDOMAIN', 'cluster.local is not a fallthrough zone: NXDOMAIN stands');
  t.ok(digFlags(a).includes('aa'));
  // Non-PTR questions under the reverse zone are NXDOMAIN from the plugin: in a fallthrough zone they go on too.
  const revName = `9.${UP.ptrIp.split('.').reverse().join('.')}.in-addr.arpa`;
  await dig(s, [revName, 'TXT']);
  t.ok(await reachedUpstream(revName), 'a TXT under in-addr.arpa falls through as well (any type)');
});

t.test('no fallthrough: nothing goes on, PTR included', async (t) => {
  const s = await serve(t, '');
  const ptr = await dig(s, ['-x', UP.ptrIp]);
  t.equal(digStatus(ptr), 'NXDOMAIN');
  t.ok(digFlags(ptr).includes('aa'), 'our NXDOMAIN, with');
  t.match(digSection(ptr, 'AUTHORITY').join('\n'), /^in-addr\.arpa\. \d+ IN SOA /, 'the reverse zone\'s SOA');
  const a = await dig(s, [MISSING, 'A']);
  t.equal(digStatus(a), 'NXDOMAIN');
});

t.test('fallthrough with nothing after kubernetes: SERVFAIL, as CoreDNS', async (t) => {
  const s = await serve(t, '    fallthrough\n', false);
  const a = await dig(s, [MISSING, 'A']);
  t.equal(digStatus(a), 'SERVFAIL');
  const ok = await dig(s, [`api.${NS}.svc.${ZONE}`, 'A']);
  t.equal(digStatus(ok), 'NOERROR', 'names the cluster has are unaffected');
});

t.test('the command line: PTR NXDOMAIN to --upstream, forward-zone NXDOMAIN stays; without --upstream ours stands', async (t) => {
  const c = clusterDir(t);
  const up = await startCli(['--fixtures', c.fixture, '--listen', '127.0.0.1:0', '--admin', 'off', '--upstream', `127.0.0.1:${upstream.port}`]);
  t.teardown(() => stopCli(up.proc));
  const s = { host: '127.0.0.1', port: up.port };
  t.strictSame(rdata(digSection(await dig(s, ['-x', UP.ptrIp]), 'ANSWER'), 'PTR'), [`${UP.ptr}.`]);
  t.equal(digStatus(await dig(s, [MISSING, 'A'])), 'NXDOMAIN');
  const alone = await startCli(['--fixtures', c.fixture, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(alone.proc));
  const ptr = await dig({ host: '127.0.0.1', port: alone.port }, ['-x', UP.ptrIp]);
  t.equal(digStatus(ptr), 'NXDOMAIN');
  t.ok(digFlags(ptr).includes('aa'));
});

t.test('noendpoints: headless and endpoint names NXDOMAIN, ClusterIP answers, no endpoint PTR', async (t) => {
  const s = await serve(t, '    noendpoints\n');
  const plain = await serve(t, '');
  const db = `db.${NS}.svc.${ZONE}`;
  t.equal(digStatus(await dig(plain, [db, 'A'])), 'NOERROR', 'without the option the headless Service answers');
  for (const [name, type] of [[db, 'A'], [db, 'SRV'], [`${dbEndpoints()[0]!.hostname}.${db}`, 'A'], [`_pg._tcp.${db}`, 'SRV'], [`10-244-0-5.api.${NS}.svc.${ZONE}`, 'A']]) {
    const out = await dig(s, [name!, type!]);
    t.equal(digStatus(out), 'NXDOMAIN', `${name} ${type}: NXDOMAIN`);
  }
  const api = await dig(s, [`api.${NS}.svc.${ZONE}`, 'A']);
  t.strictSame(rdata(digSection(api, 'ANSWER'), 'A'), [CLUSTER_IPS.api], 'ClusterIP answers');
  const srv = await dig(s, [`_http._tcp.api.${NS}.svc.${ZONE}`, 'SRV']);
  t.strictSame(rdata(digSection(srv, 'ANSWER'), 'SRV'), [`0 100 80 api.${NS}.svc.${ZONE}.`], 'ClusterIP SRV answers');
  const epPtr = await dig(s, ['-x', dbEndpoints()[0]!.ip]);
  t.equal(digStatus(epPtr), 'NXDOMAIN', 'no PTR for an endpoint address');
  const withPtr = await dig(plain, ['-x', dbEndpoints()[0]!.ip]);
  t.strictSame(rdata(digSection(withPtr, 'ANSWER'), 'PTR'), [`${dbEndpoints()[0]!.hostname}.${db}.`], 'it has one without the option');
  const svcPtr = await dig(s, ['-x', CLUSTER_IPS.api]);
  t.strictSame(rdata(digSection(svcPtr, 'ANSWER'), 'PTR'), [`api.${NS}.svc.${ZONE}.`], 'a ClusterIP keeps its PTR');
});
