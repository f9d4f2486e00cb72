// What the web console costs the DNS server: CPU time of the server process per query under a fixed dnsperf load,
// (1) with no console open, (2) with the console open on a panel that streams nothing (the tree), (3) with the live
// queries view open in headless Chromium (every query becomes a Server-Sent Event), interleaved and repeated so
// drift on a shared machine hits every case alike. CPU is utime+stime of the server from /proc/PID/stat.
//   npx tsx bench/console-cost.ts [qps=3000] [seconds=8] [rounds=2]
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { runDnsperf } from './dnsperf.js';
import { bundledCluster, chromiumMissing, launchBrowser, openConsole, startConsoleServer } from '../test/helpers/browser.js';

const [qps = 3000, seconds = 8, rounds = 2] = process.argv.slice(2).map(Number);
if (chromiumMissing) throw new Error(chromiumMissing);

const TICK = 100; // USER_HZ
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / TICK;
}

const cleanups: (() => unknown)[] = [];
const t = { teardown: (fn: () => unknown) => { cleanups.push(fn); } };
try {
  const server = await startConsoleServer(t);
  const browser: Browser = await launchBrowser(t);
  const { services } = bundledCluster();
  const names = services.map((s) => `${s.name}.${s.namespace}.svc.cluster.local A`);
  names.push('nope.default.svc.cluster.local A', 'myapp.shop.svc.cluster.local A');
  const queryFile = path.join(os.tmpdir(), `console-cost-${process.pid}.txt`);
  writeFileSync(queryFile, names.join('\n') + '\n');
  cleanups.push(() => import('node:fs').then((fs) => fs.rmSync(queryFile, { force: true })));

  type Case = 'closed' | 'tree open' | 'live view open';
  const results: Record<Case, { cpu: number; queries: number }> = { closed: { cpu: 0, queries: 0 }, 'tree open': { cpu: 0, queries: 0 }, 'live view open': { cpu: 0, queries: 0 } };
  let rowsSeen = 0;
  for (let round = 0; round < rounds; round++) {
    for (const c of Object.keys(results) as Case[]) {
      let page: Page | undefined;
      if (c !== 'closed') {
        ({ page } = await openConsole(browser, server.url, c === 'tree open' ? 'tree' : 'queries'));
        if (c === 'live view open') await page.locator('#queries-state').filter({ hasText: 'live' }).waitFor();
        else await page.locator('#tree-list .vrow').first().waitFor();
      }
      await new Promise((r) => setTimeout(r, 500));
      const before = cpuSeconds(server.pid);
      const r = await runDnsperf({ port: server.dns.port, queryFile, mode: 'udp', seconds, qps, cpu: 1 });
      const cpu = cpuSeconds(server.pid) - before;
      results[c].cpu += cpu;
      results[c].queries += r.completed;
      if (page) {
        if (c === 'live view open') rowsSeen = Math.max(rowsSeen, await page.locator('#queries-list .qrow').count());
        const state = c === 'live view open' ? await page.locator('#queries-state').textContent() : '';
        console.log(`round ${round + 1} ${c}: ${r.completed} queries, ${cpu.toFixed(2)} s CPU, ${(cpu / r.completed * 1e6).toFixed(1)} µs/query ${state ? `(stream: ${state})` : ''}`);
        await page.close();
      } else {
        console.log(`round ${round + 1} ${c}: ${r.completed} queries, ${cpu.toFixed(2)} s CPU, ${(cpu / r.completed * 1e6).toFixed(1)} µs/query`);
      }
    }
  }
  console.log(`\n${qps} queries/s for ${seconds} s x ${rounds} rounds (server CPU per answered query):`);
  const base = results.closed.cpu / results.closed.queries;
  for (const [c, v] of Object.entries(results)) {
    const per = v.cpu / v.queries;
    console.log(`  ${c.padEnd(15)} ${(per * 1e6).toFixed(1).padStart(6)} µs/query  (${v.queries} queries, ${v.cpu.toFixed(2)} s CPU)  ${c === 'closed' ? '' : `${per >= base ? '+' : ''}${(((per - base) / base) * 100).toFixed(0)}%`}`);
  }
  console.log(`  (the live view had ${rowsSeen} rows in its DOM: only those in view are drawn)`);
} finally {
  for (const fn of cleanups.reverse()) await fn();
}
