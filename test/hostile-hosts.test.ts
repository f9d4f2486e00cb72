// Hostile hosts files against a running server (reload 100ms, probed every 2 ms by bench/probe.ts's Prober): binary
// junk, a file over the size cap, a line over the length cap, a million-line file (over the entry cap, parsed in
// slices while answers go on), and a storm of rewrites. Each bad file is refused naming file:line, the last good
// entries keep answering, and the server never stops answering. Then the memory a large good file costs.
import t, { type Test } from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Prober } from '../bench/probe.js';
import { until } from './helpers/until.js';
import { query } from './helpers/dns-client.js';
import { LOCAL_LISTENERS, startCli, stopCli, tempDir, writeCluster } from './hosts-helpers.js';

const KEEP = { name: 'keep.test', ip: '10.0.0.1' };
const GOOD = `${KEEP.ip} ${KEEP.name}\n`;

async function serve(t: Test, dir: string, file: string) {
  const cluster = writeCluster(dir);
  const corefile = path.join(dir, 'Corefile');
  writeFileSync(corefile, `.:53 {\n  hosts ${file} {\n    10.9.9.9 inline.test\n    reload 100ms\n    fallthrough\n  }\n  kubernetes cluster.local\n}\n`);
  const srv = await startCli(['--corefile', corefile, '--fixtures', cluster.fixture, ...LOCAL_LISTENERS]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  return srv;
}

const execFileAsync = promisify(execFile);

const STORM_WRITER = `
const fs = require('fs'); const [dir, file] = process.argv.slice(1);
const data = { a: fs.readFileSync(dir + '/a'), b: fs.readFileSync(dir + '/b') };
const end = Date.now() + 3000; let n = 0, last = '';
(function next() {
  if (Date.now() >= end) { console.log(n + ' ' + last); return; }
  last = n++ % 2 ? 'a' : 'b';
  fs.writeFileSync(file + '.tmp', data[last]); fs.renameSync(file + '.tmp', file);
  setTimeout(next, 5);
})();`;

/** Writes the file by rename, as a careful writer does (a reader never sees half of it). */
function put(file: string, data: string | Buffer): void {
  writeFileSync(`${file}.tmp`, data);
  renameSync(`${file}.tmp`, file);
}

t.test('bad hosts files are refused, the last good entries answer, answers never stop', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'hosts');
  writeFileSync(file, GOOD);
  const srv = await serve(t, dir, file);
  const prober = new Prober(srv.port, KEEP.name);
  t.teardown(() => prober.stop());
  prober.start(2);
  const from = performance.now();
  const refusals = () => (srv.stderr().match(/hosts: not loaded/g) ?? []).length;
  const refusedWith = async (what: string, re: RegExp) => {
    const before = refusals();
    const at = performance.now();
    await until(async () => refusals(), (n) => n > before, 20_000);
    const line = srv.stderr().split('\n').filter((l) => /hosts: not loaded/.test(l)).pop() ?? '';
    t.match(line, re, `${what}: refused, saying where`);
    const still = await query(srv.port, KEEP.name, 'A');
    t.same(still.answers?.map((a) => a.data), [KEEP.ip], `${what}: the last good entry still answers`);
    const w = prober.worst(at, performance.now());
    t.ok(w.answered > 0 && w.maxGapMs < 1000, `${what}: answers went on (longest gap ${Math.round(w.maxGapMs)} ms, worst ${Math.round(w.maxMs)} ms)`);
    return w;
  };

  const junk = randomBytes(1 << 20);
  junk[1000] = 0;
  put(file, junk);
  await refusedWith('1 MiB of random bytes', /hosts:\d+: holds NUL bytes: a hosts file is text/);

  put(file, GOOD);
  truncateSync(file, 17 * 1024 * 1024);
  await refusedWith('a 17 MiB file', /hosts: 17825792 bytes, over the 16777216-byte cap/);

  put(file, `${GOOD}10.0.0.2 ${'a'.repeat(70_000)}\n`);
  await refusedWith('a 70,000-character line', /hosts:2: line of 70009 characters, over the 65536/);

  const million = Array.from({ length: 1_000_000 }, (_, i) => `1.2.3.4 h${i.toString(36)}\n`).join('');
  put(file, GOOD + million);
  const w = await refusedWith('a million-line file', /hosts:500001: more than 500000 entries/);
  t.comment(`million-line file (${(million.length / 1e6).toFixed(1)} MB): worst probe ${Math.round(w.maxMs)} ms while it was read and refused`);

  // A storm: two good versions rewritten (by rename) every 5 ms for 3 s by another process, so this one's event
  // loop is free to probe; each version is read within 100 ms of its write.
  const a = GOOD + Array.from({ length: 20_000 }, (_, i) => `10.1.${i >> 8}.${i & 255} a${i}\n`).join('');
  const b = GOOD + Array.from({ length: 20_000 }, (_, i) => `10.2.${i >> 8}.${i & 255} b${i}\n`).join('');
  writeFileSync(path.join(dir, 'a'), a);
  writeFileSync(path.join(dir, 'b'), b);
  const stormFrom = performance.now();
  const loadsBefore = (srv.stderr().match(/hosts file loaded/g) ?? []).length;
  const writer = await execFileAsync(process.execPath, ['-e', STORM_WRITER, dir, file], { encoding: 'utf8', timeout: 20_000 });
  const stormTo = performance.now();
  const [writes, lastWritten] = writer.stdout.trim().split(' ');
  await new Promise((r) => setTimeout(r, 300));
  const storm = prober.worst(stormFrom, stormTo);
  const loads = (srv.stderr().match(/hosts file loaded/g) ?? []).length - loadsBefore;
  t.ok(storm.lost === 0 && storm.maxGapMs < 1000, `storm of ${writes} rewrites (${loads} of them loaded): ${storm.answered} answers, longest gap ${Math.round(storm.maxGapMs)} ms, worst ${Math.round(storm.maxMs)} ms, ${storm.lost} lost`);
  const last = await query(srv.port, `${lastWritten}19999`, 'A');
  t.equal(last.answers?.length, 1, `the last version written (${lastWritten}) is the one served`);

  prober.stop();
  const all = prober.replies.filter((r) => r.sentAt >= from);
  t.ok(all.length > 1000, `${all.length} probes answered`);
  t.same(all.filter((r) => r.rcode !== 'NOERROR' || r.address !== KEEP.ip).length, 0, 'every probe got the good answer');
});

t.test('memory: a 400,000-entry hosts file', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'hosts');
  const n = 400_000;
  writeFileSync(file, Array.from({ length: n }, (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255} host-${i}.example.test\n`).join(''));
  const srv = await serve(t, dir, file);
  const r = await query(srv.port, `host-${n - 1}.example.test`, 'A');
  t.same(r.answers?.map((a) => a.data), [`10.${(n - 1) >> 16}.${((n - 1) >> 8) & 255}.${(n - 1) & 255}`]);
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8'))![1]) / 1024;
  t.ok(rss < 1024, `RSS with ${n} names and their PTRs: ${Math.round(rss)} MB`);
});
