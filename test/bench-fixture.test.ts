// The bench's inputs are what its results claim: the generated cluster loads, every query class gets the answer
// its name says (hits, NODATA, NXDOMAIN walks, 1/10/250 endpoints), and the zone files written for knot hold
// the same records. Performance itself is never asserted here.
import t from 'tap';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startClusterDns } from '../lib/index.js';
import { listRecords } from '../lib/dns/zone-listing.js';
import { formatRR } from '../lib/dns/records.js';
import { resolverConfigFrom } from '../lib/start.js';
import { SMALL, writeExplicitCluster } from '../bench/explicit-cluster.js';
import { buildQueries, distinctQuestions, limitDistinct, type QueryClass } from '../bench/query-mix.js';
import { writeZoneFiles } from '../bench/knot.js';
import { queryTcp, queryUdp } from '../bench/dns-client.js';

t.test('generated cluster, query classes and knot zone files', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-fixture-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const cluster = await writeExplicitCluster(path.join(dir, 'cluster'), SMALL);
  t.equal(cluster.services.length, SMALL.services);
  t.equal(cluster.pods, 1498, 'pods: every endpoint is a pod, plus pods behind no Service');
  t.same([...cluster.headlessBySize.keys()].sort((a, b) => a - b), [1, 10, 250], 'headless with 1, 10 and 250 endpoints');

  const dns = await startClusterDns({ fixtures: [cluster.dir] });
  t.teardown(() => dns.close());

  const lines = buildQueries(cluster, 2000);
  const expected: Record<QueryClass, (r: { rcode: string; answers: number; tc: boolean }) => boolean> = {
    'clusterip-a': (r) => r.rcode === 'NOERROR' && r.answers === 1,
    'clusterip-aaaa': (r) => r.rcode === 'NOERROR' && r.answers === 0,
    'headless-a-1': (r) => r.rcode === 'NOERROR' && r.answers === 1,
    'headless-a-10': (r) => r.rcode === 'NOERROR' && r.answers === 10,
    'headless-a-250': (r) => r.rcode === 'NOERROR' && r.tc,
    'endpoint-a': (r) => r.rcode === 'NOERROR' && r.answers === 1,
    'srv-named': (r) => r.rcode === 'NOERROR' && (r.answers >= 1 || r.tc),
    'srv-service': (r) => r.rcode === 'NOERROR' && r.answers >= 1,
    'ptr-pod': (r) => r.rcode === 'NOERROR' && r.answers >= 1,
    'ptr-service': (r) => r.rcode === 'NOERROR' && r.answers === 1,
    'nxdomain-service': (r) => r.rcode === 'NXDOMAIN',
    'search-miss': (r) => r.rcode === 'NXDOMAIN',
  };
  const seen = new Map<QueryClass, number>();
  for (const l of lines) {
    if ((seen.get(l.cls) ?? 0) >= 15) continue;
    seen.set(l.cls, (seen.get(l.cls) ?? 0) + 1);
    const p = await queryUdp(dns.port, l.name, l.type);
    const r = { rcode: (p as any).rcode ?? 'NOERROR', answers: p.answers?.length ?? 0, tc: ((p.flags ?? 0) & 0x200) !== 0 };
    if (!expected[l.cls](r)) t.fail(`${l.cls}: ${l.name} ${l.type} answered ${JSON.stringify(r)}`);
  }
  t.same([...seen.keys()].sort(), Object.keys(expected).sort(), 'every class appears in the file');

  const big = cluster.headlessBySize.get(250)![0];
  const full = await queryTcp(dns.port, `${big.name}.${big.namespace}.svc.cluster.local`, 'A');
  t.equal(full.answers?.length, 250, 'over TCP the 250-endpoint Service answers in full');
  t.ok(lines.some((l) => l.overTcpLimit), 'SRV of a 250-endpoint Service is marked as too large for dnsperf over TCP');

  const records = listRecords(dns.store, resolverConfigFrom(dns.config, [])).map((rr) => formatRR(rr)).join('\n');
  const zones = await writeZoneFiles(path.join(dir, 'knot'), records);
  t.same(zones.zones.map((z) => z.domain), ['cluster.local', 'in-addr.arpa']);
  const reverse = await readFile(zones.zones[1].file, 'utf8');
  t.match(reverse, /^in-addr\.arpa\.\t5\tIN\tSOA\t/m, 'the reverse zone gets the SOA knot needs');
  t.match(reverse, /^in-addr\.arpa\.\t5\tIN\tNS\t/m, 'and an NS');
  const forward = await readFile(zones.zones[0].file, 'utf8');
  t.match(forward, new RegExp(`^${big.name}\\.${big.namespace}\\.svc\\.cluster\\.local\\.\\t\\d+\\tIN\\tA\\t`, 'm'));
  t.equal(forward.split('\n').filter((l) => l.startsWith(`${big.name}.${big.namespace}.svc.cluster.local.\t`) && l.includes('\tA\t')).length, 250);
});

t.test('a query set cut to fewer distinct questions keeps its length and only those questions', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-distinct-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const cluster = await writeExplicitCluster(path.join(dir, 'cluster'), SMALL);
  const lines = buildQueries(cluster, 3000);
  const all = distinctQuestions(lines);
  t.ok(all > 200, `${all} distinct questions to start with`);
  const cut = limitDistinct(lines, 200);
  t.equal(cut.length, lines.length);
  t.equal(distinctQuestions(cut), 200);
  const firstKeys = [...new Set(lines.map((l) => `${l.name} ${l.type}`))].slice(0, 200);
  t.same([...new Set(cut.map((l) => `${l.name} ${l.type}`))].sort(), firstKeys.sort(), 'the first 200 met, no others');
  t.equal(distinctQuestions(limitDistinct(lines, all + 10)), all, 'asking for more than there are keeps them all');
});
