// A UDP query whose source port is 0 (a raw socket sends one; spoofers and broken middleboxes do): nothing can
// be sent back to port 0, and the send used to throw out of the UDP handler (ERR_SOCKET_BAD_PORT), and out of the
// delayed-fault path as an unhandled rejection: either killed the process. Sent here from a real raw socket.
import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Prober } from '../bench/probe.js';
import { startCli, stopCli } from './helpers/cli.js';
import { buildQuery, query } from './helpers/dns-client.js';

const STEADY = 'myapp.default.svc.cluster.local';
const DELAYED = 'web-0.web-headless.default.svc.cluster.local';

/** Sends `count` copies of a DNS payload to 127.0.0.1:port from UDP source port 0, via a raw socket (root). */
async function sendFromPort0(port: number, payload: Buffer, count: number): Promise<void> {
  const py = `
import socket, struct, sys
port, payload, count = int(sys.argv[1]), bytes.fromhex(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
hdr = struct.pack('!HHHH', 0, port, 8 + len(payload), 0)  # source port 0; checksum 0 = none (IPv4)
for _ in range(count):
    s.sendto(hdr + payload, ('127.0.0.1', 0))
`;
  // Not execFileSync: blocking this process would stall the probe and read as a server stall.
  await promisify(execFile)('python3', ['-c', py, String(port), payload.toString('hex'), String(count)], { timeout: 10_000 });
}

t.test('UDP queries from source port 0, plain and through a delay fault: dropped, the server lives', async (t) => {
  const srv = await startCli(['--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const admin = /admin (http:\/\/[^\s;]+)/.exec(srv.line)?.[1];
  t.ok(admin, `admin URL in "${srv.line}"`);
  let exited: number | null = null;
  srv.proc.on('exit', (code) => (exited = code ?? -1));

  const probe = new Prober(srv.port, STEADY);
  probe.start(1);
  t.teardown(() => probe.stop());
  const from = performance.now();

  await sendFromPort0(srv.port, buildQuery(DELAYED, 'A'), 200);
  await new Promise((r) => setTimeout(r, 200));
  t.equal(exited, null, 'alive after 200 port-0 queries');
  t.equal((await query(srv.port, DELAYED, 'A')).answers?.[0]?.data, '10.244.0.21', 'a normal query for the same name is answered');

  // A delay fault makes the handler return a Promise: the send happens later, outside the UDP handler.
  const res = await fetch(`${admin}/api/v1/faults`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: DELAYED, fault: 'delay', delayMs: 50 }),
  });
  t.equal(res.status, 201, 'delay fault added');
  await sendFromPort0(srv.port, buildQuery(DELAYED, 'A'), 200);
  await new Promise((r) => setTimeout(r, 400)); // past the delay: every delayed reply has been attempted
  t.equal(exited, null, 'alive after 200 delayed port-0 queries');
  const delayed = await query(srv.port, DELAYED, 'A');
  t.equal(delayed.answers?.[0]?.data, '10.244.0.21', 'the delayed name still answers (after its delay)');

  const worst = probe.worst(from, performance.now() - 20);
  t.ok(worst.answered > 100, `the probe kept being answered (${worst.answered} answers)`);
  t.ok(worst.maxGapMs < 1000, `longest gap between answers ${worst.maxGapMs.toFixed(1)} ms`);
  t.notMatch(srv.stderr(), /ERR_SOCKET_BAD_PORT|Unhandled|uncaught/i, 'nothing thrown on stderr');
  t.equal(exited, null, 'still alive at the end');
  const metrics = await (await fetch(`${admin}/metrics`)).text();
  const dropped = Number(/clusterdns_dns_dropped_total\{reason="udp_source_port_0"\} (\d+)/.exec(metrics)?.[1]);
  t.ok(dropped >= 400, `the drops are counted (clusterdns_dns_dropped_total{reason="udp_source_port_0"} ${dropped})`);
});
