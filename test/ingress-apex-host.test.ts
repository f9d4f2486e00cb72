// An Ingress on the zone's apex (dev.test) answers A there, but the apex's SOA and NS stay the zone's own, as they
// do beside a DNSEndpoint at the apex: a NODATA for SOA at the apex would tell a resolver the zone has no SOA.
// The zone and address come from test/fixtures/rev3a/apex-ingress.yaml.
import t from 'tap';
import { join } from 'node:path';
import { ROOT, startCli, stopCli } from './helpers/cli.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { docs } from './helpers/ingress.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'rev3a', 'apex-ingress.yaml');
const ing = docs(FIXTURE).find((d) => d.kind === 'Ingress');
const zone: string = ing.spec.rules[0].host;

t.test('an Ingress host at the zone apex', { skip: digMissing }, async (t) => {
  const srv = await startCli(['--fixtures', FIXTURE, '--external-zone', zone, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const at = { host: '127.0.0.1', port: srv.port };
  const a = await dig(at, [zone, 'A']);
  t.strictSame(digSection(a, 'ANSWER').map((l) => l.split(/\s+/).at(-1)), [ing.status.loadBalancer.ingress[0].ip], 'A: the Ingress');
  for (const type of ['SOA', 'NS']) {
    const out = await dig(at, [zone, type]);
    t.equal(digStatus(out), 'NOERROR', `${type} status`);
    t.strictSame(digSection(out, 'ANSWER').map((l) => `${l.split(/\s+/)[0]} ${l.split(/\s+/)[3]}`), [`${zone}. ${type}`], `${type}: the zone's own`);
  }
});
