// k8s_external as a user runs it: the real CLI started from a Corefile on a fixture, asked with dig. Every expected
// address comes from the fixture (test/fixtures/k8s-external/cluster.yaml), never from this file.
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, stopCli } from './helpers/cli.js';
import { dig, digFlags, digMissing, digSection, digStatus } from './helpers/dig.js';
import {
  CLUSTER, RECORDS, endpointsOf, externalOf, hostnames, reverse4, service, staticA, v4, v6,
} from './helpers/k8s-external.js';

const ZONE = 'example.org';
const TTL = 30; // k8s_external's; the kubernetes plugin keeps its default 5
const K8S_TTL = 5;
const dir = mkdtempSync(join(tmpdir(), 'k8s-external-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const front = service('web', 'front');
const lb = service('web', 'lb');
const elb = service('web', 'elb');
const reverseZoneOf = (ip: string) => reverse4(ip).split('.').slice(1).join('.');

async function serve(t: Test, corefile: string) {
  const path = join(dir, `Corefile.${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, corefile);
  const srv = await startCli(['--corefile', path, '--fixtures', CLUSTER, '--records', RECORDS, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  t.notMatch(srv.stderr(), /not implemented/, 'k8s_external is no "not implemented" warning');
  return (...args: string[]) => dig({ host: '127.0.0.1', port: srv.port }, args);
}

t.test('k8s_external answers from externalIPs and LoadBalancer ingress', { skip: digMissing }, async (t) => {
  const frontIP = v4(externalOf(front))[0]!;
  const lbIP = v4(externalOf(lb))[0]!;
  const ask = await serve(t, [
    '. {',
    '  kubernetes cluster.local in-addr.arpa ip6.arpa {',
    '    namespaces web',
    '  }',
    `  k8s_external ${ZONE} ${reverseZoneOf(frontIP)} ${reverseZoneOf(lbIP)} {`,
    `    ttl ${TTL}`,
    '    headless',
    '  }',
    '}',
  ].join('\n'));
  const rr = (name: string, ttl: number, type: string, data: string) => `${name}. ${ttl} IN ${type} ${data}`;

  await t.test('externalIPs: A and AAAA, authoritative, the plugin ttl', async (t) => {
    const name = `front.web.${ZONE}`;
    const a = await ask(name, 'A');
    t.equal(digStatus(a), 'NOERROR');
    t.ok(digFlags(a).includes('aa'), 'aa set');
    t.strictSame(digSection(a, 'ANSWER'), v4(externalOf(front)).map((ip) => rr(name, TTL, 'A', ip)).sort());
    const aaaa = await ask(name, 'AAAA');
    t.strictSame(digSection(aaaa, 'ANSWER'), v6(externalOf(front)).map((ip) => rr(name, TTL, 'AAAA', ip)).sort());
    // the cluster zone is untouched: the ClusterIP there, never the external addresses
    const internal = await ask(`front.web.svc.cluster.local`, 'A');
    t.strictSame(digSection(internal, 'ANSWER'), [rr('front.web.svc.cluster.local', K8S_TTL, 'A', front.spec.clusterIP)]);
  });

  await t.test('LoadBalancer ingress IPs (dual-stack)', async (t) => {
    const name = `lb.web.${ZONE}`;
    t.strictSame(digSection(await ask(name, 'A'), 'ANSWER'), v4(externalOf(lb)).map((ip) => rr(name, TTL, 'A', ip)).sort());
    t.strictSame(digSection(await ask(name, 'AAAA'), 'ANSWER'), v6(externalOf(lb)).map((ip) => rr(name, TTL, 'AAAA', ip)).sort());
  });

  await t.test('an ingress hostname is a CNAME, its target looked up by the server', async (t) => {
    const name = `elb.web.${ZONE}`;
    const host = hostnames(externalOf(elb))[0]!;
    const target = staticA().get(host);
    t.ok(target, 'the records file answers the hostname');
    const out = await ask(name, 'A');
    t.equal(digStatus(out), 'NOERROR');
    const answer = digSection(out, 'ANSWER');
    t.ok(answer.includes(rr(name, K8S_TTL, 'CNAME', `${host}.`)), 'CNAME to the hostname (the kubernetes plugin ttl, as CoreDNS)');
    t.ok(answer.some((l) => l.startsWith(`${host}. `) && l.endsWith(` A ${target}`)), 'the target\'s address follows');
    // A CNAME query itself is NODATA: CoreDNS answers A, AAAA, SRV and PTR only
    const cname = await ask(name, 'CNAME');
    t.equal(digStatus(cname), 'NOERROR');
    t.strictSame(digSection(cname, 'ANSWER'), []);
  });

  await t.test('SRV for named ports, with glue', async (t) => {
    const ext = externalOf(front);
    for (const p of front.spec.ports) {
      const name = `_${p.name}._${p.protocol.toLowerCase()}.front.web.${ZONE}`;
      const out = await ask(name, 'SRV');
      const weight = Math.floor(100 / ext.length);
      t.strictSame(digSection(out, 'ANSWER'), [rr(name, K8S_TTL, 'SRV', `0 ${weight} ${p.port} front.web.${ZONE}.`)], name);
      t.strictSame(digSection(out, 'ADDITIONAL').filter((l) => !l.includes('OPT')),
        ext.map((ip) => rr(`front.web.${ZONE}`, TTL, ip.includes(':') ? 'AAAA' : 'A', ip)).sort());
    }
    // the bare name: one SRV per port, weight split over every (address, port)
    const all = await ask(`front.web.${ZONE}`, 'SRV');
    const weight = Math.floor(100 / (ext.length * front.spec.ports.length));
    t.strictSame(digSection(all, 'ANSWER'),
      front.spec.ports.map((p: any) => rr(`front.web.${ZONE}`, K8S_TTL, 'SRV', `0 ${weight} ${p.port} front.web.${ZONE}.`)).sort());
    const wrong = await ask(`_nope._tcp.front.web.${ZONE}`, 'SRV');
    t.equal(digStatus(wrong), 'NXDOMAIN', 'a port the Service does not have');
  });

  await t.test('headless: endpoint addresses, endpoint names, SRV to them', async (t) => {
    const eps = endpointsOf('web', 'db');
    t.ok(eps.length >= 2);
    const name = `db.web.${ZONE}`;
    t.strictSame(digSection(await ask(name, 'A'), 'ANSWER'), eps.map((e) => rr(name, TTL, 'A', e.ip)).sort());
    const one = `${eps[0]!.hostname}.db.web.${ZONE}`;
    t.strictSame(digSection(await ask(one, 'A'), 'ANSWER'), [rr(one, TTL, 'A', eps[0]!.ip)]);
    const srvName = `_pg._tcp.db.web.${ZONE}`;
    const port = service('web', 'db').spec.ports[0].port;
    const srv = await ask(srvName, 'SRV');
    t.strictSame(digSection(srv, 'ANSWER'),
      eps.map((e) => rr(srvName, K8S_TTL, 'SRV', `0 ${Math.floor(100 / eps.length)} ${port} ${e.hostname}.db.web.${ZONE}.`)).sort());
    t.strictSame(digSection(srv, 'ADDITIONAL').filter((l) => !l.includes('OPT')),
      eps.map((e) => rr(`${e.hostname}.db.web.${ZONE}`, TTL, 'A', e.ip)).sort());
    t.equal(digStatus(await ask(`nobody.db.web.${ZONE}`, 'A')), 'NXDOMAIN', 'an endpoint label that is no endpoint');
  });

  await t.test('PTR for external addresses in the reverse zones it serves', async (t) => {
    const frontPtr = await ask(reverse4(v4(externalOf(front))[0]!), 'PTR');
    t.strictSame(digSection(frontPtr, 'ANSWER'), [rr(reverse4(v4(externalOf(front))[0]!), TTL, 'PTR', `front.web.${ZONE}.`)]);
    const lbPtr = await ask(reverse4(lbIP), 'PTR');
    t.strictSame(digSection(lbPtr, 'ANSWER'), [rr(reverse4(lbIP), TTL, 'PTR', `lb.web.${ZONE}.`)]);
    const unknown = reverse4(frontIP.replace(/\d+$/, '254'));
    const nx = await ask(unknown, 'PTR');
    t.equal(digStatus(nx), 'NXDOMAIN');
    t.match(digSection(nx, 'AUTHORITY')[0], new RegExp(`^${reverseZoneOf(frontIP).replaceAll('.', '\\.')}\\. ${TTL} IN SOA `));
  });

  await t.test('the apex: SOA and NS; the dns subdomain', async (t) => {
    const soa = digSection(await ask(ZONE, 'SOA'), 'ANSWER');
    t.equal(soa.length, 1);
    const f = soa[0]!.split(' ');
    t.strictSame(f.slice(0, 6), [`${ZONE}.`, String(TTL), 'IN', 'SOA', `ns1.dns.${ZONE}.`, `hostmaster.dns.${ZONE}.`]);
    t.ok(Number(f[6]) > 1_600_000_000, 'serial: the Unix time of the last change');
    t.strictSame(f.slice(7), ['7200', '1800', '86400', String(TTL)], 'refresh, retry, expire, minimum as CoreDNS\'s apex.go');
    t.strictSame(digSection(await ask(ZONE, 'NS'), 'ANSWER'), [rr(ZONE, TTL, 'NS', `ns1.dns.${ZONE}.`)]);
    const apexA = await ask(ZONE, 'A');
    t.equal(digStatus(apexA), 'NOERROR');
    t.strictSame(digSection(apexA, 'ANSWER'), []);
    t.equal(digSection(apexA, 'AUTHORITY').length, 1, 'NODATA with the SOA');
    t.equal(digStatus(await ask(`dns.${ZONE}`, 'A')), 'NOERROR', 'dns.<zone>: an empty non-terminal');
    t.equal(digStatus(await ask(`ns2.dns.${ZONE}`, 'A')), 'NXDOMAIN');
    t.equal(digStatus(await ask(`x.ns1.dns.${ZONE}`, 'A')), 'NXDOMAIN');
  });

  await t.test('NXDOMAIN and NODATA, each with the SOA', async (t) => {
    const cases: [string, string, string, string][] = [
      [`internal.web.${ZONE}`, 'A', 'NXDOMAIN', 'a Service without external addresses'],
      [`missing.web.${ZONE}`, 'A', 'NXDOMAIN', 'no such Service'],
      [`secret.hidden.${ZONE}`, 'A', 'NXDOMAIN', 'a namespace the kubernetes plugin does not expose'],
      [`a.b.c.front.web.${ZONE}`, 'A', 'NXDOMAIN', 'too many labels'],
      [`front.web.${ZONE}`, 'TXT', 'NOERROR', 'a type k8s_external does not serve'],
      [`front.web.${ZONE}`, 'MX', 'NOERROR', 'a type k8s_external does not serve'],
      [`elb.web.${ZONE}`, 'AAAA', 'NOERROR', 'the hostname has no AAAA (the CNAME alone)'],
      [`web.${ZONE}`, 'A', 'NOERROR', 'a namespace: an empty non-terminal'],
      [`front.web.${ZONE}`, 'PTR', 'NOERROR', 'PTR at a forward name'],
    ];
    for (const [name, type, status, why] of cases) {
      const out = await ask(name, type);
      t.equal(digStatus(out), status, `${name} ${type}: ${why}`);
      const auth = digSection(out, 'AUTHORITY');
      if (digSection(out, 'ANSWER').length === 0) t.match(auth[0], new RegExp(`^${ZONE.replace('.', '\\.')}\\. ${TTL} IN SOA ns1\\.dns\\.`), `${name} ${type}: SOA`);
    }
  });
});

t.test('apex option, fallthrough to the next plugin', { skip: digMissing }, async (t) => {
  const ask = await serve(t, [
    '. {',
    `  k8s_external ${ZONE} {`,
    '    apex ns-here',
    '    fallthrough',
    '  }',
    '  kubernetes cluster.local',
    '}',
  ].join('\n'));
  const soa = digSection(await ask(ZONE, 'SOA'), 'ANSWER')[0]!;
  t.match(soa, `ns1.ns-here.${ZONE}. hostmaster.ns-here.${ZONE}.`);
  // An NXDOMAIN in the zone goes on: the --records file answers legacy.example.org.
  const legacy = [...staticA()].find(([n]) => n.endsWith(`.${ZONE}`))!;
  const out = await ask(legacy[0], 'A');
  t.equal(digStatus(out), 'NOERROR');
  t.ok(digSection(out, 'ANSWER').some((l) => l.endsWith(` A ${legacy[1]}`)), 'answered after k8s_external passed it on');
  // what k8s_external knows it still answers
  t.strictSame(digSection(await ask(`front.web.${ZONE}`, 'A'), 'ANSWER').length, v4(externalOf(front)).length);
  // NODATA does not fall through
  t.equal(digStatus(await ask(`front.web.${ZONE}`, 'TXT')), 'NOERROR');
  // without `headless`, a headless Service with no external address is NXDOMAIN (passed on, nobody answers it)
  t.equal(digStatus(await ask(`db.web.${ZONE}`, 'A')), 'SERVFAIL', 'past the end of a Corefile block: SERVFAIL, as CoreDNS');
});
