// `clusterdns resolver` against a temporary --root: uninstall of some zones, a file not ours in our place,
// auto-detection from what exists under the root, the macOS .local warning and the Windows NRPT script.
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from './helpers/cli.js';
import { MARKER, resolver, tempRoot, tree } from './helpers/resolver-root.js';

t.test('uninstall --zone removes that zone only; install with fewer zones converges', async (t) => {
  const root = tempRoot(t);
  for (const backend of ['macos', 'dnsmasq']) {
    const base = ['--root', root, '--backend', backend];
    t.equal((await resolver(['install', ...base, '--zone', 'a.test', '--zone', 'b.test', '--port', '1054'])).code, 0);
    const u = await resolver(['uninstall', ...base, '--zone', 'a.test']);
    t.equal(u.code, 0, u.stderr);
    const left = tree(root);
    if (backend === 'macos') {
      t.same(left, { 'etc/resolver/b.test': `${MARKER}nameserver 127.0.0.1\nport 1054\n` });
    } else {
      t.same(left['etc/dnsmasq.d/clusterdns.conf'], `${MARKER}server=/b.test/127.0.0.1#1054\n`, 'the remaining zone keeps its installed port');
    }
    t.equal((await resolver(['uninstall', ...base])).code, 0);
  }
  t.same(tree(root), {});
});

t.test('a file not ours where ours would go: install refuses and leaves it', async (t) => {
  const root = tempRoot(t);
  mkdirSync(path.join(root, 'etc/resolver'), { recursive: true });
  writeFileSync(path.join(root, 'etc/resolver/cluster.test'), 'nameserver 10.0.0.53\n');
  const r = await resolver(['install', '--root', root, '--backend', 'macos', '--zone', 'cluster.test', '--zone', 'other.test']);
  t.equal(r.code, 1);
  t.match(r.stderr, `${path.join(root, 'etc/resolver/cluster.test')} exists and was not written by clusterdns`);
  t.same(tree(root), { 'etc/resolver/cluster.test': 'nameserver 10.0.0.53\n' }, 'nothing written, not even the other zone');
});

t.test('auto-detection follows what exists under the root', async (t) => {
  const cases: [string, (root: string) => void, string][] = [
    ['NetworkManager dns=dnsmasq', (r) => {
      mkdirSync(path.join(r, 'etc/NetworkManager/conf.d'), { recursive: true });
      mkdirSync(path.join(r, 'run/systemd/resolve'), { recursive: true });
      writeFileSync(path.join(r, 'etc/NetworkManager/NetworkManager.conf'), '[main]\nplugins=ifupdown\n');
      writeFileSync(path.join(r, 'etc/NetworkManager/conf.d/00-dns.conf'), '[main]\ndns=dnsmasq\n');
    }, 'networkmanager-dnsmasq'],
    ['systemd-resolved', (r) => mkdirSync(path.join(r, 'run/systemd/resolve'), { recursive: true }), 'systemd-resolved'],
    ['NetworkManager dns=systemd-resolved', (r) => {
      mkdirSync(path.join(r, 'etc/NetworkManager'), { recursive: true });
      mkdirSync(path.join(r, 'run/systemd/resolve'), { recursive: true });
      writeFileSync(path.join(r, 'etc/NetworkManager/NetworkManager.conf'), '[main]\ndns=systemd-resolved\n');
    }, 'systemd-resolved'],
    ['dnsmasq', (r) => mkdirSync(path.join(r, 'etc/dnsmasq.d'), { recursive: true }), 'dnsmasq'],
  ];
  for (const [what, make, want] of cases) {
    const root = tempRoot(t);
    make(root);
    const r = await resolver(['install', '--root', root, '--dry-run']);
    t.equal(r.code, 0, `${what}: ${r.stderr}`);
    t.match(r.stdout, new RegExp(`^backend: ${want} \\(detected: `), what);
  }
  // process.platform decides macOS and Windows; CLUSTERDNS_PLATFORM stands in for it here (runCli passes our env).
  process.env.CLUSTERDNS_PLATFORM = 'darwin';
  const mac = await resolver(['install', '--root', tempRoot(t), '--dry-run', '--zone', 'cluster.test']);
  delete process.env.CLUSTERDNS_PLATFORM;
  t.match(mac.stdout, /^backend: macos \(detected: macOS/);
  t.match(mac.stdout, /would write .*\/etc\/resolver\/cluster\.test:/);
  const empty = await resolver(['install', '--root', tempRoot(t)]);
  t.equal(empty.code, 1);
  t.match(empty.stderr, 'cannot tell which resolver this host uses');
  t.match(empty.stderr, 'give --backend');
});

t.test('macOS: .local warns about mDNS and offers another domain; Windows prints NRPT PowerShell and the port caveat', async (t) => {
  const root = tempRoot(t);
  const m = await runCli(['resolver', 'install', '--root', root, '--dry-run'], 20_000);
  t.equal(m.code, 1, 'no backend to detect on Linux under an empty root');
  const mac = await resolver(['install', '--root', root, '--backend', 'macos', '--dry-run']);
  t.equal(mac.code, 0);
  t.match(mac.stderr, /multicast DNS \(Bonjour\).*--zone cluster\.test/);
  const test = await resolver(['install', '--root', root, '--backend', 'macos', '--zone', 'cluster.test', '--dry-run']);
  t.notMatch(test.stderr, 'Bonjour');

  const w = await resolver(['install', '--backend', 'windows', '--zone', 'cluster.local', '--zone', 'cluster.test', '--port', '1053']);
  t.equal(w.code, 0);
  t.match(w.stdout, "Add-DnsClientNrptRule -Namespace '.cluster.local' -NameServers '127.0.0.1' -Comment 'clusterdns'\n");
  t.match(w.stdout, "Add-DnsClientNrptRule -Namespace '.cluster.test' -NameServers '127.0.0.1' -Comment 'clusterdns'\n");
  t.match(w.stderr, /NRPT rules have no port.*--listen 127\.0\.0\.1:53/);
  const w53 = await resolver(['install', '--backend', 'windows', '--port', '53']);
  t.notMatch(w53.stderr, 'no port');
  const wu = await resolver(['uninstall', '--backend', 'windows']);
  t.match(wu.stdout, "Get-DnsClientNrptRule | Where-Object Comment -eq 'clusterdns' | Remove-DnsClientNrptRule -Force");
  t.same(tree(root), {}, 'nothing written');
});

t.test('help: `clusterdns resolver --help` lists its flags; `clusterdns --help` lists the command', async (t) => {
  const h = await resolver(['--help']);
  t.equal(h.code, 0);
  for (const f of ['--zone', '--address', '--port', '--backend', '--dry-run', '--no-reload', '--root']) t.match(h.stdout, `  ${f} `);
  const main = await runCli(['--help']);
  t.match(main.stdout, /^  resolver install\|uninstall\|status$/m);
});
