// autopath in-process and through the CLI's flags: startClusterDns({ autopath: true }) with pods whose IPs are
// loopback addresses, so a UDP socket bound to a pod's IP is that pod; what the answer cache keeps (walked replies
// not, direct ones still); the pod's own namespace name (SERVFAIL, as CoreDNS's TrimZone gives); an upstream's
// reply with compression pointers read and re-encoded; the Corefile syntax and its errors; --autopath's rules.
import t from 'tap';
import dgram from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dnsPacket from 'dns-packet';
import { startClusterDns } from '../lib/index.js';
import { parseCorefile } from '../lib/corefile/parse.js';
import { corefileToConfig } from '../lib/corefile/to-config.js';
import { QTYPE, RCODE } from '../lib/dns/records.js';
import { encodeResponse } from '../lib/wire/encoder.js';
import { AutopathPlugin } from '../lib/plugins/autopath/handler.js';
import type { Reply, Request } from '../lib/plugin/handler.js';
import { runCli } from './helpers/cli.js';
import { parseCli } from '../server/cli.js';
import { query } from './helpers/dnsmasq.js';

const dir = mkdtempSync(path.join(tmpdir(), 'clusterdns-autopath-'));
const hostResolv = path.join(dir, 'resolv.conf');
writeFileSync(hostResolv, 'domain ignored.example\nsearch Corp.Example. \nnameserver 127.0.0.1\n');

const SHOP = { ns: 'shop', ip: '127.0.1.5' };
const BLOG = { ns: 'blog', ip: '127.0.2.7' };
const WEB = { ns: 'blog', name: 'web', ip: '10.96.5.5' };
const WWW = { name: 'www.corp.example', ip: '192.0.2.7', ttl: 60 };
const ZONE = 'cluster.local';

const objects = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: SHOP.ns } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: BLOG.ns } },
  ...[SHOP, BLOG].map((p) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: p.ns, name: `${p.ns}-0` }, spec: { containers: [{ name: 'c', image: 'x' }] }, status: { phase: 'Running', podIP: p.ip } })),
  { apiVersion: 'v1', kind: 'Service', metadata: { namespace: WEB.ns, name: WEB.name }, spec: { clusterIP: WEB.ip, ports: [{ port: 80 }] } },
];

/** a query sent from `from` (a pod's IP on loopback), decoded independently of the server */
function ask(port: number, from: string, name: string, type: dnsPacket.RecordType = 'A'): Promise<dnsPacket.Packet> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => { s.close(); reject(new Error(`no reply to ${name} from ${from}`)); }, 3000);
    s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(dnsPacket.decode(m)); });
    s.bind(0, from, () => s.send(query(name, type), port, '127.0.0.1'));
  });
}
const rcode = (p: dnsPacket.Packet) => (p as { rcode?: string }).rcode;
const lines = (p: dnsPacket.Packet) => (p.answers ?? []).map((a) => `${a.name} ${(a as { ttl?: number }).ttl} ${a.type} ${String((a as { data?: unknown }).data)}`);

