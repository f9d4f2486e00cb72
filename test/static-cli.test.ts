// Static records from a --records file, served by the real executable: rdata checked byte for byte with dig over
// UDP and TCP, answered to Node's resolver, NODATA / wildcard / CNAME chains, static names winning over the upstream
// while everything else still forwards, and the file edited while running (a broken edit keeps the last good table).
import t from 'tap';
import dns from 'node:dns';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Prober } from '../bench/probe.js';
import { runCli, startCli, stopCli } from './helpers/cli.js';
import { dig, digFlags, digMissing, digSection, digStatus } from './helpers/dig.js';
import { DNSMASQ_SKIP, findDnsmasq, startDnsmasq, type Dnsmasq } from './helpers/dnsmasq.js';
import { until } from './helpers/until.js';

const binary = findDnsmasq();
if (digMissing || !binary) {
  t.plan(0, digMissing || DNSMASQ_SKIP);
  process.exit(0);
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'static-cli-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'records.zone');
const ZONE = `; names the app under test resolves besides the cluster
$ORIGIN example.test.
$TTL 60
api        IN A     127.0.0.1
api           AAAA  ::1
@          300 IN MX 10 mail
mail       A 127.0.0.2
txt        TXT "v=spf1 -all" "two words" plain "q\\"uote"
_sip._tcp  SRV 0 5 5060 sip.example.test.
www        CNAME api
app        CNAME myapp.default.svc.cluster.local.
*.wild     A 10.0.0.9
only.wild  A 10.0.0.10
outside    CNAME www.fixed.test.
1.0.0.127.in-addr.arpa. PTR localhost.example.test.
multi ( A
   127.0.0.5 ) ; comment
`;
writeFileSync(file, ZONE);

let upstream: Dnsmasq;
let cli: Awaited<ReturnType<typeof startCli>>;
let admin = '';
t.before(async () => {
  // The upstream knows api.example.test too, with another address: the static record must win.
  upstream = await startDnsmasq(binary!, ['--address=/fixed.test/192.0.2.1', '--address=/api.example.test/192.0.2.99', '--address=/other.example.test/192.0.2.55']);
  cli = await startCli(['--records', file, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--upstream', `127.0.0.1:${upstream.port}`, '--log-level', 'warn']);
  admin = /admin http:\/\/([^\s,]+)/.exec(cli.line)![1];
});
t.teardown(async () => {
  if (cli) await stopCli(cli.proc);
  await upstream?.stop();
});

const server = () => ({ host: '127.0.0.1', port: cli.port });
/** dig's RFC 3597 form of every answer record: `name ttl IN TYPE \# len hex`, the rdata exactly as sent (uncompressed). */
const rawAnswer = async (name: string, type: string, tcp = false) =>
  digSection(await dig(server(), ['+norec', '+unknownformat', ...(tcp ? ['+tcp'] : []), name, type]), 'ANSWER')
    // dig splits long hex into words and writes it in upper case: one word, lower case
    .map((l) => { const p = l.split(' '); return [...p.slice(0, 6), p.slice(6).join('').toLowerCase()].join(' '); });

/** A domain name in wire form, as hex. */
function wire(name: string): string {
  return Buffer.concat([...name.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]).toString('hex');
}
const u16 = (n: number) => n.toString(16).padStart(4, '0');
const str = (s: string) => Buffer.concat([Buffer.from([Buffer.byteLength(s)]), Buffer.from(s)]).toString('hex');
const rfc3597 = (hex: string) => `\\# ${hex.length / 2} ${hex}`;

t.test('rdata on the wire, byte for byte, over UDP and TCP', async (t) => {
  const cases: [string, string, string, number][] = [
    ['api.example.test', 'A', '7f000001', 60],
    ['api.example.test', 'AAAA', '00000000000000000000000000000001', 60],
    ['example.test', 'MX', u16(10) + wire('mail.example.test'), 300],
    ['txt.example.test', 'TXT', str('v=spf1 -all') + str('two words') + str('plain') + str('q"uote'), 60],
    ['_sip._tcp.example.test', 'SRV', u16(0) + u16(5) + u16(5060) + wire('sip.example.test'), 60],
    ['www.example.test', 'CNAME', wire('api.example.test'), 60],
    ['1.0.0.127.in-addr.arpa', 'PTR', wire('localhost.example.test'), 60],
    ['multi.example.test', 'A', '7f000005', 60],
  ];
  for (const tcp of [false, true]) {
    for (const [name, type, hex, ttl] of cases) {
      const lines = await rawAnswer(name, type, tcp);
      const typeNum = { A: 1, AAAA: 28, MX: 15, TXT: 16, SRV: 33, CNAME: 5, PTR: 12 }[type];
      t.same(lines, [`${name}. ${ttl} CLASS1 TYPE${typeNum} ${rfc3597(hex)}`], `${name} ${type} over ${tcp ? 'TCP' : 'UDP'}`);
    }
  }
  const out = await dig(server(), ['+norec', 'API.Example.TEST', 'A']);
  t.ok(digFlags(out).includes('aa'), 'authoritative');
  t.same(digSection(out, 'ANSWER'), ['API.Example.TEST. 60 IN A 127.0.0.1'], 'case-insensitive, answered in the asker\'s spelling');
});

t.test("Node's resolver gets the records", async (t) => {
  const r = new dns.promises.Resolver({ timeout: 2000, tries: 1 });
  r.setServers([`127.0.0.1:${cli.port}`]);
  t.same(await r.resolve4('api.example.test'), ['127.0.0.1']);
  t.same(await r.resolve6('api.example.test'), ['::1']);
  // t.match: Node 24 adds a `type` field to these objects
  t.match(await r.resolveMx('example.test'), [{ exchange: 'mail.example.test', priority: 10 }]);
  t.same(await r.resolveTxt('txt.example.test'), [['v=spf1 -all', 'two words', 'plain', 'q"uote']]);
  const srv = await r.resolveSrv('_sip._tcp.example.test');
  t.match(srv, [{ name: 'sip.example.test', port: 5060, priority: 0, weight: 5 }]);
  t.same(await r.resolveCname('www.example.test'), ['api.example.test']);
  t.same(await r.resolve4('www.example.test'), ['127.0.0.1'], 'the CNAME is followed within the table');
  // (reverse() reads /etc/hosts first: resolvePtr asks DNS only)
  t.same(await r.resolvePtr('1.0.0.127.in-addr.arpa'), ['localhost.example.test']);
});

t.test('NODATA, wildcards, chains into the cluster zone, and forwarding', async (t) => {
  const nodata = await dig(server(), ['+norec', 'api.example.test', 'TXT']);
  t.equal(digStatus(nodata), 'NOERROR', 'a name with other types: NODATA');
  t.same(digSection(nodata, 'ANSWER'), []);
  t.ok(digFlags(nodata).includes('aa'));

  t.same(digSection(await dig(server(), ['+norec', 'a.b.wild.example.test', 'A']), 'ANSWER'), ['a.b.wild.example.test. 60 IN A 10.0.0.9'], 'wildcard');
  t.same(digSection(await dig(server(), ['+norec', 'only.wild.example.test', 'A']), 'ANSWER'), ['only.wild.example.test. 60 IN A 10.0.0.10'], 'a present name is not the wildcard\'s');
  t.equal(digStatus(await dig(server(), ['+norec', 'wild.example.test', 'A'])), 'NOERROR', 'the wildcard\'s parent exists (empty non-terminal): NODATA');

  const app = await dig(server(), ['+norec', 'app.example.test', 'A']);
  t.same(digSection(app, 'ANSWER'), ['app.example.test. 60 IN CNAME myapp.default.svc.cluster.local.', 'myapp.default.svc.cluster.local. 5 IN A 10.96.120.15'], 'chain into the cluster zone');

  const out = await dig(server(), ['outside.example.test', 'A']);
  t.same(digSection(out, 'ANSWER'), ['outside.example.test. 60 IN CNAME www.fixed.test.', 'www.fixed.test. 0 IN A 192.0.2.1'].sort(), 'a target outside both is asked upstream');

  const wins = await dig(server(), ['api.example.test', 'A']);
  t.same(digSection(wins, 'ANSWER'), ['api.example.test. 60 IN A 127.0.0.1'], 'the static name wins over the upstream\'s 192.0.2.99');
  const fwd = await dig(server(), ['www.fixed.test', 'A']);
  t.same(digSection(fwd, 'ANSWER'), ['www.fixed.test. 0 IN A 192.0.2.1'], 'other names still forward');
  const sibling = await dig(server(), ['other.example.test', 'A']);
  t.same(digSection(sibling, 'ANSWER'), ['other.example.test. 0 IN A 192.0.2.55'], 'a name beside static ones that the table lacks goes upstream');
});

t.test('edited while running: served; a broken edit keeps the last good table', async (t) => {
  const prober = new Prober(cli.port, 'api.example.test');
  prober.start(1);
  t.teardown(() => prober.stop());
  const from = performance.now();
  const a = () => dig(server(), ['+norec', '+short', 'api.example.test', 'A']).then((s) => s.trim());

  writeFileSync(file, ZONE.replace('api        IN A     127.0.0.1', 'api        IN A     127.0.0.7') + 'new A 127.0.0.8\n');
  t.equal(await until(a, (v) => v === '127.0.0.7', 5000), '127.0.0.7', 'an edit is served');
  t.equal((await dig(server(), ['+norec', '+short', 'new.example.test', 'A'])).trim(), '127.0.0.8');

  // An editor's save: a new file renamed over the old one, broken on line 19.
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${ZONE}new A 127.0.0.8\nbroken TXT "never closed\n`);
  renameSync(tmp, file);
  const status = await until(async () => (await fetch(`http://${admin}/api/v1/status`)).json() as Promise<any>, (s) => s.staticRecords.files.failedReloads > 0, 5000);
  t.match(status.staticRecords.files.lastError, { file, line: 19, column: 12, message: /quoted string not closed/ }, 'the status names file, line and column');
  t.equal(await a(), '127.0.0.7', 'the last good table still answers');
  t.match(cli.stderr(), new RegExp(`${file.replace(/[.]/g, '\\.')}:19:12: quoted string not closed`), 'logged with file:line:column');
  const metrics = await (await fetch(`http://${admin}/metrics`)).text();
  t.match(metrics, /clusterdns_static_reloads_total\{result="failure"\} [1-9]/, 'counted');

  writeFileSync(file, ZONE);
  t.equal(await until(a, (v) => v === '127.0.0.1', 5000), '127.0.0.1', 'the fixed file is served');
  const gone = await dig(server(), ['+norec', 'new.example.test', 'A']);
  t.same(digSection(gone, 'ANSWER'), [], 'a removed name is no longer answered from the table');
  t.notOk(digFlags(gone).includes('aa'), 'it went to the upstream, which does not know it');
  const w = prober.worst(from, performance.now());
  t.ok(w.answered > 50, `probe answered ${w.answered} times`);
  t.ok(w.maxGapMs < 1000, `longest DNS gap through the edits: ${w.maxGapMs.toFixed(1)} ms`);
  t.equal(cli.proc.exitCode, null, 'the process lives');
});

t.test('clusterdns records lists them; a bad file at start exits 2 naming file:line:column', async (t) => {
  const out = await runCli(['records', '--records', file]);
  t.equal(out.code, 0, out.stderr);
  t.match(out.stdout, /^example\.test\.\t300\tIN\tMX\t10 mail\.example\.test\.$/m);
  t.match(out.stdout, /^api\.example\.test\.\t60\tIN\tA\t127\.0\.0\.1$/m);
  t.match(out.stdout, /myapp\.default\.svc\.cluster\.local\./, 'beside the cluster\'s records');

  const bad = path.join(dir, 'bad.zone');
  writeFileSync(bad, '$ORIGIN example.test.\nok A 127.0.0.1\nmx MX 10\n');
  const r = await runCli(['--records', bad, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.equal(r.code, 2);
  t.match(r.stderr, `${bad}:3:4: MX takes a preference and a mail exchanger`);
  const inZone = path.join(dir, 'in-zone.zone');
  writeFileSync(inZone, 'x.default.svc.cluster.local. A 127.0.0.1\n');
  const z = await runCli(['--records', inZone, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.equal(z.code, 2);
  t.match(z.stderr, `${inZone}:1:`);
  t.match(z.stderr, /inside the cluster zone cluster\.local .*give it as a manifest/);
});
