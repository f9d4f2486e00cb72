// A wildcard above an external zone (`*.test` beside the zone dev.test) lies outside the zone: it must not answer
// the zone's apex (a wildcard never reaches across a zone cut, RFC 4592 §2.2.1), for an Ingress host or a
// DNSEndpoint name alike. The apex keeps its SOA/NS and is NODATA for other types. From
// test/fixtures/rev3a/parent-wildcard.yaml.
import t from 'tap';
import { join } from 'node:path';
import { ROOT, startCli, stopCli } from './helpers/cli.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { docs } from './helpers/ingress.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'rev3a', 'parent-wildcard.yaml');
const wildcard: string = docs(FIXTURE).find((d) => d.kind === 'Ingress').spec.rules[0].host;
const zone = `dev.${wildcard.slice(2)}`;

t.test('a wildcard above the zone does not answer its apex', { skip: digMissing }, async (t) => {
  const srv = await startCli(['--fixtures', FIXTURE, '--external-zone', zone, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const at = { host: '127.0.0.1', port: srv.port };
  for (const type of ['A', 'TXT']) {
    const out = await dig(at, [zone, type]);
    t.equal(digStatus(out), 'NOERROR', `${zone} ${type}: NODATA`);
    t.strictSame(digSection(out, 'ANSWER'), [], `${zone} ${type}: nothing from ${wildcard}`);
    t.match(digSection(out, 'AUTHORITY')[0] ?? '', new RegExp(`^${zone}\\.\\s+\\d+\\s+IN\\s+SOA\\s`), 'the zone SOA');
  }
});
