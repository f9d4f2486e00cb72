// "Live mode serves what fixture mode serves", for the external names: the fake API server (its CLI, as a user runs
// it) serves the Gateway API, Ingress and DNSEndpoint manifests of the gateway and dnsendpoint fixtures, with the
// Gateway addresses fixture mode synthesises published as status (as cloud-provider-kind would); clusterdns watching
// it answers every name of those manifests, for every type, exactly as clusterdns reading the files does.
import t from 'tap';
import { ROOT } from './helpers/cli.js';
import { join } from 'node:path';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { startClusterDns, startFakeApiCli } from './helpers/fakeapi.js';
import { GATEWAY_FIXTURE } from './helpers/gateway.js';
import { docs } from './helpers/ingress.js';
import { until } from './helpers/until.js';

const DNSENDPOINT_FIXTURE = join(ROOT, 'test', 'fixtures', 'dnsendpoint', 'cluster.yaml');
const ZONES = ['gw.test', 'dev.test'];

/** every name the manifests claim (wildcards asked through one label in their place) */
function names(): string[] {
  const out = new Set<string>();
  const add = (h: unknown) => { if (typeof h === 'string' && h !== '') out.add(h.replace(/^\*\./, 'any.').toLowerCase()); };
  for (const d of [...docs(GATEWAY_FIXTURE), ...docs(DNSENDPOINT_FIXTURE)]) {
    for (const h of d.spec?.hostnames ?? []) add(h);
    for (const l of d.spec?.listeners ?? []) add(l.hostname);
    for (const r of d.spec?.rules ?? []) add(r.host);
    for (const e of d.spec?.endpoints ?? []) add(e.dnsName);
  }
  return [...out].sort();
}

t.test('the external names of the fixtures: live mode answers as fixture mode', { skip: digMissing }, async (t) => {
  const fixtures = ['--fixtures', GATEWAY_FIXTURE, '--fixtures', DNSENDPOINT_FIXTURE];
  const zones = ZONES.flatMap((z) => ['--external-zone', z]);
  const api = await startFakeApiCli(t, [...fixtures, '--ingresses', '--crds']);
  const live = await startClusterDns(t, ['--source', 'kubernetes', '--kubeconfig', api.kubeconfig, ...zones]);
  const files = await startClusterDns(t, [...fixtures, ...zones]);
  const ask = (port: number, name: string, type: string) => dig({ host: '127.0.0.1', port }, [name, type, '+norec']);
  // the SOA serial counts changes, not content: blanked
  const answer = (out: string) => [digStatus(out), ...digSection(out, 'ANSWER'), ...digSection(out, 'AUTHORITY').map((l) => l.replace(/ SOA (\S+ \S+) \d+/, ' SOA $1 <serial>'))];
  const all = names();
  t.ok(all.length >= 20, `${all.length} names`);
  // synced once the last name of the list answers as in fixture mode
  await until(async () => answer(await ask(live.dns.port, 'app.dev.test', 'MX')), (a) => a[0] === 'NOERROR' && a.length > 2, 15_000);
  let compared = 0;
  for (const name of all) {
    for (const type of ['A', 'AAAA', 'CNAME', 'TXT', 'SRV', 'MX']) {
      const want = answer(await ask(files.dns.port, name, type));
      t.strictSame(answer(await ask(live.dns.port, name, type)), want, `${name} ${type}`);
      if (want.length > 1 && want[0] === 'NOERROR' && !want[1].includes(' SOA ')) compared++;
    }
  }
  t.ok(compared >= 20, `${compared} positive answers compared`);
});
