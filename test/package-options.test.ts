// startClusterDns() takes its options as the CLI takes flags: the forms the CLI accepts work, a wrong value throws a
// TypeError naming the option and what it takes, before any socket is bound. Driven through the in-process API and
// answered over real UDP.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RCODE, startClusterDns, type StartOptions } from '../lib/index.js';
import { query } from './helpers/dns-client.js';

const service = (name: string, ip: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { clusterIP: ip, ports: [{ port: 80 }] } });

/** What plain JavaScript passes: no types to stop it. */
const loose = (o: Record<string, unknown>) => o as unknown as StartOptions;

async function addressA(port: number, name: string): Promise<{ rcode?: string; ips: string[]; ttls: number[] }> {
  const r = await query(port, name, 'A');
  const a = (r.answers ?? []).filter((x) => x.type === 'A');
  return { rcode: r.rcode, ips: a.map((x) => x.data as string), ttls: a.map((x) => x.ttl ?? -1) };
}

t.test('upstreams as the CLI writes them ("IP:PORT") forward; a hostname is refused by name', async (t) => {
  // The upstream is a second clusterdns serving another zone: a real resolver on a free loopback port.
  const up = await startClusterDns({ zones: ['upstream.test'], objects: [service('far', '10.96.7.7')] });
  t.teardown(() => up.close());
  const name = 'far.default.svc.upstream.test';
  for (const form of [`127.0.0.1:${up.port}`, { host: '127.0.0.1', port: up.port }]) {
    const dns = await startClusterDns({ upstreams: [form] });
    const got = await addressA(dns.port, name);
    await dns.close();
    t.same(got.ips, ['10.96.7.7'], `${JSON.stringify(form)}: forwarded and answered`);
    t.equal(got.rcode, 'NOERROR');
  }
  t.ok(up.queries({ name }).length >= 2, 'the upstream saw the forwarded queries');
  for (const bad of ['localhost:53', '127.0.0.1:0', '127.0.0.1:99999', '', { host: 'dns.example', port: 53 }, 5353]) {
    await t.rejects(startClusterDns(loose({ upstreams: [bad] })), { name: 'TypeError', message: /startClusterDns: upstreams\[0\] .*expected an upstream as "IP", "IP:PORT"/ }, `upstreams: [${JSON.stringify(bad)}]`);
  }
  await t.rejects(startClusterDns(loose({ upstreams: '127.0.0.1:53' })), { name: 'TypeError', message: /upstreams "127\.0\.0\.1:53": expected an array/ });
});

t.test('pods takes a mode, not a truthy value', async (t) => {
  for (const bad of ['yes', true, 1, 'Insecure']) {
    await t.rejects(startClusterDns(loose({ pods: bad })), { name: 'TypeError', message: /startClusterDns: pods .*: expected one of 'disabled', 'insecure', 'verified'/ }, `pods: ${JSON.stringify(bad)}`);
  }
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: {}, status: { podIP: '10.244.3.4' } };
  const off = await startClusterDns({ objects: [pod] });
  const on = await startClusterDns({ objects: [pod], pods: 'insecure' });
  t.teardown(() => Promise.all([off.close(), on.close()]));
  t.equal((await addressA(off.port, '10-244-3-4.default.pod.cluster.local')).rcode, 'NXDOMAIN', 'the default answers no pod names');
  t.same((await addressA(on.port, '10-244-3-4.default.pod.cluster.local')).ips, ['10.244.3.4'], "'insecure' answers them");
});

t.test('ttl is 0-3600 whole seconds, as --ttl', async (t) => {
  for (const bad of [99999, -1, 2.5, '30', null]) {
    await t.rejects(startClusterDns(loose({ ttl: bad })), { name: 'TypeError', message: /startClusterDns: ttl .*: expected a whole number of seconds from 0 to 3600/ }, `ttl: ${JSON.stringify(bad)}`);
  }
  const dns = await startClusterDns({ ttl: 3600, objects: [service('t', '10.96.0.9')] });
  t.teardown(() => dns.close());
  t.same((await addressA(dns.port, 't.default.svc.cluster.local')).ttls, [3600], 'the edge value is served');
});

