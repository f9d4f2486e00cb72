// The Corefiles clusters ship (test/corefiles/, see its README) start the real CLI with --corefile and serve their
// names through real sockets, asked with dig: a Service's A and PTR, NXDOMAIN with the SOA, and names forwarded to
// a local dnsmasq (the Corefiles' `forward . /etc/resolv.conf` is rewritten to it: never off this machine). The
// only warnings allowed are about directives other work is bringing (PENDING below, now empty: every directive of
// these Corefiles is implemented, so any warning fails the test).
import t from 'tap';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, stopCli } from './helpers/cli.js';
import { dig, digFlags, digMissing, digSection, digStatus } from './helpers/dig.js';
import { DNSMASQ_SKIP, findDnsmasq, startDnsmasq } from './helpers/dnsmasq.js';

/**
 * Directives and kubernetes options being implemented elsewhere right now. A stock Corefile may warn about these
 * and nothing else; once they land, remove them here and the test holds every Corefile to "no warning at all".
 */
export const PENDING_DIRECTIVES: string[] = [];
export const PENDING_KUBERNETES_OPTIONS: string[] = [];

const here = new URL('./corefiles/', import.meta.url).pathname;
const dnsmasq = findDnsmasq();

/** one Service with a fixed ClusterIP: the expected answers are derived from it */
const SVC = { name: 'web', namespace: 'default', ip: '10.96.0.10' };
const FQDN = `${SVC.name}.${SVC.namespace}.svc.cluster.local.`;
const PTR_NAME = `${SVC.ip.split('.').reverse().join('.')}.in-addr.arpa.`;
/** what the stub resolver answers (dnsmasq --address answers with TTL 0) */
const UPSTREAM = { name: 'www.example.org.', ip: '192.0.2.7' };
/** CoreDNS's cache raises a TTL below its MINTTL (default 5 s) to it: what `cache 30` makes of dnsmasq's TTL 0 */
const CACHE_MINTTL = 5;

interface Stock {
  file: string;
  /** the kubernetes ttl the Corefile sets (5 when it says none) */
  ttl: number;
  /** whether the Corefile has the log plugin (minikube injects it) */
  logs?: boolean;
  /** the coredns-custom imports: relative to the Corefile (AKS) or /etc/coredns/custom (k3s) */
  custom?: 'relative' | 'absolute';
}

const STOCK: Stock[] = [
  { file: 'kubeadm.Corefile', ttl: 30 },
  { file: 'kubeadm-older.Corefile', ttl: 30 },
  { file: 'kind.Corefile', ttl: 30 },
  { file: 'minikube.Corefile', ttl: 30, logs: true },
  { file: 'k3s.Corefile', ttl: 5, custom: 'absolute' },
  { file: 'eks.Corefile', ttl: 5 },
  { file: 'aks.Corefile', ttl: 30, custom: 'relative' },
];

/** Each warning must name a pending directive or kubernetes option; returns the ones that do not. */
function unexpectedWarnings(warnings: string[]): string[] {
  return warnings.filter((w) => {
    const m = /plugins not implemented by clusterdns \(ignored\): (.*)$/.exec(w);
    if (m) return !m[1]!.split(', ').every((d) => PENDING_DIRECTIVES.includes(d));
    return !PENDING_KUBERNETES_OPTIONS.some((o) => w.includes(`"${o}`)) && !PENDING_DIRECTIVES.some((d) => w.includes(` ${d}`));
  });
}

/** The Corefile warnings the CLI logged at start (one pino line, "Corefile: a; b"). */
function corefileWarnings(stderr: string): string[] {
  for (const line of stderr.split('\n')) {
    try {
      const msg = (JSON.parse(line) as { msg?: string }).msg ?? '';
      if (msg.startsWith('Corefile: ')) return msg.slice('Corefile: '.length).split('; ');
    } catch { /* the log plugin's lines are not JSON */ }
  }
  return [];
}

