import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCorefile, CorefileError } from '../lib/corefile/parse.js';
import { corefileToConfig, parseDuration } from '../lib/corefile/to-config.js';
import { applyCorefile } from '../lib/corefile/apply.js';
import { defaultConfig } from '../lib/config.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => join(here, 'corefiles', name);
const tmp = mkdtempSync(join(tmpdir(), 'corefile-test-'));
const resolvConf = join(tmp, 'resolv.conf');
writeFileSync(resolvConf, '# generated\nsearch example.internal\nnameserver 192.0.2.53\nnameserver 2001:db8::53 # v6\noptions ndots:5\n');

function map(text: string) {
  return corefileToConfig(parseCorefile(text, { env: {} }), { resolvConfPath: resolvConf });
}

t.test('stock kubeadm/kind Corefile maps to the exact config', async (t) => {
  const { config, warnings } = applyCorefile(defaultConfig(), fixture('kubeadm.Corefile'), { resolvConfPath: resolvConf });
  const expected = {
    ...defaultConfig(),
    listen: { host: '0.0.0.0', port: 53 },
    zones: ['cluster.local'],
    reverseZones: ['in-addr.arpa', 'ip6.arpa'],
    ttl: 30,
    pods: 'insecure' as const,
    endpointPodNames: false,
    namespaces: [],
    labels: undefined,
    kubeconfig: undefined,
    context: undefined,
    upstreams: [
      { host: '192.0.2.53', port: 53 },
      { host: '2001:db8::53', port: 53 },
    ],
    health: { host: '0.0.0.0', port: 8080 },
    ready: { host: '0.0.0.0', port: 8181 },
    metrics: { host: '0.0.0.0', port: 9153 },
    lameduck: 5,
    // kubeadm's `fallthrough in-addr.arpa ip6.arpa`
    fallthrough: ['in-addr.arpa', 'ip6.arpa'],
    reload: { interval: 30, jitter: 15, where: `${fixture('kubeadm.Corefile')} line 21` },
    corefile: fixture('kubeadm.Corefile'),
    // the default admin listener (127.0.0.1:8053) stays: it does not collide with health :8080
    admin: { host: '127.0.0.1', port: 8053 },
    // the block's chain, in CoreDNS's execution order
    servers: [{ zones: [''], port: 53, plugins: [
      { name: 'errors', where: `${fixture('kubeadm.Corefile')} line 2`, options: { consolidate: [] } },
      { name: 'loadbalance', where: `${fixture('kubeadm.Corefile')} line 22`, options: { prefer: [] } },
      { name: 'cache', where: `${fixture('kubeadm.Corefile')} line 16`, options: { zones: [''], caps: { success: { max: 30, min: 5 }, denial: { max: 30, min: 5 }, servfail: 5 } } },
      { name: 'kubernetes', where: `${fixture('kubeadm.Corefile')} line 7`, options: {} },
      { name: 'forward', where: `${fixture('kubeadm.Corefile')} line 13`, options: { from: [''], except: [], maxConcurrent: 1000 } },
    ], main: true }],
  };
  const plugins = config.servers?.[0]?.plugins.map((p) => p.name);
  // plugins other work adds (loadbalance) may join the chain: compare the ones this mapping knows
  const known = new Set(expected.servers[0]!.plugins.map((p) => p.name));
  t.same({ ...config, servers: config.servers?.map((b) => ({ ...b, plugins: b.plugins.filter((p) => known.has(p.name)) })) }, expected);
  t.same(plugins?.filter((n) => known.has(n)), ['errors', 'loadbalance', 'cache', 'kubernetes', 'forward'], 'in CoreDNS\'s execution order');
  t.strictSame(Object.keys(config).sort(), Object.keys(expected).sort());
  t.strictSame(warnings, [], 'every directive of the stock Corefile is implemented');
  t.equal(config.reload?.interval, 30);
});

t.test('older kubeadm Corefile (plain "cache 30") maps to the same config', async (t) => {
  const a = applyCorefile(defaultConfig(), fixture('kubeadm.Corefile'), { resolvConfPath: resolvConf });
  const b = applyCorefile(defaultConfig(), fixture('kubeadm-older.Corefile'), { resolvConfPath: resolvConf });
  const lines = (c: typeof a.config) => ({ ...c, servers: c.servers?.map((s) => ({ ...s, plugins: s.plugins.map((p) => ({ ...p, where: '' })) })) });
  t.same({ ...lines(b.config), corefile: '', reload: undefined }, { ...lines(a.config), corefile: '', reload: undefined });
  t.strictSame(b.warnings, [], 'every directive is implemented');
});

