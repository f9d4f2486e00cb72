// Synthesised external addresses are stable: the bundled app's names answer the same addresses after a restart,
// and after objects are added (a new LoadBalancer Service and Ingress in a new file). The server is started with
// the start script's flags on a copy of the bundled fixtures.
import t from 'tap';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dig, digMissing, digSection } from './helpers/dig.js';
import { startCli, stopCli } from './helpers/cli.js';
import { BUNDLED, expectedHosts, startScriptFlags, synthesised } from './helpers/extnames.js';

const flags = startScriptFlags();
const zone = flags[flags.indexOf('--external-zone') + 1]!;

const ADDED = `apiVersion: v1
kind: Namespace
metadata: { name: aaa-first }
---
apiVersion: v1
kind: Service
metadata:
  name: a-new-lb
  namespace: aaa-first
  annotations: { external-dns.alpha.kubernetes.io/hostname: new.${zone} }
spec:
  type: LoadBalancer
  ports: [ { name: http, port: 80 } ]
`;

async function answers(dir: string, hosts: string[]): Promise<Record<string, string[]>> {
  const srv = await startCli([...flags, '--fixtures', dir, '--listen', '127.0.0.1:0', '--admin', 'off', '--no-watch']);
  try {
    const out: Record<string, string[]> = {};
    for (const h of hosts) out[h] = digSection(await dig(srv, ['A', h]), 'ANSWER').map((l) => l.split(' ')[4]!);
    return out;
  } finally {
    await stopCli(srv.proc);
  }
}

t.test('synthesised external addresses survive a restart and an added object', { skip: digMissing }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'extnames-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(BUNDLED, dir, { recursive: true });
  const hosts = expectedHosts(synthesised(dir), zone).map((h) => h.host).filter((h) => !h.startsWith('*.'));
  const first = await answers(dir, hosts);
  t.ok(Object.values(first).every((a) => a.length === 1), 'every bundled name answers one address');
  t.same(await answers(dir, hosts), first, 'the same addresses after a restart');
  writeFileSync(join(dir, '0-added.yaml'), ADDED);
  const after = await answers(dir, [...hosts, `new.${zone}`]);
  for (const h of hosts) t.same(after[h], first[h], `${h}: unchanged by the added LoadBalancer Service`);
  t.equal(after[`new.${zone}`]!.length, 1, 'the added Service answers too');
  t.notOk(Object.values(first).flat().includes(after[`new.${zone}`]![0]!), 'with an address of its own');
});
