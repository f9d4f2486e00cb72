// Writes the seed queries of the query fuzzer (test/fuzz-query.test.ts) into test/fuzz-corpus/queries/: real
// queries for the bundled fixtures' names, each qtype, EDNS with and without options, compressed and odd names.
// Run once with `npx tsx test/fuzz-corpus/make-queries.ts`; the files are committed, so the fuzzer never depends
// on this script. Each file: `#` comment lines, then the datagram in hex.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import packet from 'dns-packet';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'queries');
mkdirSync(DIR, { recursive: true });

function save(name: string, what: string, buf: Buffer | Uint8Array): void {
  writeFileSync(path.join(DIR, `${name}.hex`), `# ${what}\n${Buffer.from(buf).toString('hex')}\n`);
}

let id = 0x1000;
function q(name: string, type: string, opts: { klass?: string; edns?: { udpPayloadSize?: number; do?: boolean; options?: any[] }; rd?: boolean } = {}): Buffer {
  const additionals: any[] = [];
  if (opts.edns) additionals.push({ type: 'OPT', name: '.', udpPayloadSize: opts.edns.udpPayloadSize ?? 1232, flags: opts.edns.do ? packet.DNSSEC_OK : 0, options: opts.edns.options ?? [] });
  return packet.encode({ type: 'query', id: id++, flags: opts.rd === false ? 0 : packet.RECURSION_DESIRED, questions: [{ type: type as any, name, class: (opts.klass ?? 'IN') as any }], additionals });
}

const names: [string, string][] = [
  ['myapp.default.svc.cluster.local', 'A'],
  ['myapp.default.svc.cluster.local', 'AAAA'],
  ['_http._tcp.myapp.default.svc.cluster.local', 'SRV'],
  ['myapp-headless.default.svc.cluster.local', 'SRV'],
  ['web-0.web-headless.default.svc.cluster.local', 'A'],
  ['10-244-0-11.myapp-headless.default.svc.cluster.local', 'A'],
  ['10-244-0-11.default.pod.cluster.local', 'A'],
  ['181.118.104.10.in-addr.arpa', 'PTR'],
  ['1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.a.f.d.f.ip6.arpa', 'PTR'],
  ['payments.shop.svc.cluster.local', 'CNAME'],
  ['payments.shop.svc.cluster.local', 'A'],
  ['dns-version.cluster.local', 'TXT'],
  ['cluster.local', 'SOA'],
  ['cluster.local', 'NS'],
  ['ns.dns.cluster.local', 'A'],
  ['cluster.local', 'ANY'],
  ['missing.default.svc.cluster.local', 'A'],
  ['default.svc.cluster.local', 'A'],
  ['svc.cluster.local', 'MX'],
  ['web.shop.svc.cluster.local', 'CAA'],
  ['web.shop.svc.cluster.local', 'HTTPS'],
  ['web.shop.svc.cluster.local', 'SVCB'],
  ['cluster.local', 'AXFR'],
  ['cluster.local', 'IXFR'],
  ['example.com', 'A'],
  ['', 'NS'],
  ['MyApp.DEFAULT.svc.Cluster.Local', 'A'],
];
for (const [i, [name, type]] of names.entries()) {
  save(`plain-${String(i).padStart(2, '0')}-${type.toLowerCase()}`, `${type} ${name || '.'}`, q(name, type));
}
{
  const b = q('myapp.default.svc.cluster.local', 'A');
  b.writeUInt16BE(65280, b.length - 4);
  save('type-private-65280', 'a private-use qtype', b);
}
save('class-chaos', 'version.bind CH TXT', q('version.bind', 'TXT', { klass: 'CH' }));
save('class-any', 'class ANY', q('myapp.default.svc.cluster.local', 'A', { klass: 'ANY' }));
save('no-rd', 'RD clear', q('myapp.default.svc.cluster.local', 'A', { rd: false }));

save('edns-1232', 'EDNS 1232', q('_http._tcp.myapp.default.svc.cluster.local', 'SRV', { edns: {} }));
save('edns-do-4096', 'EDNS DO, 4096', q('myapp.default.svc.cluster.local', 'A', { edns: { udpPayloadSize: 4096, do: true } }));
save('edns-size-0', 'EDNS size 0 (read as 512)', q('web-headless.default.svc.cluster.local', 'A', { edns: { udpPayloadSize: 0 } }));
save('edns-ecs', 'EDNS client subnet', q('myapp.default.svc.cluster.local', 'A', { edns: { options: [{ code: 'CLIENT_SUBNET', family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, ip: '10.1.2.0' }] } }));
save('edns-cookie', 'EDNS cookie', q('myapp.default.svc.cluster.local', 'A', { edns: { options: [{ code: 'COOKIE', data: Buffer.from('0102030405060708', 'hex') }] } }));
save('edns-padding', 'EDNS padding 128', q('myapp.default.svc.cluster.local', 'A', { edns: { options: [{ code: 'PADDING', length: 128 }] } }));
save('edns-nsid', 'EDNS NSID', q('cluster.local', 'SOA', { edns: { options: [{ code: 'NSID', data: Buffer.alloc(0) }] } }));
save('edns-tcp-keepalive', 'EDNS keepalive', q('cluster.local', 'SOA', { edns: { options: [{ code: 'TCP_KEEPALIVE' }] } }));
{
  const b = q('myapp.default.svc.cluster.local', 'A', { edns: {} });
  b[b.length - 5] = 1; // EDNS version 1 → BADVERS
  save('edns-version-1', 'EDNS version 1 (BADVERS)', b);
}

