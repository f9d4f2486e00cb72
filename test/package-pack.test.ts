// The package as a test author gets it: `npm pack`, installed from the tarball into a new project, used from a
// node:test file (the server in-process, a bundled fixture name through node:dns) and type-checked by `tsc --strict`
// with skipLibCheck off (the public types must not drag in the server's or the Kubernetes client's). The tarball
// holds what the package needs and nothing of the repository's own (tests, bench, build state, dangling maps).
import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './helpers/cli.js';
import { cleanEnv, fixtureClusterIP, pack, run } from './helpers/package.js';

// npm install, tsc and node:test each take seconds, more on CI's two busy cores.
t.setTimeout(300_000);

const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const TYPES_NODE = (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', '@types', 'node', 'package.json'), 'utf8')) as { version: string }).version;

const tmp = await mkdtemp(path.join(os.tmpdir(), 'clusterdns-pack-'));
t.teardown(() => rm(tmp, { recursive: true, force: true }));

if (!existsSync(path.join(ROOT, 'dist', 'lib', 'index.js'))) throw new Error('dist/ is not built: run `npm run build` (npm test does it first)');
const packed = await pack(tmp);
const files = packed.files.map((f) => f.path);
t.comment(`tarball ${packed.filename}: ${(packed.size / 1024).toFixed(0)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${files.length} files`);

t.test('the tarball holds what the package needs and nothing of the repository', async (t) => {
  const license = packed.files.find((f) => f.path === 'LICENSE');
  t.ok(license, 'LICENSE shipped');
  const text = readFileSync(path.join(ROOT, 'LICENSE'), 'utf8');
  t.match(text, /Apache License\s+Version 2\.0, January 2004/, 'LICENSE is the Apache-2.0 text package.json names');
  t.equal(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).license, 'Apache-2.0');
  t.ok(files.includes('README.md'), 'README.md shipped');
  t.ok(files.includes('bin/clusterdns.js'), 'the bin');
  for (const f of readdirSync(path.join(ROOT, 'fixtures'))) t.ok(files.includes(`fixtures/${f}`), `fixtures/${f} shipped (the CLI's default and the README's examples)`);
  t.same(files.filter((f) => /\.tsbuildinfo$/.test(f)), [], 'no .tsbuildinfo');
  t.same(files.filter((f) => /^(test|bench|examples|deploy|docs|\.ci)\//.test(f)), [], 'nothing from test/, bench/ and the other repository folders');
  // A map is shipped only with every source it points at (today: no maps; the sources are not shipped).
  const dangling: string[] = [];
  for (const map of files.filter((f) => f.endsWith('.map'))) {
    const { sources } = JSON.parse(readFileSync(path.join(ROOT, map), 'utf8')) as { sources: string[] };
    for (const s of sources) if (!files.includes(path.posix.join(path.posix.dirname(map), s))) dangling.push(`${map} -> ${s}`);
  }
  t.same(dangling, [], 'no source map points at a source that is not shipped');
  // dist/ is built incrementally: output of a deleted or renamed source would ship unnoticed.
  const stale = files.filter((f) => /^dist\/.*\.js$/.test(f)).filter((f) => !existsSync(path.join(ROOT, f.replace(/^dist\//, '').replace(/\.js$/, '.ts'))));
  t.same(stale, [], 'every shipped .js has its source in the repository (no stale build output; rm -rf dist && npm run build)');
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, Record<string, string>>; bin: Record<string, string> };
  for (const target of [...Object.values(pkg.exports['.']!), ...Object.values(pkg.bin)]) t.ok(files.includes(target.replace(/^\.\//, '')), `${target} (exports/bin) shipped`);
});

t.test('installed into a new project: node:test runs it, tsc --strict type-checks it without skipLibCheck', async (t) => {
  const project = path.join(tmp, 'consumer');
  await mkdir(project);
  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const started = Date.now();
  // @types/node is what any TypeScript project on Node has; the repo's own version, so the npm cache has it.
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', packed.file, `@types/node@${TYPES_NODE}`], { cwd: project, env: cleanEnv(), timeout: 240_000 });
  const installMs = Date.now() - started;
  t.comment(`npm install of the tarball (+ @types/node): ${(installMs / 1000).toFixed(1)} s`);
  t.ok(installMs < 240_000, 'the install finishes within CI budget');

  const expected = fixtureClusterIP('myapp.yaml', 'default', 'myapp');
  await writeFile(path.join(project, 'dns.test.mjs'), `
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as dns } from 'node:dns';
import { fileURLToPath } from 'node:url';
import { startClusterDns } from 'clusterdns';

// The fixtures the package ships, found from the installed package.
const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.resolve('clusterdns')));

test('a bundled fixture name resolves through node:dns', async () => {
  const cluster = await startClusterDns({ fixtures: [fixtures] });
  try {
    const resolver = new dns.Resolver({ timeout: 2000, tries: 2 });
    resolver.setServers([cluster.address]);
    assert.deepEqual(await resolver.resolve4('myapp.default.svc.cluster.local'), [process.env.EXPECTED_IP]);
    const asked = cluster.waitForQuery({ name: 'nope.default.svc.cluster.local' }, { timeoutMs: 5000 });
    await assert.rejects(resolver.resolve4('nope.default.svc.cluster.local'), { code: 'ENOTFOUND' });
    assert.equal((await asked).rcode, 'NXDOMAIN');
  } finally {
    await cluster.close();
  }
});
`);
  // The tap reporter on every Node line (Node 24's default off a terminal is spec).
  const test = await run(process.execPath, ['--test', '--test-reporter=tap', 'dns.test.mjs'], { cwd: project, env: cleanEnv({ EXPECTED_IP: expected }), timeout: 60_000 }).catch((e: { stdout?: string; stderr?: string }) => e);
  // Matched against stdout and stderr together, so a failure shows both.
  t.match(`${test.stdout ?? ''}${test.stderr ?? ''}`, /^# pass 1\n# fail 0$/m, 'node --test in the consumer project: the in-process server answers node:dns');

  // The bin as `npx clusterdns` runs it: the bundled fixtures found from inside node_modules.
  const records = await run(path.join(project, 'node_modules', '.bin', 'clusterdns'), ['records'], { cwd: project, env: cleanEnv(), timeout: 60_000, maxBuffer: 16 << 20 })
    .catch((e: { stdout?: string; stderr?: string }) => ({ stdout: `${e.stdout ?? ''}${e.stderr ?? ''}` }));
  t.match(records.stdout, new RegExp(`^myapp\\.default\\.svc\\.cluster\\.local\\.\\t\\d+\\tIN\\tA\\t${expected.replace(/\./g, '\\.')}$`, 'm'), 'npx clusterdns records: the bundled fixtures');

  // A CommonJS project: require() of this ES module works from Node 22.12 (require(esm)) since the library has no
  // top-level await; Jest's own module system is another matter (see the README).
  const cjs = await run(process.execPath, ['-e', "const { startClusterDns } = require('clusterdns'); console.log(typeof startClusterDns)"], { cwd: project, env: cleanEnv() }).catch((e: { stdout?: string; stderr?: string }) => e);
  t.equal(`${cjs.stdout ?? ''}${cjs.stderr ?? ''}`.trim(), 'function', 'require(\'clusterdns\') from CommonJS');

  await writeFile(path.join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, skipLibCheck: false, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true },
    files: ['consumer.ts'],
  }));
  await writeFile(path.join(project, 'consumer.ts'), `
import { promises as dns } from 'node:dns';
import { startClusterDns, QTYPE, RCODE, formatRR, type Answer, type ClusterDns, type FaultSpec, type JournalEntry, type StartOptions } from 'clusterdns';

const options: StartOptions = { fixtures: ['fixtures/'], listen: '127.0.0.1:0', ttl: 30, pods: 'insecure', upstreams: ['127.0.0.1:5399'] };
const cluster: ClusterDns = await startClusterDns(options);
const resolver = new dns.Resolver();
resolver.setServers([cluster.address]);
const applied: string[] = (await cluster.apply('apiVersion: v1\\nkind: Service\\nmetadata: { name: x }\\nspec: { clusterIP: 10.96.0.9 }')).applied;
const gone: boolean = await cluster.delete('Service', 'default', 'x');
const spec: FaultSpec = { name: '*.shop.svc.cluster.local', fault: 'servfail', times: 2 };
const fault = cluster.fault(spec);
cluster.removeFault(fault.id);
cluster.clearFaults();
const seen: JournalEntry = await cluster.waitForQuery({ name: /shop/, type: 'A' }, { timeoutMs: 1000, includePast: true, signal: AbortSignal.timeout(2000) });
const byPredicate: Promise<JournalEntry> = cluster.waitForQuery((q) => q.transport === 'tcp');
cluster.clearQueries();
{
  await using disposable = await startClusterDns();
  const port: number = disposable.port;
}
const asked: JournalEntry[] = cluster.queries({ rcode: 'NXDOMAIN' });
const answer: Answer = cluster.resolve('myapp.default.svc.cluster.local', QTYPE.A);
const lines: string[] = answer.answer.map(formatRR);
const nx: boolean = answer.rcode === RCODE.NXDOMAIN;
await cluster.reload();
await cluster.close();
console.log(applied, gone, seen.transport, asked.length, lines, nx, cluster.adminAddress?.length);
// @ts-expect-error the server's internals are not part of the published types
cluster.server;
// @ts-expect-error options are typed: ttl is a number
await startClusterDns({ ttl: '30' });
`);
  const tscStarted = Date.now();
  const tsc = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: project, env: cleanEnv(), timeout: 120_000 }).then(() => ({ stdout: '' }), (e: { stdout?: string }) => e);
  t.comment(`tsc --strict --noEmit of the consumer: ${((Date.now() - tscStarted) / 1000).toFixed(1)} s`);
  t.equal(tsc.stdout ?? '', '', 'tsc --strict, skipLibCheck false, module nodenext: no error');
});
