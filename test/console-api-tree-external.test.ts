// GET /api/v1/tree's external names: hostname annotations under --external-zone, from the real CLI on the
// external-dns fixture. A Service lists exactly the annotation hosts dig gets an answer for (a wildcard as written),
// so a ClusterIP Service's host (not published) and a malformed host are left out.
import t from 'tap';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { readFileSync } from 'node:fs';
import { startCli, stopCli, ROOT } from './helpers/cli.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'external-dns', 'cluster.yaml');
const KEYS = ['external-dns.alpha.kubernetes.io/hostname', 'coredns.io/hostname'];

t.test('externalNames: the annotation hosts DNS answers', { skip: digMissing }, async (t) => {
  const srv = await startCli(['--fixtures', FIXTURE, '--external-zone', 'dev.test', '--external-zone', 'apps.test', '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--log-level', 'error']);
  t.teardown(() => stopCli(srv.proc));
  const admin = /admin http:\/\/([^\s,]+)/.exec(srv.line)![1];
  const page = await (await fetch(`http://${admin}/api/v1/tree?namespace=shop`)).json() as any;
  const services = parseAllDocuments(readFileSync(FIXTURE, 'utf8')).map((d) => d.toJS()).filter((o) => o?.kind === 'Service');
  let checked = 0;
  for (const s of services) {
    const hosts = KEYS.flatMap((k) => String(s.metadata.annotations?.[k] ?? '').split(',')).map((h) => h.trim().toLowerCase().replace(/\.$/, '')).filter(Boolean);
    const want: string[] = [];
    for (const h of hosts) {
      if (h.startsWith('*.')) { want.push(h); continue; }
      if (/[^a-z0-9.-]|\.\./.test(h)) continue; // not a name dig can ask
      const out = await dig({ host: '127.0.0.1', port: srv.port }, [h, 'A']);
      if (digStatus(out) === 'NOERROR' && digSection(out, 'ANSWER').length > 0) want.push(h);
    }
    const got = page.services.find((x: any) => x.name === s.metadata.name);
    if (!got) {
      // Refused by validation (a malformed annotation host): DNS does not serve it, nor does the tree.
      t.equal(digStatus(await dig({ host: '127.0.0.1', port: srv.port }, [`${s.metadata.name}.shop.svc.cluster.local`, 'A'])), 'NXDOMAIN', `${s.metadata.name}: not served, not listed`);
      continue;
    }
    t.same(got.externalNames, [...new Set(want)].sort(), `${s.metadata.name}: ${JSON.stringify(want)}`);
    checked += want.length;
  }
  t.ok(checked >= 5, `${checked} external names checked`);
  t.same(page.services.find((x: any) => x.name === 'internal').externalNames, [], 'a ClusterIP Service\'s annotation is not published');
});