t.test('a Corefile health listener on the admin port: the admin API gives way with a warning', async (t) => {
  const path = join(tmp, 'Corefile.health-on-admin');
  writeFileSync(path, '.:53 {\n health 127.0.0.1:8053\n kubernetes cluster.local\n}\n');
  const { config, warnings } = applyCorefile(defaultConfig(), path, { resolvConfPath: resolvConf });
  t.same(config.health, { host: '127.0.0.1', port: 8053 });
  t.equal(config.admin, null);
  t.strictSame(warnings, ['admin API turned off: port 8053 is the Corefile\'s health listener (use --admin HOST:PORT to move it)']);
});

t.test('kubeadm 1.13 Corefile: proxy read as forward, removed upstream option warned, default ttl', async (t) => {
  const { config, warnings } = applyCorefile(defaultConfig(), fixture('kubeadm-1.13.Corefile'), { resolvConfPath: resolvConf });
  t.equal(config.ttl, 5);
  t.equal(config.pods, 'insecure');
  t.same(config.upstreams, [{ host: '192.0.2.53', port: 53 }, { host: '2001:db8::53', port: 53 }]);
  t.same(config.health, { host: '0.0.0.0', port: 8080 });
  t.equal(config.ready, null);
  t.equal(config.lameduck, 0);
  t.match(warnings.join('\n'), /line 6: "upstream" is not implemented: removed from CoreDNS/);
  t.match(warnings.join('\n'), /line 10: proxy is the removed predecessor of forward; read as forward/);
});

t.test('fallthrough: the zones it names, all the plugin zones without arguments, none without the option', async (t) => {
  const all = map('.:53 {\n kubernetes cluster.local in-addr.arpa {\n  fallthrough\n }\n forward . 192.0.2.1\n}\n');
  t.strictSame(all.warnings, []);
  t.strictSame(all.config.fallthrough, ['cluster.local', 'in-addr.arpa']);
  const some = map('.:53 {\n kubernetes cluster.local in-addr.arpa {\n  fallthrough 10.0.0.0/8 Example.ORG.\n }\n forward . 192.0.2.1\n}\n');
  t.strictSame(some.config.fallthrough, ['10.in-addr.arpa', 'example.org']);
  const none = map('.:53 {\n kubernetes cluster.local in-addr.arpa ip6.arpa\n forward . 192.0.2.1\n}\n');
  t.strictSame(none.warnings, []);
  t.strictSame(none.config.fallthrough, [], 'without fallthrough nothing goes on, reverse zones included');
  t.throws(() => map(`.:53 {\n kubernetes cluster.local {\n  fallthrough ${Array.from({ length: 65 }, (_, i) => `z${i}.example`).join(' ')}\n }\n}\n`),
    /line 3: fallthrough: expected fallthrough \[ZONE\.\.\.\] \(at most 64 zones\)/);
});

t.test('the kubernetes block options', async (t) => {
  const { config, warnings } = map(`
# a custom zone on a high port, bound to loopback
cluster.local:5353 in-addr.arpa:5353 {
  bind 127.0.0.1
  kubernetes {
    pods verified
    ttl 0
    endpoint_pod_names
    namespaces default Kube-System
    labels environment in (production, qa)
    kubeconfig /home/me/.kube/config "kind-kind"
    endpoint https://10.0.0.1:6443
    noendpoints
    ignore empty_service
  }
  forward . 8.8.8.8 1.1.1.1:5300 [2001:db8::1]:53 dns://9.9.9.9
  prometheus 127.0.0.1:9253
  ready :8282
  log
}
`);
  t.same(config.listen, { host: '127.0.0.1', port: 5353 });
  t.same(config.zones, ['cluster.local']);
  t.same(config.reverseZones, ['in-addr.arpa']);
  t.equal(config.pods, 'verified');
  t.equal(config.ttl, 0);
  t.equal(config.endpointPodNames, true);
  t.same(config.namespaces, ['default', 'kube-system']);
  t.equal(config.labels, 'environment in (production, qa)');
  t.equal(config.kubeconfig, '/home/me/.kube/config');
  t.equal(config.context, 'kind-kind');
  t.same(config.apiEndpoint, { url: 'https://10.0.0.1:6443', where: 'Corefile line 12' }, 'endpoint is the API server when no kubeconfig is given');
  t.same(config.upstreams, [
    { host: '8.8.8.8', port: 53 },
    { host: '1.1.1.1', port: 5300 },
    { host: '2001:db8::1', port: 53 },
    { host: '9.9.9.9', port: 53 },
  ]);
  t.same(config.metrics, { host: '127.0.0.1', port: 9253 });
  t.same(config.ready, { host: '0.0.0.0', port: 8282 });
  t.equal(config.health, null);
  t.equal(config.noEndpoints, true);
  t.equal(config.ignoreEmptyService, true);
  t.strictSame(warnings, [
    'Corefile line 14: "ignore empty_service" with "noendpoints": no endpoint is known, so every ClusterIP Service answers NXDOMAIN (as in CoreDNS)',
  ]);
});

