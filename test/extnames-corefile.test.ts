// The bundled app behind a Corefile that serves both external forms: `ingress dev.test` (hostnames) and
// `k8s_external lb.test` (svc.ns.<zone> of LoadBalancer Services, CoreDNS's plugin). k8s_external's SRV for a
// LoadBalancer's named port works on the synthesised address, and the PTR of that address, which k8s_external
// does not serve (in-addr.arpa is not among its zones), names the hostnames the ingress plugin answers with it.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { startCli, stopCli } from './helpers/cli.js';
import { BUNDLED, synthesised } from './helpers/extnames.js';

const objects = synthesised();
const data = (out: string, s: 'ANSWER' | 'ADDITIONAL' = 'ANSWER') => digSection(out, s).map((l) => l.split(' ').slice(4).join(' '));

t.test('k8s_external and ingress side by side on the bundled fixtures', { skip: digMissing }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'extnames-corefile-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const corefile = join(dir, 'Corefile');
  writeFileSync(corefile, '.:1053 {\n  k8s_external lb.test\n  ingress dev.test\n  kubernetes cluster.local in-addr.arpa ip6.arpa\n}\n');
  const srv = await startCli(['--corefile', corefile, '--fixtures', BUNDLED, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const lbs = objects.filter((o) => o.kind === 'Service' && o.type === 'LoadBalancer');
  t.ok(lbs.length >= 2, 'the bundled app has LoadBalancer Services');
  for (const s of lbs) {
    if (s.kind !== 'Service') continue;
    const base = `${s.name}.${s.namespace}.lb.test`;
    t.same(data(await dig(srv, ['A', base])), s.external, `${base}: the synthesised LB address`);
    for (const p of s.ports.filter((x) => x.name !== '')) {
      const out = await dig(srv, ['SRV', `_${p.name}._${p.protocol.toLowerCase()}.${base}`]);
      t.same(data(out), [`0 100 ${p.port} ${base}.`], `_${p.name}._${p.protocol.toLowerCase()}.${base}: k8s_external's SRV`);
      t.same(data(out, 'ADDITIONAL').filter((x) => x !== ''), s.external, 'with the address as glue');
    }
    const ptr = await dig(srv, ['-x', s.external![0]!]);
    const hosts = objects.flatMap((o) => (o.kind === 'Service' && o.hostnames && o.external?.[0] === s.external![0] ? o.hostnames
      : o.kind === 'Ingress' && s.name === 'ingress-nginx-controller' ? o.hosts.filter((h) => h.endsWith('.dev.test') && !h.startsWith('*.')) : []));
    if (hosts.length === 0) t.equal(digStatus(ptr), 'NXDOMAIN', `-x ${s.external![0]}: no hostname answers it`);
    else t.same(data(ptr), [...hosts].sort().map((h) => `${h}.`), `-x ${s.external![0]}: the ingress plugin's names`);
  }
  const grafana = objects.find((o) => o.kind === 'Service' && o.name === 'grafana');
  t.same(data(await dig(srv, ['A', 'grafana.dev.test'])), grafana && grafana.kind === 'Service' ? grafana.external : [], 'the annotation host in the other zone');
});
