// loadbalance moves records as bytes: hostile or odd messages (mangled counts, pointer loops, pointers forward or
// into the middle of a record, 64 KiB replies) must never make it write a message that means something else, throw,
// or take long. A reply it cannot reorder safely is sent as it came.
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { balance } from '../lib/plugins/loadbalance/permute.js';
import { random16 } from '../lib/plugins/loadbalance/handler.js';
import { parseCidr } from '../lib/plugins/loadbalance/setup.js';
import { encodeResponse } from '../lib/wire/encoder.js';
import type { RR } from '../lib/dns/records.js';
import { mulberry32 } from './helpers/prng.js';
import { startCli, stopCli } from './helpers/cli.js';
import { query, tcpQuery, udpQuery } from './helpers/dnsmasq.js';
import { stubUpstream, answerWith } from './helpers/stub-upstream.js';

/** Every record of every section with its names spelled out (pointers followed), or null when malformed. */
function decode(b: Buffer): string[][] | null {
  const nameAt = (o: number): { name: string; end: number } | null => {
    const labels: string[] = [];
    let end = -1;
    for (let hops = 0; hops < 256; hops++) {
      if (o >= b.length) return null;
      const len = b[o]!;
      if (len === 0) { if (end < 0) end = o + 1; return { name: labels.join('.'), end }; }
      if ((len & 0xc0) === 0xc0) { if (o + 1 >= b.length) return null; if (end < 0) end = o + 2; o = ((len & 0x3f) << 8) | b[o + 1]!; continue; }
      if (len > 63 || o + 1 + len > b.length) return null;
      labels.push(b.subarray(o + 1, o + 1 + len).toString('latin1'));
      o += 1 + len;
    }
    return null;
  };
  if (b.length < 12) return null;
  let o = 12;
  for (let q = 0; q < b.readUInt16BE(4); q++) { const n = nameAt(o); if (!n) return null; o = n.end + 4; }
  const sections: string[][] = [];
  for (let s = 0; s < 3; s++) {
    const recs: string[] = [];
    for (let i = 0; i < b.readUInt16BE(6 + 2 * s); i++) {
      const n = nameAt(o);
      if (!n || n.end + 10 > b.length) return null;
      const type = b.readUInt16BE(n.end);
      const rdlen = b.readUInt16BE(n.end + 8);
      const rd = n.end + 10;
      if (rd + rdlen > b.length) return null;
      let data = b.subarray(rd, rd + rdlen).toString('hex');
      if (type === 5 || type === 2 || type === 12) data = nameAt(rd)?.name ?? 'bad';
      if (type === 15) data = `${b.readUInt16BE(rd)} ${nameAt(rd + 2)?.name ?? 'bad'}`;
      recs.push(`${n.name} ${type} ${b.subarray(n.end + 2, n.end + 8).toString('hex')} ${data}`);
      o = rd + rdlen;
    }
    sections.push(recs.sort());
  }
  return sections;
}

const A = (name: string, ip: string): RR => ({ name, type: 1, ttl: 5, data: ip });
const MX = (name: string, pref: number, exchange: string): RR => ({ name, type: 15, ttl: 5, data: { preference: pref, exchange } });

function sample(rand: () => number): Buffer {
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const names = ['a.example.com', 'b.example.com', 'x.a.example.com', 'mail.example.org', 'example.com'];
  const mk = (n: number) => Array.from({ length: n }, () => (rand() < 0.7
    ? A(pick(names), `10.0.${Math.floor(rand() * 4)}.${Math.floor(rand() * 255)}`)
    : rand() < 0.5 ? MX(pick(names), Math.floor(rand() * 20), pick(names)) : { name: pick(names), type: 5, ttl: 5, data: pick(names) } as RR));
  return encodeResponse({ header: { id: 1, opcode: 0, aa: true, rd: false, cd: false, rcode: 0 }, question: { name: pick(names), type: 1, class: 1 },
    answer: mk(Math.floor(rand() * 6)), authority: mk(Math.floor(rand() * 3)), additional: mk(Math.floor(rand() * 5)), ...(rand() < 0.5 ? { edns: { udpSize: 1232, do: false } } : {}) });
}

