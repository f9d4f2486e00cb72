// rewrite runs a user's regular expressions on every query that misses the cache: patterns that backtrack
// exponentially in JavaScript (nested quantifiers) must cost linear time on names of up to 255 bytes, oversized or
// over-repeated patterns and rule floods are refused when the Corefile is read, and the server keeps answering.
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, stopCli, runCli } from './helpers/cli.js';
import { query, udpQuery } from './helpers/dnsmasq.js';
import { Pattern } from '../lib/plugins/rewrite/regex.js';

const dir = mkdtempSync(join(tmpdir(), 'hostile-rewrite-'));
writeFileSync(join(dir, 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: default}\nspec: {clusterIP: 10.96.0.9, ports: [{port: 80}]}\n');

// Each of these takes seconds to years in a backtracking engine on the names below.
const EVIL = ['^(a+)+b\\.$', '^(a|aa)+c\\.$', '^(a*)*d\\.$', '^((a+)\\.?)+e\\.$'];

/** ~190 bytes of 'a' labels that none of the patterns matches (it ends in a different letter) */
function evilName(i: number): string {
  const labels = ['a'.repeat(63), 'a'.repeat(63), `${'a'.repeat(40 + (i % 20))}z`];
  return labels.join('.');
}

t.test('the evil patterns on 255-byte names: linear, in-process', async (t) => {
  for (const src of EVIL) {
    const p = Pattern.compile(src);
    if (typeof p === 'string') { t.fail(p); continue; }
    const start = performance.now();
    for (let i = 0; i < 20; i++) t.equal(p.submatch(`${evilName(i)}.`), null);
    const ms = (performance.now() - start) / 20;
    t.ok(ms < 100, `${src}: ${ms.toFixed(2)} ms a name`);
  }
});

t.test('through the CLI with no answer cache: a flood of evil names is answered, each quickly', async (t) => {
  const corefile = join(dir, 'Corefile');
  writeFileSync(corefile, `.:53 {\n${EVIL.map((e) => `  rewrite continue name regex ${e} s.default.svc.cluster.local`).join('\n')}\n  kubernetes cluster.local\n}\n`);
  const srv = await startCli(['--corefile', corefile, '--fixtures', dir, '--listen', '127.0.0.1:0', '--admin', 'off', '--no-watch', '--cache-mb', '0', '--log-level', 'error']);
  t.teardown(() => stopCli(srv.proc));
  let slowest = 0;
  const start = performance.now();
  for (let i = 0; i < 100; i++) {
    const t0 = performance.now();
    const reply = await udpQuery(srv.port, query(`${evilName(i)}.cluster.local`, 'A', i), 3000);
    slowest = Math.max(slowest, performance.now() - t0);
    t.equal(reply[3]! & 0xf, 3, 'NXDOMAIN: no rule matched, the cluster does not know the name');
  }
  t.ok(slowest < 1000, `slowest reply ${slowest.toFixed(1)} ms, 100 in ${(performance.now() - start).toFixed(0)} ms`);
  const ok = await udpQuery(srv.port, query('s.default.svc.cluster.local', 'A'), 2000);
  t.equal(ok.readUInt16BE(6), 1, 'still answering');
});

t.test('patterns and rule lists past the bounds are refused at start, naming the line', async (t) => {
  const bad = async (body: string, want: RegExp) => {
    const f = join(dir, 'Corefile.bad');
    writeFileSync(f, `.:53 {\n${body}\n  kubernetes cluster.local\n}\n`);
    const start = performance.now();
    const r = await runCli(['--corefile', f, '--fixtures', dir, '--listen', '127.0.0.1:0', '--admin', 'off'], 30_000);
    t.not(r.code, 0);
    t.match(r.stderr, want);
    t.ok(performance.now() - start < 15_000, 'refused promptly');
  };
  await bad('  rewrite name regex (x{1000}){1000} y', /line 2: rewrite: invalid regex matching pattern/);
  await bad(`  rewrite name regex ${'(a|b)'.repeat(2000)}x y`, /line 2: rewrite: argument of 10001 characters|regex pattern too long/);
  await bad(Array.from({ length: 1001 }, (_, i) => `  rewrite name exact n${i}.example.com s.default.svc.cluster.local`).join('\n'), /line 1002: rewrite: at most 1000 rewrite rules/);
});
