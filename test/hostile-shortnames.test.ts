// --short-names against hostile names: names of 255 wire bytes whose expansion would not fit (left alone, nothing
// over-long looked up or sent upstream), names of 127 labels, a namespace with a 63-character name, and a flood of
// random short names (TLD-like ones go to the upstream first) while a probe must keep being answered. The upstream
// is a stub in this process that answers NXDOMAIN and counts what it is asked: each short name costs it at most one
// query, whatever the expansions.
import t, { type Test } from 'tap';
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { Prober } from '../bench/probe.js';
import { startClusterDns } from '../lib/index.js';
import { buildQuery, udpExchange } from './helpers/dns-client.js';
import { randomBytes } from 'node:crypto';

const LONG_NS = `n${'x'.repeat(62)}`;
const objects = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: LONG_NS } },
  { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'shop', name: 'web' }, spec: { clusterIP: '10.96.7.7', ports: [{ port: 80 }] } },
  { apiVersion: 'v1', kind: 'Service', metadata: { namespace: LONG_NS, name: 'web' }, spec: { clusterIP: '10.96.7.8', ports: [{ port: 80 }] } },
];

async function stubUpstream(t: Test): Promise<{ port: number; names: string[] }> {
  const names: string[] = [];
  const s = dgram.createSocket('udp4');
  s.on('message', (m, r) => {
    let q: dnsPacket.Packet;
    try { q = dnsPacket.decode(m); } catch { return; }
    names.push(q.questions?.[0]?.name ?? '');
    s.send(dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | 3, questions: q.questions }), r.port, r.address);
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => s.close());
  return { port: s.address().port, names };
}

async function ask(port: number, name: string, type = 'A') {
  const reply = dnsPacket.decode(await udpExchange(port, buildQuery(name, type), '127.0.0.1', 3000)) as any;
  return { rcode: reply.rcode as string, answers: (reply.answers ?? []) as { name: string; data: unknown }[] };
}

t.test('hostile short names', async (t) => {
  const up = await stubUpstream(t);
  const dns = await startClusterDns({ listen: '127.0.0.1:0', objects, shortNames: true, upstreams: [`127.0.0.1:${up.port}`], logLevel: 'silent' } as any);
  t.teardown(() => dns.close());
  const port = dns.port;

  t.test('names whose expansion would pass 255 bytes are left alone', async (t) => {
    // 'a.' x 122 + 'shop' / 'a.' x 120 + 'default': legal names, too long once '.svc.cluster.local' is added.
    for (const name of [`${'a.'.repeat(122)}shop`, `${'a.'.repeat(120)}default`, `${'a.'.repeat(90)}web.${LONG_NS}`]) {
      t.ok(name.length <= 253 && name.length + '.svc.cluster.local'.length > 253, `${name.length} characters`);
      up.names.length = 0;
      const r = await ask(port, name);
      t.equal(r.rcode, 'NXDOMAIN', "the upstream's answer for the name as asked");
      t.same(up.names, [name], 'the upstream was asked the name as asked, once, and nothing longer');
    }
    // the longest namespace name still works where it fits
    const ok = await ask(port, `web.${LONG_NS}`);
    t.same(ok.answers.map((a) => [a.name, a.data]), [[`web.${LONG_NS}`, '10.96.7.8']]);
  });

  t.test('127 labels (255 wire bytes), the last no namespace: untouched', async (t) => {
    const name = `${'a.'.repeat(126)}a`;
    up.names.length = 0;
    t.equal((await ask(port, name)).rcode, 'NXDOMAIN');
    t.same(up.names, [name]);
  });

  t.test('a flood of random short names: every one answered, the probe kept answering, one upstream query each at most', async (t) => {
    const prober = new Prober(port, 'web.shop.svc.cluster.local');
    prober.start(2);
    t.teardown(() => prober.stop());
    await new Promise((r) => setTimeout(r, 100));
    up.names.length = 0;
    const from = performance.now();
    const N = 3000;
    const rnd = () => randomBytes(6).toString('hex');
    const kinds = [() => `${rnd()}.shop`, () => `${rnd()}.default`, () => `${rnd()}.${rnd()}.svc`, () => `${rnd()}.${rnd()}`, () => `_${rnd()}._tcp.web.shop`];
    let answered = 0;
    const sock = dgram.createSocket('udp4');
    sock.on('message', () => answered++);
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    t.teardown(() => sock.close());
    for (let i = 0; i < N; i++) {
      sock.send(buildQuery(kinds[i % kinds.length]!(), i % 7 === 0 ? 'SRV' : 'A', { id: i & 0xffff }), port, '127.0.0.1');
      if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    }
    for (let i = 0; i < 100 && answered < N; i++) await new Promise((r) => setTimeout(r, 50));
    const to = performance.now();
    t.equal(answered, N, 'every query answered');
    t.ok(up.names.length <= N, `the upstream was asked ${up.names.length} times for ${N} queries`);
    const w = prober.worst(from, to);
    t.ok(w.maxGapMs < 1000, `the probe was answered throughout (longest gap ${w.maxGapMs.toFixed(0)} ms)`);
    t.equal(w.lost, 0, 'no probe lost');
    const r = await ask(port, 'web.shop');
    t.same(r.answers.map((a) => a.data), ['10.96.7.7'], 'and the short name still resolves afterwards');
  });
});
