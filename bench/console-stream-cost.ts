// What the console's live query view costs the DNS path: the server's CPU time per query (from /proc/<pid>/stat)
// and the throughput of a closed-loop UDP flood, with no stream open, one stream open (reading), and again none.
// Run: npx tsx bench/console-stream-cost.ts [queries per phase] [rounds]
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { argv } from 'node:process';
import { encodeQuery } from './dns-client.js';

const PER_PHASE = Number(argv[2] ?? 50_000);
const ROUNDS = Number(argv[3] ?? 3);
const WINDOW = 32;
const TICK_MS = 10; // USER_HZ 100 on Linux

const main = new URL('../dist/server/main.js', import.meta.url).pathname;
const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const proc = spawn(process.execPath, [...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.PROF] : []), main, 'serve', '--fixtures', fixtures, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--no-watch', '--log-level', 'error'], { stdio: ['ignore', 'pipe', 'pipe'] });
const line: string = await new Promise((resolve, reject) => {
  let out = '';
  const on = (d: Buffer) => {
    out += d.toString();
    const m = /.* on \[?[^\s\]]+?\]?:\d+ udp\+tcp.*/.exec(out);
    if (m) resolve(m[0]);
  };
  proc.stdout!.on('data', on);
  proc.stderr!.on('data', on);
  proc.once('exit', () => reject(new Error(`server exited: ${out}`)));
});
const port = Number(/ on \[?[^\s\]]+?\]?:(\d+) udp\+tcp/.exec(line)![1]);
const admin = /admin http:\/\/([^\s,]+)/.exec(line)![1];

function cpuMs(): number {
  return userSys().reduce((a, b) => a + b, 0);
}

/** utime and stime (fields 14 and 15 of /proc/PID/stat), ms. */
function userSys(): [number, number] {
  const f = readFileSync(`/proc/${proc.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return [Number(f[11]) * TICK_MS, Number(f[12]) * TICK_MS];
}

const names = ['web.default.svc.cluster.local', 'nope.default.svc.cluster.local', 'web.shop.default.svc.cluster.local'];
async function flood(n: number): Promise<{ qps: number; cpuUsPerQuery: number; userUs: number; sysUs: number }> {
  const sock = dgram.createSocket('udp4');
  let sent = 0;
  let got = 0;
  const c0 = cpuMs();
  const us0 = userSys();
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const send = () => {
      const id = sent & 0xffff;
      sock.send(encodeQuery(names[sent % names.length], 'A', id), port, '127.0.0.1');
      sent++;
    };
    sock.on('message', () => {
      got++;
      if (got >= n) resolve();
      else if (sent < n) send();
    });
    for (let i = 0; i < WINDOW; i++) send();
    // A lost datagram would stall the closed loop: top it up.
    const topUp = setInterval(() => { if (sent < n && sent - got < WINDOW) send(); if (sent >= n && got < n) { got = n; resolve(); } }, 200);
    topUp.unref();
  });
  const ms = performance.now() - t0;
  const cpu = cpuMs() - c0;
  const us1 = userSys();
  sock.close();
  const per = (ms2: number) => Math.round((ms2 * 1000 / n) * 10) / 10;
  return { qps: Math.round(n / (ms / 1000)), cpuUsPerQuery: per(cpu), userUs: per(us1[0] - us0[0]), sysUs: per(us1[1] - us0[1]) };
}

async function openStream(): Promise<{ close: () => void; events: () => number }> {
  const ac = new AbortController();
  const res = await fetch(`http://${admin}/api/v1/queries/stream`, { signal: ac.signal });
  let events = 0;
  void (async () => {
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) events += Buffer.from(chunk).toString().split('event: query').length - 1;
    } catch { /* closed */ }
  })();
  return { close: () => ac.abort(), events: () => events };
}

await flood(10_000); // warm up
const rows: string[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const none = process.env.ONLY_STREAM ? await flood(1000) : await flood(PER_PHASE);
  const s = await openStream();
  await new Promise((res) => setTimeout(res, 200));
  const one = await flood(PER_PHASE);
  await new Promise((res) => setTimeout(res, 300));
  const seen = s.events();
  s.close();
  await new Promise((res) => setTimeout(res, 300));
  const fmt = (x: Awaited<ReturnType<typeof flood>>) => `${x.cpuUsPerQuery} µs CPU/query (user ${x.userUs}, sys ${x.sysUs}), ${x.qps} q/s`;
  rows.push(`round ${r + 1}: 0 streams ${fmt(none)} | 1 stream ${fmt(one)} (${seen} events read)`);
  console.log(rows.at(-1));
}
proc.kill('SIGTERM');
