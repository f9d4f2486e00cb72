// Who may use the admin API, over real HTTP: weak tokens refused at start-up (exit 2 / a thrown error), the token
// compared in constant time, `--admin-auth all|writes`, and `all` by default on a listener beyond loopback (in a
// network namespace of its own, so nothing listens outside this machine's loopback).
import t from 'tap';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { startClusterDns } from '../lib/index.js';
import { MAIN, ROOT, runCli, startCli, stopCli } from './helpers/cli.js';

const TOKEN = randomBytes(16).toString('hex');

function runWithEnv(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.on('exit', (code) => { clearTimeout(timer); resolve({ code, stderr }); });
  });
}

t.test('weak tokens: the CLI exits 2 saying what to fix; the in-process API throws', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--admin-token', '        '], /--admin-token: the admin token is empty or only whitespace/],
    [['--admin-token', 'hunter2'], /--admin-token: the admin token has 7 characters: use at least 16/],
    [['--admin-token', 'a'.repeat(40)], /1 characters repeated: use a random one/],
    [['--admin-token', 'abcdefgh ijklmnopq'], /whitespace or control characters/],
    [['--admin-auth', 'all'], /--admin-auth all needs a token to require/],
    [['--admin-auth', 'reads'], /--admin-auth reads: expected all or writes/],
  ];
  for (const [args, msg] of cases) {
    const r = await runCli([...args, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    t.equal(r.code, 2, `${JSON.stringify(args)} exits 2`);
    t.match(r.stderr, msg, `${JSON.stringify(args)}: ${r.stderr.split('\n')[0]}`);
  }
  const env = await runWithEnv(['--listen', '127.0.0.1:0'], { CLUSTERDNS_ADMIN_TOKEN: '' });
  t.equal(env.code, 2, 'an empty CLUSTERDNS_ADMIN_TOKEN exits 2');
  t.match(env.stderr, /empty or only whitespace/);

  await t.rejects(startClusterDns({ admin: '127.0.0.1:0', adminToken: ' '.repeat(8) }), /empty or only whitespace \(--admin-token, CLUSTERDNS_ADMIN_TOKEN or adminToken\)/);
  await t.rejects(startClusterDns({ admin: '127.0.0.1:0', adminToken: 'short' }), /use at least 16/);
  await t.rejects(startClusterDns({ admin: '127.0.0.1:0', adminAuth: 'all' }), /needs a token to require/);
});

