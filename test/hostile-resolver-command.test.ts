// Hostile input to `clusterdns resolver`: zone names that would write outside the folder or inject a directive
// (`/`, `..`, newlines, 300-character labels, huge arguments) are usage errors (exit 2) that say what to fix, and
// nothing is written; an unwritable or read-only root is refused before anything changes; a symlink or an
// oversized file where ours would go is not followed or replaced.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MAIN, runCli } from './helpers/cli.js';
import { tempRoot, tree } from './helpers/resolver-root.js';

function run(args: string[], wrap: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (wrap.length === 0) return runCli(['resolver', ...args]);
  return new Promise((resolve, reject) => {
    const p = spawn(wrap[0]!, [...wrap.slice(1), process.execPath, MAIN, 'resolver', ...args]);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error('timeout')); }, 30_000);
    p.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

t.test('bad zones, addresses, ports and backends: exit 2 naming the fault, nothing written', async (t) => {
  const root = tempRoot(t, 'clusterdns-resolver-hostile-');
  const cases: [string[], RegExp][] = [
    [['--zone', 'a/b'], /--zone "a\/b": contains a slash; a zone is a DNS name such as cluster\.local/],
    [['--zone', '../../etc/passwd'], /--zone "\.\.\/\.\.\/etc\/passwd": contains a slash/],
    [['--zone', 'a..b'], /--zone "a\.\.b": has an empty label/],
    [['--zone', '..'], /has an empty label/],
    [['--zone', 'cluster.local\nserver=/evil.test/192.0.2.1'], /--zone "cluster\.local\\nserver=.*contains a slash|contains a space, tab, newline/],
    [['--zone', 'cluster.local\nport 53'], /contains a space, tab, newline or NUL/],
    [['--zone', `${'a'.repeat(300)}.test`], /label "a{20}…" has 300 characters \(at most 63\)/],
    [['--zone', `${'abcdefgh.'.repeat(30)}test`], /274 characters \(a DNS name has at most 253\)/],
    [['--zone', 'x'.repeat(100_000)], /100000 characters/],
    [['--zone', ''], /empty/],
    [['--zone=-bad.test'], /label "-bad" may hold only letters, digits/],
    [['--zone', 'a#b.test'], /label "a#b" may hold only/],
    [Array.from({ length: 101 }, (_, i) => ['--zone', `z${i}.test`]).flat(), /--zone given 101 times \(at most 100\)/],
    [['--address', 'localhost'], /--address "localhost": expected the IP address/],
    [['--address', '127.0.0.1\nserver=/x/1.2.3.4'], /--address .*expected the IP address/],
    [['--port', '0'], /--port "0": expected a port from 1 to 65535/],
    [['--port', '65536'], /--port "65536"/],
    [['--port', '53 # x'], /--port "53 # x"/],
    [['--backend', 'bind9'], /--backend "bind9": expected auto, macos, systemd-resolved/],
  ];
  for (const [args, want] of cases) {
    const r = await run(['install', '--root', root, '--backend', 'macos', ...args]);
    const label = JSON.stringify(args).slice(0, 80);
    t.equal(r.code, 2, `${label}: ${r.stderr}`);
    t.match(r.stderr, want, label);
    t.ok(r.stderr.length < 2000, `${label}: the message is bounded`);
  }
  t.same(tree(root), {}, 'nothing written');
  const noAction = await run(['--root', root]);
  t.equal(noAction.code, 2);
  t.match(noAction.stderr, 'expected install, uninstall or status');
});

// The run as user nobody needs to read the checkout and run node: a clone in a 0700 folder (mktemp -d) cannot.
const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
const nobodyCan = spawnSync(NOBODY[0]!, [...NOBODY.slice(1), process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(MAIN)})`]).status === 0;

t.test('an unwritable root: refused before any change, with the exact sudo command', { skip: nobodyCan ? false : 'user nobody cannot read this checkout or run node (a 0700 folder above it)' }, async (t) => {
  const root = tempRoot(t, 'clusterdns-resolver-hostile-');
  const args = ['install', '--root', root, '--backend', 'dnsmasq', '--zone', 'cluster.test'];
  // `env -u NODE_OPTIONS`: tap puts its process-info hook there, which would write into the checkout as nobody.
  const r = await run(args, ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'env', '-u', 'NODE_OPTIONS']);
  t.equal(r.code, 1, r.stderr);
  t.match(r.stderr, `cannot change ${root}/etc/dnsmasq.d/clusterdns.conf: permission denied (${root} is not writable: EACCES); nothing was changed. This needs root: run it with sudo:\n  sudo ${process.execPath} ${MAIN} resolver ${args.join(' ')}\n`);
  t.notMatch(r.stderr, /at |Error:/, 'no stack trace');
  t.same(tree(root), {});
});

const roMissing = spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs none /mnt'], { encoding: 'utf8' }).status === 0 ? false : 'cannot make a mount namespace here';

t.test('a read-only root: clear error, the installed files stay as they were, no temporary files left', { skip: roMissing }, async (t) => {
  const root = tempRoot(t, 'clusterdns-resolver-hostile-');
  t.equal((await run(['install', '--root', root, '--backend', 'macos', '--zone', 'a.test', '--zone', 'b.test', '--port', '1053'])).code, 0);
  const before = tree(root);
  const ro = ['unshare', '-m', 'sh', '-c', `mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && exec "$@"`, root];
  // A change to every file (new port), a new one (c.test) and a removal (a.test): none may happen.
  const r = await run(['install', '--root', root, '--backend', 'macos', '--zone', 'b.test', '--zone', 'c.test', '--port', '1054'], ro);
  t.equal(r.code, 1, r.stderr);
  t.match(r.stderr, /read-only file system \(.* is not writable: EROFS\); nothing was changed\. Give a writable --root/);
  t.same(tree(root), before, 'byte for byte as before');
  const u = await run(['uninstall', '--root', root, '--backend', 'macos'], ro);
  t.equal(u.code, 1);
  t.same(tree(root), before);
});

t.test('a symlink or an oversized file where ours would go is not ours: not followed, not replaced', async (t) => {
  const root = tempRoot(t, 'clusterdns-resolver-hostile-');
  const outside = tempRoot(t, 'clusterdns-resolver-hostile-');
  writeFileSync(path.join(outside, 'target'), 'precious\n');
  mkdirSync(path.join(root, 'etc/dnsmasq.d'), { recursive: true });
  symlinkSync(path.join(outside, 'target'), path.join(root, 'etc/dnsmasq.d/clusterdns.conf'));
  const r = await run(['install', '--root', root, '--backend', 'dnsmasq']);
  t.equal(r.code, 1);
  t.match(r.stderr, 'exists and was not written by clusterdns');
  t.equal(readFileSync(path.join(outside, 'target'), 'utf8'), 'precious\n');
  const u = await run(['uninstall', '--root', root, '--backend', 'dnsmasq']);
  t.equal(u.code, 0);
  t.equal(readFileSync(path.join(outside, 'target'), 'utf8'), 'precious\n', 'uninstall does not remove through it either');

  mkdirSync(path.join(root, 'etc/resolver'), { recursive: true });
  const big = `# clusterdns: written by \`clusterdns resolver install\`; \`clusterdns resolver uninstall\` removes it\n${'#'.repeat(1 << 20)}\n`;
  writeFileSync(path.join(root, 'etc/resolver/cluster.test'), big);
  const b = await run(['install', '--root', root, '--backend', 'macos', '--zone', 'cluster.test']);
  t.equal(b.code, 1);
  t.match(b.stderr, 'exists and was not written by clusterdns');
  t.equal(readFileSync(path.join(root, 'etc/resolver/cluster.test'), 'utf8'), big);
});

t.test('a write failing after the check (a full file system): the files already written and the folders made go too', { skip: roMissing }, async (t) => {
  const root = tempRoot(t, 'clusterdns-resolver-hostile-');
  // Room for the root, etc/, etc/resolver/ and one file: the second zone's file cannot be created.
  const full = ['unshare', '-m', 'sh', '-c', 'mount -t tmpfs -o nr_inodes=4 none "$0" && exec "$@"', root];
  const r = await run(['install', '--root', root, '--backend', 'macos', '--zone', 'a.test', '--zone', 'b.test'], full);
  t.equal(r.code, 1);
  t.match(r.stderr, /cannot change .*\/etc\/resolver\/b\.test: ENOSPC.*; nothing was changed/);
  // The tmpfs is gone with the namespace; check inside it instead.
  const inside = spawnSync('unshare', ['-m', 'sh', '-c', `mount -t tmpfs -o nr_inodes=4 none "$0" && "$1" "$2" resolver install --root "$0" --backend macos --zone a.test --zone b.test >/dev/null 2>&1; find "$0" | sort`, root, process.execPath, MAIN], { encoding: 'utf8' });
  t.equal(inside.stdout.trim(), root, 'nothing left under the root');
});
