// The defaults start on a laptop: DNS 127.0.0.1:1053 and admin 127.0.0.1:8053, not 5353 (avahi and mDNSResponder
// hold *:5353) nor 8080 (the common dev-server port). Both are held here by sockets of this test, as they would be,
// and the CLI started with neither --listen nor --admin answers dig on 1053 and /health on 8053.
// The only test on the default ports; skipped with a message when something else (an `npm start`?) has them.
import t, { type Test } from 'tap';
import dgram from 'node:dgram';
import net from 'node:net';
import { fixtureClusterIP } from './helpers/package.js';
import { dig, digMissing } from './helpers/dig.js';
import { query } from './helpers/dns-client.js';
import { startCli, stopCli } from './helpers/cli.js';

const HOST = '127.0.0.1';

/** Binds a socket as another program would; EADDRINUSE means one already holds the port, which serves as well. */
async function hold(t: Test, what: string, bind: () => Promise<() => Promise<void>>): Promise<void> {
  try {
    const release = await bind();
    t.teardown(release);
    t.comment(`${what}: held by this test`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    t.comment(`${what}: already held by another program`);
  }
}

const udp = (port: number, address: string) => async () => {
  const s = dgram.createSocket({ type: 'udp4' });
  await new Promise<void>((resolve, reject) => { s.once('error', reject); s.bind({ port, address, exclusive: true }, () => resolve()); });
  return () => new Promise<void>((r) => s.close(() => r()));
};
const tcp = (port: number, host: string) => async () => {
  const s = net.createServer();
  await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen({ port, host, exclusive: true }, () => resolve()); });
  return () => new Promise<void>((r) => s.close(() => r()));
};

/** Whether nothing listens on host:port for UDP and TCP (DNS) or TCP (admin) right now. */
async function free(port: number, udpToo: boolean): Promise<boolean> {
  try {
    const releases = [await tcp(port, HOST)()];
    if (udpToo) releases.push(await udp(port, HOST)());
    for (const r of releases) await r();
    return true;
  } catch {
    return false;
  }
}

const taken = [!(await free(1053, true)) && `${HOST}:1053`, !(await free(8053, false)) && `${HOST}:8053`].filter(Boolean);

t.test('defaults: DNS on 1053 and admin on 8053 while *:5353/udp and 127.0.0.1:8080/tcp are taken', {
  skip: taken.length > 0 ? `${taken.join(' and ')} already in use by another program (an \`npm start\`?): the defaults cannot be checked` : false,
}, async (t) => {
  await hold(t, '*:5353/udp (mDNS, as avahi holds it)', udp(5353, '0.0.0.0'));
  await hold(t, '127.0.0.1:8080/tcp (a dev server)', tcp(8080, HOST));
  const cli = await startCli(['--no-watch', '--log-level', 'warn']);
  t.teardown(() => stopCli(cli.proc));
  t.equal(cli.port, 1053, `serves DNS on the default port: ${cli.line}`);
  t.equal(cli.host, HOST);
  const expected = fixtureClusterIP('myapp.yaml', 'default', 'myapp');
  if (digMissing) {
    t.comment(`dig part through the test's own client: ${digMissing}`);
    const r = await query(1053, 'myapp.default.svc.cluster.local', 'A');
    t.same((r.answers ?? []).map((a) => a.data), [expected], 'myapp answers on 1053');
  } else {
    const out = await dig({ host: HOST, port: 1053 }, ['+short', 'myapp.default.svc.cluster.local', 'A']);
    t.equal(out.trim(), expected, 'dig @127.0.0.1 -p 1053 myapp.default.svc.cluster.local');
    const tcpOut = await dig({ host: HOST, port: 1053 }, ['+short', '+tcp', 'myapp.default.svc.cluster.local', 'A']);
    t.equal(tcpOut.trim(), expected, 'and over TCP');
  }
  const health = await fetch(`http://${HOST}:8053/health`);
  t.equal(health.status, 200, 'GET http://127.0.0.1:8053/health');
  t.match(cli.line, /8053/, 'the start line names the admin address');
  t.equal(cli.proc.exitCode, null, 'still running');
});
