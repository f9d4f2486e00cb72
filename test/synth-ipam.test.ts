import t from 'tap';
import { formatIPv6, parseCidr, parseIPv6 } from '../lib/synth/cidr.js';
import { AddressPool, POD_V4_PER_NODE_RESERVED, podPoolReserved, servicePoolReserved } from '../lib/synth/ipam.js';

const keys = (n: number, prefix = 'Service/default/svc-') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** key → address, leaving out keys that got none */
function alloc(pool: AddressPool, ks: string[]): Map<string, string> {
  const got = pool.allocate(ks);
  return new Map(ks.flatMap((k, i) => (got[i] === undefined ? [] : [[k, got[i]!] as [string, string]])));
}

t.test('IPv6 text round-trips in RFC 5952 form', async (t) => {
  for (const [input, out] of [
    ['fd00:10:96::', 'fd00:10:96::'],
    ['FD00:0010:0096:0000:0000:0000:0000:000a', 'fd00:10:96::a'],
    ['::1', '::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::ffff:10.0.0.1', '::ffff:a00:1'],
  ]) t.equal(formatIPv6(parseIPv6(input)!), out, input);
  t.equal(parseIPv6('1::2::3'), undefined);
  t.throws(() => parseCidr('10.0.0.0'), /not a CIDR/);
  t.throws(() => parseCidr('10.0.0.0/33'), /longer than 32/);
  t.equal(parseCidr('10.96.0.0/12').size, 2 ** 20);
});

t.test('the same keys get the same addresses, whatever their order', async (t) => {
  const k = keys(500);
  const a = alloc(new AddressPool('10.96.0.0/12', servicePoolReserved('IPv4')), k);
  const b = alloc(new AddressPool('10.96.0.0/12', servicePoolReserved('IPv4')), [...k].reverse());
  t.same([...a.entries()].sort(), [...b.entries()].sort());
  t.equal(new Set(a.values()).size, 500, 'all distinct');
  for (const ip of a.values()) t.match(ip, /^10\.(9[6-9]|10\d|11[01])\./, `${ip} is in 10.96.0.0/12`);
});

t.test('collisions in a tiny CIDR never duplicate and skip reserved addresses', async (t) => {
  // A /28 has 16 addresses; .0, .1, .10 and .15 are reserved, leaving 12 for 12 keys: every collision must probe.
  const pool = new AddressPool('192.168.0.0/28', servicePoolReserved('IPv4'));
  const got = alloc(pool, keys(12));
  t.equal(got.size, 12);
  const ips = [...got.values()];
  t.equal(new Set(ips).size, 12, 'no address handed out twice');
  for (const r of ['192.168.0.0', '192.168.0.1', '192.168.0.10', '192.168.0.15']) t.notOk(ips.includes(r), `${r} stays free`);
  t.equal(pool.free, 0);
});

t.test('a full CIDR leaves the remaining keys without an address', async (t) => {
  const pool = new AddressPool('192.168.0.0/29', servicePoolReserved('IPv4')); // 8 - 3 reserved (.0 .1 .7) = 5
  const got = alloc(pool, keys(8));
  t.equal(got.size, 5);
  t.equal(new Set(got.values()).size, 5);
});

t.test('explicit addresses are reserved first and never handed out', async (t) => {
  const first = alloc(new AddressPool('10.0.0.0/28'), keys(4));
  const taken = [...first.values()];
  const pool = new AddressPool('10.0.0.0/28');
  for (const ip of taken) t.ok(pool.reserve(ip));
  t.notOk(pool.reserve(taken[0]), 'a second reservation of the same address reports it');
  t.notOk(pool.reserve('10.0.1.1'), 'outside the CIDR');
  const got = alloc(pool, keys(4));
  for (const ip of got.values()) t.notOk(taken.includes(ip), `${ip} was not explicit`);
});

t.test('an object alone at its home address keeps it when others come and go', async (t) => {
  const base = keys(200);
  const before = alloc(new AddressPool('10.96.0.0/12'), base);
  const extra = keys(300, 'Service/other/x-');
  const after = alloc(new AddressPool('10.96.0.0/12'), [...base, ...extra]);
  const removed = alloc(new AddressPool('10.96.0.0/12'), base.slice(100));
  // In 2^20 addresses no two of these 500 keys share a home, so nobody moves.
  for (const k of base) t.equal(after.get(k), before.get(k), k);
  for (const k of base.slice(100)) t.equal(removed.get(k), before.get(k), k);
});

t.test('only collision losers can move: the winner of a home keeps it', async (t) => {
  // Find, in a /27, two keys sharing a home and a third key elsewhere, by looking at single allocations.
  const cidr = '10.0.0.0/27';
  const home = (k: string) => alloc(new AddressPool(cidr), [k]).get(k)!;
  const all = keys(64);
  const byHome = new Map<string, string[]>();
  for (const k of all) byHome.set(home(k), [...(byHome.get(home(k)) ?? []), k]);
  const shared = [...byHome.values()].find((ks) => ks.length >= 2)!;
  t.ok(shared, 'found two keys with one home');
  const [winner, loser] = [...shared].sort();
  const pair = alloc(new AddressPool(cidr), [loser, winner]);
  t.equal(pair.get(winner), home(winner), 'the smaller key wins the home');
  t.not(pair.get(loser), home(loser), 'the other probes');
  const alone = alloc(new AddressPool(cidr), [loser]);
  t.equal(alone.get(loser), home(loser), 'without the winner, the loser gets its home back');
});

t.test('pod pools avoid each /24s .0, .1 and .255', async (t) => {
  const pool = new AddressPool('10.244.0.0/16', podPoolReserved('IPv4'), POD_V4_PER_NODE_RESERVED);
  const got = alloc(pool, keys(20000, 'Pod/default/p-'));
  t.equal(got.size, 20000);
  t.equal(new Set(got.values()).size, 20000);
  const bad = [...got.values()].filter((ip) => /\.(0|1|255)$/.test(ip));
  t.same(bad, []);
});

t.test('IPv6 pools allocate inside their CIDR', async (t) => {
  const pool = new AddressPool('fd00:10:96::/112', servicePoolReserved('IPv6'));
  const got = alloc(pool, keys(100));
  t.equal(new Set(got.values()).size, 100);
  for (const ip of got.values()) t.match(ip, /^fd00:10:96::[0-9a-f]{1,4}$/);
  t.notOk([...got.values()].includes('fd00:10:96::a'), 'the kube-dns address stays free');
  const pods = alloc(new AddressPool('fd00:10:244::/56', podPoolReserved('IPv6')), keys(10));
  for (const ip of pods.values()) t.match(ip, /^fd00:10:244::([0-9a-f]{1,4}:)?[0-9a-f]{1,4}$/, 'short: within the first 2^22 addresses');
});

t.test('synthesis settings are checked field by field', async (t) => {
  const { synthesisConfigProblems } = await import('../lib/synth/options.js');
  const { defaultConfig } = await import('../lib/config.js');
  t.same(synthesisConfigProblems(defaultConfig().synthesis), []);
  t.same(synthesisConfigProblems({ ...defaultConfig().synthesis, podCIDR: 'fd00::/64', serviceCIDR: '10.96.0.0', nodes: -1 }), [
    'podCIDR fd00::/64: expected an IPv4 CIDR',
    'serviceCIDR: "10.96.0.0" is not a CIDR (address/prefix)',
    'nodes -1: expected a whole number >= 0',
  ]);
});
