// knot as the native ceiling: the same records, taken from `clusterdns records`, as zone files knotd serves with
// one UDP and one TCP worker pinned to the server's core, so the comparison is one core against one core.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { waitForAnswer } from './dns-client.js';

export interface ZoneFiles {
  zones: { domain: string; file: string; records: number }[];
}

const REVERSE_ZONES = ['in-addr.arpa', 'ip6.arpa'];

/**
 * Splits `clusterdns records` output into one zone file per apex and adds what knot needs that the listing may
 * lack: an SOA and NS at each apex (clusterdns's own SOA is kept where the listing has it).
 */
export async function writeZoneFiles(dir: string, recordsText: string, clusterZone = 'cluster.local'): Promise<ZoneFiles> {
  await mkdir(dir, { recursive: true });
  const apexes = [clusterZone, ...REVERSE_ZONES];
  const byZone = new Map<string, string[]>(apexes.map((z) => [z, []]));
  const hasSoa = new Set<string>();
  const hasNs = new Set<string>();
  for (const line of recordsText.split('\n')) {
    if (!line.trim()) continue;
    const [owner, , , type] = line.split('\t');
    const name = owner.replace(/\.$/, '').toLowerCase();
    const zone = apexes.find((z) => name === z || name.endsWith(`.${z}`));
    if (!zone) throw new Error(`record outside every zone the bench serves: ${line}`);
    byZone.get(zone)!.push(line);
    if (name === zone && type === 'SOA') hasSoa.add(zone);
    if (name === zone && type === 'NS') hasNs.add(zone);
  }
  const serial = Math.floor(Date.now() / 1000);
  const out: ZoneFiles = { zones: [] };
  for (const [zone, lines] of byZone) {
    if (lines.length === 0) continue;
    const head: string[] = [`$ORIGIN ${zone}.`];
    if (!hasSoa.has(zone)) head.push(`${zone}.\t5\tIN\tSOA\tns.dns.${clusterZone}. hostmaster.${clusterZone}. ${serial} 7200 1800 86400 5`);
    if (!hasNs.has(zone)) head.push(`${zone}.\t5\tIN\tNS\tns.dns.${clusterZone}.`);
    const file = path.join(dir, `${zone}.zone`);
    await writeFile(file, `${[...head, ...lines].join('\n')}\n`);
    out.zones.push({ domain: zone, file, records: lines.length });
  }
  return out;
}

export interface KnotServer {
  pid: number;
  port: number;
  /** process start → first answer */
  loadMs: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Debian installs knotd in /usr/sbin, which a non-root user's PATH often lacks. */
export const KNOTD_CANDIDATES = ['knotd', '/usr/sbin/knotd'];

export async function startKnot(dir: string, zones: ZoneFiles, port: number, cpu: number, knotd = 'knotd'): Promise<KnotServer> {
  const conf = path.join(dir, 'knot.conf');
  await mkdir(path.join(dir, 'db'), { recursive: true });
  await writeFile(conf, [
    'server:',
    `  listen: 127.0.0.1@${port}`,
    `  rundir: "${dir}"`,
    '  udp-workers: 1',
    '  tcp-workers: 1',
    '  background-workers: 1',
    'log:',
    '  - target: stderr',
    '    any: warning',
    'database:',
    `  storage: "${path.join(dir, 'db')}"`,
    'template:',
    '  - id: default',
    `    storage: "${dir}"`,
    '    semantic-checks: off',
    '    zonefile-sync: -1',
    '    zonefile-load: whole',
    '    journal-content: none',
    'zone:',
    ...zones.zones.flatMap((z) => [`  - domain: ${z.domain}.`, `    file: "${z.file}"`]),
    '',
  ].join('\n'));
  const start = performance.now();
  const child = spawn('taskset', ['-c', String(cpu), knotd, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const exited = new Promise<void>((res) => child.on('close', () => res()));
  try {
    await Promise.race([
      Promise.all(zones.zones.map((z) => waitForAnswer(port, z.domain, 'SOA', 120_000))),
      exited.then(() => { throw new Error(`knotd exited: ${stderr.trim()}`); }),
    ]);
  } catch (err) {
    child.kill('SIGTERM');
    throw err;
  }
  const loadMs = performance.now() - start;
  return {
    pid: child.pid!, port, loadMs, child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
