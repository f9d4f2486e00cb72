// Listening on a wildcard (the Corefile default), a UDP reply used to leave from the route's source address, not
// the address the client asked: a query to a secondary address or a loopback alias (127.0.0.53) got its reply
// from the primary, and dig, glibc and musl dropped it. Now every local address has its own UDP socket, followed
// as addresses come and go. Driven with dig inside a network namespace made for the test.
import t, { type Test } from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ip, loopbackNamespace, startInNamespace } from './helpers/netns.js';

const run = promisify(execFile);
const NAME = 'myapp.default.svc.cluster.local';
const WANT = '10.96.120.15'; // the bundled fixtures' myapp Service
const POLL_MS = 300;

/** dig inside the namespace; the first answer line, or dig's complaint (a timeout names the reply's source). */
async function dig(ns: string, server: string, tcp = false): Promise<string> {
  const args = ['netns', 'exec', ns, 'dig', '+short', '+time=1', '+tries=2', ...(tcp ? ['+tcp'] : []), `@${server}`, NAME, 'A'];
  try {
    const { stdout } = await run('ip', args, { timeout: 10_000 });
    return stdout.trim().split('\n')[0] ?? '';
  } catch (err) {
    return `dig failed: ${(err as { stdout?: string }).stdout ?? (err as Error).message}`.trim();
  }
}

/**
 * A network namespace of the test's own with loopback up, the alias 127.0.0.53 on it, and 10.99.0.1 plus the
 * secondary 10.99.0.2 on a veth end `cd0` (deleted at teardown);
 * undefined (the test skipped) where namespaces cannot be made.
 */
async function namespaceWithAddresses(t: Test): Promise<string | undefined> {
  const ns = await loopbackNamespace(t, 'cdns-');
  if (!ns) return undefined;
  // No dummy module everywhere: a veth pair, both ends in the namespace, carries a primary and a secondary address.
  await ip('-n', ns, 'link', 'add', 'cd0', 'type', 'veth', 'peer', 'name', 'cd1');
  await ip('-n', ns, 'link', 'set', 'cd0', 'up');
  await ip('-n', ns, 'link', 'set', 'cd1', 'up');
  await ip('-n', ns, 'addr', 'add', '10.99.0.1/24', 'dev', 'cd0');
  await ip('-n', ns, 'addr', 'add', '10.99.0.2/24', 'dev', 'cd0'); // secondary: its local route's src is 10.99.0.1
  return ns;
}

t.test('--listen 0.0.0.0:53: UDP replies come from the address asked, as addresses come and go', async (t) => {
  const ns = await namespaceWithAddresses(t);
  if (!ns) return;

  const srv = await startInNamespace(ns, ['--listen', '0.0.0.0:53', '--admin', 'off', '--address-poll', String(POLL_MS)]);
  let exited: number | null = null;
  srv.proc.on('exit', (code) => (exited = code ?? -1));
  t.teardown(() => { srv.proc.kill('SIGKILL'); });
  t.match(srv.line, /on 0\.0\.0\.0:53 udp\+tcp/);

  for (const addr of ['127.0.0.1', '127.0.0.53', '10.99.0.1', '10.99.0.2']) {
    t.equal(await dig(ns, addr), WANT, `UDP to ${addr} answered`);
  }
  t.equal(await dig(ns, '10.99.0.2', true), WANT, 'TCP to the secondary address answered (TCP stays on the wildcard)');

  // An address that appears while running (a VIP, an alias) is answered within the poll interval.
  await ip('-n', ns, 'addr', 'add', '10.99.0.3/24', 'dev', 'cd0');
  const added = Date.now();
  let got = '';
  for (let i = 0; i < 20 && got !== WANT; i++) got = await dig(ns, '10.99.0.3');
  const took = Date.now() - added;
  t.equal(got, WANT, `an address added while running is answered (after ${took} ms, poll ${POLL_MS} ms)`);
  t.ok(took < 10_000, 'within a few poll intervals (dig retries take a second each)');

  // An address that goes away: its socket is closed, nothing breaks.
  await ip('-n', ns, 'addr', 'del', '10.99.0.2/24', 'dev', 'cd0');
  await new Promise((r) => setTimeout(r, POLL_MS * 3));
  for (const addr of ['127.0.0.53', '10.99.0.1', '10.99.0.3']) {
    t.equal(await dig(ns, addr), WANT, `UDP to ${addr} still answered after 10.99.0.2 went`);
  }
  const { stdout: ss } = await run('ip', ['netns', 'exec', ns, 'ss', '-Huln'], { timeout: 10_000 });
  t.notMatch(ss, /10\.99\.0\.2:53/, 'no socket left on the removed address');
  t.match(ss, /10\.99\.0\.3:53/, 'a socket on the added one');

  // And back again.
  await ip('-n', ns, 'addr', 'add', '10.99.0.2/24', 'dev', 'cd0');
  got = '';
  for (let i = 0; i < 20 && got !== WANT; i++) got = await dig(ns, '10.99.0.2');
  t.equal(got, WANT, 'an address that comes back is answered again');

  t.equal(exited, null, 'the server lives');
  t.notMatch(srv.stderr(), /error|Unhandled|uncaught/i, 'no error on stderr');
});

t.test('--listen [::]:53: IPv6 and IPv4 addresses each answered from themselves', async (t) => {
  const ns = await namespaceWithAddresses(t);
  if (!ns) return;
  await ip('-n', ns, 'addr', 'add', 'fd99::1/64', 'dev', 'cd0', 'nodad');
  await ip('-n', ns, 'addr', 'add', 'fd99::2/64', 'dev', 'cd0', 'nodad');

  const srv = await startInNamespace(ns, ['--listen', '[::]:53', '--admin', 'off', '--address-poll', String(POLL_MS)]);
  let exited: number | null = null;
  srv.proc.on('exit', (code) => (exited = code ?? -1));
  t.teardown(() => { srv.proc.kill('SIGKILL'); });

  for (const addr of ['::1', 'fd99::1', 'fd99::2', '127.0.0.1', '127.0.0.53', '10.99.0.2']) {
    t.equal(await dig(ns, addr), WANT, `UDP to ${addr} answered`);
  }
  await ip('-n', ns, 'addr', 'add', 'fd99::3/64', 'dev', 'cd0', 'nodad');
  let got = '';
  for (let i = 0; i < 20 && got !== WANT; i++) got = await dig(ns, 'fd99::3');
  t.equal(got, WANT, 'an IPv6 address added while running is answered');
  t.equal(exited, null, 'the server lives');
  t.notMatch(srv.stderr(), /error|Unhandled|uncaught/i, 'no error on stderr');
});