t.test('syntax: env substitution, quotes, one-line blocks, comments, several server blocks, prometheus default', async (t) => {
  const text = `# leading comment
.:{$DNS_PORT} { # comment after the brace
  kubernetes {$ZONE} "ip6.arpa" { ttl {%TTL%} }
  health :8080 { lameduck 1m30s }
  prometheus
}
example.org:{$DNS_PORT} {
  forward . 10.0.0.1
}
`;
  const blocks = parseCorefile(text, { env: { DNS_PORT: '1053', ZONE: 'Corp.Example.', TTL: '60' } });
  t.same(blocks.map((b) => b.keys), [['.:1053'], ['example.org:1053']]);
  t.same(blocks[0].directives[0], {
    name: 'kubernetes',
    args: ['Corp.Example.', 'ip6.arpa'],
    line: 3,
    file: 'Corefile',
    block: [{ name: 'ttl', args: ['60'], line: 3, file: 'Corefile', block: null }],
  });
  const { config, warnings } = corefileToConfig(blocks);
  t.same(config.listen, { host: '0.0.0.0', port: 1053 });
  t.same(config.zones, ['corp.example']);
  t.same(config.reverseZones, ['ip6.arpa']);
  t.equal(config.ttl, 60);
  t.equal(config.lameduck, 90);
  t.same(config.metrics, { host: 'localhost', port: 9153 });
  t.same(config.upstreams, []);
  t.strictSame(warnings, []);
  t.same(config.servers?.map((b) => [b.zones, b.port, b.plugins.map((p) => p.name)]), [[[''], 1053, ['kubernetes']], [['example.org'], 1053, ['forward']]], 'every block is served');
});

t.test('a server block without port and kubernetes without zones uses the block zones; CIDR zones', async (t) => {
  const { config } = map('cluster.local 10.0.0.0/8 {\n kubernetes\n}\n');
  t.same(config.listen, { host: '0.0.0.0', port: 53 });
  t.same(config.zones, ['cluster.local']);
  t.same(config.reverseZones, ['10.in-addr.arpa']);
});

t.test('a lone server block may omit braces', async (t) => {
  const { config } = map('cluster.local:5300\nkubernetes\nready\n');
  t.same(config.listen, { host: '0.0.0.0', port: 5300 });
  t.same(config.zones, ['cluster.local']);
  t.same(config.ready, { host: '0.0.0.0', port: 8181 });
});

t.test('durations', async (t) => {
  t.equal(parseDuration('5s'), 5);
  t.equal(parseDuration('1m30s'), 90);
  t.equal(parseDuration('500ms'), 0.5);
  t.equal(parseDuration('5'), null);
  t.equal(parseDuration('five'), null);
});

