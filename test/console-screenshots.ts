// `npm run screenshots`: the console's panels at 1280×800 in headless Chromium, on the bundled fixtures, written to
// docs/console-<panel>.png for the README. Each panel is shown doing what it is for (a Service opened in the tree,
// a folded search walk, a near miss, faults with hits, a YAML error at its line).
import { promises as dns } from 'node:dns';
import path from 'node:path';
import { ROOT } from './helpers/cli.js';
import { chromiumMissing, launchBrowser, openConsole, startConsoleServer } from './helpers/browser.js';

if (chromiumMissing) {
  console.error(`screenshots: ${chromiumMissing}`);
  process.exit(1);
}
const cleanups: (() => unknown)[] = [];
const t = { teardown: (fn: () => unknown) => { cleanups.push(fn); } };
const out = (panel: string) => path.join(ROOT, 'docs', `console-${panel}.png`);

try {
  const server = await startConsoleServer(t);
  const browser = await launchBrowser(t);
  const resolver = new dns.Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([`${server.dns.host}:${server.dns.port}`]);
  const ask = (name: string) => resolver.resolve4(name).catch(() => []);

  let { page } = await openConsole(browser, server.url, 'tree');
  await page.locator('#tree-list .vrow[data-name="default"]').click();
  await page.locator('#tree-list .vrow[data-name="myapp-headless"]').click();
  await page.locator('#tree-list .vrow[data-name="web"]').waitFor({ state: 'attached' }).catch(() => undefined);
  await page.screenshot({ path: out('tree') });
  await page.close();

  ({ page } = await openConsole(browser, server.url, 'queries'));
  await page.locator('#queries-state').filter({ hasText: 'live' }).waitFor();
  for (const n of ['myapp.default.svc.cluster.local', 'myapp-headless.default.svc.cluster.local', 'nope.default.svc.cluster.local']) await ask(n);
  // What getaddrinfo("web.shop") does in a pod of namespace default (ndots:5): the search list first.
  for (const n of ['web.shop.default.svc.cluster.local', 'web.shop.svc.cluster.local']) await ask(n);
  for (const n of ['api.default.svc.cluster.local', 'api.svc.cluster.local', 'api.cluster.local']) await ask(n);
  await page.locator('#queries-list .qrow.walk-row').first().click();
  await page.waitForTimeout(300);
  await page.screenshot({ path: out('queries') });
  await page.close();

  ({ page } = await openConsole(browser, server.url, 'explain'));
  await page.fill('#explain-name', 'myapp.shop.svc.cluster.local');
  await page.press('#explain-name', 'Enter');
  await page.locator('#explain-result .near-miss').first().waitFor();
  await page.screenshot({ path: out('explain') });
  await page.close();

  await server.api('POST', '/api/v1/faults', { name: 'web.shop.svc.cluster.local', type: 'A', fault: 'servfail', times: 10 });
  await server.api('POST', '/api/v1/faults', { name: '*.default.svc.cluster.local', fault: 'delay', delayMs: 200, probability: 0.5, seed: 7 });
  for (let i = 0; i < 3; i++) await ask('web.shop.svc.cluster.local');
  for (let i = 0; i < 4; i++) await ask('myapp.default.svc.cluster.local');
  ({ page } = await openConsole(browser, server.url, 'faults'));
  await page.locator('#faults-table tbody tr[data-fault-id]').first().waitFor();
  await page.fill('#fault-name', 'api.shop.svc.cluster.local');
  await page.selectOption('#fault-kind', 'answer');
  await page.fill('#fault-addresses', '192.0.2.10');
  await page.screenshot({ path: out('faults') });
  await page.close();

  ({ page } = await openConsole(browser, server.url, 'objects'));
  await page.locator('#objects-yaml').fill(`apiVersion: v1
kind: Service
metadata:
  name: checkout
  namespace: shop
spec:
  selector: { app: checkout }
  ports:
    - name: http
      port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: Payments_API
  namespace: shop
spec:
  type: ClusterIp
  ports:
    - port: 8080
`);
  await page.click('#apply-form button[type="submit"]');
  await page.locator('#objects-result.error').waitFor();
  await page.screenshot({ path: out('objects') });
  await page.close();
  console.log(`written: ${['tree', 'queries', 'explain', 'faults', 'objects'].map(out).map((p) => path.relative(ROOT, p)).join(', ')}`);
} finally {
  for (const fn of cleanups.reverse()) await fn();
}
