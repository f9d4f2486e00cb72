// A few rows through ISC dig, the tool the README tells users to run (skipped with a message when dig is absent).
import t from 'tap';
import { dig, digFlags, digMissing, digSection, digStatus } from './helpers/dig.js';
import { startSchemaServer } from './helpers/server.js';

const Z = 'testns.svc.cluster.local';

t.test('dig', { skip: digMissing }, async (t) => {
  const { server } = await startSchemaServer(t);

  await t.test('ClusterIP A: aa set, ra not', async (t) => {
    const out = await dig(server, [`svc1.${Z}`, 'A']);
    t.equal(digStatus(out), 'NOERROR');
    t.same(digSection(out, 'ANSWER'), [`svc1.${Z}. 5 IN A 10.0.0.1`]);
    const flags = digFlags(out);
    t.ok(flags.includes('aa'), `flags ${flags.join(' ')} include aa`);
    t.notOk(flags.includes('ra'), 'no ra');
    t.match(out, /recursion requested but not available/, 'dig notes that recursion is not available');
  });

  await t.test('headless A over TCP (+tcp)', async (t) => {
    const out = await dig(server, ['+tcp', `hdls1.${Z}`, 'A']);
    t.same(digSection(out, 'ANSWER'), [
      `hdls1.${Z}. 5 IN A 172.0.0.2`, `hdls1.${Z}. 5 IN A 172.0.0.3`, `hdls1.${Z}. 5 IN A 172.0.0.4`, `hdls1.${Z}. 5 IN A 172.0.0.5`,
    ]);
  });

  await t.test('SRV with glue', async (t) => {
    const out = await dig(server, [`_http._tcp.svc-dual-stack.${Z}`, 'SRV']);
    t.same(digSection(out, 'ANSWER'), [`_http._tcp.svc-dual-stack.${Z}. 5 IN SRV 0 50 80 svc-dual-stack.${Z}.`]);
    t.same(digSection(out, 'ADDITIONAL'), [`svc-dual-stack.${Z}. 5 IN A 10.0.0.3`, `svc-dual-stack.${Z}. 5 IN AAAA 10::3`]);
  });

  await t.test('NXDOMAIN with the SOA', async (t) => {
    const out = await dig(server, [`svc0.${Z}`, 'A']);
    t.equal(digStatus(out), 'NXDOMAIN');
    t.match(digSection(out, 'AUTHORITY')[0] ?? '', /^cluster\.local\. 5 IN SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5$/);
  });

  await t.test('PTR with -x', async (t) => {
    const out = await dig(server, ['-x', '10.0.0.3']);
    t.same(digSection(out, 'ANSWER'), [`3.0.0.10.in-addr.arpa. 5 IN PTR svc-dual-stack.${Z}.`]);
  });

  await t.test('dns-version TXT', async (t) => {
    const out = await dig(server, ['dns-version.cluster.local', 'TXT']);
    t.same(digSection(out, 'ANSWER'), ['dns-version.cluster.local. 28800 IN TXT "1.1.0"']);
  });

  await t.test('truncated over UDP: dig retries over TCP and gets all 100 records', async (t) => {
    const out = await dig(server, ['+noedns', `hdls-big.${Z}`, 'A']);
    t.match(out, /Truncated, retrying in TCP mode/);
    t.equal(digSection(out, 'ANSWER').length, 100);
  });

  await t.test('+ignore shows the TC flag on the UDP answer', async (t) => {
    const out = await dig(server, ['+noedns', '+ignore', `hdls-big.${Z}`, 'A']);
    t.ok(digFlags(out).includes('tc'), `flags ${digFlags(out).join(' ')} include tc`);
  });
});
