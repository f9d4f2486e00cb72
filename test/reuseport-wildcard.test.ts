// --reuse-port on a wildcard listen: the wildcard socket and the per-address UDP sockets (lib/wire/local-addresses.ts)
// all share the port, so a second process binds every one of them too; replies still leave from the address asked
// (dig drops any other), the kernel spreads each address's queries between the processes, and an address added
// while both run is bound by both. In a network namespace of the test's own (deleted at teardown).
import t, { type Test } from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { reusePortProblem } from '../lib/wire/reuse-port.js';
import { ip, loopbackNamespace, startInNamespace } from './helpers/netns.js';

const run = promisify(execFile);
const NAME = 'myapp.default.svc.cluster.local';
const POLL_MS = 300;

async function dig(ns: string, server: string, tcp = false): Promise<string> {
  const args = ['netns', 'exec', ns, 'dig', '+short', '+time=1', '+tries=2', ...(tcp ? ['+tcp'] : []), `@${server}`, '-p', '5300', NAME, 'A'];
  try {
    return (await run('ip', args, { timeout: 10_000 })).stdout.trim().split('\n')[0] ?? '';
  } catch (err) {
    return `dig failed: ${(err as { stdout?: string }).stdout ?? (err as Error).message}`.trim();
  }
}

async function udpRequests(ns: string, admin: string): Promise<number> {
  const { stdout } = await run('ip', ['netns', 'exec', ns, 'curl', '-sf', `http://${admin}/metrics`], { timeout: 10_000 });
  let n = 0;
  for (const m of stdout.matchAll(/^coredns_dns_requests_total\{[^}]*proto="udp"[^}]*\} (\S+)$/gm)) n += Number(m[1]);
  return n;
}

async function namespace(t: Test): Promise<string | undefined> {
  return loopbackNamespace(t, 'cdns-rp-');
}

t.test('two processes on 0.0.0.0 with --reuse-port share every per-address socket', { skip: reusePortProblem() }, async (t) => {
  const ns = await namespace(t);
  if (!ns) return;
  const args = ['--listen', '0.0.0.0:5300', '--admin', '127.0.0.1:0', '--reuse-port', '--address-poll', String(POLL_MS), '--log-level', 'warn'];
  const a = await startInNamespace(ns, args);
  t.teardown(() => { a.proc.kill('SIGKILL'); });
  const want = await dig(ns, '127.0.0.53');
  t.match(want, /^\d+\.\d+\.\d+\.\d+$/, `the first process answers on the alias (${want})`);
  const b = await startInNamespace(ns, args);
  t.teardown(() => { b.proc.kill('SIGKILL'); });
  t.pass('the second process bound the wildcard and every per-address socket');

  const before = await Promise.all([udpRequests(ns, a.admin!), udpRequests(ns, b.admin!)]);
  let right = 0;
  const N = 30;
  for (let i = 0; i < N; i++) if ((await dig(ns, i % 2 ? '127.0.0.53' : '127.0.0.1')) === want) right++;
  t.equal(right, N, 'every dig (a new source port each) got the answer, from the address it asked');
  const after = await Promise.all([udpRequests(ns, a.admin!), udpRequests(ns, b.admin!)]);
  const split = [after[0] - before[0], after[1] - before[1]];
  t.comment(`split ${split.join(' / ')}`);
  t.equal(split[0]! + split[1]!, N, 'the two /metrics add up to every query');
  t.ok(split[0]! > 0 && split[1]! > 0, 'both processes answered some (2^-29 that a fair hash picks one for all)');

  // An address that appears while both run: each binds it on its next poll, sharing it.
  await ip('-n', ns, 'addr', 'add', '127.0.0.54/8', 'dev', 'lo');
  await new Promise((r) => setTimeout(r, POLL_MS * 4));
  const { stdout: ss } = await run('ip', ['netns', 'exec', ns, 'ss', '-Hulnp', 'sport = :5300'], { timeout: 10_000 });
  const onNew = ss.split('\n').filter((l) => l.includes('127.0.0.54:5300'));
  t.equal(onNew.length, 2, 'both processes bound the new address');
  t.equal(await dig(ns, '127.0.0.54'), want, 'and it is answered');
  t.equal(await dig(ns, '127.0.0.53', true), want, 'TCP too');
  t.notMatch(a.stderr() + b.stderr(), /udp bind|error/i, 'no bind failure reported');
});