t.test('random messages, valid and mangled: the same records come out (or the same bytes), nothing throws', async (t) => {
  const rand = mulberry32(13);
  const r16 = random16(99);
  const prefer = [parseCidr('10.0.1.0/24') as never];
  let reordered = 0, kept = 0, mangled = 0;
  for (let i = 0; i < 20_000; i++) {
    const orig = sample(rand);
    // One in three gets a few bytes flipped: counts, lengths and pointers point anywhere.
    if (i % 3 === 0) for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) orig[Math.floor(rand() * orig.length)] = Math.floor(rand() * 256);
    const before = decode(orig);
    const out = balance(Buffer.from(orig), r16, i % 2 ? prefer : null);
    t.equal(out.length, orig.length);
    if (!before) {
      mangled++;
      if (!out.equals(orig)) t.same(decode(out), null, 'a malformed message stays malformed, no worse');
      continue;
    }
    if (out.equals(orig)) kept++; else reordered++;
    const after = decode(out);
    if (JSON.stringify(after) !== JSON.stringify(before)) t.fail(`message ${i} changed meaning: ${orig.toString('hex')}`);
  }
  t.ok(reordered > 1000, `reordered ${reordered}, kept ${kept}, mangled ${mangled}`);
});

t.test('the largest message (64 KiB, ~4000 records) takes well under a millisecond or so', async (t) => {
  const answer = Array.from({ length: 4000 }, (_, i) => A('big.example.com', `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`));
  const msg = encodeResponse({ header: { id: 1, opcode: 0, aa: true, rd: false, cd: false, rcode: 0 }, question: { name: 'big.example.com', type: 1, class: 1 }, answer, authority: [], additional: [] });
  const r16 = random16(1);
  const before = JSON.stringify(decode(msg));
  const start = performance.now();
  for (let i = 0; i < 200; i++) balance(msg, r16, null);
  const ms = (performance.now() - start) / 200;
  t.equal(JSON.stringify(decode(msg)), before);
  t.ok(ms < 20, `${ms.toFixed(3)} ms per 64 KiB reply`);
});

t.test('hostile upstream replies through the CLI: passed on unchanged or reordered intact; the server keeps answering', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-lb-'));
  writeFileSync(join(dir, 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: default}\nspec: {clusterIP: 10.96.0.9, ports: [{port: 80}]}\n');
  const good = (name: string) => answerWith(name, 1, [A(name, '192.0.2.1'), A(name, '192.0.2.2'), A(name, '192.0.2.3')]);
  const kinds: Record<string, (name: string) => Buffer> = {
    // the second record's owner points forward, at the third record's owner
    forward: (name) => { const b = good(name); const recs = b.length - 3 * 16; b.writeUInt16BE(0xc000 | (recs + 32), recs + 16); return b; },
    // a pointer to itself
    loop: (name) => { const b = good(name); const recs = b.length - 3 * 16; b.writeUInt16BE(0xc000 | recs, recs); return b; },
    // more records announced than sent
    counts: (name) => { const b = good(name); b.writeUInt16BE(9, 6); return b; },
    // an rdlength past the end
    rdlen: (name) => { const b = good(name); b.writeUInt16BE(999, b.length - 6); return b; },
  };
  const upstream = await stubUpstream((_q, name) => (kinds[name.split('.')[0]!] ?? good)(name));
  t.teardown(() => upstream.close());
  const corefile = join(dir, 'Corefile');
  writeFileSync(corefile, `.:53 {\n  loadbalance\n  kubernetes cluster.local\n  forward . 127.0.0.1:${upstream.port}\n}\n`);
  const srv = await startCli(['--corefile', corefile, '--fixtures', dir, '--listen', '127.0.0.1:0', '--admin', 'off', '--no-watch', '--log-level', 'error']);
  t.teardown(() => stopCli(srv.proc));
  for (const kind of Object.keys(kinds)) {
    for (let i = 0; i < 20; i++) {
      const reply = await udpQuery(srv.port, query(`${kind}.example.net`, 'A', 7 + i), 2000).catch(() => null);
      if (!reply) continue;
      const sent = kinds[kind]!(`${kind}.example.net`);
      // The ID is the client's; everything else either as sent or the same records in another order.
      const same = reply.subarray(2).equals(sent.subarray(2));
      if (!same) t.same(decode(reply), decode(sent), `${kind}: reordered intact`);
    }
    const ok = await udpQuery(srv.port, query('s.default.svc.cluster.local', 'A'), 2000);
    t.equal(ok.readUInt16BE(6), 1, `still answering after ${kind}`);
  }
  // The good reply is shuffled.
  const firsts = new Set<string>();
  for (let i = 0; i < 40; i++) {
    const reply = await tcpQuery(srv.port, query('fine.example.net', 'A', i));
    firsts.add(decode(reply)![0]!.length ? reply.subarray(reply.length - 4).toString('hex') : '');
  }
  t.ok(firsts.size > 1, 'a well-formed forwarded reply is shuffled');
});
