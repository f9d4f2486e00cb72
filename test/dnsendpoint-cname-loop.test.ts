// CNAMEs that loop (a → b → a, self → self) are completed by the chain's chase up to its depth limit; the answer must
// still hold each record once (RFC 2181 §5: duplicate RRs in an RRset are suppressed), not the loop unrolled nine
// times. Expected records come from test/fixtures/rev3a/cname-loop.yaml.
import t from 'tap';
import { join } from 'node:path';
import { ROOT, startCli, stopCli } from './helpers/cli.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { docs } from './helpers/ingress.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'rev3a', 'cname-loop.yaml');
const endpoints: { dnsName: string; targets: string[] }[] = docs(FIXTURE).find((d) => d.kind === 'DNSEndpoint').spec.endpoints;
const cname = (name: string) => endpoints.find((e) => e.dnsName === name)!.targets[0]!;

t.test('a CNAME loop is answered with each record once', { skip: digMissing }, async (t) => {
  const srv = await startCli(['--fixtures', FIXTURE, '--external-zone', 'dev.test', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const at = { host: '127.0.0.1', port: srv.port };
  for (const start of ['a.dev.test', 'self.dev.test']) {
    // the loop as written: follow the CNAMEs until a name comes back
    const want: string[] = [];
    const seen = new Set<string>();
    for (let n = start; !seen.has(n); n = cname(n)) { seen.add(n); want.push(`${n}. CNAME ${cname(n)}.`); }
    const out = await dig(at, [start, 'A']);
    t.equal(digStatus(out), 'NOERROR', `${start}: status`);
    t.strictSame(digSection(out, 'ANSWER').map((l) => { const f = l.split(/\s+/); return `${f[0]} ${f[3]} ${f[4]}`; }), want, `${start}: the loop once`);
  }
});
