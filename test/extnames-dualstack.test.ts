// Record types of external names per address family: A and AAAA each from the addresses of their family, NODATA
// (with the zone's SOA) for the family a name lacks, PTR under in-addr.arpa and ip6.arpa, SRV for each named port
// with both families' glue, and a hostname-only status as a CNAME (SRV to the hostname). Expected values come
// from the fixture's written statuses.
import t from 'tap';
import { join } from 'node:path';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { ROOT, startCli, stopCli } from './helpers/cli.js';
import { docs } from './helpers/ingress.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'extnames', 'dualstack.yaml');
const svcs = docs(FIXTURE).filter((d) => d.kind === 'Service');
const hostOf = (s: any): string => Object.values(s.metadata.annotations as Record<string, string>)[0]!;
const ips = (s: any): string[] => s.status.loadBalancer.ingress.map((e: any) => e.ip).filter(Boolean);
const data = (out: string, section: 'ANSWER' | 'ADDITIONAL' = 'ANSWER') => digSection(out, section).map((l) => l.split(' ').slice(4).join(' '));

t.test('A, AAAA, NODATA, PTR, SRV and CNAME per family', { skip: digMissing }, async (t) => {
  const srv = await startCli(['--fixtures', FIXTURE, '--external-zone', 'dual.test', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  for (const s of svcs.filter((x) => ips(x).length > 0)) {
    const host = hostOf(s);
    const v4 = ips(s).filter((ip) => !ip.includes(':'));
    const v6 = ips(s).filter((ip) => ip.includes(':'));
    for (const [type, want] of [['A', v4], ['AAAA', v6]] as const) {
      const out = await dig(srv, [type, host]);
      t.equal(digStatus(out), 'NOERROR', `${host} ${type}`);
      t.same(data(out), want, `${host} ${type}: the ${type === 'A' ? 'IPv4' : 'IPv6'} addresses only`);
      if (want.length === 0) t.match(digSection(out, 'AUTHORITY')[0], /^dual\.test\. \d+ IN SOA /, `${host} ${type}: NODATA carries the SOA`);
    }
    for (const ip of ips(s)) {
      const out = await dig(srv, ['-x', ip]);
      t.same(data(out), [`${host}.`], `-x ${ip} → ${host}`);
    }
    for (const p of s.spec.ports) {
      const proto = (p.protocol ?? 'TCP').toLowerCase();
      const out = await dig(srv, ['SRV', `_${p.name}._${proto}.${host}`]);
      t.same(data(out), [`0 100 ${p.port} ${host}.`], `_${p.name}._${proto}.${host}`);
      t.same(data(out, 'ADDITIONAL').filter((x) => x !== '').sort(), [...ips(s)].sort(), 'glue of both families');
    }
    if (s.spec.ports.length > 1) {
      const out = await dig(srv, ['SRV', host]);
      t.equal(digSection(out, 'ANSWER').length, s.spec.ports.length, `SRV at ${host}: one per port`);
      const wrong = s.spec.ports[0];
      t.equal(digStatus(await dig(srv, ['SRV', `_${wrong.name}._${(wrong.protocol ?? 'TCP') === 'TCP' ? 'udp' : 'tcp'}.${host}`])), 'NXDOMAIN', 'a port name with the other protocol: NXDOMAIN');
    }
  }
  const elb = svcs.find((x) => ips(x).length === 0)!;
  const target = elb.status.loadBalancer.ingress[0].hostname;
  const cname = await dig(srv, ['A', hostOf(elb)]);
  t.ok(data(cname).includes(`${target}.`), `${hostOf(elb)}: a CNAME to ${target}`);
  const srvOut = await dig(srv, ['SRV', `_http._tcp.${hostOf(elb)}`]);
  t.same(data(srvOut), [`0 100 80 ${target}.`], 'SRV of a hostname-only LoadBalancer targets the hostname');
});
