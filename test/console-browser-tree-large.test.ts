// The tree at 10,000 Services in one namespace, in headless Chromium: the page draws a few dozen rows whatever the
// size, the server sends pages (no response near a megabyte), scrolling to the end pulls the next pages until the
// last Service shows, and the filter finds one Service among 10,000 quickly.
import t from 'tap';
import { chromiumMissing, eventually, launchBrowser, openConsole, startConsoleServer } from './helpers/browser.js';

t.setTimeout(240_000);
const COUNT = 10_000;
const NS = 'big';
const name = (i: number) => `svc-${String(i).padStart(5, '0')}`;

function cluster(): string {
  const items: unknown[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }];
  for (let i = 0; i < COUNT; i++) {
    items.push({
      apiVersion: 'v1', kind: 'Service', metadata: { name: name(i), namespace: NS },
      spec: { clusterIP: `10.100.${i >> 8}.${i & 255}`, ports: [{ name: 'http', port: 80 }] },
    });
  }
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

t.test('10,000 Services in the tree', { skip: chromiumMissing }, async (t) => {
  const server = await startConsoleServer(t, { manifests: cluster(), args: ['--service-cidr', '10.96.0.0/11'] });
  const browser = await launchBrowser(t);
  const { page, problems } = await openConsole(browser, server.url, 'tree');
  let largest = 0;
  page.on('response', async (r) => {
    if (!r.url().includes('/api/v1/tree')) return;
    const body = await r.body().catch(() => Buffer.alloc(0));
    largest = Math.max(largest, body.length);
  });
  const ns = page.locator(`#tree-list .vrow[data-kind="ns"][data-name="${NS}"]`);
  await ns.waitFor();
  t.match(await ns.textContent(), `${COUNT} Services`, `the namespace says ${COUNT} Services`);
  await ns.click();
  await page.locator(`#tree-list .vrow[data-name="${name(0)}"]`).waitFor();
  const rows = await page.locator('#tree-list .vrow').count();
  t.ok(rows < 100, `${rows} rows in the DOM for a namespace of ${COUNT}`);

  const started = Date.now();
  const last = page.locator(`#tree-list .vrow[data-name="${name(COUNT - 1)}"]`);
  await page.locator('#tree-list').focus();
  // End moves to the last row drawn: the "more" row, whose appearance loads the next page; wait for the list to
  // grow, then again. Bounded: 1,000 pages or 120 s.
  const height = () => page.evaluate(() => document.querySelector('#tree-list .spacer')!.scrollHeight);
  let pages = 0;
  while (pages < 1000 && Date.now() - started < 120_000 && (await last.count()) === 0) {
    const before = await height();
    await page.keyboard.press('End');
    await page.waitForFunction((h) => document.querySelector('#tree-list .spacer')!.scrollHeight > h, before, { timeout: 10_000 }).catch(() => undefined);
    pages++;
  }
  t.equal(await last.count(), 1, `scrolling to the end reaches ${name(COUNT - 1)}`);
  t.comment(`all ${COUNT} Services paged in by scrolling: ${pages} pages, ${Date.now() - started} ms; largest tree response ${largest} bytes`);
  t.ok(largest > 0 && largest < 1024 * 1024, `every tree response under 1 MiB (largest ${largest} bytes)`);
  const nodes = await page.evaluate(() => document.querySelectorAll('*').length);
  t.ok(nodes < 2000, `${nodes} DOM elements with ${COUNT} Services loaded`);

  await page.locator('body').press('/');
  const asked = Date.now();
  await page.keyboard.type(name(4242));
  await page.locator(`#tree-list .vrow[data-kind="svc"][data-name="${name(4242)}"]`).waitFor();
  const ms = Date.now() - asked;
  t.ok(ms < 5000, `the filter found ${name(4242)} in ${ms} ms (typing, debounce and the server's search)`);
  await eventually(async () => (await page.locator('#tree-list .vrow[data-kind="svc"]').count()) === 1, 5_000, 'one Service left');
  t.pass('only that Service is shown');
  t.same(problems(), [], 'no script error, failed request or CSP violation');
});
