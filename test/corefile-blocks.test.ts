// Several server blocks, as CoreDNS serves them: zones on one port share a listener and the longest zone picks the
// block; another port is another listener; each forward has its own upstreams, FROM zone, except names and
// max_concurrent. Driven through the CLI with dig; upstreams are local dnsmasq stubs.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCli, stopCli } from './helpers/cli.js';
import { corefileDir, WEB } from './helpers/corefile-run.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { blackHole, DNSMASQ_SKIP, findDnsmasq, freePort, startDnsmasq } from './helpers/dnsmasq.js';
import { parseCorefile } from '../lib/corefile/parse.js';
import { corefileToConfig } from '../lib/corefile/to-config.js';
import { until } from './helpers/until.js';

const dnsmasq = findDnsmasq();
const skip = digMissing || (!dnsmasq && DNSMASQ_SKIP);
const lastField = (out: string) => digSection(out, 'ANSWER').map((l) => l.split(' ').at(-1));

t.test('one port, several zones: the longest zone picks the block, each forward its own upstreams', { skip }, async (t) => {
  const one = await startDnsmasq(dnsmasq!, ['--address=/example.org/192.0.2.1']);
  const two = await startDnsmasq(dnsmasq!, ['--address=/example.org/192.0.2.2', '--address=/other.test/192.0.2.3']);
  t.teardown(async () => { await one.stop(); await two.stop(); });
  const c = corefileDir(t);
  writeFileSync(join(c.dir, 'static.zone'), 'db.example.org. 60 IN A 192.0.2.50\n');
  c.write(`
cluster.local:53 {
  kubernetes
}
example.org:53 {
  forward . 127.0.0.1:${one.port}
}
.:53 {
  forward . 127.0.0.1:${two.port} {
    except skip.test
  }
}
`);
  const srv = await startCli(['--corefile', c.corefile, '--listen', '127.0.0.1:0', '--admin', 'off', '--fixtures', c.fixtures, '--records', join(c.dir, 'static.zone')]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const at = { host: srv.host, port: srv.port };
  t.same(lastField(await dig(at, [WEB.fqdn, 'A'])), [WEB.ip], 'cluster.local: kubernetes');
  t.same(lastField(await dig(at, ['www.example.org', 'A'])), ['192.0.2.1'], 'example.org: its own block\'s upstream, not the root block\'s');
  t.same(lastField(await dig(at, ['x.other.test', 'A'])), ['192.0.2.3'], 'the rest: the root block');
  t.equal(digStatus(await dig(at, ['a.skip.test', 'A'])), 'SERVFAIL', 'except: not forwarded; past the end of the block, SERVFAIL as CoreDNS');
  t.same(lastField(await dig(at, ['db.example.org', 'A'])), ['192.0.2.50'], 'a static record in a block without kubernetes answers before its forward');
});

t.test('another port is another listener; status lines and the ready file list every address', { skip }, async (t) => {
  const one = await startDnsmasq(dnsmasq!, ['--address=/example.org/192.0.2.1']);
  t.teardown(() => one.stop());
  const c = corefileDir(t);
  const port2 = await freePort();
  c.write(`cluster.local:53 {\n  kubernetes\n}\nexample.org:${port2} {\n  forward . 127.0.0.1:${one.port}\n}\n`);
  const ready = join(c.dir, 'ready.json');
  const srv = await startCli(['--corefile', c.corefile, '--listen', '127.0.0.1:0', '--admin', 'off', '--fixtures', c.fixtures, '--ready-file', ready]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const main = { host: srv.host, port: srv.port };
  const second = { host: '127.0.0.1', port: port2 };
  t.match(srv.line, `127.0.0.1:${srv.port} udp+tcp, 127.0.0.1:${port2} udp+tcp`, 'the serving line names both listeners');
  const info = JSON.parse(await until(async () => { try { return readFileSync(ready, 'utf8'); } catch { return ''; } }, (s) => s !== '', 5000));
  t.same(info.dnsListeners.map((a: { port: number }) => a.port), [srv.port, port2], 'so does the ready file');
  t.same(lastField(await dig(second, ['www.example.org', 'A'])), ['192.0.2.1'], 'example.org on its own port');
  t.equal(digStatus(await dig(second, [WEB.fqdn, 'A'])), 'REFUSED', 'cluster.local is not served there');
  t.equal(digStatus(await dig(main, ['www.example.org', 'A'])), 'REFUSED', 'nor example.org on the main port');
  t.same(lastField(await dig(main, [WEB.fqdn, 'A'])), [WEB.ip]);
  t.same(lastField(await dig(second, ['www.example.org', 'A', '+tcp'])), ['192.0.2.1'], 'over TCP too');
});

t.test('forward max_concurrent: past the limit, REFUSED at once (CoreDNS)', { skip: digMissing }, async (t) => {
  const hole = await blackHole();
  t.teardown(() => hole.close());
  const c = corefileDir(t);
  c.write(`.:53 {\n  kubernetes cluster.local\n  forward . 127.0.0.1:${hole.port} {\n    max_concurrent 2\n  }\n}\n`);
  const srv = await startCli(['--corefile', c.corefile, '--listen', '127.0.0.1:0', '--admin', 'off', '--fixtures', c.fixtures]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const at = { host: srv.host, port: srv.port };
  // two queries the upstream never answers hold both slots
  const held = [dig(at, ['a.example.net', 'A']).catch(() => ''), dig(at, ['b.example.net', 'A']).catch(() => '')];
  await until(async () => hole.received(), (n) => n >= 2, 3000);
  const started = Date.now();
  t.equal(digStatus(await dig(at, ['c.example.net', 'A'])), 'REFUSED');
  t.ok(Date.now() - started < 1000, 'without waiting for an upstream');
  await Promise.all(held);
});

t.test('forward options: accepted, what differs named with its line; bad values are file:line errors', async (t) => {
  const map = (body: string) => corefileToConfig(parseCorefile(`.:53 {\n  kubernetes cluster.local\n  forward . 192.0.2.1 {\n${body}\n  }\n}\n`, { env: {} }));
  const { config, warnings } = map('    policy random\n    health_check 5s\n    expire 10s\n    prefer_udp\n    force_tcp\n    max_fails 3');
  t.same(config.upstreams, [{ host: '192.0.2.1', port: 53 }]);
  t.strictSame(warnings, [
    'Corefile line 4: policy random: upstreams are tried in order (sequential), the ones that failed recently last',
    'Corefile line 5: health_check: no periodic health checks: an upstream that fails is tried last for 10 s',
    'Corefile line 8: force_tcp: queries go over UDP and are retried over TCP when truncated',
    'Corefile line 9: max_fails: an upstream is marked down after one failure, for 10 s',
  ]);
  t.throws(() => map('    max_concurrent 0'), /^Corefile line 4: max_concurrent: "0" is not a whole number from 1 to 1000000$/);
  t.throws(() => map('    policy fastest'), /^Corefile line 4: policy: "fastest" is not random, round_robin or sequential$/);
  t.throws(() => map('    expire forever'), /^Corefile line 4: expire: "forever" is not a duration/);
  t.throws(() => map('    tls_servername dns.example'), /^Corefile line 4: tls_servername: TLS upstreams are not supported/);
  t.throws(() => map('    bogus'), /^Corefile line 4: unknown forward option "bogus"$/);
  const many = Array.from({ length: 16 }, (_, i) => `192.0.2.${i + 1}`).join(' ');
  t.throws(() => corefileToConfig(parseCorefile(`.:53 {\n kubernetes cluster.local\n forward . ${many}\n}\n`, { env: {} })), /^Corefile line 3: forward: 16 upstreams; at most 15$/);
  const split = corefileToConfig(parseCorefile('cluster.local {\n kubernetes\n}\n.:53 {\n forward . 192.0.2.9\n}\n', { env: {} })).config;
  t.same(split.upstreams, [], 'a forward in a block of its own keeps its upstreams to itself');
  t.same(split.servers?.[1]?.plugins[0]?.options, { from: [''], except: [], upstreams: [{ host: '192.0.2.9', port: 53 }] });
});
