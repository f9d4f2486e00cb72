// Static records added at run time, in-process (startClusterDns records, addRecords/removeRecords) and over the
// admin API (/api/v1/static-records): answered at once (the answer cache never serves the old answer), removed
// again (then NXDOMAIN from the upstream, or REFUSED without one), listed, guarded by the admin token, and still
// subject to faults.
import t from 'tap';
import { DNSMASQ_SKIP, findDnsmasq, startDnsmasq, type Dnsmasq } from './helpers/dnsmasq.js';
import { query } from './helpers/dns-client.js';
import { startServer } from './helpers/server.js';

const binary = findDnsmasq();
if (!binary) {
  t.plan(0, DNSMASQ_SKIP);
  process.exit(0);
}

let upstream: Dnsmasq;
t.before(async () => {
  upstream = await startDnsmasq(binary!, ['--address=/stripe.test/192.0.2.7']);
});
t.teardown(() => upstream?.stop());

const TOKEN = 'static-test-token-0123456789';

const show = (d: unknown) => (Array.isArray(d) ? JSON.stringify(d.map((x) => (Buffer.isBuffer(x) ? x.toString() : x))) : typeof d === 'object' ? JSON.stringify(d) : String(d));
const answers = (m: Awaited<ReturnType<typeof query>>) => (m.answers ?? []).map((a) => `${a.name} ${a.type} ${show(a.data)}`);

t.test('in-process: records at start, addRecords, the cache follows every change, removeRecords forwards again', async (t) => {
  const { dns } = await startServer(t, {
    upstreams: [`127.0.0.1:${upstream.port}`],
    records: [
      { name: 'api.stripe.test', type: 'A', value: '127.0.0.1', ttl: 30 },
      { name: 'stripe.test', type: 'MX', value: '5 mx.stripe.test' },
      { name: 'stripe.test', type: 'TXT', value: ['v=spf1', 'include:x.test -all'] },
    ],
  });
  for (const tcp of [false, true]) {
    const a = await query(dns.port, 'api.stripe.test', 'A', { tcp });
    t.same(answers(a), ['api.stripe.test A 127.0.0.1'], `the static record, not the upstream's 192.0.2.7 (${tcp ? 'TCP' : 'UDP'})`);
    t.equal(a.answers![0].ttl, 30, 'its own TTL');
    t.ok(a.flag_aa, 'authoritative');
  }
  t.same(answers(await query(dns.port, 'stripe.test', 'MX')), ['stripe.test MX {"preference":5,"exchange":"mx.stripe.test"}']);
  t.same(answers(await query(dns.port, 'stripe.test', 'TXT')), ['stripe.test TXT ["v=spf1","include:x.test -all"]'], 'TXT strings kept apart');
  t.equal((await query(dns.port, 'stripe.test', 'A')).rcode, 'NOERROR', 'NODATA where the name has other types');
  t.same(answers(await query(dns.port, 'www.stripe.test', 'A')), ['www.stripe.test A 192.0.2.7'], 'a name the table lacks is forwarded');
  await dns.apply([{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'payments', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'api.stripe.test' } }]);
  t.same(answers(await query(dns.port, 'payments.default.svc.cluster.local', 'A')), ['payments.default.svc.cluster.local CNAME api.stripe.test', 'api.stripe.test A 127.0.0.1'],
    'an ExternalName to a static name gets the static answer, not the upstream\'s');

  // Asked twice (the second answer comes from the answer cache), then changed: the next answer is the new one.
  await query(dns.port, 'api.stripe.test', 'A');
  t.equal(dns.addRecords('api.stripe.test. 30 IN A 127.0.0.2'), 1, 'zone-file text');
  t.same(answers(await query(dns.port, 'api.stripe.test', 'A')).sort(), ['api.stripe.test A 127.0.0.1', 'api.stripe.test A 127.0.0.2'], 'the cached answer is not served after a change');
  t.equal(dns.removeRecords('api.stripe.test', 'A'), 2);
  t.same(answers(await query(dns.port, 'api.stripe.test', 'A')), ['api.stripe.test A 192.0.2.7'], 'removed: forwarded again');
  t.same(dns.staticRecords().map((r) => `${r.name} ${r.type} ${r.value}`).sort(), ['stripe.test. MX 5 mx.stripe.test.', 'stripe.test. TXT "v=spf1" "include:x.test -all"']);
  t.equal(dns.removeRecords(), 2, 'every run-time record');
  t.same(answers(await query(dns.port, 'stripe.test', 'MX')), [], 'forwarded (dnsmasq has no MX there)');

  t.throws(() => dns.addRecords([{ name: 'x.default.svc.cluster.local', type: 'A', value: '127.0.0.1' }]), { name: 'TypeError', message: /inside the cluster zone cluster\.local/ });
  t.throws(() => dns.addRecords([{ name: 'ok.test', type: 'A', value: '1.2.3.4' }, { name: 'bad.test', type: 'MX', value: 'mail' }]), { message: /records\[1\]\.value: MX takes a preference/ });
  t.equal((await query(dns.port, 'ok.test', 'A')).flag_aa, false, 'all or none: the good record of a bad batch is not added');
  await dns.close();
  t.throws(() => dns.addRecords([]), /after close\(\)/);
});

