// Bad static-record input never takes clusterdns down: every broken file names file:line:column and what to fix
// (the CLI exits 2 at start), every bad body is a 4xx saying what to fix, and the caps (file size, records per
// request, records in the table) hold while DNS keeps answering.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Prober } from '../bench/probe.js';
import { startClusterDns } from '../lib/index.js';
import { runCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';
import { startServer } from './helpers/server.js';

t.setTimeout(240_000);
const dir = mkdtempSync(path.join(os.tmpdir(), 'hostile-static-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, body: string | Buffer) => {
  const f = path.join(dir, name);
  writeFileSync(f, body);
  return f;
};

// [file body, line, column, what the message says]
const BAD: [string, string | Buffer, number, number, RegExp][] = [
  ['nul', Buffer.from([0x61, 0x00, 0x62]), 0, 0, /holds NUL bytes: a records file is text/],
  ['relative', 'api A 127.0.0.1\n', 1, 1, /relative and no \$ORIGIN is set: end it with a dot/],
  ['unclosed-quote', 'a.test. TXT "abc\n', 1, 13, /quoted string not closed/],
  ['unclosed-paren', 'a.test. A (\n127.0.0.1\n', 1, 11, /"\(" never closed/],
  ['stray-paren', 'a.test. A 127.0.0.1 )\n', 1, 21, /"\)" without an opening "\("/],
  ['include', '$INCLUDE other.zone\n', 1, 1, /\$INCLUDE is not supported/],
  ['directive', '$GENERATE 1-10 x A 1.2.3.4\n', 1, 1, /unknown directive \$GENERATE/],
  ['type', 'a.test. HINFO "x" "y"\n', 1, 9, /"HINFO" is not a record type served here: use A, AAAA, CNAME, TXT, MX, SRV, PTR/],
  ['class', 'a.test. CH A 127.0.0.1\n', 1, 9, /class CH: only IN is served/],
  ['no-type', 'a.test. 300\n', 1, 9, /no record type after "300"/],
  ['ipv4', '\n\na.test. A 1.2.3.256\n', 3, 11, /"1\.2\.3\.256" is not an IPv4 address/],
  ['ipv6', 'a.test. AAAA fe80::1%eth0\n', 1, 14, /not an IPv6 address/],
  ['txt-255', `a.test. TXT "${'x'.repeat(256)}"\n`, 1, 13, /TXT string 1 is 256 bytes: a character-string holds at most 255/],
  ['label-64', `${'l'.repeat(64)}.test. A 127.0.0.1\n`, 1, 1, /is 64 characters, over the 63 a label may have/],
  ['name-254', `${Array(51).fill('abcd').join('.')}.abc.test. A 127.0.0.1\n`, 1, 1, /characters: a domain name has at most 253/],
  ['bad-char', 'a$b.test. A 127.0.0.1\n', 1, 1, /may hold only letters, digits/],
  ['mid-wildcard', 'a.*.test. A 127.0.0.1\n', 1, 1, /"\*" is a wildcard only as the whole first label/],
  ['mx-pref', 'a.test. MX 70000 mx.test.\n', 1, 12, /MX preference "70000" is not a whole number from 0 to 65535/],
  ['srv-fields', 'a.test. SRV 0 5 mx.test.\n', 1, 9, /SRV takes priority weight port target/],
  ['ttl', 'a.test. 9999999999 A 127.0.0.1\n', 1, 9, /TTL 9999999999 is out of range/],
  ['blank-owner', '   A 127.0.0.1\n', 1, 4, /starts with whitespace but no record before it names an owner/],
  ['cname-and-a', 'a.test. A 127.0.0.1\na.test. CNAME b.test.\n', 2, 1, /a CNAME cannot sit beside other data/],
  ['in-zone', 'svc.cluster.local. A 127.0.0.1\n', 1, 1, /inside the cluster zone cluster\.local/],
  ['escape', 'a\\.b.test. A 127.0.0.1\n', 1, 1, /escapes are not taken outside quoted TXT strings/],
  ['high-byte', 'a.test. TXT "\\200"\n', 1, 14, /\\200 is not an ASCII byte/],
];

t.test('broken files: in-process start rejects naming file:line:column', async (t) => {
  for (const [name, body, line, column, msg] of BAD) {
    const f = write(`${name}.zone`, body);
    const where = line > 0 ? `${f}:${line}:${column}: ` : `${f}: `;
    await t.rejects(startClusterDns({ recordFiles: f, fixtures: [] }), { message: new RegExp(`^${where.replace(/[.]/g, '\\.')}.*${msg.source}`) }, name);
  }
});

t.test('the CLI exits 2 with file:line:column for a broken file, a missing file, a folder, an oversize file', async (t) => {
  const broken = write('broken-cli.zone', '$ORIGIN example.test.\napi A 127.0.0.1\nmail MX 10\n');
  const big = write('big.zone', Buffer.alloc(16 * 1024 * 1024 + 1, 0x20));
  const lines = ['$ORIGIN bulk.test.'];
  for (let i = 0; i <= 100_000; i++) lines.push(`h${i} A 127.0.0.1`);
  const overCap = write('over-cap.zone', `${lines.join('\n')}\n`);
  const cases: [string, RegExp][] = [
    [broken, new RegExp(`clusterdns: --records ${broken}:3:6: MX takes a preference and a mail exchanger`)],
    [path.join(dir, 'missing.zone'), /missing\.zone: cannot read it: no such file/],
    [dir, /not a file: --records takes a master file/],
    [big, /over the 16777216-byte cap for a records file: split it/],
    [overCap, new RegExp(`${overCap}:100002:1: more than 100000 records, the most a static table holds`)],
  ];
  for (const [f, msg] of cases) {
    const r = await runCli(['--records', f, '--listen', '127.0.0.1:0', '--admin', 'off', '--fixtures', dir]);
    t.equal(r.code, 2, path.basename(f));
    t.match(r.stderr, msg);
  }
  const empty = await runCli(['--records', '', '--listen', '127.0.0.1:0']);
  t.equal(empty.code, 2);
  t.match(empty.stderr, /--records: expected a file path/);
});

t.test('garbage bodies are 4xx saying what to fix; the caps hold; DNS keeps answering', async (t) => {
  const { dns } = await startServer(t, { admin: '127.0.0.1:0', fixtures: [], records: [{ name: 'steady.example.test', type: 'A', value: '127.0.0.9' }] });
  const base = `http://${dns.adminAddress}/api/v1/static-records`;
  const post = (body: string | Buffer, type = 'application/json') => fetch(base, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  // Built before the probe starts: the probe runs in this process, and measures the server's work, not the test's.
  const batches = Array.from({ length: 10 }, (_, b) => JSON.stringify(Array.from({ length: b === 0 ? 9_999 : 10_000 }, (_, i) => ({ name: `h${b}-${i}.bulk.test`, type: 'A', value: `127.0.${b}.${i % 250}` }))));
  const tooMany = JSON.stringify(Array.from({ length: 10_001 }, (_, i) => ({ name: `n${i}.test`, type: 'A', value: '127.0.0.1' })));
  const prober = new Prober(dns.port, 'steady.example.test');
  prober.start(1);
  t.teardown(() => prober.stop());
  const from = performance.now();

  const bodies: [string | Buffer, string, number, RegExp][] = [
    ['{"records": [', 'application/json', 400, /the body is not JSON .*send \[\{"name"/],
    ['42', 'application/json', 400, /expected an array of records/],
    ['[{"name": "a.test", "type": "A", "value": "127.0.0.1", "extra": 1}]', 'application/json', 400, /records\[0\]\.extra: no such field/],
    ['[{"name": 7, "type": "A", "value": "127.0.0.1"}]', 'application/json', 400, /records\[0\]\.name: expected a domain name string/],
    ['[{"name": "a.test", "type": "A", "value": "127.0.0.1", "ttl": -1}]', 'application/json', 400, /records\[0\]\.ttl: TTL -1 is out of range/],
    ['[{"name": "a.test", "type": "TXT", "value": [1]}]', 'application/json', 400, /records\[0\]\.value: TXT takes a string or an array of strings/],
    ['[null]', 'application/json', 400, /records\[0\]: expected an object/],
    [Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80]), 'application/octet-stream', 400, /line 1, column/],
    ['a.test. CNAME b.test.\na.test. CNAME c.test.\n', 'text/plain', 400, /already has a CNAME/],
    ['{"a":1}'.padEnd(1024 * 1024 + 10, ' '), 'application/json', 413, /over 1048576 bytes: send at most 10000 records per request/],
    [tooMany, 'application/json', 400, /10001 records in one request: send at most 10000/],
  ];
  for (const [body, type, code, msg] of bodies) {
    const res = await post(body, type);
    const json = await res.json() as { message: string };
    t.equal(res.status, code, `${code}: ${json.message.slice(0, 100)}`);
    t.match(json.message, msg);
  }
  const badDelete = await fetch(`${base}?type=A`, { method: 'DELETE' });
  t.equal(badDelete.status, 400);
  t.match(await badDelete.json(), { message: /type narrows a name: give name too/ });

  // 100,000 records in batches of 10,000 (the table's cap), then one more is refused with what to do.
  for (let b = 0; b < 10; b++) {
    const res = await post(batches[b]);
    t.equal(res.status, 201, `batch ${b}`);
  }
  const over = await post('[{"name": "one-more.test", "type": "A", "value": "127.0.0.1"}]');
  t.equal(over.status, 400);
  t.match(await over.json(), { message: /would hold 100001 records, over its cap of 100000: remove some first/ });
  t.same((await query(dns.port, 'h9-9999.bulk.test', 'A')).answers!.map((a) => a.data), ['127.0.9.249'], 'the last record of the last batch answers');
  t.same((await query(dns.port, 'steady.example.test', 'A')).answers!.map((a) => a.data), ['127.0.0.9'], 'the first record still answers');
  const w = prober.worst(from, performance.now());
  t.ok(w.answered > 20, `probe answered ${w.answered}`);
  t.ok(w.maxGapMs < 1000, `longest DNS gap while taking 100,000 records over HTTP: ${w.maxGapMs.toFixed(1)} ms`);
  t.equal((await fetch(base, { method: 'DELETE' })).status, 200);
  t.equal((await query(dns.port, 'h9-9999.bulk.test', 'A')).rcode, 'REFUSED', 'cleared: not ours any more');
});
