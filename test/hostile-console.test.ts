// Hostile input to the web console, in headless Chromium: a DNS query whose name carries HTML shows as text in the
// live view (no element made from it, no script run); a flood of queries with the live view open leaves the page
// small and responsive (rows capped, only those in view drawn) and DNS answering; names the console's file route
// does not know, long or dressed up as paths, get a 404 (414 past fastify's parameter length) and nothing from disk.
import dgram from 'node:dgram';
import t from 'tap';
import packet from 'dns-packet';
import { chromiumMissing, eventually, launchBrowser, openConsole, startConsoleServer } from './helpers/browser.js';
import { query } from './helpers/dns-client.js';

t.setTimeout(120_000);

function sendAll(port: number, names: string[], perMs: number): Promise<void> {
  const sock = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    let i = 0;
    const tick = () => {
      for (let k = 0; k < perMs && i < names.length; k++, i++) {
        sock.send(packet.encode({ type: 'query', id: i & 0xffff, questions: [{ name: names[i]!, type: 'A', class: 'IN' }] }), port, '127.0.0.1');
      }
      if (i < names.length) setTimeout(tick, 1);
      else setTimeout(() => { sock.close(); resolve(); }, 200);
    };
    tick();
  });
}

t.test('hostile input to the console, in Chromium', { skip: chromiumMissing }, async (t) => {
  const server = await startConsoleServer(t, { args: ['--journal', '100000'] });
  const browser = await launchBrowser(t);
  const { page, problems } = await openConsole(browser, server.url, 'queries');
  await page.locator('#queries-state').filter({ hasText: 'live' }).waitFor();

  await t.test('a name with HTML in it is shown as text', async (t) => {
    const evil = '<img src=x onerror=window.__pwned=1>.default.svc.cluster.local';
    await sendAll(server.dns.port, [evil], 1);
    const row = page.locator('#queries-list .qrow').filter({ hasText: 'onerror' });
    await row.waitFor();
    t.equal(await page.locator('#queries-list img').count(), 0, 'no element made from the name');
    t.equal(await page.evaluate(() => (window as any).__pwned), undefined, 'no script run');
    t.match(await row.textContent(), /<img.*onerror=window\.__pwned=1>/, `the name as text, as the journal escapes it: ${await row.getAttribute('data-name')}`);
  });

  await t.test('a flood with the live view open: the page stays small and responsive, DNS answers', async (t) => {
    const names = Array.from({ length: 20_000 }, (_, i) => `flood-${i}.default.svc.cluster.local`);
    const started = Date.now();
    await sendAll(server.dns.port, names, 20);
    t.comment(`20,000 queries sent in ${Date.now() - started} ms`);
    const answered = await query(server.dns.port, 'myapp.default.svc.cluster.local', 'A').catch((e: Error) => e);
    t.notOk(answered instanceof Error, 'DNS answers right after the flood');
    await eventually(async () => (await page.locator('#queries-list .qrow').filter({ hasText: 'flood-' }).count()) > 0, 10_000, 'flood rows');
    const t0 = Date.now();
    const nodes = await page.evaluate(() => document.querySelectorAll('*').length);
    const ms = Date.now() - t0;
    t.ok(nodes < 1500, `${nodes} elements in the page after 20,000 queries`);
    t.ok(ms < 1000, `the page answers a script in ${ms} ms`);
    const heap = await page.evaluate(() => (performance as any).memory?.usedJSHeapSize ?? 0);
    t.ok(heap < 64 * 1024 * 1024, `JS heap ${(heap / 1048576).toFixed(1)} MiB (rows capped at 2,000)`);
    t.match(await page.locator('#queries-state').textContent(), /live|reconnecting/, 'the stream is still there (or coming back)');
  });

  await t.test('unknown, long or path-like console file names: 404 or 414', async (t) => {
    for (const bad of ['x'.repeat(5000) + '.js', '..%2F..%2Fetc%2Fpasswd', 'app.js%00.css', 'APP.JS', 'app.js/']) {
      const r = await fetch(`${server.url}console/${bad}`);
      t.ok(r.status === 404 || r.status === 414, `console/${bad.slice(0, 40)}: ${r.status}`);
      t.notMatch(await r.text(), /root:|import /, 'nothing from the disk');
    }
  });

  t.same(problems(), [], 'no script error, failed request or CSP violation');
});
