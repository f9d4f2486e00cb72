// `--upstream` leading back to the server: to itself, or to a second instance that forwards back. One query used to
// become 65,538 forwarded requests and 62,921 log lines. Now the loop is detected (CoreDNS's loop probe, and our own
// forwarded query coming back), said once, shown in /api/v1/status and a gauge, and forwarded names get SERVFAIL
// while cluster names keep their answers.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { MAIN, ROOT } from './helpers/cli.js';
import { freePort } from './helpers/dnsmasq.js';
import { buildQuery, decode, queryTcp, udpExchange, type ServerAddress } from './helpers/dns-wire.js';

interface Instance {
  proc: ChildProcess;
  dns: ServerAddress;
  admin: string;
  lines: () => string[];
}

/** The CLI with every stdout/stderr line kept, up to its "serving … on H:P udp+tcp; admin http://…" line. */
function serve(args: string[]): Promise<Instance> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT });
    let out = '';
    let err = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = / on (\S+):(\d+) udp\+tcp; admin http:\/\/(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, dns: { host: m[1], port: Number(m[2]) }, admin: m[3], lines: () => (out + err).split('\n').filter(Boolean) });
      }
    });
    proc.stderr!.on('data', (d) => (err += d));
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`no serving line: ${out} ${err}`)); }, 20_000);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}: ${out} ${err}`)); });
  });
}

function stop(i: Instance): Promise<void> {
  return new Promise((r) => {
    if (i.proc.exitCode !== null) { r(); return; }
    i.proc.removeAllListeners('exit');
    i.proc.on('exit', () => r());
    i.proc.kill('SIGKILL');
  });
}

async function metric(i: Instance, name: string): Promise<number> {
  const text = await (await fetch(`http://${i.admin}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.split(' ').pop());
  return sum;
}

const requests = (i: Instance) => metric(i, 'coredns_dns_requests_total');
const loopLines = (i: Instance) => i.lines().filter((l) => /forwarding loop detected/.test(l));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function askUdp(at: ServerAddress, name: string): Promise<string> {
  const q = buildQuery(name, 'A', { id: 0x5151 });
  return (await udpExchange(at, q, 3000)).msg.rcode;
}

t.test('--upstream at its own address: one query, a few requests, one log line, SERVFAIL, alive', async (t) => {
  const port = await freePort();
  const srv = await serve(['--listen', `127.0.0.1:${port}`, '--upstream', `127.0.0.1:${port}`, '--admin', '127.0.0.1:0', '--fixtures', 'fixtures']);
  t.teardown(() => stop(srv));
  const before = await requests(srv);
  t.equal(await askUdp(srv.dns, 'www.example.test'), 'SERVFAIL', 'UDP: SERVFAIL, not a timeout');
  t.equal((await queryTcp(srv.dns, 'other.example.test', 'A')).msg.rcode, 'SERVFAIL', 'TCP: SERVFAIL');
  await sleep(300);
  const seen = (await requests(srv)) - before;
  t.ok(seen <= 6, `two client queries cost ${seen} requests in all (was 65,538 forwarded for one)`);
  t.equal(loopLines(srv).length, 1, 'the loop is logged exactly once');
  t.ok(srv.lines().length < 20, `${srv.lines().length} log lines in all`);
  const status = await (await fetch(`http://${srv.admin}/api/v1/status`)).json() as { forwardLoop?: { detected: boolean; reason: string } };
  t.equal(status.forwardLoop?.detected, true, `/api/v1/status shows the loop (${status.forwardLoop?.reason})`);
  t.equal(await metric(srv, 'clusterdns_forward_loop'), 1, 'clusterdns_forward_loop 1');
  t.equal(srv.proc.exitCode, null, 'the process lives');
  const inZone = await udpExchange(srv.dns, buildQuery('myapp.default.svc.cluster.local', 'A'));
  t.equal(inZone.msg.rcode, 'NOERROR', 'cluster names still answered');
  t.equal(inZone.msg.answers.length, 1);
});

t.test('two instances forwarding to each other: bounded, SERVFAIL on both, detected and said once', async (t) => {
  const [pa, pb] = [await freePort(), await freePort()];
  // a starts while b is not there yet: its probe fails; b's probe then goes round a and back.
  const a = await serve(['--listen', `127.0.0.1:${pa}`, '--upstream', `127.0.0.1:${pb}`, '--admin', '127.0.0.1:0', '--fixtures', 'fixtures']);
  t.teardown(() => stop(a));
  const b = await serve(['--listen', `127.0.0.1:${pb}`, '--upstream', `127.0.0.1:${pa}`, '--admin', '127.0.0.1:0', '--fixtures', 'fixtures']);
  t.teardown(() => stop(b));
  const before = (await requests(a)) + (await requests(b));
  t.equal(await askUdp(a.dns, 'www.example.test'), 'SERVFAIL', 'asking the first: SERVFAIL');
  t.equal(await askUdp(b.dns, 'www.example.test'), 'SERVFAIL', 'asking the second: SERVFAIL');
  await sleep(300);
  const seen = (await requests(a)) + (await requests(b)) - before;
  t.ok(seen <= 8, `two client queries cost ${seen} requests on both servers together`);
  const lines = [...loopLines(a), ...loopLines(b)];
  t.ok(lines.length >= 1, 'the loop is detected');
  t.ok(loopLines(a).length <= 1 && loopLines(b).length <= 1, 'and logged at most once by each');
  t.ok(a.lines().length < 20 && b.lines().length < 20, `${a.lines().length} + ${b.lines().length} log lines`);
  t.equal(a.proc.exitCode, null, 'the first lives');
  t.equal(b.proc.exitCode, null, 'the second lives');
});
