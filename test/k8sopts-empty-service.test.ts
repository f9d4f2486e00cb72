// `ignore empty_service` through the real executable started from a Corefile: a ClusterIP Service with no ready
// endpoint address is NXDOMAIN for every type and every name under it (SRV, _port._proto, endpoint names), headless
// and ExternalName Services are untouched, and a glibc stub with a search path walks on past it to the next
// search domain; without the option the ClusterIP answers.
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startCli, stopCli } from './helpers/cli.js';
import { dig, digFlags, digMissing, digSection, digStatus } from './helpers/dig.js';
import { CLUSTER_IPS, EXTERNAL, NS, clusterDir, dbEndpoints, rdata } from './helpers/k8sopts-cluster.js';
import { loopbackNamespace, startInNamespace } from './helpers/netns.js';
import { stopCli as stopProc } from './helpers/cli.js';

const run = promisify(execFile);

if (digMissing) {
  t.plan(0, digMissing);
  process.exit(0);
}

const ZONE = 'cluster.local';
const corefileText = (opts: string) => `.:53 {\n  kubernetes ${ZONE} in-addr.arpa {\n${opts}  }\n}\n`;

t.test('dig: empty ClusterIP Services are NXDOMAIN with the option, answered without it', async (t) => {
  const c = clusterDir(t);
  const on = await startCli(['--corefile', c.corefile(corefileText('    ignore empty_service\n')), '--fixtures', c.fixture, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(on.proc));
  const off = await startCli(['--corefile', c.corefile(corefileText('')), '--fixtures', c.fixture, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(off.proc));
  const withOpt = { host: '127.0.0.1', port: on.port };
  const without = { host: '127.0.0.1', port: off.port };

  for (const svc of ['empty', 'notready'] as const) {
    const name = `${svc}.${NS}.svc.${ZONE}`;
    for (const [q, type] of [[name, 'A'], [name, 'AAAA'], [name, 'SRV'], [name, 'TXT'], [name, 'MX'], [`_http._tcp.${name}`, 'SRV'], [`_http._tcp.${name}`, 'A']]) {
      const out = await dig(withOpt, [q, type]);
      t.equal(digStatus(out), 'NXDOMAIN', `${q} ${type}: NXDOMAIN`);
      t.ok(digFlags(out).includes('aa'), `${q} ${type}: authoritative`);
      t.match(digSection(out, 'AUTHORITY').join('\n'), new RegExp(`^${ZONE}\\. \\d+ IN SOA ns\\.dns\\.${ZONE}\\.`), `${q} ${type}: SOA in authority`);
    }
    const plain = await dig(without, [name, 'A']);
    t.equal(digStatus(plain), 'NOERROR', `${svc} without the option`);
    t.strictSame(rdata(digSection(plain, 'ANSWER'), 'A'), [CLUSTER_IPS[svc]], `${svc} without the option: its ClusterIP`);
    // The reverse name of its ClusterIP is not a name of the Service: it keeps its PTR.
    const ptr = await dig(withOpt, ['-x', CLUSTER_IPS[svc]]);
    t.strictSame(rdata(digSection(ptr, 'ANSWER'), 'PTR'), [`${name}.`], `${svc}: PTR of its ClusterIP stays`);
  }

  const api = await dig(withOpt, [`api.${NS}.svc.${ZONE}`, 'A']);
  t.strictSame(rdata(digSection(api, 'ANSWER'), 'A'), [CLUSTER_IPS.api], 'a Service with a ready endpoint answers');
  const srv = await dig(withOpt, [`_http._tcp.api.${NS}.svc.${ZONE}`, 'SRV']);
  t.strictSame(rdata(digSection(srv, 'ANSWER'), 'SRV'), [`0 100 80 api.${NS}.svc.${ZONE}.`]);
  const ext = await dig(withOpt, [`ext.${NS}.svc.${ZONE}`, 'CNAME']);
  t.strictSame(rdata(digSection(ext, 'ANSWER'), 'CNAME'), [`${EXTERNAL}.`], 'ExternalName is never hidden');
  const db = await dig(withOpt, [`db.${NS}.svc.${ZONE}`, 'A']);
  t.strictSame(rdata(digSection(db, 'ANSWER'), 'A'), dbEndpoints().filter((e) => !e.ip.includes(':')).map((e) => e.ip).sort(), 'headless: untouched');
  const lonely = await dig(withOpt, [`lonely.${NS}.svc.${ZONE}`, 'A']);
  t.equal(digStatus(lonely), 'NXDOMAIN', 'headless without endpoints: NXDOMAIN as always');
  const nsName = await dig(withOpt, [`${NS}.svc.${ZONE}`, 'A']);
  t.equal(digStatus(nsName), 'NOERROR', 'the namespace still exists');
});

t.test('glibc walks on through its search path past an empty Service', async (t) => {
  const ns = await loopbackNamespace(t, 'k8soptsE');
  if (!ns) return;
  const c = clusterDir(t);
  // The next search domain knows the name: a company zone served here as static records.
  const OTHER = '192.0.2.99';
  const records = path.join(c.dir, 'corp.zone');
  writeFileSync(records, `$ORIGIN corp.example.\nempty 30 IN A ${OTHER}\napi 30 IN A 192.0.2.98\n`);
  // `ip netns exec` mounts /etc/netns/<ns>/resolv.conf over /etc/resolv.conf for the commands it runs.
  const etc = `/etc/netns/${ns}`;
  mkdirSync(etc, { recursive: true });
  t.teardown(() => rmSync(etc, { recursive: true, force: true }));
  writeFileSync(path.join(etc, 'resolv.conf'),
    `nameserver 127.0.0.53\nsearch ${NS}.svc.${ZONE} svc.${ZONE} ${ZONE} corp.example\noptions ndots:5 attempts:1 timeout:2\n`);
  const lookup = async (name: string) => {
    const r = await run('ip', ['netns', 'exec', ns, 'getent', 'ahostsv4', name], { timeout: 15_000 }).catch((e) => ({ stdout: String(e.stdout ?? '') }));
    return [...new Set(r.stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0]))];
  };
  for (const [opt, expected] of [['', CLUSTER_IPS.empty], ['    ignore empty_service\n', OTHER]] as const) {
    const srv = await startInNamespace(ns, ['--corefile', c.corefile(corefileText(opt)), '--fixtures', c.fixture, '--records', records,
      '--listen', '127.0.0.53:53', '--admin', 'off']);
    try {
      t.strictSame(await lookup('empty'), [expected], `getent ahostsv4 empty ${opt ? 'with' : 'without'} ignore empty_service`);
      t.strictSame(await lookup('api'), [CLUSTER_IPS.api], 'a Service with endpoints is found first in the search path');
    } finally {
      await stopProc(srv.proc);
    }
  }
});
