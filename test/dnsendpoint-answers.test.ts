// external-dns DNSEndpoints in fixture mode, asked as a user does: the real CLI with --external-zone, dig. Every
// expected record is read from the fixture (test/fixtures/dnsendpoint/cluster.yaml): A, AAAA, CNAME (chased), TXT
// (a 600-byte target split into 255-byte strings), SRV, MX, recordTTL, a wildcard; an Ingress naming the same host
// answers its addresses while the DNSEndpoint's TXT still answers; a bad endpoint refuses its object with file:line.
import t from 'tap';
import { join } from 'node:path';
import { runCli, ROOT, startCli, stopCli } from './helpers/cli.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { docs } from './helpers/ingress.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'dnsendpoint', 'cluster.yaml');
const ZONE = 'dev.test';
const PLUGIN_TTL = 5;

interface Endpoint { dnsName: string; recordType: string; targets: string[]; recordTTL?: number }
const endpoints = (name: string): Endpoint[] => docs(FIXTURE).find((d) => d.kind === 'DNSEndpoint' && d.metadata.name === name).spec.endpoints;
const ep = (dnsName: string, type: string) => endpoints('records').find((e) => e.dnsName === dnsName && e.recordType === type)!;
const fqdn = (n: string) => (n.endsWith('.') ? n : `${n}.`);
/** dig's presentation of a target of each type */
function present(type: string, target: string): string {
  if (type === 'CNAME') return fqdn(target);
  if (type === 'TXT') return `"${target.replace(/^"(.*)"$/, '$1')}"`;
  if (type === 'MX' || type === 'SRV') { const p = target.split(' '); p[p.length - 1] = fqdn(p[p.length - 1]); return p.join(' '); }
  return target;
}
const rr = (name: string, e: Endpoint, target: string) => `${name}. ${e.recordTTL ?? PLUGIN_TTL} IN ${e.recordType} ${present(e.recordType, target)}`;

