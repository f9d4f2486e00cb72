// The bundled external names through real stub resolvers, with no --resolve: in a network namespace of the test's
// own whose resolv.conf names clusterdns (started with the start script's flags), curl reaches an HTTP server on
// each name's synthesised address (made local in the namespace), and glibc's reverse lookup (getent hosts IP) gets
// the PTR's first name.
import t from 'tap';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { digMissing } from './helpers/dig.js';
import { expectedHosts, startScriptFlags, synthesised } from './helpers/extnames.js';
import { ip, loopbackNamespace, startInNamespace } from './helpers/netns.js';

const run = promisify(execFile);
const DNS = '127.0.0.53';
const flags = startScriptFlags();
const zone = flags[flags.indexOf('--external-zone') + 1]!;
const hosts = expectedHosts(synthesised(), zone).filter((h) => !h.host.startsWith('*.'));

async function inNs(ns: string, cmd: string[], timeout = 15_000): Promise<string> {
  try {
    return (await run('ip', ['netns', 'exec', ns, ...cmd], { timeout })).stdout;
  } catch (err) {
    return (err as { stdout?: string }).stdout ?? '';
  }
}

const skip = digMissing || (spawnSync('ip', ['netns', 'list']).status !== 0 ? 'ip netns is not available'
  : spawnSync('curl', ['--version']).status !== 0 ? 'curl is not installed' : false);

t.test('curl and getent reach the bundled external names through resolv.conf', { skip }, async (t) => {
  const ns = await loopbackNamespace(t, 'cdns-ext-');
  if (!ns) return;
  const etc = path.join('/etc/netns', ns);
  mkdirSync(etc, { recursive: true });
  t.teardown(() => rmSync(etc, { recursive: true, force: true }));
  writeFileSync(path.join(etc, 'resolv.conf'), `nameserver ${DNS}\noptions attempts:1 timeout:2\n`);
  const srv = await startInNamespace(ns, [...flags, '--listen', `${DNS}:53`, '--admin', 'off', '--log-level', 'warn']);
  t.teardown(() => { srv.proc.kill('SIGKILL'); });

  const dir = mkdtempSync(path.join(tmpdir(), 'clusterdns-ext-www-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'hello.txt'), 'hello\n');
  const addresses = [...new Set(hosts.flatMap((h) => h.addresses))];
  for (const a of addresses) {
    await ip('-n', ns, 'addr', 'add', `${a}/32`, 'dev', 'lo');
    const http = spawn('ip', ['netns', 'exec', ns, 'python3', '-m', 'http.server', '8080', '--bind', a, '--directory', dir], { stdio: 'ignore' });
    t.teardown(() => { http.kill('SIGTERM'); });
  }
  for (const h of hosts) {
    let body = '';
    for (let i = 0; i < 50 && !body.startsWith('hello'); i++) {
      body = await inNs(ns, ['curl', '-s', '--max-time', '3', '-w', ' %{remote_ip}', `http://${h.host}:8080/hello.txt`]);
      if (!body.startsWith('hello')) await new Promise((r) => setTimeout(r, 100));
    }
    t.equal(body, `hello\n ${h.addresses[0]}`, `curl http://${h.host}:8080/ reaches ${h.addresses[0]} (its ${h.kind})`);
  }
  for (const a of addresses) {
    const first = hosts.filter((h) => h.addresses.includes(a)).map((h) => h.host).sort()[0]!;
    const got = await inNs(ns, ['getent', 'hosts', a]);
    t.match(got, new RegExp(`^${a.replace(/\./g, '\\.')}\\s+${first.replace(/\./g, '\\.')}\\b`), `getent hosts ${a}: ${first} (PTR)`);
  }
});
