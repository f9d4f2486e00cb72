// explain and `clusterdns records` on external names, with the start script's flags: a misspelt host is an
// "external-name" miss with the close hosts named (never "outside every zone"); AAAA of an IPv4-only name points at
// A; another type says which types external names have; `clusterdns records` lists hosts, SRV and PTR lines.
import t from 'tap';
import { runCli, startCli, stopCli } from './helpers/cli.js';
import { expectedHosts, startScriptFlags, synthesised } from './helpers/extnames.js';

const flags = startScriptFlags();
const zone = flags[flags.indexOf('--external-zone') + 1]!;
const hosts = expectedHosts(synthesised(), zone).filter((h) => !h.host.startsWith('*.'));
type Miss = { kind: string; message: string; names?: string[] };

t.test('explain on external names', async (t) => {
  const srv = await startCli([...flags, '--listen', '127.0.0.1:0']);
  t.teardown(() => stopCli(srv.proc));
  const admin = /admin (http:\/\/\S+)/.exec(srv.line)![1]!.replace(/[,;]$/, '');
  const explain = async (q: string) => (await (await fetch(`${admin}/api/v1/explain?${q}`)).json()) as { rcode: string; nearMisses: Miss[] };
  const h = hosts[0]!;
  const typo = h.host.replace(/^(.)(.)/, '$2$1');
  const e1 = await explain(`name=${typo}`);
  t.equal(e1.rcode, 'NXDOMAIN');
  t.same(e1.nearMisses.map((m) => m.kind), ['external-name', 'similar-name'], 'an external miss, then the close hosts');
  t.match(e1.nearMisses[0]!.message, `is in the external zone ${zone}`);
  t.ok(e1.nearMisses[1]!.names!.includes(h.host), `${h.host} is named as close to ${typo}`);
  const e2 = await explain(`name=${h.host}&type=AAAA`);
  t.same(e2.nearMisses.map((m) => m.kind), ['other-family'], 'AAAA of an IPv4-only name');
  t.match(e2.nearMisses[0]!.message, h.addresses[0]!, 'names its IPv4 address');
  const e3 = await explain(`name=${h.host}&type=TXT`);
  t.same(e3.nearMisses.map((m) => m.kind), ['no-data-type'], 'another type: which types external names have');
});

t.test('clusterdns records lists the external names with SRV and PTR', async (t) => {
  const r = await runCli(['records', ...flags]);
  t.equal(r.code, 0);
  for (const h of hosts) t.match(r.stdout, new RegExp(`^${h.host.replace(/\./g, '\\.')}\\.\\s+\\d+\\s+IN\\s+A\\s+${h.addresses[0]!.replace(/\./g, '\\.')}$`, 'm'), `${h.host} A`);
  const annotated = hosts.find((h) => h.kind === 'Service')!;
  t.match(r.stdout, new RegExp(`^_http\\._tcp\\.${annotated.host.replace(/\./g, '\\.')}\\.\\s+\\d+\\s+IN\\s+SRV\\s+0 100 80 `, 'm'), 'the SRV of the annotation host');
  const ip = annotated.addresses[0]!;
  t.match(r.stdout, new RegExp(`^${ip.split('.').reverse().join('\\.')}\\.in-addr\\.arpa\\.\\s+\\d+\\s+IN\\s+PTR\\s+${annotated.host.replace(/\./g, '\\.')}\\.$`, 'm'), 'its PTR');
});
