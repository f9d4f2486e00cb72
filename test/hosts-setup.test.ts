// How `hosts` is read from a Corefile (CoreDNS 1.14.7's setup.go: defaults, ZONES, inline entries before
// fallthrough, ttl/reload/no_reverse/fallthrough/fallthrough_unsupported), every bad value an error naming its line,
// and `--hosts FILE` on the command line (and startClusterDns's hostsFile): `hosts FILE { fallthrough }`.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseCorefile } from '../lib/corefile/parse.js';
import { corefileToConfig } from '../lib/corefile/to-config.js';
import { startClusterDns } from '../lib/index.js';
import type { HostsOptions } from '../lib/plugins/hosts/setup.js';
import { runCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';
import { digMissing } from './helpers/dig.js';
import { until } from './helpers/until.js';
import { ask, startCli, stopCli, tempDir, writeCluster } from './hosts-helpers.js';

function read(text: string) {
  const { config, warnings } = corefileToConfig(parseCorefile(text, { env: {} }));
  const spec = config.servers![0]!.plugins.find((p) => p.name === 'hosts');
  return { options: spec?.options as HostsOptions | undefined, warnings, order: config.servers![0]!.plugins.map((p) => p.name) };
}
const block = (hosts: string, key = '.:53') => `${key} {\n  forward . 127.0.0.1\n  kubernetes cluster.local\n  ${hosts}\n}\n`;

t.test('defaults, as CoreDNS: /etc/hosts, the block\'s zones, TTL 3600, reload 5s, PTRs, no fallthrough', async (t) => {
  const { options, warnings, order } = read(block('hosts'));
  t.same(options, {
    file: '/etc/hosts', zones: [''], inline: [], inlineSource: 'Corefile', ttl: 3600, reverse: true, reloadMs: 5000,
    fallthrough: null, fallthroughUnsupported: false,
  });
  t.same(order, ['hosts', 'kubernetes', 'forward'], 'hosts runs before kubernetes, whatever the Corefile order');
  t.notMatch(warnings.join('\n'), /hosts/, 'no warning about hosts');
  t.same(read(block('hosts', 'example.org:53 cluster.local:53')).options!.zones, ['example.org', 'cluster.local'], 'the block\'s zones');
});

t.test('FILE ZONES and every option', async (t) => {
  const { options } = read(block(`hosts /srv/hosts example.ORG. 10.0.0.0/24 {
    10.0.0.1 a.example.org b.example.org
    ::1 c.example.org
    ttl 60
    reload 1.5s
    no_reverse
    fallthrough example.org in-addr.arpa
    fallthrough_unsupported
  }`));
  t.same(options, {
    file: '/srv/hosts', zones: ['example.org', '0.0.10.in-addr.arpa'], inlineSource: 'Corefile',
    inline: [{ line: 5, text: '10.0.0.1 a.example.org b.example.org' }, { line: 6, text: '::1 c.example.org' }],
    ttl: 60, reverse: false, reloadMs: 1500, fallthrough: ['example.org', 'in-addr.arpa'], fallthroughUnsupported: true,
  });
  t.same(read(block('hosts {\n fallthrough\n }')).options!.fallthrough, [''], 'fallthrough without zones: every name (CoreDNS sets ".")');
  t.equal(read(block('hosts {\n reload 0\n }')).options!.reloadMs, 0, 'reload 0: read once');
});

t.test('bad values: an error naming the line, as CoreDNS refuses them', async (t) => {
  const cases: [string, RegExp][] = [
    ['hosts {\n    ttl 0\n  }', /Corefile line 5: hosts: ttl "0": a whole number of seconds from 1 to 65535/],
    ['hosts {\n    ttl 65536\n  }', /line 5: hosts: ttl "65536"/],
    ['hosts {\n    ttl soon\n  }', /line 5: hosts: ttl "soon"/],
    ['hosts {\n    ttl\n  }', /line 5: hosts: ttl needs a time in seconds/],
    ['hosts {\n    reload -1s\n  }', /line 5: hosts: reload "-1s" is not a duration/],
    ['hosts {\n    reload 5 parsecs\n  }', /line 5: hosts: reload needs a duration/],
    ['hosts {\n    reload 1000h\n  }', /line 5: hosts: reload 1000h: at most/],
    ['hosts {\n    no_reverse please\n  }', /line 5: hosts: no_reverse takes no arguments/],
    ['hosts {\n    fallthrough_unsupported\n  }', /line 4: hosts: fallthrough_unsupported requires fallthrough/],
    ['hosts {\n    fallthrough\n    10.0.0.1 late.test\n  }', /line 6: hosts: unknown property "10.0.0.1" \(hosts entries go before fallthrough\)/],
    ['hosts {\n    10.0.0.1 a.test {\n    }\n  }', /line 5: hosts: "10.0.0.1" takes no block/],
    [`hosts {\n    10.0.0.1 ${Array.from({ length: 300 }, (_, i) => `n${i}.test`).join(' ')}\n  }`, /line 5: hosts: 300 names on one line, over the 256/],
    ['hosts /srv/hosts 10.0.0.0/12', /line 4: hosts: zone "10.0.0.0\/12": the prefix length must be 8, 16, 24 or 32/],
    ['hosts\n  hosts', /hosts appears twice in the server block/],
  ];
  for (const [hosts, re] of cases) t.throws(() => read(block(hosts)), re, hosts.replace(/\s+/g, ' ').slice(0, 60));
});

t.test('what is accepted but read differently is a warning naming the line', async (t) => {
  const { warnings, options } = read(block('hosts {\n    reload 10ms\n    nonsense_option yes\n    10.0.0.1 ok.test\n  }'));
  t.match(warnings.join('\n'), /Corefile line 5: hosts reload 10ms raised to 100ms/);
  t.match(warnings.join('\n'), /Corefile line 6: hosts: "nonsense_option" is not an IPv4 or IPv6 address: not an entry, ignored as CoreDNS ignores it/);
  t.equal(options!.reloadMs, 100);
  const outside = read(block('hosts /srv/hosts example.org {\n    10.0.0.1 www.example.org www.example.com\n  }')).warnings.join('\n');
  t.match(outside, /Corefile line 5: hosts: www\.example\.com is in none of the plugin's zones \(example\.org\): not served, as in CoreDNS/);
});

t.test('--hosts FILE: the file before the cluster, everything else on down the implicit chain', { skip: digMissing }, async (t) => {
  const dir = tempDir(t);
  const cluster = writeCluster(dir);
  const file = path.join(dir, 'hosts');
  writeFileSync(file, '10.0.0.1 laptop.test\nfd00::1 laptop.test\n');
  const srv = await startCli(['--hosts', file, '--fixtures', cluster.fixture, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const a = await ask(srv.port, 'laptop.test', 'A');
  t.same([a.status, a.answer, a.flags.includes('aa')], ['NOERROR', ['laptop.test. 3600 IN A 10.0.0.1'], true]);
  t.same((await ask(srv.port, '-x', 'fd00::1')).answer.map((l) => l.split(' ').slice(1).join(' ')), ['3600 IN PTR laptop.test.']);
  t.same((await ask(srv.port, cluster.name, 'A')).answer, [`${cluster.name}. 5 IN A ${cluster.ip}`], 'the cluster still answers');
  t.equal((await ask(srv.port, 'elsewhere.test', 'A')).status, 'REFUSED', 'a name nobody has: REFUSED, as the command line always answered');
  writeFileSync(file, '10.0.0.2 laptop.test\n');
  const moved = await until(() => query(srv.port, 'laptop.test', 'A'), (r) => r.answers?.[0]?.data === '10.0.0.2', 8000);
  t.equal(moved.answers?.[0]?.data, '10.0.0.2', 'an edit is served within the 5 s reload period');

  const usage = await runCli(['--hosts', file, '--corefile', path.join(dir, 'Corefile')]);
  t.equal(usage.code, 2);
  t.match(usage.stderr, /--hosts and --corefile: give the Corefile a hosts directive instead/);
  const empty = await runCli(['--hosts', '']);
  t.match([empty.code, empty.stderr], [2, /--hosts: expected a file path/]);
});

t.test('startClusterDns({ hostsFile })', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'hosts');
  writeFileSync(file, '10.0.0.7 api.test\n');
  const dns = await startClusterDns({ hostsFile: file, watch: false });
  t.teardown(() => dns.close());
  const r = await query(dns.port, 'api.test', 'A');
  t.same(r.answers?.map((a) => [a.data, a.ttl]), [['10.0.0.7', 3600]]);
  await t.rejects(startClusterDns({ hostsFile: 42 } as never), { name: 'TypeError', message: /hostsFile 42/ });
});
