// reload as CoreDNS does it: the Corefile is checked every interval; a good new version is served (new blocks, a
// new port bound, a gone port closed, a new kubernetes ttl), a broken one keeps the running configuration with its
// file:line error logged and counted, and what needs a restart is named.
import t from 'tap';
import { startCli, stopCli } from './helpers/cli.js';
import { corefileDir, WEB } from './helpers/corefile-run.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { DNSMASQ_SKIP, findDnsmasq, freePort, startDnsmasq, query, udpQuery } from './helpers/dnsmasq.js';
import { until } from './helpers/until.js';

const dnsmasq = findDnsmasq();

t.test('reload swaps blocks, ports and ttl in; a broken file keeps the running config', { skip: digMissing || (!dnsmasq && DNSMASQ_SKIP) }, async (t) => {
  const stub = await startDnsmasq(dnsmasq!, ['--address=/example.org/192.0.2.1']);
  t.teardown(() => stub.stop());
  const c = corefileDir(t);
  const k8s = (ttl: number) => `cluster.local:53 {\n  kubernetes {\n    ttl ${ttl}\n  }\n  reload 200ms 100ms\n}\n`;
  c.write(k8s(10));
  const srv = await startCli(['--corefile', c.corefile, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--fixtures', c.fixtures]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const admin = /admin http:\/\/([^\s,;]+)/.exec(srv.line)![1];
  const metric = async (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(await (await fetch(`http://${admin}/metrics`)).text())?.[1] ?? 0);
  const at = { host: srv.host, port: srv.port };
  const answer = async (name: string, where = at) => digSection(await dig(where, [name, 'A']), 'ANSWER');
  t.strictSame(await answer(WEB.fqdn), [`${WEB.fqdn} 10 IN A ${WEB.ip}`]);
  t.equal(digStatus(await dig(at, ['www.example.org', 'A'])), 'REFUSED', 'no block serves example.org yet');

  // a new block on the main port, another on a new port, a new ttl
  const port2 = await freePort();
  c.write(`${k8s(20)}example.org:53 {\n  forward . 127.0.0.1:${stub.port}\n}\nexample.org:${port2} {\n  forward . 127.0.0.1:${stub.port}\n}\n`);
  await until(() => answer('www.example.org'), (a) => a.length === 1, 5000);
  t.strictSame((await answer('www.example.org')).map((l) => l.split(' ').at(-1)), ['192.0.2.1'], 'the new block on the main port');
  t.strictSame(await answer(WEB.fqdn), [`${WEB.fqdn} 20 IN A ${WEB.ip}`], 'the new kubernetes ttl');
  t.strictSame((await answer('www.example.org', { host: '127.0.0.1', port: port2 })).map((l) => l.split(' ').at(-1)), ['192.0.2.1'], 'the new port is bound');

  // broken: kept, logged with its line, counted
  const failedBefore = await metric('coredns_reload_failed_total');
  c.write(`${k8s(30)}example.org:53 {\n  forward . nowhere\n}\n`);
  // (the file may be read half-written first: that is a failure of its own, as it would be for CoreDNS)
  await until(async () => srv.stderr(), (s) => s.includes(`${c.corefile} line 8: forward: \\"nowhere\\" is not an IP address`), 5000);
  t.pass('the error names the line');
  t.ok(await metric('coredns_reload_failed_total') > failedBefore, 'and is counted');
  t.strictSame(await answer(WEB.fqdn), [`${WEB.fqdn} 20 IN A ${WEB.ip}`], 'the running configuration stays');
  t.equal((await answer('www.example.org', { host: '127.0.0.1', port: port2 })).length, 1, 'and so do its listeners');

  // the second port gone: closed; a zone change: needs a restart, named
  c.write(k8s(20).replace('kubernetes {', 'kubernetes cluster.local example.local {'));
  await until(() => udpQuery(port2, query('www.example.org', 'A'), 300).then(() => 'open', () => 'closed'), (s) => s === 'closed', 5000);
  t.pass('the listener whose block is gone is closed');
  await until(async () => srv.stderr(), (s) => s.includes('the kubernetes zones changed; that takes a restart'), 5000);
  t.pass('a zone change is named as needing a restart');
  t.strictSame(await answer(WEB.fqdn), [`${WEB.fqdn} 20 IN A ${WEB.ip}`], 'still serving');
  t.equal(digStatus(await dig(at, ['www.example.org', 'A'])), 'REFUSED', 'the removed block no longer answers');
});

t.test('without the reload plugin, SIGUSR1 re-reads the Corefile (as CoreDNS does)', { skip: digMissing }, async (t) => {
  const c = corefileDir(t);
  const k8s = (ttl: number) => `cluster.local:53 {\n  kubernetes {\n    ttl ${ttl}\n  }\n}\n`;
  c.write(k8s(11));
  const srv = await startCli(['--corefile', c.corefile, '--listen', '127.0.0.1:0', '--admin', 'off', '--fixtures', c.fixtures]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const at = { host: srv.host, port: srv.port };
  c.write(k8s(22));
  await new Promise((r) => setTimeout(r, 300));
  t.strictSame(digSection(await dig(at, [WEB.fqdn, 'A']), 'ANSWER'), [`${WEB.fqdn} 11 IN A ${WEB.ip}`], 'no reload plugin: not looked at by itself');
  srv.proc.kill('SIGUSR1');
  const after = await until(() => dig(at, [WEB.fqdn, 'A']).then((o) => digSection(o, 'ANSWER')), (a) => a[0]?.includes(' 22 ') ?? false, 5000);
  t.strictSame(after, [`${WEB.fqdn} 22 IN A ${WEB.ip}`], 'SIGUSR1: the new ttl');
});
