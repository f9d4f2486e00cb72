// What the hosts tests share: the CLI started in a private mount namespace (so a Corefile's own /etc/hosts or
// /etc/coredns/NodeHosts is a temp file without editing the Corefile, and the machine's files are never touched),
// a stub upstream on loopback for `forward`, a one-Service fixture, and dig.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dnsPacket from 'dns-packet';
import { MAIN, ROOT } from './helpers/cli.js';
import { dig, digFlags, digSection, digStatus } from './helpers/dig.js';

export { stopCli } from './helpers/cli.js';

export const unshareMissing: string | false = (() => {
  const r = spawnSync('unshare', ['-m', 'true']);
  return r.error || r.status !== 0 ? 'unshare -m is not available (util-linux, root)' : false;
})();

export function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'clusterdns-hosts-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Started {
  proc: ChildProcess;
  port: number;
  stderr: () => string;
  stdout: () => string;
}

/**
 * The CLI with `binds` ([file or dir, where it appears]) bind-mounted in a mount namespace of its own: only this
 * process sees them. Resolves once it prints where it serves.
 */
export function startCli(args: string[], binds: [string, string][] = []): Promise<Started> {
  const script = [...binds.map((_, i) => `mount --bind "$${2 * i + 1}" "$${2 * i + 2}"`), `shift ${2 * binds.length}`, 'exec "$@"'].join(' && ');
  const argv = binds.length
    ? ['unshare', '-m', 'sh', '-c', script, 'sh', ...binds.flat(), process.execPath, MAIN, ...args]
    : [process.execPath, MAIN, ...args];
  return new Promise((resolve, reject) => {
    const proc = spawn(argv[0]!, argv.slice(1), { cwd: ROOT });
    let out = '';
    let err = '';
    proc.stderr!.on('data', (d) => (err += d));
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`did not start: ${out} ${err}`)); }, 20_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = / on \[?([^\s\]]+?)\]?:(\d+) udp\+tcp/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({ proc, port: Number(m[2]), stderr: () => err, stdout: () => out });
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`exited with ${code}: ${out} ${err}`)); });
  });
}

/** Flags that keep a stock Corefile's listeners (53, :8080, :8181, :9153) off the machine's ports. */
export const LOCAL_LISTENERS = ['--listen', '127.0.0.1:0', '--admin', 'off', '--health', '127.0.0.1:0', '--ready', '127.0.0.1:0', '--metrics', '127.0.0.1:0'];

/** A stub upstream: every A question is answered with `address`, and remembered. */
export async function stubUpstream(t: { teardown(fn: () => void): void }, address: string): Promise<{ port: number; asked: string[] }> {
  const sock = dgram.createSocket('udp4');
  const asked: string[] = [];
  sock.on('message', (msg, rinfo) => {
    let q: dnsPacket.Packet;
    try { q = dnsPacket.decode(msg); } catch { return; }
    const question = q.questions?.[0];
    if (!question) return;
    asked.push(`${question.name.toLowerCase()} ${question.type}`);
    const answers = question.type === 'A' ? [{ name: question.name, type: 'A' as const, ttl: 42, data: address }] : [];
    sock.send(dnsPacket.encode({ id: q.id, type: 'response', flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: q.questions, answers }), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => sock.close());
  return { port: sock.address().port, asked };
}

/** A fixture with one ClusterIP Service, web.shop (10.96.0.50): the cluster's part of the chain. */
export function writeCluster(dir: string): { fixture: string; name: string; ip: string } {
  const fixture = path.join(dir, 'cluster.yaml');
  writeFileSync(fixture, [
    'apiVersion: v1', 'kind: Namespace', 'metadata: {name: shop}', '---',
    'apiVersion: v1', 'kind: Service', 'metadata: {name: web, namespace: shop}',
    'spec: {clusterIP: 10.96.0.50, ports: [{name: http, port: 80, protocol: TCP}]}', '',
  ].join('\n'));
  return { fixture, name: 'web.shop.svc.cluster.local', ip: '10.96.0.50' };
}

export interface Dug {
  status: string;
  flags: string[];
  answer: string[];
  authority: string[];
  raw: string;
}

export async function ask(port: number, ...args: string[]): Promise<Dug> {
  const raw = await dig({ host: '127.0.0.1', port }, args);
  return { status: digStatus(raw), flags: digFlags(raw), answer: digSection(raw, 'ANSWER'), authority: digSection(raw, 'AUTHORITY'), raw };
}
