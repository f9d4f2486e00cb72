// `zonal` (CoreDNS 1.14.7) through the real executable, from a Corefile and from --zonal: pin and prefer names of a
// headless Service answer A/AAAA/SRV (glue too) from the endpoints in that topology zone, NODATA for other types and
// for a zone no endpoint is in (pin), every endpoint on prefer when none is local; ClusterIP and ExternalName
// Services, unknown directives and the option off are NXDOMAIN; zonal + noendpoints is refused with its line.
import t from 'tap';
import { runCli, startCli, stopCli } from './helpers/cli.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { NS, clusterDir, dbEndpoints, rdata } from './helpers/k8sopts-cluster.js';

if (digMissing) {
  t.plan(0, digMissing);
  process.exit(0);
}

const ZONE = 'cluster.local';
const DB = `db.${NS}.svc.${ZONE}`;
const v4 = (zone?: string) => dbEndpoints(zone).filter((e) => !e.ip.includes(':'));
const v6 = (zone?: string) => dbEndpoints(zone).filter((e) => e.ip.includes(':'));

t.test('pin and prefer names from a Corefile', async (t) => {
  const c = clusterDir(t);
  const corefile = c.corefile(`.:53 {\n  kubernetes ${ZONE} {\n    zonal\n  }\n}\n`);
  const srv = await startCli(['--corefile', corefile, '--fixtures', c.fixture, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const server = { host: '127.0.0.1', port: srv.port };
  const ask = async (name: string, type: string) => {
    const out = await dig(server, [name, type]);
    return { status: digStatus(out), answer: digSection(out, 'ANSWER'), additional: digSection(out, 'ADDITIONAL'), authority: digSection(out, 'AUTHORITY') };
  };

  for (const zone of ['eu-west-1a', 'EU-WEST-1B', 'corp.example.com']) {
    for (const directive of ['pin', 'prefer']) {
      const name = `${zone}.${directive}._zone.${DB}`;
      const a = await ask(name, 'A');
      t.equal(a.status, 'NOERROR', `${name} A`);
      t.strictSame(rdata(a.answer, 'A'), v4(zone).map((e) => e.ip).sort(), `${name} A: the zone's ready IPv4 endpoints`);
      t.ok(a.answer.every((l) => l.startsWith(`${name}.`)), 'owner is the name asked');
      const aaaa = await ask(name, 'AAAA');
      t.strictSame(rdata(aaaa.answer, 'AAAA'), v6(zone).map((e) => e.ip).sort(), `${name} AAAA`);
      if (v6(zone).length === 0) t.equal(aaaa.status, 'NOERROR', 'no IPv6 endpoint there: NODATA');
      const srvAns = await ask(name, 'SRV');
      const targets = [...new Set(dbEndpoints(zone).map((e) => `${e.hostname}.${DB}.`))].sort();
      t.strictSame(rdata(srvAns.answer, 'SRV').map((r) => r.split(' ').slice(2).join(' ')), targets.map((x) => `5432 ${x}`),
        `${name} SRV: one per endpoint name of the zone`);
      const weight = Math.max(1, Math.floor(100 / dbEndpoints(zone).length));
      t.ok(rdata(srvAns.answer, 'SRV').every((r) => r.startsWith(`0 ${weight} `)), `SRV weight 100/${dbEndpoints(zone).length}`);
      t.strictSame([...rdata(srvAns.additional, 'A'), ...rdata(srvAns.additional, 'AAAA')].sort(), dbEndpoints(zone).map((e) => e.ip).sort(),
        'glue: only the zone\'s endpoints');
      for (const other of ['TXT', 'MX', 'CNAME', 'PTR']) {
        const o = await ask(name, other);
        t.equal(o.status, 'NOERROR', `${name} ${other}: NODATA`);
        t.equal(o.answer.length, 0);
        t.equal(o.authority.length, 1, 'SOA in authority');
      }
    }
  }

  // A zone no endpoint is in: pin is NODATA, prefer widens to every ready endpoint.
  const pin = await ask(`mars-1a.pin._zone.${DB}`, 'A');
  t.equal(pin.status, 'NOERROR');
  t.strictSame(pin.answer, [], 'pin, unknown zone: NODATA');
  t.equal(pin.authority.length, 1);
  const prefer = await ask(`mars-1a.prefer._zone.${DB}`, 'A');
  t.strictSame(rdata(prefer.answer, 'A'), v4().map((e) => e.ip).sort(), 'prefer, unknown zone: every ready endpoint');
  const notReadyOnly = await ask(`eu-west-1a.pin._zone.${DB}`, 'A');
  t.notOk(rdata(notReadyOnly.answer, 'A').includes('10.244.1.3'), 'a not-ready endpoint is never served');
  const lonely = await ask(`eu-west-1a.prefer._zone.lonely.${NS}.svc.${ZONE}`, 'A');
  t.equal(lonely.status, 'NOERROR', 'a headless Service with no endpoints: the zonal name exists, NODATA');

  for (const [name, why] of [
    [`eu-west-1a.pin._zone.api.${NS}.svc.${ZONE}`, 'ClusterIP Service'],
    [`eu-west-1a.pin._zone.ext.${NS}.svc.${ZONE}`, 'ExternalName Service'],
    [`eu-west-1a.pin._zone.nosuch.${NS}.svc.${ZONE}`, 'no such Service'],
    [`eu-west-1a.pin._zone.db.nosuchns.svc.${ZONE}`, 'no such namespace'],
    [`eu-west-1a.near._zone.${DB}`, 'unknown directive'],
    [`eu-west-1a.pin.zone.${DB}`, 'no _zone anchor'],
    [`eu-west-1a.pin._zone.db.${NS}.pod.${ZONE}`, 'pod names have no zonal form'],
  ]) {
    const r = await ask(name!, 'A');
    t.equal(r.status, 'NXDOMAIN', `${why}: NXDOMAIN`);
    const txt = await ask(name!, 'TXT');
    t.equal(txt.status, 'NXDOMAIN', `${why}: TXT NXDOMAIN`);
  }
  const plain = await ask(DB, 'A');
  t.strictSame(rdata(plain.answer, 'A'), v4().map((e) => e.ip).sort(), 'the plain name is unchanged');
});

t.test('--zonal on the command line; off by default', async (t) => {
  const c = clusterDir(t);
  const on = await startCli(['--zonal', '--fixtures', c.fixture, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(on.proc));
  const off = await startCli(['--fixtures', c.fixture, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(off.proc));
  const name = `eu-west-1a.pin._zone.${DB}`;
  const yes = await dig({ host: '127.0.0.1', port: on.port }, [name, 'A']);
  t.strictSame(rdata(digSection(yes, 'ANSWER'), 'A'), v4('eu-west-1a').map((e) => e.ip).sort());
  const no = await dig({ host: '127.0.0.1', port: off.port }, [name, 'A']);
  t.equal(digStatus(no), 'NXDOMAIN', 'without zonal the shape is "too long": NXDOMAIN');
});

t.test('zonal with noendpoints is a configuration error naming the line', async (t) => {
  const c = clusterDir(t);
  const corefile = c.corefile(`.:53 {\n  kubernetes ${ZONE} {\n    noendpoints\n    zonal\n  }\n}\n`);
  const r = await runCli(['--corefile', corefile, '--fixtures', c.fixture, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.equal(r.code, 2);
  t.match(r.stderr, `${corefile} line 4: zonal requires the endpoint data; remove noendpoints`);
  const bad = c.corefile(`.:53 {\n  kubernetes ${ZONE} {\n    zonal on\n  }\n}\n`);
  const r2 = await runCli(['--corefile', bad, '--fixtures', c.fixture, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.match(r2.stderr, `${bad} line 3: zonal: takes no arguments`);
  const flag = c.corefile(`.:53 {\n  kubernetes ${ZONE} {\n    noendpoints\n  }\n}\n`);
  const r3 = await runCli(['--corefile', flag, '--zonal', '--fixtures', c.fixture, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.match(r3.stderr, '--zonal: the Corefile says noendpoints');
});