t.test('startClusterDns({ autopath: true }): walked answers, what the cache keeps, the namespace name', async (t) => {
  const dns = await startClusterDns({ listen: '127.0.0.1:0', autopath: true, resolvConf: hostResolv, fixtures: [], objects,
    records: `${WWW.name}. ${WWW.ttl} IN A ${WWW.ip}\n`, logLevel: 'silent' });
  t.teardown(() => dns.close());
  const port = dns.port;
  const cached = () => dns.server.responder.cacheStats().questions;

  const walked = `www.${SHOP.ns}.svc.${ZONE}`;
  const a = await ask(port, SHOP.ip, walked);
  t.equal(rcode(a), 'NOERROR');
  t.equal(a.questions?.[0]?.name, walked, 'the question as asked');
  t.same(lines(a), [`${walked} ${WWW.ttl} CNAME ${WWW.name}`, `${WWW.name} ${WWW.ttl} A ${WWW.ip}`],
    'found through the host search domain (lower-cased, trailing dot dropped, the last search/domain line wins)');

  const before = cached();
  for (let i = 0; i < 3; i++) await ask(port, SHOP.ip, walked);
  const nx = await ask(port, BLOG.ip, walked);
  t.equal(rcode(nx), 'NXDOMAIN', 'a pod of another namespace gets its own (direct) answer');
  await ask(port, BLOG.ip, walked);
  t.equal(cached(), before, 'neither the walked answer nor the NXDOMAIN a pod could have walked is cached');

  const direct = `${WEB.name}.${WEB.ns}.svc.${ZONE}`;
  await ask(port, BLOG.ip, direct);
  await ask(port, BLOG.ip, direct);
  t.equal(cached(), before + 1, 'an answer that is the same for every client is cached (the pod asked in its own namespace)');
  const plain = `nothing.${ZONE}`;
  await ask(port, SHOP.ip, plain);
  await ask(port, SHOP.ip, plain);
  t.equal(cached(), before + 2, 'an NXDOMAIN outside <ns>.svc.<zone> stays cacheable');

  const own = await ask(port, SHOP.ip, `${SHOP.ns}.svc.${ZONE}`);
  t.equal(rcode(own), 'SERVFAIL', "the pod's own namespace name: SERVFAIL, as CoreDNS (its TrimZone fails on the bare search element)");
  const other = await ask(port, BLOG.ip, `${SHOP.ns}.svc.${ZONE}`);
  t.equal(rcode(other), 'NOERROR', 'from a pod of another namespace the name answers as always');
  const again = await ask(port, SHOP.ip, `${SHOP.ns}.svc.${ZONE}`);
  t.equal(rcode(again), 'SERVFAIL', 'and that answer was not cached for the first pod');

  const metrics = await (await import('prom-client')).Registry.prototype.metrics.call(dns.server.metrics.registry);
  t.match(metrics, new RegExp(`coredns_autopath_success_total\\{server="dns://127\\.0\\.0\\.1:${port}"\\} [1-9]`),
    'the success counter, labelled with the bound server address');
});

t.test('pods that come, move and go: the client lookup follows the store', async (t) => {
  const dns = await startClusterDns({ listen: '127.0.0.1:0', autopath: true, resolvConf: hostResolv, fixtures: [], objects, logLevel: 'silent' });
  t.teardown(() => dns.close());
  const NEW = '127.0.4.4';
  const name = `${WEB.name}.${WEB.ns}.${SHOP.ns}.svc.${ZONE}`;
  const walked = async () => (await ask(dns.port, NEW, name)).answers?.length ?? 0;
  t.equal(await walked(), 0, 'an address no pod has: no walk (the lookup index is built now)');
  const pod = (ns: string, phase = 'Running') => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: ns, name: 'late' }, spec: { containers: [{ name: 'c', image: 'x' }] }, status: { phase, podIP: NEW } });
  await dns.apply([pod(SHOP.ns)]);
  t.equal(await walked(), 2, 'a pod added later is found (CNAME + A)');
  await dns.apply([pod(SHOP.ns, 'Succeeded')]);
  t.equal(await walked(), 0, 'a pod that finished is no client any more');
  await dns.apply([pod(SHOP.ns)]);
  t.equal(await walked(), 2, 'running again');
  await dns.delete('Pod', SHOP.ns, 'late');
  t.equal(await walked(), 0, 'a deleted pod is no client');
});