t.test('malformed Corefiles fail with the line', async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ['unknown kubernetes option', '.:53 {\n kubernetes cluster.local {\n   podz insecure\n }\n}\n', /^Corefile line 3: unknown kubernetes option "podz"$/],
    ['ttl out of range', '.:53 {\n kubernetes cluster.local {\n   ttl 3601\n }\n}\n', /^Corefile line 3: ttl: "3601" is not a whole number of seconds from 0 to 3600$/],
    ['ttl not a number', '.:53 {\n kubernetes cluster.local {\n   ttl 5s\n }\n}\n', /^Corefile line 3: ttl: "5s"/],
    ['bad pods mode', '.:53 {\n kubernetes cluster.local {\n pods yes\n }\n}\n', /^Corefile line 3: pods: "yes" is not one of disabled, insecure, verified$/],
    ['unclosed block', '.:53 {\n kubernetes cluster.local {\n   ttl 30\n}\n', /^Corefile line 1: block opened here is never closed/],
    ['stray brace', '.:53 {\n kubernetes cluster.local\n}\n}\n', /^Corefile line 4: unexpected "}"/],
    ['unterminated quote', '.:53 {\n kubernetes "cluster.local\n}\n', /^Corefile line 2: unterminated quoted string$/],
    ['import of a missing file', '.:53 {\n import common.conf\n kubernetes cluster.local\n}\n', /^Corefile line 2: import common.conf: no snippet by that name and no file/],
    ['snippet importing itself', '(common) {\n import common\n}\n.:53 {\n import common\n kubernetes cluster.local\n}\n', /^Corefile line 2: import loop: snippet \(common\) -> snippet \(common\)/],
    ['root zone', '.:53 {\n kubernetes\n}\n', /^Corefile line 2: kubernetes would serve the root zone/],
    ['only reverse zones', '.:53 {\n kubernetes in-addr.arpa\n}\n', /^Corefile line 2: kubernetes needs at least one zone that is not a reverse zone$/],
    ['no kubernetes', '.:53 {\n forward . 8.8.8.8\n}\n', /^Corefile: no server block uses the kubernetes plugin/],
    ['two kubernetes blocks', 'a.local {\n kubernetes\n}\nb.local {\n kubernetes\n}\n', /^Corefile line 5: the kubernetes plugin appears more than once \(lines 2, 5\)/],
    ['tls upstream', '.:53 {\n kubernetes cluster.local\n forward . tls://1.1.1.1\n}\n', /^Corefile line 3: forward to tls:\/\/1.1.1.1: only plain DNS upstreams/],
    ['hostname upstream', '.:53 {\n kubernetes cluster.local\n forward . dns.google\n}\n', /^Corefile line 3: forward: "dns.google" is not an IP address/],
    ['missing resolv.conf', '.:53 {\n kubernetes cluster.local\n forward . /nonexistent/resolv.conf\n}\n', /^Corefile line 3: forward: cannot read \/nonexistent\/resolv.conf/],
    ['bad lameduck', '.:53 {\n kubernetes cluster.local\n health {\n lameduck 5\n }\n}\n', /^Corefile line 4: lameduck: "5" is not a duration/],
    ['grpc server block', 'grpc://.:53 {\n kubernetes cluster.local\n}\n', /^Corefile line 1: server block "grpc:\/\/.:53": only plain DNS/],
    ['one zone twice on a port', 'cluster.local:53 {\n kubernetes\n}\ncluster.local:53 {\n forward . 192.0.2.1\n}\n', /^Corefile line 4: zone cluster.local on port 53 is already served by the server block at Corefile line 1$/],
    ['bad port', '.:dns {\n kubernetes cluster.local\n}\n', /^Corefile line 1: server block ".:dns": "dns" is not a port$/],
    ['bind interface', '.:53 {\n kubernetes cluster.local\n bind eth0\n}\n', /^Corefile line 3: bind: "eth0" is not an IP address/],
  ];
  for (const [name, text, re] of cases) {
    t.throws(() => map(text), re, name);
    try {
      map(text);
    } catch (e) {
      t.type(e, CorefileError, `${name}: a CorefileError`);
    }
  }
});

t.test('applyCorefile keeps what the Corefile does not describe and names the file in errors', async (t) => {
  const path = join(tmp, 'Corefile');
  writeFileSync(path, 'cluster.local:5353 {\n kubernetes\n}\n');
  const base = { ...defaultConfig(), fixtures: ['/fixtures'], adminToken: 's3cret', namespace: 'apps' };
  const { config, warnings } = applyCorefile(base, path);
  t.same(config.fixtures, ['/fixtures']);
  t.equal(config.adminToken, 's3cret');
  t.equal(config.namespace, 'apps');
  t.same(config.admin, { host: '127.0.0.1', port: 8053 });
  t.same(config.listen, { host: '0.0.0.0', port: 5353 });
  t.strictSame(warnings, []);
  t.throws(() => applyCorefile(base, join(tmp, 'missing')), new RegExp(`^${join(tmp, 'missing')}: cannot read the Corefile`));
  writeFileSync(path, 'cluster.local:5353 {\n kubernetes {\n  ttl -1\n }\n}\n');
  t.throws(() => applyCorefile(base, path), new RegExp(`^${path} line 3: ttl`));
});
