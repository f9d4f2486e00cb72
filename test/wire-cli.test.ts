// The command line as other issues and outside checks drive it: serve the fixtures on a free port and print where,
// --help, exit code 2 for unknown flags and bad values, a clear error naming the file and line for a broken fixture.
// The CLI runs from its TypeScript source through the same loader tap uses, so the test never depends on a stale
// dist/ (CI's `npm ci` builds dist/ through `prepare`; `node dist/server/main.js` takes the same flags).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { queryTcp, queryUdp } from './helpers/dns-wire.js';
import { answers } from './helpers/records.js';
import { SCHEMA_FIXTURES } from './helpers/server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(ROOT, 'server', 'main.ts');
const TS_LOADER = new URL('../node_modules/@tapjs/typescript/dist/esm/import.mjs', import.meta.url).href;

function cli(args: string[]): ChildProcess {
  return spawn(process.execPath, [`--import=${TS_LOADER}`, MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], timeoutMs = 60_000): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const p = cli(args);
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (d) => { stdout += d; });
    p.stderr!.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`clusterdns ${args.join(' ')} did not exit within ${timeoutMs} ms`)); }, timeoutMs);
    p.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

t.test('serves the fixtures and prints where', async (t) => {
  const p = cli(['--fixtures', SCHEMA_FIXTURES, '--listen', '127.0.0.1:0']);
  t.teardown(() => { p.kill('SIGKILL'); });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "on 127.0.0.1:PORT udp+tcp" line within 60 s; output: ${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /on 127\.0\.0\.1:(\d+) udp\+tcp/.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    p.stdout!.on('data', onData);
    p.stderr!.on('data', onData);
    p.on('exit', (code) => reject(new Error(`exited with ${code} before serving: ${out}`)));
  });
  t.ok(port > 0, `serving on port ${port}`);
  const server = { host: '127.0.0.1', port };
  t.same(answers(await queryUdp(server, 'svc1.testns.svc.cluster.local', 'A')), ['svc1.testns.svc.cluster.local 5 A 10.0.0.1'], 'UDP');
  t.same(answers(await queryTcp(server, 'svc1.testns.svc.cluster.local', 'A')), ['svc1.testns.svc.cluster.local 5 A 10.0.0.1'], 'TCP');
  const exited = new Promise<number | null>((resolve) => p.on('exit', (code) => resolve(code)));
  p.kill('SIGTERM');
  t.ok([0, null].includes(await exited), 'stops on SIGTERM');
});

t.test('flags', async (t) => {
  await t.test('--help exits 0 and lists the flags', async (t) => {
    const r = await run(['--help']);
    t.equal(r.code, 0);
    for (const flag of ['--fixtures', '--listen', '--zone', '--ttl', '--pods', '--endpoint-pod-names']) {
      t.match(r.stdout + r.stderr, flag, `mentions ${flag}`);
    }
  });
  for (const args of [['--no-such-flag'], ['--ttl', 'abc'], ['--ttl', '-1'], ['--ttl', '3601'], ['--pods', 'maybe'], ['--listen', 'nonsense']]) {
    await t.test(`${args.join(' ')} → exit 2 with a message`, async (t) => {
      const r = await run([...args, '--fixtures', SCHEMA_FIXTURES]);
      t.equal(r.code, 2, 'exit code 2');
      t.ok(r.stderr.trim().length > 0, `a message on stderr: ${r.stderr.trim().split('\n')[0]}`);
    });
  }
});

t.test('a fixture that does not parse stops start-up, naming the file and line', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'clusterdns-bad-'));
  const file = join(dir, 'broken.yaml');
  writeFileSync(file, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: ok\n  labels: {a: b\nspec: {}\n');
  const r = await run(['--fixtures', file, '--listen', '127.0.0.1:0']);
  t.not(r.code, 0, 'non-zero exit');
  t.match(r.stderr + r.stdout, 'broken.yaml', 'names the file');
  t.match(r.stderr + r.stdout, /line \d+|:\d+(:\d+)?/, 'gives a line');
});
