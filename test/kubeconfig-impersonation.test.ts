// Impersonation in a kubeconfig user (as, as-uid, as-groups, as-user-extra), as kubectl sends it: the fake API
// server sees Impersonate-User, Impersonate-Uid, one Impersonate-Group header per group and Impersonate-Extra-<key>
// (the key percent-encoded as client-go does) on every list and watch, next to the user's own credential.
import t from 'tap';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { loadKubeConfig } from '../lib/sources/kubeconfig/load.js';
import { FakeApiServer } from './fake-apiserver.js';
import { startCli, stopCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';
import { until } from './helpers/until.js';
import { bearerOf, loadShop, simpleKubeconfig, tempDir } from './kubeconfig-helpers.js';

/** The Impersonate-* header lines of a request, names as sent, values decoded as the UTF-8 they are. */
function impersonation(req: IncomingMessage): [string, string][] {
  const lines: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (/^impersonate-/i.test(req.rawHeaders[i])) lines.push([req.rawHeaders[i], Buffer.from(req.rawHeaders[i + 1], 'latin1').toString('utf8')]);
  }
  return lines;
}

t.test('as, as-uid, as-groups and as-user-extra are sent on every request (the CLI)', async (t) => {
  const seen: [string, string][][] = [];
  const api = await FakeApiServer.start({
    authorize: (req) => {
      seen.push(impersonation(req));
      return bearerOf(req) === 'admin-token';
    },
  });
  t.teardown(() => api.close());
  loadShop(api);
  const dir = tempDir(t);
  const kubeconfig = simpleKubeconfig(join(dir, 'kubeconfig'), { server: api.url }, {
    token: 'admin-token',
    as: 'jane@example.com',
    'as-uid': '1234-abcd',
    'as-groups': ['developers', 'system:authenticated', 'équipe'],
    'as-user-extra': { 'scopes.example.com/team name%': ['dns', 'net'], reason: ['debugging'] },
  });
  const srv = await startCli(['--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const a = await until(() => query(srv.port, 'cart.shop.svc.cluster.local', 'A'), (r) => r.rcode === 'NOERROR', 10_000);
  t.equal(a.answers?.[0]?.data, '10.96.7.7');
  t.ok(seen.length >= 3, `${seen.length} requests`);
  const want: [string, string][] = [
    ['Impersonate-User', 'jane@example.com'],
    ['Impersonate-Uid', '1234-abcd'],
    ['Impersonate-Group', 'developers'],
    ['Impersonate-Group', 'system:authenticated'],
    ['Impersonate-Group', 'équipe'],
    ['Impersonate-Extra-scopes.example.com%2Fteam%20name%25', 'dns'],
    ['Impersonate-Extra-scopes.example.com%2Fteam%20name%25', 'net'],
    ['Impersonate-Extra-reason', 'debugging'],
  ];
  const sorted = (x: [string, string][]) => x.map((p) => p.join(': ')).sort();
  t.same(sorted(seen[0]), sorted(want), 'one header line per group and per extra value');
  t.ok(seen.every((s) => JSON.stringify(sorted(s)) === JSON.stringify(sorted(want))), 'on every list and watch');
});

t.test('impersonation fields kubectl would refuse are refused at load, naming the field', async (t) => {
  const dir = tempDir(t);
  const server = { server: 'http://127.0.0.1:9' };
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['groups without a user', { token: 't', 'as-groups': ['g'] }, /users\[0\] "test-user": as-groups is set without as/],
    ['groups not a list', { as: 'u', 'as-groups': 'g' }, /users\[0\] "test-user": as-groups must be a list of strings/],
    ['extra not a mapping', { as: 'u', 'as-user-extra': ['x'] }, /as-user-extra must be a mapping/],
    ['extra values not a list', { as: 'u', 'as-user-extra': { k: 'v' } }, /as-user-extra "k" must be a list of strings/],
    ['a newline in a value', { as: 'u\nX-Injected: 1' }, /users\[0\] "test-user": as holds a control character/],
  ];
  for (const [what, user, expected] of cases) {
    const file = simpleKubeconfig(join(dir, what.replace(/\W+/g, '-')), server, user);
    await t.rejects(loadKubeConfig({ kubeconfig: file }, {}), { name: 'KubeConfigError', message: expected }, what);
  }
});
