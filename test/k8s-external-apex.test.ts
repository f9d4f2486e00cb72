// The name server records of a k8s_external zone, in a network namespace of our own so the server has addresses
// that are not loopback: NS glue and ns1.dns.<zone> answer the server's own addresses, or, when those are the
// endpoints of a Service (kube-dns in a cluster), that Service's external IPs, as CoreDNS's nsAddrs(external) does.
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { stopCli } from './helpers/cli.js';
import { digMissing, digSection, digStatus } from './helpers/dig.js';
import { CLUSTER, FIXTURE_DIR } from './helpers/k8s-external.js';
import { ip, loopbackNamespace, startInNamespace } from './helpers/netns.js';

const run = promisify(execFile);
const ZONE = 'example.org';
const V4 = '192.0.2.53';
const V6 = '2001:db8:53::53';
const KUBE_DNS = join(FIXTURE_DIR, 'kube-dns.yaml');
const dir = mkdtempSync(join(tmpdir(), 'k8s-external-apex-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const corefile = join(dir, 'Corefile');
writeFileSync(corefile, `. {\n  kubernetes cluster.local\n  k8s_external ${ZONE}\n}\n`);

t.test('ns1.dns.<zone> and the NS glue: the server\'s addresses, or kube-dns\'s external IPs', { skip: digMissing }, async (t) => {
  const ns = await loopbackNamespace(t, 'k8sext');
  if (!ns) return;
  // No dummy module everywhere: a veth pair, both ends in the namespace, one end carrying the addresses.
  await ip('-n', ns, 'link', 'add', 'kx0', 'type', 'veth', 'peer', 'name', 'kx1');
  for (const dev of ['kx0', 'kx1']) {
    // no fe80:: addresses: the server would count them among its own
    await ip('-n', ns, 'link', 'set', dev, 'addrgenmode', 'none');
    await ip('-n', ns, 'link', 'set', dev, 'up');
  }
  await ip('-n', ns, 'addr', 'add', `${V4}/24`, 'dev', 'kx0');
  await ip('-n', ns, 'addr', 'add', `${V6}/64`, 'dev', 'kx0', 'nodad');

  const serve = async (fixtures: string[]) => {
    const srv = await startInNamespace(ns, ['--corefile', corefile, ...fixtures.flatMap((f) => ['--fixtures', f]), '--listen', '[::]:0', '--admin', 'off']);
    t.teardown(() => stopCli(srv.proc));
    const port = / on \[?[^\s\]]*\]?:(\d+) udp\+tcp/.exec(srv.line)![1]!;
    return {
      ask: async (...args: string[]) => (await run('ip', ['netns', 'exec', ns, 'dig', `@${V4}`, '-p', port, '+tries=1', '+time=3', ...args], { timeout: 20_000 })).stdout,
      stop: () => stopCli(srv.proc),
    };
  };
  const rr = (name: string, type: string, data: string) => `${name}. 5 IN ${type} ${data}`;
  const ns1 = `ns1.dns.${ZONE}`;

  const own = await serve([CLUSTER]);
  t.strictSame(digSection(await own.ask(ns1, 'A'), 'ANSWER'), [rr(ns1, 'A', V4)], 'A: the server\'s address');
  t.strictSame(digSection(await own.ask(ns1, 'AAAA'), 'ANSWER'), [rr(ns1, 'AAAA', V6)], 'AAAA too');
  const nsOut = await own.ask(ZONE, 'NS');
  t.strictSame(digSection(nsOut, 'ANSWER'), [rr(ZONE, 'NS', `${ns1}.`)]);
  t.strictSame(digSection(nsOut, 'ADDITIONAL').filter((l) => !l.includes('OPT')), [rr(ns1, 'A', V4), rr(ns1, 'AAAA', V6)].sort(), 'glue');
  await own.stop();

  const kubeDns = parseAllDocuments(readFileSync(KUBE_DNS, 'utf8')).map((d) => d.toJSON()).find((m) => m.kind === 'Service');
  const external: string[] = kubeDns.spec.externalIPs;
  const inCluster = await serve([CLUSTER, KUBE_DNS]);
  t.strictSame(digSection(await inCluster.ask(ns1, 'A'), 'ANSWER'), external.map((a) => rr(ns1, 'A', a)), 'A: kube-dns\'s external IP');
  const aaaa = await inCluster.ask(ns1, 'AAAA');
  t.equal(digStatus(aaaa), 'NOERROR');
  t.strictSame(digSection(aaaa, 'ANSWER'), [], 'kube-dns has no IPv6 external IP: NODATA');
  t.strictSame(digSection(await inCluster.ask(ZONE, 'NS'), 'ADDITIONAL').filter((l) => !l.includes('OPT')), external.map((a) => rr(ns1, 'A', a)));
});