t.test('in-process: bad records options fail at start with a TypeError naming the item', async (t) => {
  const { startClusterDns } = await import('../lib/index.js');
  await t.rejects(startClusterDns({ records: [{ name: 'a.test', type: 'A', value: '1.2.3' }] } as any), { name: 'TypeError', message: 'startClusterDns: records: records[0].value: "1.2.3" is not an IPv4 address (dotted quad such as 127.0.0.1)' });
  await t.rejects(startClusterDns({ records: [{ name: 'a.test', type: 'HINFO', value: 'x' }] } as any), { message: /records\[0\]\.type: expected one of A, AAAA, CNAME, TXT, MX, SRV, PTR/ });
  await t.rejects(startClusterDns({ records: 'x.test. A' } as any), { message: /line 1, column 9: A takes one IPv4 address/ });
  await t.rejects(startClusterDns({ records: [{ name: 'kubernetes.default.svc.cluster.local', type: 'A', value: '1.2.3.4' }] }), { name: 'TypeError', message: /inside the cluster zone/ });
  await t.rejects(startClusterDns({ recordFiles: 42 } as any), { name: 'TypeError', message: /recordFiles 42/ });
});

t.test('admin API: add, answer, list, delete; the token guards writes; faults still apply', async (t) => {
  const { dns } = await startServer(t, { admin: '127.0.0.1:0', adminToken: TOKEN, fixtures: [] });
  const base = `http://${dns.adminAddress}/api/v1/static-records`;
  const auth = { authorization: `Bearer ${TOKEN}` };
  const post = (body: string, type = 'application/json', headers: Record<string, string> = auth) =>
    fetch(base, { method: 'POST', headers: { 'content-type': type, ...headers }, body });

  t.equal(dns.resolve('api.example.test', 1).outOfZone, true, 'before: not ours (REFUSED without upstreams)');
  const noToken = await post('[{"name":"api.example.test","type":"A","value":"127.0.0.1"}]', 'application/json', {});
  t.equal(noToken.status, 401, 'writes need the token');
  const res = await post(JSON.stringify({ records: [
    { name: 'api.example.test', type: 'A', value: '127.0.0.1' },
    { name: '_imap._tcp.example.test', type: 'srv', value: '0 1 993 mail.example.test.' },
    { name: 'alias.example.test', type: 'CNAME', value: 'api.example.test' },
  ] }));
  t.equal(res.status, 201);
  t.match(await res.json(), { added: 3 });
  t.same(answers(await query(dns.port, 'alias.example.test', 'A')), ['alias.example.test CNAME api.example.test', 'api.example.test A 127.0.0.1']);
  t.same(answers(await query(dns.port, '_imap._tcp.example.test', 'SRV', { tcp: true })), ['_imap._tcp.example.test SRV {"priority":0,"weight":1,"port":993,"target":"mail.example.test"}']);

  const text = await post('$ORIGIN example.test.\n$TTL 120\nmail MX 10 mx\n', 'text/plain');
  t.equal(text.status, 201, 'zone-file text');
  t.equal((await query(dns.port, 'mail.example.test', 'MX')).answers![0].ttl, 120);

  const listed = async (name: string) => ((await (await fetch(`http://${dns.adminAddress}/api/v1/records?name=${name}`)).json()) as any).records.map((r: any) => r.text);
  t.same(await listed('mail.example.test'), ['mail.example.test.\t120\tIN\tMX\t10 mx.example.test.'], '/api/v1/records lists static records too');

  const list = await (await fetch(base)).json() as any;
  t.equal(list.records.length, 4, 'reads need no token with --admin-auth writes');
  t.match(list.records.find((r: any) => r.type === 'SRV'), { name: '_imap._tcp.example.test.', value: '0 1 993 mail.example.test.', source: 'api' });

  // A fault on a static name acts as on any other.
  const f = dns.fault({ name: 'api.example.test', fault: 'servfail' } as any);
  t.equal((await query(dns.port, 'api.example.test', 'A')).rcode, 'SERVFAIL', 'faults apply to static names');
  dns.removeFault(f.id);
  t.equal((await query(dns.port, 'api.example.test', 'A')).rcode, 'NOERROR');

  t.equal((await fetch(`${base}?name=api.example.test`, { method: 'DELETE' })).status, 401);
  const del = await fetch(`${base}?name=api.example.test&type=A`, { method: 'DELETE', headers: auth });
  t.same(await del.json(), { removed: 1 });
  const after = await query(dns.port, 'api.example.test', 'A');
  t.equal(after.rcode, 'REFUSED', 'deleted, no upstream: REFUSED as any name outside the zones');
  const alias = await query(dns.port, 'alias.example.test', 'A');
  t.same(answers(alias), ['alias.example.test CNAME api.example.test'], 'the CNAME stays, its target gone');
  const again = await fetch(`${base}?name=api.example.test`, { method: 'DELETE', headers: auth });
  t.equal(again.status, 404);
  t.match(await again.json(), { message: /no static record at api\.example\.test/ });
  t.same(await (await fetch(base, { method: 'DELETE', headers: auth })).json(), { removed: 3 });
  t.same(await listed('mail.example.test'), [], 'and not after they are removed (the kept listing is rebuilt)');
  t.equal((await (await fetch(`http://${dns.adminAddress}/api/v1/status`)).json() as any).staticRecords.records, 0);
});
