// Starts a real dnsmasq on a free 127.0.0.1 port for tests (Debian package `dnsmasq-base`), and small DNS client
// helpers built on dns-packet so answers are decoded independently of the code under test.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';

export const DNSMASQ_PATHS = ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq', '/usr/local/sbin/dnsmasq'];

/** Path of the dnsmasq binary, or null (tests skip with a message naming the apt package). */
export function findDnsmasq(): string | null {
  for (const p of DNSMASQ_PATHS) {
    if (spawnSync(p, ['--version']).status === 0) return p;
  }
  const which = spawnSync('sh', ['-c', 'command -v dnsmasq']);
  const p = which.stdout?.toString().trim();
  return which.status === 0 && p ? p : null;
}

export const DNSMASQ_SKIP = 'dnsmasq is not installed (apt-get install dnsmasq-base)';

/** A port free on 127.0.0.1 for both UDP and TCP at the time of asking. */
export async function freePort(): Promise<number> {
  for (;;) {
    const udp = dgram.createSocket('udp4');
    const port = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, '127.0.0.1', () => resolve(udp.address().port));
    });
    const tcpFree = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    await new Promise<void>((r) => udp.close(() => r()));
    if (tcpFree) return port;
  }
}

export interface Dnsmasq {
  port: number;
  process: ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
}

/** Runs dnsmasq in the foreground with only the given options (no /etc/dnsmasq.conf, no resolv.conf, no hosts). */
export async function startDnsmasq(binary: string, options: string[]): Promise<Dnsmasq> {
  let lastErr = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = spawn(binary, [
      '--keep-in-foreground',
      '--conf-file=/dev/null',
      `--port=${port}`,
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      '--no-resolv',
      '--no-hosts',
      '--pid-file=',
      '--log-facility=-',
      ...options,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    };
    // Ready when it answers a query over UDP (any rcode).
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && child.exitCode === null) {
      const reply = await udpQuery(port, query('ready.invalid', 'A'), 200).catch(() => null);
      if (reply) return { port, process: child, log: () => log, stop };
    }
    await stop();
    lastErr = log;
  }
  throw new Error(`dnsmasq did not start: ${lastErr}`);
}

/** dns-packet decodes the rcode but its types do not declare it. */
export function rcodeOf(msg: dnsPacket.Packet): string {
  return (msg as { rcode?: string }).rcode ?? '';
}

/** A record's data, whatever its type (dns-packet's union type has no common `data`). */
export function dataOf(rr: dnsPacket.Answer): unknown {
  return (rr as { data?: unknown }).data;
}

export function query(name: string, type: dnsPacket.RecordType, id = 4242, opts: { edns?: boolean } = {}): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
    additionals: opts.edns ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as dnsPacket.Answer] : [],
  });
}

export function udpQuery(port: number, msg: Buffer, timeoutMs = 2000, host = '127.0.0.1'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    const timer = setTimeout(() => {
      s.close();
      reject(new Error(`no UDP reply from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(m);
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      s.close();
      reject(e);
    });
    s.send(msg, port, host);
  });
}

export function tcpQuery(port: number, msg: Buffer, timeoutMs = 2000, host = '127.0.0.1'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no TCP reply from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(msg.length);
      sock.write(Buffer.concat([len, msg]));
    });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        clearTimeout(timer);
        sock.destroy();
        resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      }
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** A UDP port that swallows every packet: an upstream that never answers. */
export async function blackHole(): Promise<{ port: number; received: () => number; close: () => Promise<void> }> {
  const s = dgram.createSocket('udp4');
  let count = 0;
  s.on('message', () => count++);
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return { port: s.address().port, received: () => count, close: () => new Promise<void>((r) => s.close(() => r())) };
}
