// autopath @kubernetes as a pod sees it: the CLI runs a Corefile (autopath, kubernetes with pods verified, forward
// to a dnsmasq) in a network namespace of the test's own, where the pods' IPs are local addresses, so a client's
// query leaves from its pod's IP (dig -b, or glibc's own source choice through a route's preferred source).
// Checked: the CNAME trick through dig (question, CNAME, TTL copied), for a cluster name and for an upstream's
// reply; glibc's search walk (getent in the namespace, with a pod's resolv.conf) cut to one query, counted in the
// admin journal; a client that is no pod walks on its own; the success counter; and that one pod's answer is not
// served to a pod of another namespace from the answer cache.
import t, { type Test } from 'tap';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { findDnsmasq, DNSMASQ_SKIP } from './helpers/dnsmasq.js';
import { digMissing } from './helpers/dig.js';
import { ip, loopbackNamespace, startInNamespace } from './helpers/netns.js';

const run = promisify(execFile);

const DNS_IP = '10.96.0.10';
const SHOP_POD = '10.244.1.5';
const BLOG_POD = '10.244.2.7';
const NOT_A_POD = '10.0.0.99';
const UPSTREAM_PORT = 5300;
const HOST_SEARCH = 'corp.example';
/** what a pod in `shop` gets from the kubelet (ClusterFirst), plus the node's search domain */
const POD_SEARCH = ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', HOST_SEARCH];
const EXTERNAL = { name: 'api.external.test', ip: '192.0.2.80' };
const INTRANET = { name: 'wiki', fqdn: `wiki.${HOST_SEARCH}`, ip: '192.0.2.81' };
const WEB = { ns: 'blog', name: 'web', ip: '10.96.5.5' };
const TTL = 7;

const fixture = [
  ['Namespace', 'shop'], ['Namespace', 'blog'],
].map(([kind, name]) => ({ apiVersion: 'v1', kind, metadata: { name } })).concat([
  { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'shop', name: 'cart-0' }, spec: { containers: [{ name: 'c', image: 'x' }] }, status: { phase: 'Running', podIP: SHOP_POD } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'blog', name: 'web-0' }, spec: { containers: [{ name: 'c', image: 'x' }] }, status: { phase: 'Running', podIP: BLOG_POD } },
  { apiVersion: 'v1', kind: 'Service', metadata: { namespace: WEB.ns, name: WEB.name }, spec: { clusterIP: WEB.ip, ports: [{ port: 80 }] } },
] as any[]);

interface Env { ns: string; admin: string; dir: string }

async function inNs(ns: string, cmd: string[], timeout = 15_000): Promise<string> {
  try {
    return (await run('ip', ['netns', 'exec', ns, ...cmd], { timeout })).stdout;
  } catch (err) {
    return (err as { stdout?: string }).stdout ?? '';
  }
}

function digIn(ns: string, from: string, name: string, type = 'A'): Promise<string> {
  return inNs(ns, ['dig', `@${DNS_IP}`, '-b', from, '+tries=1', '+time=3', '+nocookie', name, type]);
}

const answerLines = (out: string) => {
  const lines = out.split('\n');
  const at = lines.findIndex((l) => l.startsWith(';; ANSWER SECTION:'));
  if (at < 0) return [];
  const res: string[] = [];
  for (const l of lines.slice(at + 1)) { if (!l.trim()) break; res.push(l.trim().split(/\s+/).join(' ')); }
  return res;
};
const questionOf = (out: string) => /;; QUESTION SECTION:\n;(\S+)/.exec(out)?.[1];
const statusOf = (out: string) => /status: ([A-Z]+)/.exec(out)?.[1];

async function api(env: Env, route: string): Promise<string> {
  return inNs(env.ns, ['curl', '-sf', `http://${env.admin}${route}`]);
}

async function journal(env: Env, client: string): Promise<{ name: string; type: string; rcode: string }[]> {
  return JSON.parse(await api(env, `/api/v1/queries?client=${client}`)).queries;
}

async function successes(env: Env): Promise<number> {
  const m = /^coredns_autopath_success_total\{server="([^"]*)"\} (\d+)$/m.exec(await api(env, '/metrics'));
  return m ? Number(m[2]) : 0;
}

/** Makes glibc's own queries leave from `src`: the route to the DNS address prefers it. */
async function sourceFor(ns: string, src: string): Promise<void> {
  await ip('-n', ns, 'route', 'replace', 'local', DNS_IP, 'dev', 'lo', 'table', 'local', 'proto', 'kernel', 'scope', 'host', 'src', src);
}

