// autopath against hostile input: a host resolv.conf of megabytes whose search line lists 100,000 domains (read to a
// bound, the list cut where the kubelet cuts a pod's), names that would pass 255 bytes once a search domain is
// appended (that element left out, nothing over-long sent upstream), and a flood of walked queries while a plain
// query must still be answered. The upstream is a stub in this process that counts what it is asked.
import t, { type Test } from 'tap';
import dgram from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dnsPacket from 'dns-packet';
import { startClusterDns } from '../lib/index.js';
import { MAX_RESOLV_CONF_BYTES, MAX_SEARCH_DOMAINS, searchDomainsOf } from '../lib/plugins/autopath/resolv-search.js';
import { query } from './helpers/dnsmasq.js';

const dir = mkdtempSync(path.join(tmpdir(), 'clusterdns-hostile-autopath-'));
const POD = { ns: 'shop', ip: '127.0.3.9' };
const ZONE = 'cluster.local';
const objects = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: POD.ns } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: POD.ns, name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] }, status: { phase: 'Running', podIP: POD.ip } },
  { apiVersion: 'v1', kind: 'Service', metadata: { namespace: POD.ns, name: 'web' }, spec: { clusterIP: '10.96.7.7', ports: [{ port: 80 }] } },
];

/** An upstream that answers NXDOMAIN to everything and remembers the names it was asked. */
async function stubUpstream(t: Test): Promise<{ port: number; names: string[] }> {
  const names: string[] = [];
  const s = dgram.createSocket('udp4');
  s.on('message', (m, r) => {
    let q: dnsPacket.Packet;
    try { q = dnsPacket.decode(m); } catch { return; }
    const name = q.questions?.[0]?.name ?? '';
    names.push(name);
    s.send(dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | 3, questions: q.questions }), r.port, r.address);
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => s.close());
  return { port: s.address().port, names };
}

function ask(port: number, from: string, name: string, timeoutMs = 5000): Promise<dnsPacket.Packet> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => { s.close(); reject(new Error(`no reply to ${name.slice(0, 40)}... within ${timeoutMs} ms`)); }, timeoutMs);
    s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(dnsPacket.decode(m)); });
    s.bind(0, from, () => s.send(query(name, 'A'), port, '127.0.0.1'));
  });
}
const rcode = (p: dnsPacket.Packet) => (p as { rcode?: string }).rcode;

t.test('a resolv.conf of megabytes: read to a bound, the search list cut, each walk bounded', async (t) => {
  const huge = path.join(dir, 'huge-resolv.conf');
  const domains = Array.from({ length: 100_000 }, (_, i) => `d${i}.example`);
  writeFileSync(huge, `nameserver 127.0.0.1\nsearch ${domains.join(' ')}\n`);
  const t0 = performance.now();
  const list = searchDomainsOf(huge);
  t.ok(performance.now() - t0 < 1000, 'read in well under a second');
  t.equal(list.domains.length, MAX_SEARCH_DOMAINS, `cut to ${MAX_SEARCH_DOMAINS} domains`);
  t.same(list.domains, domains.slice(0, MAX_SEARCH_DOMAINS), 'the first ones, in order');
  t.match(list.problems.join('\n'), new RegExp(`only the first ${MAX_RESOLV_CONF_BYTES} bytes read[^]*search list cut after ${MAX_SEARCH_DOMAINS} domains`));

  const junk = path.join(dir, 'junk-resolv.conf');
  writeFileSync(junk, `search ok.example ${'x'.repeat(300)} bad..name -lead.example .\n`);
  const j = searchDomainsOf(junk);
  t.same(j.domains, ['ok.example'], 'names that are no domain names are left out');
  t.equal(j.problems.length, 4, 'each one said');

  const up = await stubUpstream(t);
  const dns = await startClusterDns({ listen: '127.0.0.1:0', autopath: true, resolvConf: huge, fixtures: [], objects,
    upstreams: [`127.0.0.1:${up.port}`], logLevel: 'silent' });
  t.teardown(() => dns.close());
  const asked = `nowhere.${POD.ns}.svc.${ZONE}`;
  up.names.length = 0;
  const r = await ask(dns.port, POD.ip, asked);
  t.equal(rcode(r), 'NXDOMAIN', 'found nowhere: the first reply');
  t.same(up.names, [...domains.slice(0, MAX_SEARCH_DOMAINS).map((d) => `nowhere.${d}`), 'nowhere'],
    'the upstream was asked once per kept host search domain, then the name alone');

  // A flood of walks (each MAX_SEARCH_DOMAINS + 1 upstream lookups) does not stop a plain query being answered.
  const flood = Array.from({ length: 200 }, (_, i) => ask(dns.port, POD.ip, `f${i}.${POD.ns}.svc.${ZONE}`, 20_000).catch(() => null));
  const start = performance.now();
  const plain = await ask(dns.port, '127.0.0.1', `web.${POD.ns}.svc.${ZONE}`);
  const ms = performance.now() - start;
  t.equal(rcode(plain), 'NOERROR');
  t.ok(ms < 1000, `a plain query answered during the flood (${ms.toFixed(0)} ms)`);
  const done = (await Promise.all(flood)).filter((p) => p && rcode(p) === 'NXDOMAIN').length;
  t.equal(done, 200, 'and every walked query was answered');
});

t.test('names near 255 bytes: a search element that would make one too long is left out', async (t) => {
  const fits = 'a.example';
  const long = `${'l'.repeat(60)}.example`;
  const resolv = path.join(dir, 'long-resolv.conf');
  writeFileSync(resolv, `search ${long} ${fits}\n`);
  const up = await stubUpstream(t);
  const dns = await startClusterDns({ listen: '127.0.0.1:0', autopath: true, resolvConf: resolv, fixtures: [], objects,
    upstreams: [`127.0.0.1:${up.port}`], logLevel: 'silent' });
  t.teardown(() => dns.close());
  const suffix = `.${POD.ns}.svc.${ZONE}`;
  // the longest base whose name as asked still fits: 253 characters in presentation form
  const labels: string[] = [];
  while ([...labels, 'x'].join('.').length + suffix.length <= 253 - 63) labels.push('b'.repeat(62));
  let base = labels.join('.');
  base += `.${'c'.repeat(253 - suffix.length - base.length - 1)}`;
  const asked = `${base}${suffix}`;
  t.equal(asked.length, 253, 'the name as asked is 253 characters (255 bytes on the wire)');
  up.names.length = 0;
  const r = await ask(dns.port, POD.ip, asked);
  t.equal(rcode(r), 'NXDOMAIN', 'answered, with the first reply');
  t.ok(up.names.every((n) => n.length <= 253), 'nothing over-long sent upstream');
  t.ok(`${base}.${long}`.length > 253 && `${base}.${fits}`.length <= 253, 'one host search domain overflows, the other fits');
  t.same(up.names, [`${base}.${fits}`, base], 'the long search domain left out; the one that fits and the name alone were tried');
});