// Compressed names: what the hand parser leaves to dns2's decoder.
const hdr = (qd: number, an: number, ns: number, ar: number, id2 = 0x2222) => {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id2, 0); h[2] = 0x01; h.writeUInt16BE(qd, 4); h.writeUInt16BE(an, 6); h.writeUInt16BE(ns, 8); h.writeUInt16BE(ar, 10);
  return h;
};
const wireName = (n: string) => Buffer.concat([...n.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])]);
const u16 = (...v: number[]) => Buffer.from(v.flatMap((x) => [x >> 8, x & 0xff]));
const qname = wireName('myapp.default.svc.cluster.local');
save('compressed-additional-a', 'an A record in the additional section whose owner points at the question',
  Buffer.concat([hdr(1, 0, 0, 1), qname, u16(1, 1), u16(0xc00c, 1, 1, 0, 60, 4), Buffer.from([10, 0, 0, 1])]));
save('compressed-opt-owner', 'an OPT whose owner is a pointer (not the root): FORMERR per RFC 6891',
  Buffer.concat([hdr(1, 0, 0, 1), qname, u16(1, 1), u16(0xc00c, 41, 1232, 0, 0, 0)]));
save('compressed-question-suffix', 'a question name ending in a pointer into itself (label "x" then c0 0c)',
  Buffer.concat([hdr(1, 0, 0, 0), Buffer.from([1, 0x78, 0xc0, 0x0c]), u16(1, 1)]));
save('compressed-question-forward', 'a question name that is a pointer forward into an additional record',
  Buffer.concat([hdr(1, 0, 0, 1), u16(0xc012), u16(1, 1), qname, u16(1, 1, 0, 60, 4), Buffer.from([10, 0, 0, 1])]));
save('compressed-loop', 'a pointer to itself', Buffer.concat([hdr(1, 0, 0, 0), u16(0xc00c), u16(1, 1)]));
save('two-opt', 'two OPT records: FORMERR per RFC 6891 6.1.1',
  Buffer.concat([hdr(1, 0, 0, 2), qname, u16(1, 1), Buffer.from([0]), u16(41, 1232, 0, 0, 0), Buffer.from([0]), u16(41, 1232, 0, 0, 0)]));
save('empty-label-dot', 'the issue\'s empty-label question: a label holding "." (FORMERR: AN=2 with no answer records; issue 11)',
  Buffer.from('123401000001000200000000' + '022e6100' + '00010001', 'hex'));
const long = Array.from({ length: 5 }, () => 'a'.repeat(63)).join('.');
save('name-over-255', 'a question name of 5 x 63-byte labels (321 bytes): must be FORMERR', Buffer.concat([hdr(1, 0, 0, 0), wireName(long), u16(1, 1)]));
const max = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)].join('.');
save('name-255', 'a question name of exactly 255 bytes', Buffer.concat([hdr(1, 0, 0, 0), wireName(max), u16(1, 1)]));
save('label-escapes', 'labels with a space, a dot, a backslash and a NUL', Buffer.concat([hdr(1, 0, 0, 0), Buffer.from([3, 0x61, 0x20, 0x62, 2, 0x5c, 0x00, 0]), u16(1, 1)]));
save('label-64', 'a label length of 64 (reserved bits 01)', Buffer.concat([hdr(1, 0, 0, 0), Buffer.from([0x40]), Buffer.alloc(64, 0x61), Buffer.from([0]), u16(1, 1)]));
save('tsig-like', 'a TSIG-shaped additional record',
  Buffer.concat([hdr(1, 0, 0, 1), qname, u16(1, 1), wireName('key.example'), u16(250, 255, 0, 0, 26), wireName('hmac-sha256'), Buffer.alloc(15)]));
for (const [op, label] of [[1, 'iquery'], [2, 'status'], [4, 'notify'], [5, 'update']] as const) {
  const b = q('cluster.local', 'SOA');
  b[2] = (b[2] & 0x87) | (op << 3);
  save(`opcode-${label}`, `opcode ${op}`, b);
}
save('qd-0', 'no question', hdr(0, 0, 0, 0));
save('qd-2', 'two questions', Buffer.concat([hdr(2, 0, 0, 0), qname, u16(1, 1), qname, u16(28, 1)]));
{
  const b = q('myapp.default.svc.cluster.local', 'A');
  b[2] |= 0x80;
  save('response', 'a response (QR=1): dropped', b);
}
save('header-only', 'a header, nothing else', hdr(1, 0, 0, 0));
save('short-11', 'eleven bytes', hdr(1, 0, 0, 0).subarray(0, 11));
save('trailing-garbage', 'a query with bytes after the question', Buffer.concat([q('myapp.default.svc.cluster.local', 'A'), Buffer.from('deadbeef', 'hex')]));
save('an-1', 'a query with an answer record (allowed: one)', Buffer.concat([hdr(1, 1, 0, 0), qname, u16(1, 1), u16(0xc00c, 1, 1, 0, 60, 4), Buffer.from([10, 0, 0, 1])]));
console.log(`wrote the seed queries to ${DIR}`);
