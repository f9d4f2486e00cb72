// A reverse zone is refused as an external zone (flag and Corefile line): it would answer NXDOMAIN for the cluster's
// own PTRs; the PTRs of external addresses need no zone of their own (see extnames-bundled).
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';

t.test('--external-zone refuses reverse zones', async (t) => {
  for (const z of ['255.18.172.in-addr.arpa', 'in-addr.arpa', '8.b.d.0.1.0.0.2.ip6.arpa.']) {
    const r = await runCli(['--external-zone', z, '--listen', '127.0.0.1:0']);
    t.equal(r.code, 2, `${z}: exit 2`);
    t.match(r.stderr, `--external-zone ${z}: a reverse zone`, `${z}: the message names the flag and says why`);
  }
});

t.test('the ingress directive refuses reverse zones, naming the line', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'extnames-corefile-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'Corefile');
  writeFileSync(file, '.:0 {\n  kubernetes cluster.local in-addr.arpa ip6.arpa\n  ingress dev.test 10.in-addr.arpa\n}\n');
  const r = await runCli(['--corefile', file, '--listen', '127.0.0.1:0']);
  t.equal(r.code, 2, 'exit 2');
  t.match(r.stderr, /line 3/, 'names the line');
  t.match(r.stderr, 'ingress: 10.in-addr.arpa is a reverse zone', 'says why');
});