t.test("an upstream's reply with compression pointers is read and re-encoded around the client's question", async (t) => {
  const original = `mail.${SHOP.ns}.svc.${ZONE}`;
  const found = 'mail';
  // What an upstream sends for "mail": names compressed against the question and each other, a type kept as bytes.
  const upstream = encodeResponse({
    header: { id: 7, opcode: 0, aa: false, rd: true, cd: false, rcode: 0 },
    question: { name: found, type: QTYPE.MX, class: 1 },
    answer: [
      { name: found, type: QTYPE.MX, ttl: 300, data: { preference: 10, exchange: `mx1.${found}` } },
      { name: found, type: 65280, ttl: 300, raw: Buffer.from('0474657374', 'hex') },
    ],
    authority: [{ name: found, type: QTYPE.NS, ttl: 600, data: `ns.${found}` }],
    additional: [{ name: `mx1.${found}`, type: QTYPE.A, ttl: 300, data: '192.0.2.25' }],
  });
  upstream[3]! |= 0x80; // RA
  t.ok(upstream.includes(Buffer.from([0xc0, 0x0c])), 'the upstream reply points into its question');
  const seen: string[] = [];
  const nx: Reply = { kind: 'answer', answer: { rcode: RCODE.NXDOMAIN, aa: true, answer: [], authority: [], additional: [] }, plugin: 'kubernetes' };
  const plugin = new AutopathPlugin({ zones: [''], source: { kind: 'kubernetes', hostSearch: [] } }, {
    podNamespaceByIP: (ip) => (ip === SHOP.ip ? SHOP.ns : undefined),
    resolverConfig: () => ({ zones: [ZONE], reverseZones: [], ttl: 5, pods: 'verified', endpointPodNames: false, localIPs: [] }),
    onSuccess: () => {},
  });
  const msg = query(original, 'MX');
  const req: Request = { name: original, type: QTYPE.MX, msg, asked: { name: original, type: QTYPE.MX }, transport: 'udp', client: `::ffff:${SHOP.ip}`,
    rd: true, cd: false, edns: false, do: false, limit: 512, varies: false, depth: 0 };
  const r = await plugin.serveDNS(req, (sub) => { seen.push(sub.name); return sub.name === found ? { kind: 'raw', bytes: upstream, plugin: 'forward' } : nx; });
  t.same(seen, [original, `${found}.svc.${ZONE}`, `${found}.${ZONE}`, found],
    'the walk: the name as asked, svc.<zone>, <zone>, then the name alone (no host search domains here)');
  t.ok(req.varies, 'the reply depends on the client');
  t.equal(r?.kind, 'raw');
  const p = dnsPacket.decode((r as { bytes: Buffer }).bytes);
  t.equal(p.questions?.[0]?.name, original);
  t.same(p.answers?.map((a) => [a.name, a.type, (a as { ttl?: number }).ttl]), [[original, 'CNAME', 300], [found, 'MX', 300], [found, 'UNKNOWN_65280', 300]]);
  t.same((p.answers?.[1] as { data: unknown }).data, { preference: 10, exchange: `mx1.${found}` }, 'a compressed name in record data, read right');
  t.same(p.authorities?.map((a) => `${a.name} ${a.type} ${String((a as { data?: unknown }).data)}`), [`${found} NS ns.${found}`]);
  t.same(p.additionals?.map((a) => `${a.name} ${a.type} ${String((a as { data?: unknown }).data)}`), [`mx1.${found} A 192.0.2.25`]);
  t.ok(((p as { flags?: number }).flags! & 0x80) !== 0, 'RA kept');

  // An upstream that fails ends the walk, uncounted, as CoreDNS's forward error does.
  let counted = 0;
  const counting = new AutopathPlugin({ zones: [''], source: { kind: 'kubernetes', hostSearch: ['corp.example', 'later.example'] } }, {
    podNamespaceByIP: () => SHOP.ns, resolverConfig: () => ({ zones: [ZONE], reverseZones: [], ttl: 5, pods: 'verified', endpointPodNames: false, localIPs: [] }),
    onSuccess: () => { counted++; },
  });
  seen.length = 0;
  const failed: Reply = { kind: 'answer', answer: { rcode: RCODE.SERVFAIL, aa: false, answer: [], authority: [], additional: [] }, plugin: 'forward' };
  const sf = await counting.serveDNS({ ...req, varies: false }, (sub) => { seen.push(sub.name); return sub.name.endsWith('.corp.example') ? failed : nx; });
  t.equal(sf, failed, 'SERVFAIL from the failed upstream');
  t.same(seen.slice(-1), [`${found}.corp.example`], 'no element after it tried');
  t.equal(counted, 0, 'not counted as a success');

  const nonPod: Request = { ...req, client: '127.0.9.9', varies: false };
  seen.length = 0;
  await plugin.serveDNS(nonPod, (sub) => { seen.push(sub.name); return nx; });
  t.same(seen, [original], 'a client that is no pod: one lookup, the name as asked');
  t.ok(nonPod.varies, 'its NXDOMAIN under <ns>.svc.<zone> is not cached (a pod there would have it walked)');
});