t.test('DNSEndpoint records under --external-zone', { skip: digMissing }, async (t) => {
  const srv = await startCli(['--fixtures', FIXTURE, '--external-zone', ZONE, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const ask = (...a: string[]) => dig({ host: '127.0.0.1', port: srv.port }, [...a, '+norec']);

  for (const [name, type] of [['app.dev.test', 'A'], ['app.dev.test', 'AAAA'], ['app.dev.test', 'TXT'], ['app.dev.test', 'MX'], ['_sip._tcp.dev.test', 'SRV']]) {
    const e = ep(name, type);
    const out = await ask(name, type);
    t.equal(digStatus(out), 'NOERROR', `${name} ${type}`);
    t.strictSame(digSection(out, 'ANSWER'), e.targets.map((x) => rr(name, e, x)), `${name} ${type}: the targets, TTL ${e.recordTTL ?? PLUGIN_TTL}`);
    t.ok(out.includes(' aa'), 'authoritative');
  }

  await t.test('CNAME, chased to the target\'s records', async (t) => {
    const c = ep('www.dev.test', 'CNAME');
    const a = ep(c.targets[0], 'A');
    t.strictSame(digSection(await ask('www.dev.test', 'A'), 'ANSWER'), [rr('www.dev.test', c, c.targets[0]), ...a.targets.map((x) => rr(c.targets[0], a, x))].sort(), 'the CNAME, then the target\'s A records');
  });

  await t.test('a TXT target over 255 bytes: several character-strings of the same text', async (t) => {
    const e = ep('key._domainkey.dev.test', 'TXT');
    const [line] = digSection(await ask('key._domainkey.dev.test', 'TXT', '+tcp'), 'ANSWER');
    const strings = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    t.ok(strings.length >= 3, `${Buffer.byteLength(e.targets[0])} bytes in ${strings.length} strings`);
    t.ok(strings.every((s) => s.length <= 255));
    t.equal(strings.join(''), e.targets[0], 'joined, the target as written');
  });

  await t.test('wildcard: one label; the exact name wins', async (t) => {
    const w = ep('*.preview.dev.test', 'A');
    const x = ep('pr-1.preview.dev.test', 'A');
    t.strictSame(digSection(await ask('anything.preview.dev.test', 'A'), 'ANSWER'), w.targets.map((v) => rr('anything.preview.dev.test', w, v)));
    t.strictSame(digSection(await ask('pr-1.preview.dev.test', 'A'), 'ANSWER'), x.targets.map((v) => rr('pr-1.preview.dev.test', x, v)));
    t.equal(digStatus(await ask('a.b.preview.dev.test', 'A')), 'NXDOMAIN', 'two labels below: no match');
  });

  await t.test('an Ingress naming the same host answers A; the DNSEndpoint\'s TXT answers beside it', async (t) => {
    const ing = docs(FIXTURE).find((d) => d.kind === 'Ingress');
    t.strictSame(digSection(await ask('shop.dev.test', 'A'), 'ANSWER'), ing.status.loadBalancer.ingress.map((i: any) => `shop.dev.test. ${PLUGIN_TTL} IN A ${i.ip}`));
    const txt = ep('shop.dev.test', 'TXT');
    t.strictSame(digSection(await ask('shop.dev.test', 'TXT'), 'ANSWER'), txt.targets.map((v) => rr('shop.dev.test', txt, v)));
  });

  await t.test('NODATA, NXDOMAIN, empty non-terminals, other types and zones', async (t) => {
    const nodata = await ask('app.dev.test', 'SRV');
    t.equal(digStatus(nodata), 'NOERROR');
    t.strictSame(digSection(nodata, 'ANSWER'), []);
    t.match(digSection(nodata, 'AUTHORITY')[0], /^dev\.test\. \d+ IN SOA /);
    t.equal(digStatus(await ask('_tcp.dev.test', 'A')), 'NOERROR', 'above _sip._tcp: an empty non-terminal');
    t.equal(digStatus(await ask('nothing.dev.test', 'A')), 'NXDOMAIN');
    t.equal(digStatus(await ask('ns.dev.test', 'NS')), 'NXDOMAIN', 'NS endpoints are not served');
    t.equal(digStatus(await ask('outside.example.org', 'A')), 'REFUSED', 'outside every zone: not ours');
    t.match(digSection(await ask(ZONE, 'SOA'), 'ANSWER')[0], `${ZONE}. ${PLUGIN_TTL} IN SOA ns1.dns.${ZONE}.`);
  });

  await t.test('a bad endpoint refuses its object, named with file:line and field', async (t) => {
    const bad = endpoints('broken').findIndex((e) => e.recordType === 'MX');
    t.match(srv.stderr(), new RegExp(`cluster\\.yaml:\\d+: DNSEndpoint web/\\\\"broken\\\\" is invalid: spec\\.endpoints\\[${bad}\\]\\.targets\\[0\\]`));
    t.equal(digStatus(await ask('fine.dev.test', 'A')), 'NXDOMAIN', 'its good endpoints are not served either');
  });
});

t.test('clusterdns records lists DNSEndpoint names with every type', async (t) => {
  const r = await runCli(['records', '--fixtures', FIXTURE, '--external-zone', ZONE]);
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => /\.dev\.test\.\s/.test(l)).map((l) => l.split(/\s+/));
  const has = (name: string, type: string) => lines.some((l) => l[0] === `${name}.` && l[3] === type);
  for (const e of endpoints('records')) {
    if (e.dnsName.endsWith(ZONE) && ['A', 'AAAA', 'TXT', 'MX', 'SRV', 'CNAME'].includes(e.recordType) && e.dnsName !== 'shop.dev.test') {
      t.ok(has(e.dnsName, e.recordType), `${e.dnsName} ${e.recordType}`);
    }
  }
  t.notOk(has('ns.dev.test', 'NS'));
  t.notMatch(r.stdout, /example\.org/);
});