async function setup(t: Test): Promise<Env | undefined> {
  const dnsmasq = findDnsmasq();
  if (!dnsmasq) { t.skip(DNSMASQ_SKIP, () => {}); return undefined; }
  const ns = await loopbackNamespace(t, 'cdns-ap-');
  if (!ns) return undefined;
  for (const a of [DNS_IP, SHOP_POD, BLOG_POD, NOT_A_POD]) await ip('-n', ns, 'addr', 'add', `${a}/32`, 'dev', 'lo');
  const dir = mkdtempSync(path.join(tmpdir(), 'clusterdns-autopath-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'cluster.json'), JSON.stringify(fixture));
  writeFileSync(path.join(dir, 'host-resolv.conf'), `search ${HOST_SEARCH}\nnameserver 127.0.0.1\n`);
  writeFileSync(path.join(dir, 'Corefile'), [
    '.:53 {',
    `    bind ${DNS_IP}`,
    '    autopath @kubernetes',
    `    kubernetes cluster.local in-addr.arpa ip6.arpa {`,
    '        pods verified',
    `        ttl ${TTL}`,
    '    }',
    `    forward . 127.0.0.1:${UPSTREAM_PORT}`,
    '}',
  ].join('\n'));
  // The upstream: knows the external name and the intranet host; every other name under its zones is NXDOMAIN.
  const up = spawn('ip', ['netns', 'exec', ns, dnsmasq, '--keep-in-foreground', '--conf-file=/dev/null', `--port=${UPSTREAM_PORT}`,
    '--listen-address=127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts', '--pid-file=', '--log-facility=-',
    `--host-record=${EXTERNAL.name},${EXTERNAL.ip}`, `--host-record=${INTRANET.fqdn},${INTRANET.ip}`, '--local=/test/', '--local=/example/',
    '--local=/cluster.local/', '--local=/shop/', '--local=/blog/', '--local=/wiki/', '--local=/api/', `--local-ttl=${TTL * 3}`], { stdio: 'ignore' });
  t.teardown(() => { up.kill('SIGTERM'); });
  const srv = await startInNamespace(ns, ['--corefile', path.join(dir, 'Corefile'), '--fixtures', path.join(dir, 'cluster.json'),
    '--resolv-conf', path.join(dir, 'host-resolv.conf'), '--admin', '127.0.0.1:0', '--log-level', 'warn']);
  t.teardown(() => { srv.proc.kill('SIGKILL'); });
  // dnsmasq answers once it is up (bounded wait)
  for (let i = 0; i < 50; i++) {
    if (/NOERROR/.test(await inNs(ns, ['dig', '@127.0.0.1', '-p', String(UPSTREAM_PORT), '+tries=1', '+time=1', EXTERNAL.name]))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ns, admin: srv.admin!, dir };
}

const skip = digMissing || (spawnSync('ip', ['netns', 'list']).status !== 0 ? 'ip netns is not available' : false);

t.test('autopath @kubernetes through real sockets in a namespace of our own', { skip }, async (t) => {
  const env = await setup(t);
  if (!env) return;
  const { ns } = env;

  t.test('a cluster name: CNAME from the asked name to the Service, its TTL, the question as asked', async (t) => {
    const asked = `${WEB.name}.${WEB.ns}.${POD_SEARCH[0]}`;
    const before = await successes(env);
    const out = await digIn(ns, SHOP_POD, asked);
    t.equal(statusOf(out), 'NOERROR');
    t.equal(questionOf(out), `${asked}.`, 'the question is the one asked');
    const target = `${WEB.name}.${WEB.ns}.svc.cluster.local.`;
    t.same(answerLines(out), [`${asked}. ${TTL} IN CNAME ${target}`, `${target} ${TTL} IN A ${WEB.ip}`], 'CNAME first, TTL copied from the answer');
    t.match(out, /flags: qr aa rd;/, 'the winning reply keeps its AA');
    t.equal(await successes(env), before + 1, 'coredns_autopath_success_total rose by one');
  });

  t.test("an upstream's reply found by the last element: read, CNAME'd and re-encoded", async (t) => {
    const asked = `${EXTERNAL.name}.${POD_SEARCH[0]}`;
    const out = await digIn(ns, SHOP_POD, asked);
    t.equal(statusOf(out), 'NOERROR');
    t.equal(questionOf(out), `${asked}.`);
    t.same(answerLines(out), [`${asked}. ${TTL * 3} IN CNAME ${EXTERNAL.name}.`, `${EXTERNAL.name}. ${TTL * 3} IN A ${EXTERNAL.ip}`]);
    t.match(out, /flags: qr aa rd ra;/, "the upstream's AA and RA flags are kept");
    const tcp = await inNs(ns, ['dig', `@${DNS_IP}`, '-b', SHOP_POD, '+tcp', '+tries=1', '+time=3', asked]);
    t.same(answerLines(tcp), answerLines(out), 'the same over TCP');
  });

  t.test('a host search domain: the node\'s resolv.conf (--resolv-conf) is walked before the name as asked', async (t) => {
    const asked = `${INTRANET.name}.${POD_SEARCH[0]}`;
    const out = await digIn(ns, SHOP_POD, asked);
    t.same(answerLines(out), [`${asked}. ${TTL * 3} IN CNAME ${INTRANET.fqdn}.`, `${INTRANET.fqdn}. ${TTL * 3} IN A ${INTRANET.ip}`]);
  });

  t.test('a client whose address is no pod gets the plain answer', async (t) => {
    const asked = `${EXTERNAL.name}.${POD_SEARCH[0]}`;
    const before = await successes(env);
    const out = await digIn(ns, NOT_A_POD, asked);
    t.equal(statusOf(out), 'NXDOMAIN');
    t.same(answerLines(out), []);
    t.equal(await successes(env), before, 'no autopath success counted');
  });

  t.test("cache: one pod's walked answer is not served to a pod of another namespace, nor the other way", async (t) => {
    const asked = `${WEB.name}.${WEB.ns}.${POD_SEARCH[0]}`;
    for (let round = 0; round < 3; round++) {
      const blog = await digIn(ns, BLOG_POD, asked);
      t.equal(statusOf(blog), 'NXDOMAIN', `round ${round}: the blog pod's own answer (no walk: not its namespace)`);
      const shop = await digIn(ns, SHOP_POD, asked);
      t.equal(answerLines(shop).length, 2, `round ${round}: the shop pod still gets its walked answer`);
    }
    // and a name every client gets the same answer for stays the same for both
    const direct = `${WEB.name}.${WEB.ns}.svc.cluster.local`;
    const a = answerLines(await digIn(ns, SHOP_POD, direct));
    const b = answerLines(await digIn(ns, BLOG_POD, direct));
    t.same(a, [`${direct}. ${TTL} IN A ${WEB.ip}`]);
    t.same(b, a);
  });

  t.test("glibc's search walk (getent in the namespace, a pod's resolv.conf, ndots:5) takes one query", async (t) => {
    // ip netns exec bind-mounts /etc/netns/<ns>/resolv.conf over /etc/resolv.conf for the command it runs.
    const etc = path.join('/etc/netns', ns);
    mkdirSync(etc, { recursive: true });
    t.teardown(() => rmSync(etc, { recursive: true, force: true }));
    writeFileSync(path.join(etc, 'resolv.conf'), `nameserver ${DNS_IP}\nsearch ${POD_SEARCH.join(' ')}\noptions ndots:5 attempts:1 timeout:2\n`);

    const walk = async (src: string, name: string) => {
      await sourceFor(ns, src);
      const before = (await journal(env, src)).length;
      const out = await inNs(ns, ['getent', 'ahostsv4', name]);
      const after = await journal(env, src);
      return { out, queries: after.slice(before).filter((q) => q.type === 'A') };
    };

    const pod = await walk(SHOP_POD, EXTERNAL.name);
    t.match(pod.out, new RegExp(`^${EXTERNAL.ip.replace(/\./g, '\\.')}\\s`), `getent resolves ${EXTERNAL.name}`);
    t.same(pod.queries.map((q) => q.name), [`${EXTERNAL.name}.${POD_SEARCH[0]}`], 'one A query: the first search name, answered by autopath');

    const other = await walk(NOT_A_POD, EXTERNAL.name);
    t.match(other.out, new RegExp(`^${EXTERNAL.ip.replace(/\./g, '\\.')}\\s`), 'a client that is no pod resolves it too');
    t.same(other.queries.map((q) => q.name), [...POD_SEARCH.map((s) => `${EXTERNAL.name}.${s}`), EXTERNAL.name],
      'walking the list itself: one query per search domain, then the name as asked');

    const short = await walk(SHOP_POD, `${WEB.name}.${WEB.ns}`);
    t.match(short.out, new RegExp(`^${WEB.ip.replace(/\./g, '\\.')}\\s`), 'a Service in another namespace by its short name');
    t.equal(short.queries.length, 1, 'in one query');
  });
});
