// Hostile Corefiles: import bombs, loops, huge and deeply nested files, globs over thousands of files, and a file
// rewritten hundreds of times a second under `reload` while queries keep coming. Each has a bound with an error
// naming file:line, and the server keeps answering.
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Prober } from '../bench/probe.js';
import { runCli, startCli, stopCli } from './helpers/cli.js';
import { corefileDir, WEB } from './helpers/corefile-run.js';

/** runs the CLI on a Corefile that must be refused; returns its stderr and how long it took */
async function refused(t: { equal(found: unknown, wanted: unknown, msg: string): unknown }, corefile: string, fixtures: string): Promise<{ stderr: string; ms: number }> {
  const started = Date.now();
  const r = await runCli(['--corefile', corefile, '--listen', '127.0.0.1:0', '--admin', 'off', '--fixtures', fixtures]);
  const ms = Date.now() - started;
  t.equal(r.code, 2, 'refused at start-up, as a usage error');
  return { stderr: r.stderr, ms };
}

t.test('an import bomb (snippets importing each other twice over) stops at the token bound', async (t) => {
  const c = corefileDir(t);
  const levels = Array.from({ length: 9 }, (_, i) => `(s${i}) {\n import s${i + 1}\n import s${i + 1}\n}\n`).join('');
  c.write(`${levels}(s9) {\n${'errors\n'.repeat(2000)}}\ncluster.local {\n kubernetes\n import s0\n}\n`);
  const { stderr, ms } = await refused(t, c.corefile, c.fixtures);
  t.match(stderr, `${c.corefile} line`);
  t.match(stderr, 'the Corefile expands to more than 200000 tokens');
  t.ok(ms < 10_000, `quickly (${ms} ms)`);
});

t.test('an import loop through files is a file:line error', async (t) => {
  const c = corefileDir(t);
  writeFileSync(join(c.dir, 'a.conf'), 'errors\nimport b.conf\n');
  writeFileSync(join(c.dir, 'b.conf'), '\n\nimport a.conf\n');
  c.write('cluster.local {\n kubernetes\n import a.conf\n}\n');
  const { stderr } = await refused(t, c.corefile, c.fixtures);
  t.match(stderr, `${join(c.dir, 'b.conf')} line 3: import loop: ${join(c.dir, 'a.conf')} -> ${join(c.dir, 'b.conf')} -> ${join(c.dir, 'a.conf')}`);
});

t.test('a huge Corefile is refused before it is read; so is one nested 50000 deep', async (t) => {
  const c = corefileDir(t);
  c.write(`cluster.local {\n kubernetes\n}\n${'# padding\n'.repeat(220_000)}`);
  t.match((await refused(t, c.corefile, c.fixtures)).stderr, /it is \d+ bytes; at most 1048576 are read/);
  c.write(`cluster.local {\n kubernetes\n a ${'{ a '.repeat(50_000)}${'} '.repeat(50_000)}\n}\n`);
  t.match((await refused(t, c.corefile, c.fixtures)).stderr, `${c.corefile} line 3: blocks nest more than 32 deep`);
});

t.test('a glob over thousands of files is refused', async (t) => {
  const c = corefileDir(t);
  mkdirSync(join(c.dir, 'many'));
  for (let i = 0; i < 1500; i++) writeFileSync(join(c.dir, 'many', `f${i}.conf`), '');
  c.write('cluster.local {\n kubernetes\n import many/*.conf\n}\n');
  t.match((await refused(t, c.corefile, c.fixtures)).stderr, `${c.corefile} line 3: import many/*.conf: matches 1500 files; at most 1000`);
});

t.test('a reload storm: the Corefile rewritten every few ms, good and broken in turn, while queries keep coming', async (t) => {
  const c = corefileDir(t);
  // 300 server blocks: each good version rebuilds them all
  const blocks = Array.from({ length: 300 }, (_, i) => `z${i}.test:53 {\n  log\n  forward . 127.0.0.1:9\n}\n`).join('');
  const good = (ttl: number) => `cluster.local:53 {\n  kubernetes {\n    ttl ${ttl}\n  }\n  reload 100ms 50ms\n}\n${blocks}`;
  c.write(good(5));
  const srv = await startCli(['--corefile', c.corefile, '--listen', '127.0.0.1:0', '--admin', 'off', '--fixtures', c.fixtures]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const prober = new Prober(srv.port, WEB.fqdn.slice(0, -1));
  t.teardown(() => prober.stop());
  prober.start(2);
  const from = performance.now();
  let writes = 0;
  const until = Date.now() + 3000;
  while (Date.now() < until) {
    writes++;
    c.write(writes % 2 ? good(5 + (writes % 50)) : `${good(5)}broken {\n`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const to = performance.now();
  await new Promise((r) => setTimeout(r, 500));
  const w = prober.worst(from, to, 400);
  t.ok(writes > 200, `${writes} rewrites`);
  t.ok(w.answered > 500, `kept answering: ${w.answered} answers`);
  t.ok(w.maxGapMs < 1000, `longest time without an answer ${w.maxGapMs.toFixed(0)} ms`);
  t.ok(w.lost <= w.answered / 100, `${w.lost} lost`);
  t.ok(prober.replies.every((r) => r.rcode === 'NOERROR' && r.address === WEB.ip), 'every answer right');
  t.equal(srv.proc.exitCode, null, 'still running');
});
