// Hostile hostname annotations: too many hosts, a megabyte of commas, an IP or a pathological name as a host
// (each refused naming the annotation, the rest serve), thousands of Services sharing one host (the answer reads a
// bounded number of them), and the server keeps answering throughout.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, stopCli } from './helpers/cli.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { MAX_ANNOTATION_HOSTS } from '../lib/cluster/hostname-annotations.js';

const dir = mkdtempSync(join(tmpdir(), 'hostile-external-dns-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const ZONE = 'dev.test';
const KEY = 'external-dns.alpha.kubernetes.io/hostname';
const svc = (ns: string, name: string, value: string, ip = '192.0.2.1') => JSON.stringify({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, annotations: { [KEY]: value } },
  spec: { clusterIP: 'None', externalIPs: [ip], ports: [{ port: 80 }] },
});

t.test('hostile hostname annotations are bounded; the server keeps answering', { skip: digMissing }, async (t) => {
  const crowd = 2000;
  const docs = [
    svc('x', 'too-many', Array.from({ length: MAX_ANNOTATION_HOSTS + 1 }, (_, i) => `h${i}.${ZONE}`).join(',')),
    svc('x', 'commas', ','.repeat(1 << 20) + `commas.${ZONE}`),
    svc('x', 'an-ip', `192.0.2.50,ip.${ZONE}`),
    svc('x', 'dots', `${'a.'.repeat(200)}${ZONE}`),
    svc('x', 'label', `${'l'.repeat(64)}.${ZONE}`),
    ...Array.from({ length: crowd }, (_, i) => svc(`n${i % 40}`, `same-${i}`, `same.${ZONE}`, `10.2.${i >> 8}.${i & 255}`)),
    svc('x', 'good', `good.${ZONE},also.${ZONE}`, '192.0.2.7'),
  ];
  const file = join(dir, 'hostile.yaml');
  writeFileSync(file, docs.join('\n---\n'));
  const srv = await startCli(['--fixtures', file, '--external-zone', ZONE, '--listen', '127.0.0.1:0', '--admin', 'off'], 60_000);
  t.teardown(() => stopCli(srv.proc));
  const ask = (...a: string[]) => dig({ host: '127.0.0.1', port: srv.port }, a);
  const err = srv.stderr();

  t.match(err, new RegExp(`too-many[^\\n]*metadata\\.annotations[^\\n]*at most ${MAX_ANNOTATION_HOSTS} hostnames`));
  t.match(err, /commas[^\n]*metadata\.annotations\[external-dns\.alpha\.kubernetes\.io\/hostname\][^\n]*at most \d+ characters/);
  t.match(err, /an-ip[^\n]*metadata\.annotations\[external-dns\.alpha\.kubernetes\.io\/hostname\][^\n]*not an IP address/);
  t.match(err, /dots[^\n]*metadata\.annotations\[external-dns\.alpha\.kubernetes\.io\/hostname\]/);
  t.match(err, /label[^\n]*metadata\.annotations\[external-dns\.alpha\.kubernetes\.io\/hostname\]/);
  for (const h of ['h0', 'commas', 'ip']) t.equal(digStatus(await ask(`${h}.${ZONE}`, 'A')), 'NXDOMAIN', `${h}: refused whole`);

  const started = performance.now();
  const same = await ask(`same.${ZONE}`, 'A');
  t.equal(digStatus(same), 'NOERROR');
  t.ok(digSection(same, 'ANSWER').length <= 64, 'the answer reads a bounded number of Services');
  t.ok(performance.now() - started < 1000, 'answered within a second');
  for (const h of ['good', 'also']) t.strictSame(digSection(await ask(`${h}.${ZONE}`, 'A'), 'ANSWER').map((l) => l.split(/\s+/).pop()), ['192.0.2.7']);
});
