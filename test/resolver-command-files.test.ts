// `clusterdns resolver` against a temporary --root, as a packager or a test would run it: for each backend the
// files written and removed byte for byte, a second install changes nothing, uninstall removes only our files,
// --dry-run touches nothing, status reads the files back.
import t from 'tap';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MARKER, resolver, tempRoot, tree } from './helpers/resolver-root.js';

// The formats each resolver documents (resolver(5), resolved.conf(5), dnsmasq(8)), for zones cluster.local and
// cluster.test at 127.0.0.1 port 5353.
const EXPECTED: Record<string, Record<string, string>> = {
  macos: {
    'etc/resolver/cluster.local': `${MARKER}nameserver 127.0.0.1\nport 5353\n`,
    'etc/resolver/cluster.test': `${MARKER}nameserver 127.0.0.1\nport 5353\n`,
  },
  'systemd-resolved': {
    'etc/systemd/resolved.conf.d/clusterdns.conf': `${MARKER}[Resolve]\nDNS=127.0.0.1:5353\nDomains=~cluster.local ~cluster.test\n`,
  },
  'networkmanager-dnsmasq': {
    'etc/NetworkManager/dnsmasq.d/clusterdns.conf': `${MARKER}server=/cluster.local/127.0.0.1#5353\nserver=/cluster.test/127.0.0.1#5353\n`,
  },
  dnsmasq: {
    'etc/dnsmasq.d/clusterdns.conf': `${MARKER}server=/cluster.local/127.0.0.1#5353\nserver=/cluster.test/127.0.0.1#5353\n`,
  },
};

for (const [backend, files] of Object.entries(EXPECTED)) {
  t.test(`${backend}: install writes exactly these bytes, again changes nothing, uninstall removes only ours`, async (t) => {
    const root = tempRoot(t);
    const base = ['--root', root, '--backend', backend, '--port', '5353'];
    const zones = ['--zone', 'cluster.local', '--zone', 'Cluster.Test.'];
    // Someone else's file in the same folder: never touched.
    const dir = path.dirname(path.join(root, Object.keys(files)[0]!));
    mkdirSync(dir, { recursive: true });
    const theirs = path.join(dir, backend === 'macos' ? 'example.com' : 'other.conf');
    writeFileSync(theirs, 'nameserver 192.0.2.1\n');

    const dry = await resolver(['install', ...base, ...zones, '--dry-run']);
    t.equal(dry.code, 0, dry.stderr);
    for (const [rel, content] of Object.entries(files)) {
      t.match(dry.stdout, `would write ${path.join(root, rel)}:\n${content.trimEnd().split('\n').map((l) => `    ${l}`).join('\n')}\n`);
    }
    t.same(tree(root), { [path.relative(root, theirs)]: 'nameserver 192.0.2.1\n' }, '--dry-run writes nothing');

    const a = await resolver(['install', ...base, ...zones]);
    t.equal(a.code, 0, a.stderr);
    t.same(tree(root), { ...files, [path.relative(root, theirs)]: 'nameserver 192.0.2.1\n' });
    for (const rel of Object.keys(files)) {
      t.match(a.stdout, `wrote ${path.join(root, rel)}:`);
      t.equal(statSync(path.join(root, rel)).mode & 0o777, 0o644, `${rel} is world-readable, as resolvers read it`);
    }
    t.match(a.stdout, `backend: ${backend}\n`);
    t.notMatch(a.stdout, /^ran: /m, '--root never runs a service command');

    const inodes = Object.keys(files).map((rel) => statSync(path.join(root, rel)).ino);
    const b = await resolver(['install', ...base, ...zones]);
    t.equal(b.code, 0, b.stderr);
    t.match(b.stdout, 'already installed: nothing to change');
    t.same(Object.keys(files).map((rel) => statSync(path.join(root, rel)).ino), inodes, 'a second install rewrites nothing');

    const s = await resolver(['status', '--root', root, '--backend', backend]);
    for (const rel of Object.keys(files)) t.match(s.stdout, `installed ${path.join(root, rel)}:`);
    t.match(s.stdout, /cluster\.local: 127\.0\.0\.1:5353 SOA cluster\.local\.: /);
    t.match(s.stdout, /cluster\.test: 127\.0\.0\.1:5353 SOA cluster\.test\.: /);

    const u = await resolver(['uninstall', '--root', root, '--backend', backend]);
    t.equal(u.code, 0, u.stderr);
    for (const rel of Object.keys(files)) t.match(u.stdout, `removed ${path.join(root, rel)}`);
    // In /etc/resolver every file is a zone's: say which were left; a dnsmasq.d holds our one file among others.
    if (backend === 'macos') t.match(u.stdout, `left alone ${theirs} (not written by clusterdns)`);
    t.same(tree(root), { [path.relative(root, theirs)]: 'nameserver 192.0.2.1\n' }, 'only ours removed');
  });
}

