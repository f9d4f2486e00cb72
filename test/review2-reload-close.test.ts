// close() right after a reload: the forwarders the reload replaced (a block's own `forward`, and the server's
// shared one beside kubernetes) are waiting out their grace period for queries in flight; close() must close them
// too, not only the current ones (an embedding process kept their sockets and loop probes for good).
import t from 'tap';
import { pino } from 'pino';
import dnsPacket from 'dns-packet';
import { defaultConfig, type ClusterDnsConfig } from '../lib/config.js';
import { parseCorefile } from '../lib/corefile/parse.js';
import { corefileToConfig } from '../lib/corefile/to-config.js';
import { applyCorefileChange } from '../lib/corefile/reload-server.js';
import { ClusterDnsServer } from '../lib/start.js';
import { corefileDir } from './helpers/corefile-run.js';
import { DNSMASQ_SKIP, findDnsmasq, query, startDnsmasq, udpQuery } from './helpers/dnsmasq.js';

const dnsmasq = findDnsmasq();

t.test('close() closes the forwarders a reload retired', { skip: !dnsmasq && DNSMASQ_SKIP }, async (t) => {
  const stub = await startDnsmasq(dnsmasq!, ['--address=/example.org/192.0.2.1', '--address=/other.test/192.0.2.2']);
  t.teardown(() => stub.stop());
  const c = corefileDir(t);
  const corefile = (extra: string) => `cluster.local:53 {\n  kubernetes\n  forward . 127.0.0.1:${stub.port} ${extra}\n}\nexample.org:53 {\n  forward . 127.0.0.1:${stub.port} ${extra}\n}\n`;
  const mapped = (text: string) => corefileToConfig(parseCorefile(text, { file: c.corefile }), { file: c.corefile }).config;
  const first = mapped(corefile(''));
  const config: ClusterDnsConfig = { ...defaultConfig(), ...first, listen: { host: '127.0.0.1', port: 0 }, fixtures: [c.fixtures], watch: false, admin: null, health: null, ready: null, metrics: null };
  const srv = await ClusterDnsServer.start(config, { logger: pino({ level: 'silent' }) });
  let closed = false;
  t.teardown(() => (closed ? undefined : srv.close()));
  const ask = async (name: string) => dnsPacket.decode(await udpQuery(srv.dnsAddress.port, query(name, 'A')));
  t.equal((ask && (await ask('www.example.org')).answers?.length), 1, 'the block forwards');

  const oldBlock = srv.dns.forwarders[0]!;
  const oldShared = srv.forwarder!;
  t.ok(oldBlock && oldShared, 'a block forwarder and the shared one');
  // the same upstream listed twice: a different list, so both forwarders are replaced
  await applyCorefileChange(srv, mapped(corefile(`127.0.0.1:${stub.port}`)), first);
  t.not(srv.dns.forwarders[0], oldBlock, 'the reload made a new block forwarder');
  t.not(srv.forwarder, oldShared, 'and a new shared one');
  t.equal((await ask('www.example.org')).answers?.length, 1, 'still forwarding after the reload');

  const q = query('www.example.org', 'A');
  t.ok(await oldBlock.forward(q), 'the retired forwarder still serves queries in flight (grace period)');
  await srv.close();
  closed = true;
  t.equal(await oldBlock.forward(q), null, 'after close() the retired block forwarder is closed');
  t.equal(await oldShared.forward(query('x.other.test', 'A')), null, 'and so is the retired shared forwarder');
});