t.test('Corefile: autopath [ZONE...] RESOLV-CONF|@kubernetes and its errors', async (t) => {
  const map = (directive: string, extra = '') => corefileToConfig(parseCorefile(`cluster.local:53 {\n  ${directive}\n  kubernetes cluster.local {\n    pods verified\n  }\n${extra}}\n`, { env: {} }),
    { file: 'Corefile', resolvConfPath: hostResolv });
  const ok = map('autopath @kubernetes');
  t.same(ok.warnings, [], 'no warning');
  const spec = ok.config.servers![0]!.plugins.find((p) => p.name === 'autopath');
  t.same(spec?.options, { zones: [ZONE], source: { kind: 'kubernetes', hostSearch: ['corp.example'] }, notes: [] }, 'the block\'s zones and the host\'s search list');
  t.same(ok.config.servers![0]!.plugins.map((p) => p.name), ['autopath', 'kubernetes'], 'execution order');

  const file = path.join(dir, 'search.conf');
  writeFileSync(file, 'search a.example b.example\n');
  t.same(map(`autopath example.org. ${file}`).config.servers![0]!.plugins[0]!.options,
    { zones: ['example.org'], source: { kind: 'file', search: ['a.example', 'b.example'] }, notes: [] });

  const bad: [string, RegExp][] = [
    ['autopath', /Corefile line 2: autopath: no resolv-conf specified/],
    ['autopath @etcd', /Corefile line 2: autopath: etcd does not implement the AutoPather interface/],
    ['autopath @kubernetes {\n  }', /Corefile line 2: autopath: takes no block/],
    ['autopath bad..zone @kubernetes', /Corefile line 2: autopath: "bad\.\.zone" is not a zone/],
    [`autopath ${path.join(dir, 'missing.conf')}`, /Corefile line 2: autopath: failed to parse .*missing\.conf/],
    [`autopath ${Array.from({ length: 70 }, (_, i) => `z${i}.example`).join(' ')} @kubernetes`, /Corefile line 2: autopath: at most 64 zones/],
  ];
  for (const [d, want] of bad) t.throws(() => map(d), want, d.split('\n')[0]);
  t.throws(() => map('autopath @kubernetes', '  autopath @kubernetes\n'), /autopath appears twice/);
});

t.test('--autopath: implies --pods verified, refuses another mode and a Corefile', async (t) => {
  const insecure = await runCli(['--autopath', '--pods', 'insecure']);
  t.equal(insecure.code, 2);
  t.match(insecure.stderr, /--autopath finds client pods by address, which needs --pods verified \(not --pods insecure\)/);
  const corefile = path.join(dir, 'Corefile');
  writeFileSync(corefile, 'cluster.local {\n  kubernetes\n}\n');
  const withCorefile = await runCli(['--autopath', '--corefile', corefile]);
  t.equal(withCorefile.code, 2);
  t.match(withCorefile.stderr, /with --corefile write "autopath @kubernetes" in the Corefile/);
  await t.rejects(startClusterDns({ autopath: true, pods: 'disabled', fixtures: [] }), /autopath needs pods: 'verified'/);
  const dns = await startClusterDns({ listen: '127.0.0.1:0', autopath: true, resolvConf: hostResolv, fixtures: [], logLevel: 'silent' });
  t.teardown(() => dns.close());
  t.equal(dns.server.config.pods, 'verified', 'autopath alone turns pods verified on');
  // --resolv-conf stands for /etc/resolv.conf in a Corefile's forward too
  writeFileSync(corefile, 'cluster.local {\n  kubernetes\n  forward . /etc/resolv.conf\n}\n');
  const upstreamResolv = path.join(dir, 'upstream-resolv.conf');
  writeFileSync(upstreamResolv, 'nameserver 192.0.2.53\n');
  t.same(parseCli(['--corefile', corefile, '--resolv-conf', upstreamResolv]).config.upstreams, [{ host: '192.0.2.53', port: 53 }]);
  t.throws(() => parseCli(['--resolv-conf', ' ']), /--resolv-conf: expected a file path/);
});