t.test('fixtures given as one string is one path', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'clusterdns-options-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: { name: from-dir }\nspec: { clusterIP: 10.96.5.5, ports: [ { port: 80 } ] }\n');
  const dns = await startClusterDns({ fixtures: dir });
  t.teardown(() => dns.close());
  t.same(dns.config.fixtures, [dir]);
  t.same((await addressA(dns.port, 'from-dir.default.svc.cluster.local')).ips, ['10.96.5.5'], 'the folder was read');
  const missing = join(dir, 'no-such-folder');
  await t.rejects(startClusterDns({ fixtures: missing }), { message: new RegExp(missing.replace(/[/.-]/g, '\\$&')) }, 'a missing path is named whole');
  for (const bad of [42, [dir, 7], [''], { path: dir }]) {
    await t.rejects(startClusterDns(loose({ fixtures: bad })), { name: 'TypeError', message: /startClusterDns: fixtures(\[\d\])? .*: expected (a non-empty string|a path \(a file or folder\) or an array of paths)/ }, `fixtures: ${JSON.stringify(bad)}`);
  }
  await t.rejects(startClusterDns({ source: 'kubernetes', fixtures: dir }), { name: 'TypeError', message: /fixtures and source: 'kubernetes' exclude each other/ });
});

t.test('apply, delete and reload after close() throw', async (t) => {
  const dns = await startClusterDns({ objects: [service('gone', '10.96.0.11')] });
  t.same((await addressA(dns.port, 'gone.default.svc.cluster.local')).ips, ['10.96.0.11']);
  await dns.close();
  await t.rejects(dns.apply([service('late', '10.96.0.12')]), { message: /apply\(\) after close\(\)/ });
  await t.rejects(dns.delete('Service', 'default', 'gone'), { message: /delete\(\) after close\(\)/ });
  await t.rejects(dns.reload(), { message: /reload\(\) after close\(\)/ });
  t.equal(dns.resolve('late.default.svc.cluster.local', 1).rcode, RCODE.NXDOMAIN, 'nothing was applied');
  t.equal(dns.resolve('gone.default.svc.cluster.local', 1).rcode, RCODE.NOERROR, 'nothing was deleted');
});

t.test('other options are checked as their flags are', async (t) => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ fixture: ['x'] }, /unknown option "fixture"; known options: listen, admin, zones/],
    [{ metrics: '127.0.0.1:0' }, /unknown option "metrics" \(in-process, \/health, \/ready and \/metrics are on the admin listener: set admin\)/],
    [{ listen: '127.0.0.1' }, /listen "127\.0\.0\.1": expected "HOST:PORT"/],
    [{ listen: { host: '127.0.0.1', port: 70000 } }, /listen .*: expected "HOST:PORT"/],
    [{ admin: 8080 }, /admin 8080: expected "HOST:PORT"/],
    [{ zones: [] }, /zones \[\]: expected a non-empty array of domain names/],
    [{ zones: ['bad zone'] }, /zones\[0\] "bad zone": expected a domain name/],
    [{ namespace: 'Default' }, /namespace "Default": expected a namespace name/],
    [{ namespaces: 'a,b' }, /namespaces "a,b": expected an array of namespace names/],
    [{ logLevel: 'verbose' }, /logLevel "verbose": expected one of 'fatal', 'error', 'warn'/],
    [{ logger: console }, /logger: expected a pino logger/],
    [{ journalSize: -5 }, /journalSize -5: expected a whole number from 0 to 1000000/],
    [{ lameduck: '5' }, /lameduck "5": expected a whole number of seconds from 0 to 600/],
    [{ watch: 'no' }, /watch "no": expected true or false/],
    [{ source: 'k8s' }, /source "k8s": expected one of 'fixtures', 'kubernetes'/],
    [{ adminToken: 42 }, /adminToken \(hidden\): expected a string/],
    [{ synthesis: { podCIDR: '10.0.0.0/33' } }, /synthesis\.podCIDR/],
    [{ synthesis: { nodes: -1 } }, /synthesis\.nodes -1: expected a whole number from 0 to 5000/],
    [{ synthesis: { podCidr: '10.0.0.0/16' } }, /synthesis\.podCidr .*no such field \(known: podCIDR/],
    [{ objects: 'kind: Service' }, /objects "kind: Service": expected an array of manifests/],
  ];
  for (const [opts, message] of cases) {
    await t.rejects(startClusterDns(loose(opts)), { name: 'TypeError', message }, JSON.stringify(opts));
  }
  await t.rejects(startClusterDns(loose('127.0.0.1:0' as unknown as Record<string, unknown>)), { name: 'TypeError', message: /expected an options object/ });
  // The forms that are right still start: admin 'off' as the CLI writes it, undefined as "not given".
  const dns = await startClusterDns({ admin: 'off', ttl: undefined, listen: { host: '127.0.0.1', port: 0 }, zones: ['Cluster.Local.'] });
  t.teardown(() => dns.close());
  t.equal(dns.adminAddress, undefined, "admin: 'off' starts no admin listener");
  t.same(dns.config.zones, ['cluster.local'], 'zones normalised as --zone does');
  t.equal(dns.config.ttl, 5, 'ttl: undefined keeps the default');
});
