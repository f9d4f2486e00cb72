// Short names through real stub resolvers, as on a laptop whose resolver has no search list: in a network namespace
// of the test's own, resolv.conf names clusterdns (--short-names, bundled fixtures) and nothing else. glibc
// (getent), curl (an HTTP server on the Service's ClusterIP, made local in the namespace) and Node's resolvers
// (c-ares' dns.promises.Resolver and getaddrinfo's dns.lookup) must all take the answer owned by the short name.
import t from 'tap';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './helpers/cli.js';
import { digMissing } from './helpers/dig.js';
import { ip, loopbackNamespace, startInNamespace } from './helpers/netns.js';

const run = promisify(execFile);
const DNS = '127.0.0.53';

async function inNs(ns: string, cmd: string[], timeout = 15_000): Promise<string> {
  try {
    return (await run('ip', ['netns', 'exec', ns, ...cmd], { timeout })).stdout;
  } catch (err) {
    return (err as { stdout?: string }).stdout ?? '';
  }
}

/** the server's own records for a full cluster name (dig +short in the namespace) */
async function cluster(ns: string, name: string, type = 'A'): Promise<string[]> {
  const out = await inNs(ns, ['dig', `@${DNS}`, '+short', '+tries=1', '+time=3', name, type]);
  return out.split('\n').filter(Boolean).sort();
}

const skip = digMissing || (spawnSync('ip', ['netns', 'list']).status !== 0 ? 'ip netns is not available' : false);

t.test('short names through glibc, curl and Node with no search list', { skip }, async (t) => {
  const ns = await loopbackNamespace(t, 'cdns-sn-');
  if (!ns) return;
  const etc = path.join('/etc/netns', ns);
  mkdirSync(etc, { recursive: true });
  t.teardown(() => rmSync(etc, { recursive: true, force: true }));
  // ip netns exec bind-mounts this over /etc/resolv.conf: no search, no domain line.
  writeFileSync(path.join(etc, 'resolv.conf'), `nameserver ${DNS}\noptions attempts:1 timeout:2\n`);
  const srv = await startInNamespace(ns, ['--fixtures', path.join(ROOT, 'fixtures'), '--listen', `${DNS}:53`, '--admin', 'off',
    '--short-names', '--log-level', 'warn']);
  t.teardown(() => { srv.proc.kill('SIGKILL'); });

  const apiIPs = await cluster(ns, 'api.shop.svc.cluster.local');
  t.equal(apiIPs.length, 1, 'the fixture has one ClusterIP for api.shop');
  const apiIP = apiIPs[0]!;

  t.test('getent hosts / ahostsv4 (glibc, no search list)', async (t) => {
    const hosts = await inNs(ns, ['getent', 'hosts', 'api.shop']);
    t.match(hosts, new RegExp(`^${apiIP.replace(/\./g, '\\.')}\\s+api\\.shop\\s*$`, 'm'), 'getent hosts api.shop: its ClusterIP, under the short name');
    const svc = await inNs(ns, ['getent', 'ahostsv4', 'api.shop.svc']);
    t.match(svc, new RegExp(`^${apiIP.replace(/\./g, '\\.')}\\s`), 'api.shop.svc too');
    const pod = await cluster(ns, 'web-0.web-headless.default.svc.cluster.local');
    const got = await inNs(ns, ['getent', 'ahostsv4', 'web-0.web-headless.default']);
    t.equal(pod.length, 1);
    t.match(got, new RegExp(`^${pod[0]!.replace(/\./g, '\\.')}\\s`), 'a pod hostname under a headless Service');
    const headless = await cluster(ns, 'myapp-headless.default.svc.cluster.local');
    const all = (await inNs(ns, ['getent', 'ahostsv4', 'myapp-headless.default'])).split('\n').filter((l) => / STREAM /.test(l)).map((l) => l.split(/\s+/)[0]).sort();
    t.same(all, headless, 'every endpoint of a headless Service');
    t.equal(await inNs(ns, ['getent', 'hosts', 'nope.shop']), '', 'an unknown name stays unknown');
  });

  t.test('curl http://api.shop/ reaches a server on the ClusterIP', async (t) => {
    await ip('-n', ns, 'addr', 'add', `${apiIP}/32`, 'dev', 'lo');
    const dir = mkdtempSync(path.join(tmpdir(), 'clusterdns-sn-www-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(path.join(dir, 'hello.txt'), 'hello from api.shop\n');
    const http = spawn('ip', ['netns', 'exec', ns, 'python3', '-m', 'http.server', '8080', '--bind', apiIP, '--directory', dir], { stdio: 'ignore' });
    t.teardown(() => { http.kill('SIGTERM'); });
    let body = '';
    for (let i = 0; i < 50 && body === ''; i++) {
      body = await inNs(ns, ['curl', '-s', '--max-time', '3', 'http://api.shop:8080/hello.txt']);
      if (body === '') await new Promise((r) => setTimeout(r, 100));
    }
    t.equal(body, 'hello from api.shop\n');
  });

  t.test("Node: dns.promises.Resolver (c-ares) and dns.lookup (getaddrinfo)", async (t) => {
    const script = `
      const dns = require('node:dns');
      const r = new dns.promises.Resolver({ timeout: 2000, tries: 1 });
      r.setServers(['${DNS}']);
      (async () => {
        const out = {};
        out.a = await r.resolve4('api.shop');
        out.srv = (await r.resolveSrv('_http._tcp.api.shop')).map((s) => s.name + ':' + s.port);
        out.lookup = (await dns.promises.lookup('api.shop.svc', { family: 4 })).address;
        out.missing = await r.resolve4('nope.shop').then(() => 'found', (e) => e.code);
        console.log(JSON.stringify(out));
      })().catch((e) => { console.log(JSON.stringify({ error: String(e) })); });`;
    const got = JSON.parse((await inNs(ns, [process.execPath, '-e', script])) || '{}');
    const srvRecords = (await cluster(ns, '_http._tcp.api.shop.svc.cluster.local', 'SRV')).map((l) => { const [, , port, target] = l.split(' '); return `${target!.replace(/\.$/, '')}:${port}`; });
    t.same(got, { a: [apiIP], srv: srvRecords, lookup: apiIP, missing: 'EREFUSED' }, 'nope.shop: no expansion; without an upstream the command line refuses it as any other name');
  });
});
