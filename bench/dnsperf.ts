// Runs dnsperf pinned to its own core and reads its summary; with `perQuery`, also every query's latency from
// dnsperf's verbose output (dnsperf 2.10 prints no percentiles of its own).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface DnsperfOptions {
  port: number;
  queryFile: string;
  mode: 'udp' | 'tcp';
  seconds: number;
  /** queries outstanding (-q) */
  outstanding?: number;
  /** fixed rate (-Q) */
  qps?: number;
  /** collect per-query latencies (-v) */
  perQuery?: boolean;
  cpu: number;
  edns?: boolean;
  /** clients (-c), each its own socket and source port [1] */
  clients?: number;
}

export interface DnsperfResult {
  sent: number;
  completed: number;
  lost: number;
  qps: number;
  avgMs: number;
  minMs: number;
  maxMs: number;
  rcodes: Record<string, number>;
  avgRequest: number;
  avgResponse: number;
  /** present with perQuery */
  latency?: { p50: number; p90: number; p99: number; p999: number; max: number; count: number };
  command: string;
}

export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export async function runDnsperf(o: DnsperfOptions): Promise<DnsperfResult> {
  const args = ['-c', String(o.cpu), 'dnsperf', '-m', o.mode, '-s', '127.0.0.1', '-p', String(o.port), '-d', o.queryFile,
    '-l', String(o.seconds), '-c', String(o.clients ?? 1), '-T', '1', '-t', '2'];
  if (o.outstanding) args.push('-q', String(o.outstanding));
  if (o.qps) args.push('-Q', String(o.qps));
  if (o.perQuery) args.push('-v');
  if (o.edns) args.push('-e');
  const child = spawn('taskset', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const summary: string[] = [];
  let lat: number[] = [];
  const rl = createInterface({ input: child.stdout });
  rl.on('line', (line) => {
    // "> NOERROR name A 0.000123"; timeouts are "> T name A".
    if (line.startsWith('> ')) {
      if (o.perQuery) {
        const sp = line.lastIndexOf(' ');
        const v = Number(line.slice(sp + 1));
        if (Number.isFinite(v)) lat.push(v * 1000);
      }
      return;
    }
    summary.push(line);
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const code = await new Promise<number | null>((res) => child.on('close', res));
  const text = summary.join('\n');
  if (code !== 0) throw new Error(`dnsperf exited ${code}: ${stderr.trim() || text.slice(-500)}`);
  const num = (re: RegExp) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : NaN;
  };
  const rcodes: Record<string, number> = {};
  const rc = /Response codes:\s+(.*)/.exec(text);
  if (rc) for (const m of rc[1].matchAll(/([A-Z]+) (\d+)/g)) rcodes[m[1]] = Number(m[2]);
  const result: DnsperfResult = {
    sent: num(/Queries sent:\s+(\d+)/),
    completed: num(/Queries completed:\s+(\d+)/),
    lost: num(/Queries lost:\s+(\d+)/),
    qps: num(/Queries per second:\s+([\d.]+)/),
    avgMs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1000,
    minMs: num(/Average Latency \(s\):.*min ([\d.]+)/) * 1000,
    maxMs: num(/Average Latency \(s\):.*max ([\d.]+)/) * 1000,
    rcodes,
    avgRequest: num(/Average packet size:\s+request (\d+)/),
    avgResponse: num(/Average packet size:.*response (\d+)/),
    command: args.join(' '),
  };
  if (o.perQuery) {
    const sorted = Float64Array.from(lat).sort();
    lat = [];
    result.latency = {
      p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), p999: percentile(sorted, 99.9),
      max: sorted.length ? sorted[sorted.length - 1] : NaN, count: sorted.length,
    };
  }
  return result;
}

/** Whether the tools the bench drives are on PATH, with their version lines. */
export async function toolVersion(cmd: string, args: string[]): Promise<string | undefined> {
  return new Promise((res) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', () => res(undefined));
    child.on('close', () => res(out));
  });
}