t.test('--admin-auth writes (the loopback default): reads open, writes need the exact token', async (t) => {
  const cli = await startCli(['--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--admin-token', TOKEN]);
  t.teardown(() => stopCli(cli.proc));
  const admin = /admin http:\/\/([^\s,]+)/.exec(cli.line)![1];
  const call = (method: string, route: string, authorization?: string, body?: unknown) => fetch(`http://${admin}${route}`, {
    method, headers: { ...(authorization !== undefined ? { authorization } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  for (const route of ['/api/v1/status', '/api/v1/queries', '/api/v1/records?type=SOA', '/api/v1/faults', '/health', '/ready', '/metrics']) {
    t.equal((await call('GET', route)).status, 200, `GET ${route} needs no token`);
  }
  const spec = { name: 'nope.default.svc.cluster.local', fault: 'servfail' };
  for (const [what, header] of [['none', undefined], ['a wrong token', `Bearer ${'0'.repeat(32)}`], ['the token and one more character', `Bearer ${TOKEN}x`],
    ['its first half', `Bearer ${TOKEN.slice(0, 16)}`], ['it without "Bearer"', TOKEN], ['8 spaces', `Bearer ${' '.repeat(8)}`], ['Basic', `Basic ${TOKEN}`]] as const) {
    const r = await call('POST', '/api/v1/faults', header, spec);
    t.equal(r.status, 401, `${what}: 401`);
    t.equal(r.headers.get('www-authenticate'), 'Bearer realm="clusterdns"');
    t.match((await r.json()).message, /Authorization: Bearer <token>/);
  }
  t.equal((await call('POST', '/api/v1/faults', `Bearer ${TOKEN}`, spec)).status, 201, 'the token: 201');
  t.equal((await call('DELETE', '/api/v1/faults', `bearer  ${TOKEN}`)).status, 200, 'the scheme is case-insensitive (RFC 7235)');
  t.equal((await call('DELETE', '/api/v1/queries')).status, 401, 'emptying the journal needs the token');
});

t.test('--admin-auth all: every route but the probes, metrics and docs needs the token', async (t) => {
  const cli = await startCli(['--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--admin-token', TOKEN, '--admin-auth', 'all']);
  t.teardown(() => stopCli(cli.proc));
  const admin = /admin http:\/\/([^\s,]+)/.exec(cli.line)![1];
  const get = (route: string, authorization?: string) => fetch(`http://${admin}${route}`, { headers: authorization ? { authorization } : {} });
  for (const route of ['/api/v1/status', '/api/v1/queries', '/api/v1/records', '/api/v1/faults', '/api/v1/resolve?name=kubernetes.default.svc.cluster.local',
    '/api/v1/nothing-here']) {
    const r = await get(route);
    t.equal(r.status, 401, `GET ${route} without the token: 401`);
    const body = await r.json();
    t.match(body.message, /requires the token for every route but \/health, \/ready, \/metrics and \/docs/);
    t.notMatch(JSON.stringify(body), /queries|127\.0\.0\.1/, 'no data in the refusal');
    t.equal((await get(route, `Bearer ${TOKEN}x`)).status, 401, `GET ${route} with a wrong token: 401`);
  }
  // Paths a client would not normalise, sent as they are: decided by the route that answers, not the URL's look.
  const [host, port] = [admin.slice(0, admin.lastIndexOf(':')), Number(admin.slice(admin.lastIndexOf(':') + 1))];
  for (const raw of ['/docs/../api/v1/queries', '/docs/%2e%2e/api/v1/queries', '//api/v1/queries', '/health/../api/v1/queries', '/api/v1/queries#/health']) {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      http.get({ host, port, path: raw }, (res) => {
        let b = '';
        res.on('data', (d) => (b += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
      }).on('error', reject);
    });
    t.notMatch(body, /"capacity"|"queries"/, `${raw} (${status}) does not show the journal`);
  }
  t.equal((await get('/api/v1/queries', `Bearer ${TOKEN}`)).status, 200, 'the token reads the journal');
  for (const route of ['/health', '/ready', '/metrics', '/openapi.json', '/docs']) {
    t.ok((await get(route)).status < 400, `${route} stays open`);
  }
});

t.test('beyond loopback, reads need the token by default', async (t) => {
  const ns = `cdns-auth-${randomBytes(4).toString('hex')}`;
  const addr = '10.211.7.1';
  execFileSync('ip', ['netns', 'add', ns]);
  t.teardown(() => { try { execFileSync('ip', ['netns', 'del', ns]); } catch { /* already gone */ } });
  execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  execFileSync('ip', ['-n', ns, 'addr', 'add', `${addr}/32`, 'dev', 'lo']);
  // `ip netns exec` execs node, so this child is the server itself.
  const proc = spawn('ip', ['netns', 'exec', ns, process.execPath, MAIN, '--listen', '127.0.0.1:0', '--admin', `${addr}:0`, '--admin-token', TOKEN], { cwd: ROOT });
  t.teardown(() => stopCli(proc));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no serving line: ${out}`)), 20_000);
    proc.stdout.on('data', (d) => { out += d; if (out.includes('\n')) { clearTimeout(timer); resolve(out); } });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}: ${out}`)); });
  });
  const admin = /admin http:\/\/([^\s,]+)/.exec(line)![1];
  t.match(admin, new RegExp(`^${addr.replace(/\./g, '\\.')}:\\d+$`), `the admin API listens on ${admin}`);
  const curl = (route: string, token?: string) => {
    const out = execFileSync('ip', ['netns', 'exec', ns, 'curl', '-s', '--max-time', '5', '-w', '\n%{http_code}',
      ...(token ? ['-H', `Authorization: Bearer ${token}`] : []), `http://${admin}${route}`]).toString();
    return Number(out.slice(out.lastIndexOf('\n') + 1));
  };
  t.equal(curl('/api/v1/queries'), 401, 'the query journal needs the token');
  t.equal(curl('/api/v1/records'), 401, 'so do the records');
  t.equal(curl('/api/v1/queries', TOKEN), 200, 'with the token: 200');
  t.equal(curl('/health'), 200, '/health stays open');
  t.equal(curl('/metrics'), 200, '/metrics stays open');
});