t.test('stock Corefiles serve their names through real sockets', { skip: digMissing || (!dnsmasq && DNSMASQ_SKIP) }, async (t) => {
  const stub = await startDnsmasq(dnsmasq!, [`--address=/example.org/${UPSTREAM.ip}`]);
  t.teardown(() => stub.stop());
  // the coredns-custom ConfigMap's server block goes to a second stub: an answer from it proves the import was served
  const custom = await startDnsmasq(dnsmasq!, ['--address=/corp.test/192.0.2.99']);
  t.teardown(() => custom.stop());

  for (const stock of STOCK) {
    await t.test(stock.file, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'corefile-stock-'));
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      mkdirSync(join(dir, 'fixtures'));
      writeFileSync(join(dir, 'fixtures', 'web.yaml'), `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${SVC.name}\n  namespace: ${SVC.namespace}\nspec:\n  clusterIP: ${SVC.ip}\n  ports:\n    - name: http\n      port: 80\n`);
      // Only paths and forward targets change.
      let text = readFileSync(join(here, stock.file), 'utf8')
        .replaceAll('/etc/resolv.conf', `127.0.0.1:${stub.port}`)
        .replaceAll('/etc/coredns/NodeHosts', join(dir, 'NodeHosts'))
        .replaceAll('/etc/coredns/custom/', `${join(dir, 'custom')}/`);
      writeFileSync(join(dir, 'NodeHosts'), '192.0.2.10 node1\n');
      if (stock.custom) {
        mkdirSync(join(dir, 'custom'));
        // coredns-custom's two kinds of entries: a *.server block of its own, a *.override inside the main block
        writeFileSync(join(dir, 'custom', 'corp.server'), `corp.test:53 {\n  forward . 127.0.0.1:${custom.port}\n}\n`);
        writeFileSync(join(dir, 'custom', 'log.override'), 'log\n');
      }
      const corefile = join(dir, 'Corefile');
      writeFileSync(corefile, text);
      cpSync(corefile, join(dir, 'Corefile.as-run'));

      const srv = await startCli(['--corefile', corefile, '--listen', '127.0.0.1:0', '--admin', 'off', '--fixtures', join(dir, 'fixtures')]);
      // SIGKILL: the stock lameduck (5 s) is not what this test is about
      t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
      const at = { host: srv.host, port: srv.port };

      const a = await dig(at, [FQDN, 'A']);
      t.equal(digStatus(a), 'NOERROR', 'the Service answers');
      t.ok(digFlags(a).includes('aa'), 'authoritatively');
      t.strictSame(digSection(a, 'ANSWER'), [`${FQDN} ${stock.ttl} IN A ${SVC.ip}`], 'its ClusterIP with the Corefile ttl');

      const ptr = await dig(at, [PTR_NAME, 'PTR']);
      t.strictSame(digSection(ptr, 'ANSWER'), [`${PTR_NAME} ${stock.ttl} IN PTR ${FQDN}`], 'PTR in in-addr.arpa');

      const nx = await dig(at, [`nope.${SVC.namespace}.svc.cluster.local.`, 'A']);
      t.equal(digStatus(nx), 'NXDOMAIN');
      t.match(digSection(nx, 'AUTHORITY')[0], /^cluster\.local\. \d+ IN SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. /, 'NXDOMAIN carries the zone SOA');

      const fwd = await dig(at, [UPSTREAM.name, 'A']);
      t.equal(digStatus(fwd), 'NOERROR', 'names outside the cluster go to forward');
      t.strictSame(digSection(fwd, 'ANSWER'), [`${UPSTREAM.name} ${CACHE_MINTTL} IN A ${UPSTREAM.ip}`], 'with the TTL the cache plugin writes');

      if (stock.custom) {
        const corp = await dig(at, ['db.corp.test.', 'A']);
        t.strictSame(digSection(corp, 'ANSWER').map((l) => l.split(' ').at(-1)), ['192.0.2.99'], 'the imported *.server block is served');
      }
      if (stock.logs || stock.custom) {
        const logged = new RegExp(`^\\[INFO\\] 127\\.0\\.0\\.1:\\d+ - \\d+ "A IN ${FQDN.replaceAll('.', '\\.')} udp \\d+ (false|true) \\d+" NOERROR qr,aa,rd \\d+ \\d+(\\.\\d+)?s$`, 'm');
        await new Promise((r) => setTimeout(r, 200));
        t.match(srv.stderr(), logged, 'the log plugin writes CoreDNS\'s line');
      }
      const warnings = corefileWarnings(srv.stderr());
      t.strictSame(unexpectedWarnings(warnings), [], `only pending directives are warned about (${warnings.join(' | ') || 'none'})`);
    });
  }
});
