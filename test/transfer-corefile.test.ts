// The Corefile's `transfer` directive (CoreDNS's plugin/transfer syntax) driven through the CLI: zones and `to`
// honoured, the kubernetes plugin's namespaces filter applied to the transfer, bad directives refused with the line.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dig, digMissing } from './helpers/dig.js';
import { ROOT, runCli, startCli, stopCli } from './helpers/cli.js';
import { digLines, expectedTransfer, manifests, rawTransfer } from './helpers/transfer.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'transfer', 'zone.yaml');
const dir = mkdtempSync(join(tmpdir(), 'clusterdns-xfr-corefile-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const corefile = (text: string) => {
  const p = join(dir, `Corefile.${++n}`);
  writeFileSync(p, text);
  return p;
};
const start = (file: string) => startCli(['--corefile', file, '--fixtures', join(ROOT, 'fixtures'), '--fixtures', FIXTURE,
  '--listen', '127.0.0.1:0', '--admin', 'off', '--log-level', 'warn']);

t.test('transfer { to ... } with kubernetes namespaces: only the exposed namespaces are transferred', { skip: digMissing }, async (t) => {
  const srv = await start(corefile(`.:53 {
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        namespaces xfr
    }
    transfer {
        to 127.0.0.1
    }
}
`));
  t.teardown(() => stopCli(srv.proc));
  t.notMatch(srv.stderr(), /not implemented[^\n]*transfer/, 'no "not implemented" warning for transfer');
  const at = { host: '127.0.0.1', port: srv.port };
  const soa = digLines(await dig(at, ['SOA', 'cluster.local', '+noall', '+answer']))[0]!;
  t.strictSame(digLines(await dig(at, ['AXFR', 'cluster.local'])), expectedTransfer(manifests([FIXTURE]), soa, { namespaces: ['xfr'] }));
  t.equal((await rawTransfer(at, 'cluster.local', 'AXFR', { localAddress: '127.0.0.2' }))[0]!.rcode, 'REFUSED');
});

t.test('transfer ZONE with two `to` lines: both addresses allowed, others REFUSED', async (t) => {
  const srv = await start(corefile(`.:53 {
    kubernetes cluster.local
    transfer cluster.local {
        to 127.0.0.2
        to 127.0.0.3:53 [fd00::9]:53 10.0.0.0/8
        source 127.0.0.1
    }
}
`));
  t.teardown(() => stopCli(srv.proc));
  const at = { host: '127.0.0.1', port: srv.port };
  for (const [from, rcode] of [['127.0.0.1', 'REFUSED'], ['127.0.0.2', 'NOERROR'], ['127.0.0.3', 'NOERROR'], ['127.0.0.4', 'REFUSED']] as const) {
    const msgs = await rawTransfer(at, 'cluster.local', 'AXFR', { localAddress: from });
    t.equal(msgs[0]!.rcode, rcode, from);
    if (rcode === 'NOERROR') t.equal(msgs.flatMap((m) => m.answers).filter((r) => r.type === 'SOA').length, 2, `${from}: the whole zone`);
  }
});

t.test('bad transfer directives are refused, naming the line', async (t) => {
  const cases: [string, RegExp][] = [
    ['transfer', /line 3: transfer: 'to' is required/],
    ['transfer {\n    }', /line 3: transfer: 'to' is required/],
    ['transfer {\n        to\n    }', /line 4: transfer: to: expected at least one address/],
    ['transfer {\n        to 10.0.0.0/33\n    }', /line 4: transfer: to "10\.0\.0\.0\/33": prefix length 33/],
    ['transfer {\n        to ns1.example.com\n    }', /line 4: transfer: to "ns1\.example\.com": expected \*, an IP address/],
    ['transfer {\n        to *\n        from 10.0.0.1\n    }', /line 5: transfer: unknown property "from"/],
    ['transfer {\n        to *\n        source here\n    }', /line 5: transfer: source: invalid source address "here"/],
    ['transfer {\n        to *\n        source 10.0.0.1\n        source 10.0.0.2\n    }', /line 6: transfer: source already specified/],
    ['transfer bad_zone! {\n        to *\n    }', /line 3: transfer: zone "bad_zone!" is not a domain name/],
    ['transfer {\n        to *\n    }\n    transfer {\n        to *\n    }', /transfer appears twice/],
  ];
  for (const [directive, want] of cases) {
    const r = await runCli(['--corefile', corefile(`.:53 {\n    kubernetes cluster.local\n    ${directive}\n}\n`), '--listen', '127.0.0.1:0', '--admin', 'off']);
    t.equal(r.code, 2, directive);
    t.match(r.stderr, want, directive);
  }
  const huge = `transfer {\n        to ${Array.from({ length: 1001 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(' ')}\n    }`;
  const r = await runCli(['--corefile', corefile(`.:53 {\n    kubernetes cluster.local\n    ${huge}\n}\n`), '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.equal(r.code, 2);
  t.match(r.stderr, /line 4: transfer: to: more than 1000 addresses/);
});

t.test('--transfer-to with --corefile: a usage error pointing at the directive', async (t) => {
  const r = await runCli(['--corefile', corefile('.:53 {\n    kubernetes cluster.local\n}\n'), '--transfer-to', '*', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.equal(r.code, 2);
  t.match(r.stderr, /--transfer-to is for the command line's server block: with --corefile, write transfer \{ to ADDRESS\.\.\. \}/);
});
