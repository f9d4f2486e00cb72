// Where DNSEndpoints meet the other external-name features: the addresses a DNSEndpoint publishes get PTRs like any
// external name's (dig -x), and `clusterdns records` lists a DNSEndpoint name with every type it publishes. Expected
// records come from the fixture (test/fixtures/dnsendpoint/cluster.yaml).
import t from 'tap';
import { join } from 'node:path';
import { runCli, ROOT, startCli, stopCli } from './helpers/cli.js';
import { dig, digMissing, digSection } from './helpers/dig.js';
import { docs } from './helpers/ingress.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'dnsendpoint', 'cluster.yaml');
interface Endpoint { dnsName: string; recordType: string; targets: string[] }
const all: Endpoint[] = docs(FIXTURE).filter((d) => d.kind === 'DNSEndpoint').flatMap((d) => d.spec.endpoints);
const app = (type: string) => all.find((e) => e.dnsName === 'app.dev.test' && e.recordType === type)!;

t.test('a DNSEndpoint address answers dig -x with its name', { skip: digMissing }, async (t) => {
  const srv = await startCli(['--fixtures', FIXTURE, '--external-zone', 'dev.test', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const ip = app('A').targets[0]!;
  // names publishing this address with an A record, exact names only (a wildcard names none)
  const owners = all.filter((e) => e.recordType === 'A' && e.targets.includes(ip) && !e.dnsName.startsWith('*.')).map((e) => `${e.dnsName}.`).sort();
  const out = await dig({ host: '127.0.0.1', port: srv.port }, ['-x', ip]);
  t.strictSame(digSection(out, 'ANSWER').map((l) => l.split(/\s+/).at(-1)), owners, `PTR ${ip} → ${owners.join(', ')}`);
});

t.test('clusterdns records lists a DNSEndpoint name with every type it publishes', async (t) => {
  const r = await runCli(['records', '--fixtures', FIXTURE, '--external-zone', 'dev.test']);
  t.equal(r.code, 0, r.stderr);
  const types = new Set(r.stdout.split('\n').filter((l) => l.startsWith('app.dev.test.')).map((l) => l.split(/\s+/)[3]));
  const published = new Set(all.filter((e) => e.dnsName === 'app.dev.test').map((e) => e.recordType));
  t.strictSame([...types].sort(), [...published].sort(), `types listed: ${[...types].sort().join(' ')}`);
});

t.test('one name and type from two DNSEndpoints with different recordTTLs: one RRset, the smallest TTL', { skip: digMissing }, async (t) => {
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'dnsendpoint-ttl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const de = (name: string, ttl: number, text: string) => `apiVersion: externaldns.k8s.io/v1alpha1\nkind: DNSEndpoint\nmetadata:\n  name: ${name}\n  namespace: default\nspec:\n  endpoints:\n    - dnsName: ttl.dev.test\n      recordType: TXT\n      recordTTL: ${ttl}\n      targets: ["${text}"]\n`;
  const file = join(dir, 'ttl.yaml');
  writeFileSync(file, `${de('long', 300, 'a')}---\n${de('short', 60, 'b')}`);
  const srv = await startCli(['--fixtures', file, '--external-zone', 'dev.test', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const lines = digSection(await dig({ host: '127.0.0.1', port: srv.port }, ['ttl.dev.test', 'TXT']), 'ANSWER').map((l) => l.split(/\s+/));
  t.same(lines.map((f) => f[4]).sort(), ['"a"', '"b"'], 'both targets');
  t.same(lines.map((f) => Number(f[1])), [60, 60], 'both with the smaller recordTTL');
});
