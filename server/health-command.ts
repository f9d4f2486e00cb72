// `clusterdns health`: the container HEALTHCHECK. It asks the listener the running server's configuration gives:
// the separate health listener (--health, Corefile health) if there is one, else the admin API's /health, else
// (--admin off and no health listener) a DNS query for the zone's SOA. A fixed 127.0.0.1:8053 check would call a
// server unhealthy whenever it was started with another --admin, --admin off or a Corefile health port.
//
// Without flags it reads the flags of the server it checks: PID 1's command line, when PID 1 is clusterdns (the
// image's ENTRYPOINT), because Docker runs HEALTHCHECK with none of the `docker run` arguments. With flags, it
// reads them as serve does (the same Corefile, the same defaults).
import dgram from 'node:dgram';
import { closeSync, openSync, readSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import type { ClusterDnsConfig, HostPort } from '../lib/config.js';

/** Probe timeout: well under the Dockerfile's HEALTHCHECK --timeout (3 s), so the check says why it failed. */
const TIMEOUT_MS = 2000;
/** /proc/1/cmdline is at most a page or so; a longer one is not a clusterdns command line we read. */
const MAX_CMDLINE = 64 * 1024;

export interface HealthResult {
  ok: boolean;
  /** one line: what was asked and what came back */
  message: string;
}

/**
 * The serving flags of PID 1 when it is clusterdns (`node …/server/main.js ARGS`, `…/bin/clusterdns.js ARGS` or
 * `clusterdns ARGS`), without its command word; undefined when PID 1 is something else or unreadable.
 */
export function serverArgsOfPid1(cmdlinePath = '/proc/1/cmdline'): string[] | undefined {
  const raw = readBounded(cmdlinePath, MAX_CMDLINE);
  // Unreadable, or longer than the bound: a cut could end inside an argument and change its meaning.
  if (raw === undefined) return undefined;
  const argv = raw.split('\0');
  if (argv.at(-1) === '') argv.pop();
  const i = argv.findIndex((a) => /(^|\/)(server\/main\.js|clusterdns(\.js)?)$/.test(a));
  if (i < 0) return undefined;
  const args = argv.slice(i + 1);
  if (args[0] === 'serve') args.shift();
  // PID 1 being `clusterdns health` or `records` is not a server to check.
  if (args[0] !== undefined && !args[0].startsWith('-')) return undefined;
  return args;
}

/** The file's text if it has at most `max` bytes; undefined if it is unreadable or longer. */
function readBounded(file: string, max: number): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(max + 1);
    let n = 0;
    for (let got = 1; got > 0 && n < buf.length;) {
      got = readSync(fd, buf, n, buf.length - n, null);
      n += got;
    }
    return n > max ? undefined : buf.toString('utf8', 0, n);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * PID 1's working folder (the `cwd` link beside its cmdline): its relative flags (`--corefile Corefile`) mean paths
 * from there, not from where the check runs.
 */
export function cwdOfPid1(cmdlinePath = '/proc/1/cmdline'): string | undefined {
  try {
    return readlinkSync(path.join(path.dirname(cmdlinePath), 'cwd'));
  } catch {
    return undefined;
  }
}

/** A wildcard bind answers on loopback; that is where a check inside the container or pod reaches it. */
function probeHost(hp: HostPort): string {
  if (hp.host === '0.0.0.0' || hp.host === '') return '127.0.0.1';
  if (hp.host === '::') return '::1';
  return hp.host;
}

function hostPort(hp: HostPort): string {
  const h = probeHost(hp);
  return `${h.includes(':') ? `[${h}]` : h}:${hp.port}`;
}

async function httpHealth(at: HostPort, role: string): Promise<HealthResult> {
  const url = `http://${hostPort(at)}/health`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = (await res.text()).slice(0, 200).trim();
    return { ok: res.ok, message: `${role} ${url}: ${res.status}${body ? ` ${body}` : ''}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { ok: false, message: `${role} ${url}: ${e.cause?.code ?? e.name}: ${e.cause ? String((e.cause as Error).message ?? '') : e.message}` };
  }
}

function soaQuery(zone: string, id: number): Buffer {
  const labels = zone.split('.').filter(Boolean);
  const parts: Buffer[] = [Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const l of labels) parts.push(Buffer.from([l.length]), Buffer.from(l, 'ascii'));
  parts.push(Buffer.from([0, 0, 6, 0, 1])); // root, type SOA, class IN
  return Buffer.concat(parts);
}

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

async function dnsHealth(at: HostPort, zone: string): Promise<HealthResult> {
  const host = probeHost(at);
  const where = `dns ${hostPort(at)} SOA ${zone}.`;
  const id = randomInt(0, 0x10000);
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  try {
    return await new Promise<HealthResult>((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, message: `${where}: no answer in ${TIMEOUT_MS} ms` }), TIMEOUT_MS);
      sock.on('error', (err) => { clearTimeout(timer); resolve({ ok: false, message: `${where}: ${err.message}` }); });
      sock.on('message', (msg) => {
        if (msg.length < 12 || msg.readUInt16BE(0) !== id || (msg[2]! & 0x80) === 0) return; // not our answer
        clearTimeout(timer);
        const rcode = msg[3]! & 0x0f;
        resolve({ ok: rcode === 0, message: `${where}: ${RCODES[rcode] ?? `rcode ${rcode}`}` });
      });
      sock.send(soaQuery(zone, id), at.port, host);
    });
  } finally {
    sock.close();
  }
}

/** Checks the listener `config` gives /health on (or DNS when there is none). */
export async function checkHealth(config: ClusterDnsConfig): Promise<HealthResult> {
  const [role, at] = config.health ? ['health', config.health] as const : config.admin ? ['admin', config.admin] as const : ['dns', config.listen] as const;
  if (at.port === 0) {
    return { ok: false, message: `${role} listener on port 0 (a free port picked at start): give it a fixed port (or read the address from --ready-file)` };
  }
  if (role === 'dns') return dnsHealth(at, config.zones[0] ?? 'cluster.local');
  return httpHealth(at, role);
}

/** `clusterdns health [flags]`: exit 0 healthy, 1 not (one line saying what was asked and what came back). */
export async function healthMain(argv: string[], parse: (args: string[]) => { config: ClusterDnsConfig }): Promise<number> {
  const own = argv.filter((a) => a !== 'health');
  const fromPid1 = own.length > 0 ? undefined : serverArgsOfPid1();
  const args = own.length > 0 ? own : fromPid1 ?? [];
  if (fromPid1) {
    const cwd = cwdOfPid1();
    if (cwd) try { process.chdir(cwd); } catch { /* its paths then resolve from ours, as before */ }
  }
  const { ok, message } = await checkHealth(parse(args).config);
  (ok ? process.stdout : process.stderr).write(`clusterdns health: ${ok ? 'healthy' : 'unhealthy'}: ${message}\n`);
  return ok ? 0 : 1;
}
