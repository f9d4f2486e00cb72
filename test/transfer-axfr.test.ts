// Zone transfers from the command line (--transfer-to) as a user drives them: dig AXFR/IXFR over TCP against the
// CLI, the record order of CoreDNS's xfr.go derived from the fixture's manifests, `to` refusing other clients,
// REFUSED over UDP and without --transfer-to.
import t from 'tap';
import { join } from 'node:path';
import { digMissing, dig } from './helpers/dig.js';
import { ROOT, runCli, startCli, stopCli } from './helpers/cli.js';
import { queryUdp } from './helpers/dns-wire.js';
import { digLines, expectedTransfer, manifests, rawTransfer } from './helpers/transfer.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'transfer', 'zone.yaml');

if (digMissing) t.plan(0, digMissing);
else {
  const srv = await startCli(['--fixtures', FIXTURE, '--listen', '127.0.0.1:0', '--admin', 'off', '--transfer-to', '127.0.0.1', '--log-level', 'warn']);
  t.teardown(() => stopCli(srv.proc));
  const at = { host: '127.0.0.1', port: srv.port };
  const soaLine = digLines(await dig(at, ['SOA', 'cluster.local', '+noall', '+answer']))[0]!;
  const serial = Number(soaLine.split(' ')[6]);

  t.test('dig AXFR: every record in xfr.go\'s order, derived from the manifests, SOA as queries see it', async (t) => {
    const out = await dig(at, ['AXFR', 'cluster.local']);
    const got = digLines(out);
    t.strictSame(got, expectedTransfer(manifests([FIXTURE]), soaLine));
    t.match(out, /XFR size: \d+ records \(messages 1,/, 'a small zone is one message');
    t.ok(serial > 1_700_000_000, 'the serial is the time of the last change');
  });

  t.test('each message: AA, NOERROR, the question, no OPT (as miekg/dns\'s Transfer.Out writes them)', async (t) => {
    const msgs = await rawTransfer(at, 'cluster.local', 'AXFR', { edns: true });
    t.equal(msgs.length, 1);
    t.equal(msgs[0]!.rcode, 'NOERROR');
    t.equal(msgs[0]!.flag_aa, true);
    t.strictSame(msgs[0]!.questions, [{ name: 'cluster.local', type: 'AXFR', class: 'IN' }]);
    t.equal(msgs[0]!.additionals.length, 0);
  });

  t.test('IXFR: the current serial gets one SOA; an older one the whole zone', async (t) => {
    const current = digLines(await dig(at, [`IXFR=${serial}`, 'cluster.local']));
    t.strictSame(current, [soaLine], 'client up to date: the SOA alone');
    const raw = await rawTransfer(at, 'cluster.local', 'IXFR', { serial });
    t.equal(raw.length, 1);
    t.equal(raw[0]!.flag_aa, false, 'as CoreDNS (miekg/dns SetReply): no AA on the lone SOA');
    const full = digLines(await dig(at, [`IXFR=${serial - 1}`, 'cluster.local']));
    t.strictSame(full, expectedTransfer(manifests([FIXTURE]), soaLine), 'older serial: AXFR fallback');
    const newer = await rawTransfer(at, 'cluster.local', 'IXFR', { serial: serial + 1 });
    t.ok(newer.flatMap((m) => m.answers).length > 2, 'a serial the server never had (newer): the whole zone, as CoreDNS (it compares for equality)');
    const zero = await rawTransfer(at, 'cluster.local', 'IXFR', { serial: 0 });
    t.ok(zero.flatMap((m) => m.answers).length > 2, 'serial 0: the whole zone');
  });

  t.test('IXFR without the client\'s SOA: SERVFAIL', async (t) => {
    const msgs = await rawTransfer(at, 'cluster.local', 'IXFR');
    t.equal(msgs.length, 1);
    t.equal(msgs[0]!.rcode, 'SERVFAIL');
  });

  t.test('a client not in --transfer-to is REFUSED', async (t) => {
    const out = await dig(at, ['-b', '127.0.0.2', 'AXFR', 'cluster.local']);
    t.match(out, /Transfer failed/);
    t.strictSame(digLines(out), []);
    const msgs = await rawTransfer(at, 'cluster.local', 'AXFR', { localAddress: '127.0.0.2' });
    t.equal(msgs.length, 1);
    t.equal(msgs[0]!.rcode, 'REFUSED');
    t.equal(msgs[0]!.flag_aa, false);
    t.equal(msgs[0]!.answers.length, 0);
    const ixfr = await rawTransfer(at, 'cluster.local', 'IXFR', { localAddress: '127.0.0.2', serial });
    t.equal(ixfr[0]!.rcode, 'REFUSED', 'IXFR too, even with the current serial');
    // The refusal is not cached for the allowed client (nor the transfer for the refused one).
    t.equal(digLines(await dig(at, ['AXFR', 'cluster.local'])).length, expectedTransfer(manifests([FIXTURE]), soaLine).length);
  });

  t.test('over UDP: REFUSED, whatever the client', async (t) => {
    for (const type of ['AXFR', 'IXFR']) {
      const r = await queryUdp(at, 'cluster.local', type);
      t.equal(r.msg.rcode, 'REFUSED', type);
      t.equal(r.msg.answers.length, 0);
    }
  });

  t.test('names that are not a cluster zone: REFUSED (below the apex, reverse zones, elsewhere)', async (t) => {
    for (const name of ['svc.cluster.local', 'xfr.svc.cluster.local', 'in-addr.arpa', 'ip6.arpa', 'example.com']) {
      const msgs = await rawTransfer(at, name, 'AXFR');
      t.equal(msgs.length, 1, name);
      t.equal(msgs[0]!.rcode, 'REFUSED', name);
    }
  });

  t.test('the zone spelled in capitals: transferred, in the zone\'s own (lower-case) spelling', async (t) => {
    const got = digLines(await dig(at, ['AXFR', 'Cluster.LOCAL']));
    t.strictSame(got, expectedTransfer(manifests([FIXTURE]), soaLine));
  });

  t.test('without --transfer-to: AXFR REFUSED as before', async (t) => {
    const plain = await startCli(['--fixtures', FIXTURE, '--listen', '127.0.0.1:0', '--admin', 'off', '--log-level', 'warn']);
    t.teardown(() => stopCli(plain.proc));
    const msgs = await rawTransfer({ host: '127.0.0.1', port: plain.port }, 'cluster.local', 'AXFR');
    t.equal(msgs.length, 1);
    t.equal(msgs[0]!.rcode, 'REFUSED');
    t.match(await dig({ host: '127.0.0.1', port: plain.port }, ['AXFR', 'cluster.local']), /Transfer failed/);
  });

  t.test('--transfer-to: CIDRs and * accepted; nonsense a usage error', async (t) => {
    const cidr = await startCli(['--fixtures', FIXTURE, '--listen', '127.0.0.1:0', '--admin', 'off', '--log-level', 'warn', '--transfer-to', '10.0.0.0/8', '--transfer-to', '127.0.0.0/30']);
    t.teardown(() => stopCli(cidr.proc));
    const c = { host: '127.0.0.1', port: cidr.port };
    t.equal((await rawTransfer(c, 'cluster.local', 'AXFR', { localAddress: '127.0.0.2' }))[0]!.rcode, 'NOERROR', '127.0.0.2 is in 127.0.0.0/30');
    t.equal((await rawTransfer(c, 'cluster.local', 'AXFR', { localAddress: '127.0.0.5' }))[0]!.rcode, 'REFUSED', '127.0.0.5 is not');
    for (const bad of ['10.0.0.0/33', 'example.com', '1.2.3', '*.*']) {
      const r = await runCli(['--fixtures', FIXTURE, '--transfer-to', bad, '--listen', '127.0.0.1:0']);
      t.equal(r.code, 2, bad);
      t.match(r.stderr, /--transfer-to/, bad);
    }
  });
}
