// dns.explain() in process gives what GET /api/v1/explain gives, on the bundled fixtures and the near-miss fixture;
// and the edit distance behind "similar name" is the Levenshtein distance, cut off past its bound.
import t from 'tap';
import { startClusterDns } from '../lib/index.js';
import { boundedDistance, closest } from '../lib/admin/explain-names.js';
import { BUNDLED_FIXTURES_DIR } from './helpers/explain-paths.js';
import { EXPLAIN_FIXTURES, headlessNothingReady, serviceInOneNamespace, svcName, typo, unnamedPortService, unreadyEndpoint } from './helpers/explain-fixture.js';

const dns = await startClusterDns({ fixtures: [BUNDLED_FIXTURES_DIR, EXPLAIN_FIXTURES], admin: '127.0.0.1:0', logLevel: 'silent' });
t.teardown(() => dns.close());

t.test('in process == over HTTP, for every near miss the fixture sets up', async (t) => {
  const s = serviceInOneNamespace(); const x = typo(); const u = unreadyEndpoint(); const p = unnamedPortService(); const h = headlessNothingReady();
  const questions: [string, { type?: string; namespace?: string; ndots?: number }][] = [
    [svcName(s.name, s.otherNs), {}], [svcName(x.typo, x.ns), {}], [`${u.hostname}.${svcName(u.svc, u.ns)}`, {}],
    [`_http._tcp.${svcName(p.svc, p.ns)}`, { type: 'SRV' }], [svcName(h.svc, h.ns), {}], [`${s.name}.${s.ns}`, { namespace: s.otherNs, ndots: 2 }],
    [svcName(x.svc, x.ns), { type: 'AAAA' }], [svcName(x.svc, x.ns), { type: 'TXT' }],
  ];
  for (const [name, opts] of questions) {
    const local = await dns.explain(name, opts);
    const q = new URLSearchParams({ name, ...Object.fromEntries(Object.entries(opts).map(([k, v]) => [k, String(v)])) });
    const remote = await (await fetch(`http://${dns.adminAddress}/api/v1/explain?${q}`)).json();
    // The SOA serial is the same store's: equal. Everything else must be too.
    t.same(local, remote, `${name} ${JSON.stringify(opts)}`);
    t.ok(local.nearMisses.length > 0, `${name}: a near miss (${local.nearMisses.map((m) => m.kind).join(', ')})`);
  }
  const aaaa = await dns.explain(svcName(x.svc, x.ns), { type: 'AAAA' });
  t.equal(aaaa.rcode, 'NOERROR');
  t.ok(aaaa.nearMisses.some((m) => m.kind === 'other-family'), `an IPv4-only Service asked AAAA: ${x.clusterIP} is IPv4`);
  const txt = await dns.explain(svcName(x.svc, x.ns), { type: 'TXT' });
  t.ok(txt.nearMisses.length > 0, `TXT at a Service: ${txt.rcode} explained`);
});

t.test('bounded edit distance', async (t) => {
  const naive = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  };
  const words = ['', 'a', 'ab', 'abc', 'checkout', 'chekout', 'checkuot', 'kitten', 'sitting', 'flaw', 'lawn', 'web-headless', 'web-headles', 'xyz'];
  for (const a of words) for (const b of words) t.equal(boundedDistance(a, b, 2), Math.min(naive(a, b), 3), `${a}/${b}`);
  t.same(closest(['checkout', 'checkouts', 'cart', 'chekout'], 'checkout', 2, 5).names, ['checkouts', 'chekout'], 'itself left out, closest first');
});
