// What a reload that adds or removes a port does to the clients around it: --ready-file is rewritten with the
// listeners now served (a harness in any language reads it, not our log), and a TCP connection already open on a
// removed port gets RELOAD_TCP_GRACE_MS to finish (as CoreDNS's graceful restart gives), while the port takes no new
// connection and no UDP at once.
import t from 'tap';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { RELOAD_TCP_GRACE_MS } from '../lib/corefile/reload-server.js';
import { startCli, stopCli } from './helpers/cli.js';
import { corefileDir, WEB } from './helpers/corefile-run.js';
import { buildQuery, query } from './helpers/dns-client.js';
import { freePort } from './helpers/dnsmasq.js';
import { until } from './helpers/until.js';

interface Ready { dnsListeners: Array<{ port: number }> }

/** One DNS-over-TCP connection kept open: each ask writes a framed query and reads one framed reply. */
function tcpConnection(port: number): Promise<{ ask(name: string): Promise<Buffer>; closed: Promise<number>; end(): void }> {
  return new Promise((resolve, reject) => {
    const at = Date.now();
    const sock = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let waiting: ((b: Buffer) => void) | undefined;
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0) && waiting) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        const w = waiting;
        waiting = undefined;
        w(msg);
      }
    });
    const closed = new Promise<number>((r) => sock.on('close', () => r(Date.now() - at)));
    sock.on('error', () => {});
    sock.once('connect', () => resolve({
      ask: (name) => new Promise((r, j) => {
        waiting = r;
        const q = buildQuery(name, 'A');
        const len = Buffer.alloc(2);
        len.writeUInt16BE(q.length);
        sock.write(Buffer.concat([len, q]));
        setTimeout(() => j(new Error('no TCP answer in 2 s')), 2000).unref();
      }),
      closed,
      end: () => sock.destroy(),
    }));
    sock.once('error', reject);
  });
}

t.test('a reload dropping a port: --ready-file follows, open TCP connections finish within the grace', async (t) => {
  const c = corefileDir(t);
  const port2 = await freePort();
  const k8s = 'cluster.local:53 {\n  kubernetes\n  reload 100ms 50ms\n}\n';
  const two = `${k8s}example.test:${port2} {\n  hosts {\n    10.1.1.1 a.example.test\n  }\n}\n`;
  c.write(two);
  const ready = path.join(c.dir, 'ready.json');
  const srv = await startCli(['--corefile', c.corefile, '--listen', '127.0.0.1:0', '--admin', 'off', '--fixtures', c.fixtures, '--ready-file', ready]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  // the file is written just after the serving line the start helper waits for
  const ports = (): number[] => {
    try {
      return (JSON.parse(readFileSync(ready, 'utf8')) as Ready).dnsListeners.map((l) => l.port);
    } catch {
      return [];
    }
  };
  await until(async () => ports(), (p) => p.length > 0, 5000);
  t.strictSame(ports(), [srv.port, port2], 'the ready file lists both ports');

  const conn = await tcpConnection(port2);
  t.teardown(() => conn.end());
  t.ok((await conn.ask('a.example.test')).length > 12, 'a TCP connection on the second port answers');

  c.write(k8s);
  const removedAt = Date.now();
  await until(async () => ports(), (p) => p.length === 1, 5000);
  t.strictSame(ports(), [srv.port], 'the ready file is rewritten without the removed port');
  await until(() => query(port2, 'a.example.test', 'A').then(() => 'open', () => 'closed'), (s) => s === 'closed', 5000);
  t.pass('UDP on the removed port stops at once');
  const refused = await new Promise<boolean>((r) => {
    const s = net.connect(port2, '127.0.0.1');
    s.on('connect', () => { s.destroy(); r(false); });
    s.on('error', () => r(true));
  });
  t.ok(refused, 'a new TCP connection to the removed port is refused');

  const late = await conn.ask('a.example.test');
  t.ok(late.length > 12 && (late[3]! & 0x0f) === 0, 'the connection that was open still gets its answer during the grace');
  const lived = await conn.closed;
  const sinceRemoval = Date.now() - removedAt;
  t.ok(sinceRemoval < RELOAD_TCP_GRACE_MS + 3000, `and is closed after the grace (${sinceRemoval} ms after the reload)`);
  t.ok(sinceRemoval >= RELOAD_TCP_GRACE_MS - 500, `not before it either (open ${lived} ms in all)`);

  const main = await query(srv.port, WEB.fqdn, 'A');
  t.same((main.answers ?? []).map((a) => a.data), [WEB.ip], 'the main port serves on');
});
