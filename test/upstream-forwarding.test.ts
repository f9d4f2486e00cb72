// clusterdns as the resolver for everything: names outside cluster.local go through the Forwarder to a real dnsmasq,
// with failover, TCP for big answers, PTR fallthrough in the reverse zones, and SERVFAIL when every upstream fails.
import t from 'tap';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import dnsPacket from 'dns-packet';
import { defaultConfig, type ClusterDnsConfig, type HostPort } from '../lib/config.js';
import { ClusterDnsServer } from '../lib/start.js';
import { blackHole, DNSMASQ_SKIP, findDnsmasq, freePort, query, startDnsmasq, tcpQuery, udpQuery, type Dnsmasq, rcodeOf, dataOf } from './helpers/dnsmasq.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binary = findDnsmasq();
if (!binary) {
  t.plan(0, DNSMASQ_SKIP);
  process.exit(0);
}

const logger = pino({ level: 'silent' });

async function clusterdnsWith(upstreams: HostPort[]): Promise<{ srv: ClusterDnsServer; port: number; close: () => Promise<void> }> {
  const config: ClusterDnsConfig = {
    ...defaultConfig(),
    listen: { host: '127.0.0.1', port: 0 },
    fixtures: [join(root, 'fixtures')],
    watch: false,
    admin: null,
    upstreams,
  };
  // The server builds its own Forwarder from config.upstreams, as the CLI's --upstream does.
  const srv = await ClusterDnsServer.start(config, { logger, upstreamTimeoutMs: 300 });
  return { srv, port: srv.dnsAddress.port, close: () => srv.close() };
}

const ips = (msg: dnsPacket.Packet) => msg.answers!.filter((a) => a.type === 'A').map((a) => (a as { data: string }).data);

let upstream: Dnsmasq;
t.before(async () => {
  const big: string[] = [];
  for (let i = 1; i <= 60; i++) big.push(`--host-record=big.test,192.0.2.${i}`);
  upstream = await startDnsmasq(binary!, ['--address=/fixed.test/192.0.2.1', '--ptr-record=1.2.0.192.in-addr.arpa,gw.fixed.test', ...big]);
});
t.teardown(() => upstream?.stop());

t.test('out-of-zone names are forwarded (past a dead first upstream); cluster names stay authoritative', async (t) => {
  const hole = await blackHole();
  t.teardown(() => hole.close());
  const srv = await clusterdnsWith([{ host: '127.0.0.1', port: hole.port }, { host: '127.0.0.1', port: upstream.port }]);
  t.teardown(srv.close);
  const out = dnsPacket.decode(await udpQuery(srv.port, query('www.fixed.test', 'A', 77)));
  t.equal(out.id, 77);
  t.equal(rcodeOf(out), 'NOERROR');
  t.same(ips(out), ['192.0.2.1']);
  const inZone = dnsPacket.decode(await udpQuery(srv.port, query('myapp.default.svc.cluster.local', 'A')));
  t.same(ips(inZone), ['10.96.120.15']);
  t.ok(inZone.flag_aa, 'answered by clusterdns itself');
  t.equal(hole.received(), 1, 'the black hole cost one timeout, then was skipped');
});

t.test('a big upstream answer reaches a TCP client whole', async (t) => {
  const srv = await clusterdnsWith([{ host: '127.0.0.1', port: upstream.port }]);
  t.teardown(srv.close);
  const out = dnsPacket.decode(await tcpQuery(srv.port, query('big.test', 'A')));
  t.equal(ips(out).length, 60);
  t.notOk(out.flag_tc);
});

t.test('PTR NXDOMAIN in the reverse zones falls through to the upstream', async (t) => {
  const srv = await clusterdnsWith([{ host: '127.0.0.1', port: upstream.port }]);
  t.teardown(srv.close);
  const out = dnsPacket.decode(await udpQuery(srv.port, query('1.2.0.192.in-addr.arpa', 'PTR')));
  t.same(out.answers!.map(dataOf), ['gw.fixed.test']);
  const ours = dnsPacket.decode(await udpQuery(srv.port, query('15.120.96.10.in-addr.arpa', 'PTR')));
  t.same(ours.answers!.map(dataOf), ['myapp.default.svc.cluster.local']);
});

t.test('SERVFAIL when every upstream fails', async (t) => {
  const dead = await freePort();
  const hole = await blackHole();
  t.teardown(() => hole.close());
  const srv = await clusterdnsWith([{ host: '127.0.0.1', port: dead }, { host: '127.0.0.1', port: hole.port }]);
  t.teardown(srv.close);
  const out = dnsPacket.decode(await udpQuery(srv.port, query('www.fixed.test', 'A', 5)));
  t.equal(out.id, 5);
  t.equal(rcodeOf(out), 'SERVFAIL');
});
