// The log and errors plugins as CoreDNS writes them: one line per query in the common log format, filtered by name
// and class; SERVFAILs as "plugin/errors" lines, consolidated when a pattern says so. The expected lines are built
// from the query we sent (its source port, ID, size) and the reply we got (its size and flags).
import t from 'tap';
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { startCli, stopCli } from './helpers/cli.js';
import { corefileDir, WEB } from './helpers/corefile-run.js';
import { until } from './helpers/until.js';
import { COMMON_FORMAT, compileFormat, durationText, flagsText, formatLine } from '../lib/plugins/log/format.js';
import { parseLog } from '../lib/plugins/log/setup.js';
import { parseCorefile } from '../lib/corefile/parse.js';

/** Sends one query from a socket of our own; returns what the CoreDNS line is built from. */
async function ask(port: number, name: string, id: number, edns = false): Promise<{ srcPort: number; reqSize: number; reply: Buffer }> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const msg = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name, class: 'IN' }],
    additionals: edns ? [{ type: 'OPT', name: '.', udpPayloadSize: 4096 } as dnsPacket.Answer] : [] });
  const reply = await new Promise<Buffer>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no reply')), 3000);
    sock.once('message', (m) => { clearTimeout(timer); resolve(m); });
    sock.send(msg, port, '127.0.0.1');
  });
  const srcPort = sock.address().port;
  sock.close();
  return { srcPort, reqSize: msg.length, reply };
}

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN'];
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** CoreDNS's common log line for what we sent and got, the duration left as a pattern */
function expected(q: { srcPort: number; reqSize: number; reply: Buffer }, name: string, id: number, bufsize: number): RegExp {
  const flags = flagsText(q.reply.readUInt16BE(2));
  const rcode = RCODES[q.reply[3]! & 0xf];
  return new RegExp(`^${esc(`[INFO] 127.0.0.1:${q.srcPort} - ${id} "A IN ${name} udp ${q.reqSize} false ${bufsize}" ${rcode} ${flags} ${q.reply.length} `)}\\d+(\\.\\d{1,9})?s$`, 'm');
}

t.test('log: CoreDNS\'s common format, name and class filters; errors: SERVFAIL lines, consolidated', async (t) => {
  const c = corefileDir(t);
  c.write(`
cluster.local:53 {
  log cluster.local {
    class success denial
  }
  kubernetes
}
example.org:53 {
  errors {
    consolidate 400ms ^no.next
  }
}
quiet.test:53 {
  log . {
    class error
  }
  errors
}
`);
  const srv = await startCli(['--corefile', c.corefile, '--listen', '127.0.0.1:0', '--admin', 'off', '--fixtures', c.fixtures]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));

  const ok = await ask(srv.port, WEB.fqdn, 4891);
  const nx = await ask(srv.port, `nope.${WEB.namespace}.svc.cluster.local.`, 4892, true);
  await until(async () => srv.stderr(), (s) => s.includes(' - 4892 '), 3000);
  t.match(srv.stderr(), expected(ok, WEB.fqdn, 4891, 512), 'a success, without EDNS: bufsize 512');
  t.match(srv.stderr(), expected(nx, `nope.${WEB.namespace}.svc.cluster.local.`, 4892, 4096), 'a denial, with the EDNS size it advertised');

  // example.org: every query ends past the last plugin (SERVFAIL "no next plugin found"), consolidated
  for (let i = 0; i < 3; i++) await ask(srv.port, `n${i}.example.org.`, 5000 + i);
  await until(async () => srv.stderr(), (s) => s.includes('errors like'), 3000);
  t.match(srv.stderr(), /^\[ERROR\] plugin\/errors: 3 errors like '\^no\.next' occurred in last 400ms$/m, 'three SERVFAILs, one line');
  t.notMatch(srv.stderr(), /plugin\/errors: 2 n0\.example\.org\./, 'not one line each');

  // quiet.test: class error logs the SERVFAIL and errors writes its own line
  const sf = await ask(srv.port, 'x.quiet.test.', 6001);
  await until(async () => srv.stderr(), (s) => s.includes(' - 6001 '), 3000);
  t.match(srv.stderr(), expected(sf, 'x.quiet.test.', 6001, 512));
  t.match(srv.stderr(), /^\[ERROR\] plugin\/errors: 2 x\.quiet\.test\. A: no next plugin found$/m);
  t.notMatch(srv.stderr(), / - 50\d\d "/, 'example.org has no log plugin');
});

t.test('log syntax as CoreDNS reads it', async (t) => {
  const d = (text: string) => parseCorefile(`.:53 {\n${text}\n}\n`, { env: {} })[0]!.directives[0]!;
  t.same(parseLog(d('log')), { names: [''], format: COMMON_FORMAT, classes: ['all'] }, 'no arguments: every name, {common}, every class');
  t.equal(COMMON_FORMAT, '{remote}:{port} - {>id} "{type} {class} {name} {proto} {size} {>do} {>bufsize}" {rcode} {>rflags} {rsize} {duration}');
  t.same(parseLog(d('log example.org')).names, ['example.org'], 'one argument is a name');
  const custom = parseLog(d('log a.test b.test "{remote} {name} {combined}"'));
  t.same(custom.names, ['a.test', 'b.test']);
  t.equal(custom.format, '{remote} {name} {combined}', 'the last argument with a "{" is the format');
  t.same(parseLog(d('log {\n class denial error\n}')).classes, ['denial', 'error']);
  t.throws(() => parseLog(d('log {\n class fatal\n}')), /^Corefile line 3: log: unknown class "fatal"/);
  t.throws(() => parseLog(d('log {\n format x\n}')), /^Corefile line 3: unknown log option "format"/);
  t.throws(() => parseLog(d(`log . "${'{name}'.repeat(300)}"`)), /the format is 1800 characters; at most 1024/);
});

t.test('placeholders', async (t) => {
  const e = { question: { name: 'Web.Example.ORG', type: 28 }, transport: 'tcp' as const, client: '::1', rcode: 3, answers: 0, requestSize: 40,
    responseSize: 100, start: 0, plugin: 'kubernetes', edns: true, do: true, port: 5353, id: 7, flags: 0x8583, bufsize: 1232 };
  t.equal(formatLine(compileFormat('{combined} {unknown} {proto}'), e, 'web.example.org.', 1.5),
    '[::1]:5353 - 7 "AAAA IN web.example.org. tcp 40 true 65535" NXDOMAIN qr,aa,rd,ra 100 0.0015s "0" {unknown} tcp');
  t.equal(durationText(0.157), '0.000157s');
  t.equal(durationText(2000), '2s');
});
