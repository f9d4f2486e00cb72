// The console with an admin token (--admin-auth all): the page itself loads without it (it holds no data), asks for
// the token before it reads anything, says so when a token is wrong, and with the right one reads and writes (a
// fault added from the page); the token lives in the tab's sessionStorage, so a reload does not ask again.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { chromiumMissing, launchBrowser, openConsole, startConsoleServer } from './helpers/browser.js';

t.setTimeout(120_000);
t.test('the console behind an admin token, in Chromium', { skip: chromiumMissing }, async (t) => {
  const token = randomBytes(16).toString('hex');
  const server = await startConsoleServer(t, { args: ['--admin-token', token, '--admin-auth', 'all'] });
  t.equal((await fetch(server.url)).status, 200, 'GET / answers without the token');
  t.equal((await server.api('GET', '/api/v1/status')).status, 401, 'the API does not');

  const browser = await launchBrowser(t);
  const { page, problems } = await openConsole(browser, server.url, 'faults');
  const dialog = page.locator('#token-dialog');
  await dialog.waitFor({ state: 'visible' });
  t.equal(await page.evaluate(() => document.activeElement?.id), 'token-input', 'the prompt has the focus');
  t.equal(await page.locator('#faults-table tbody tr').count(), 0, 'nothing is read before the token');

  await page.keyboard.type(`${token.slice(0, -1)}x`);
  await page.keyboard.press('Enter');
  await page.locator('#token-why').filter({ hasText: 'refused' }).waitFor();
  t.ok(await dialog.isVisible(), 'a wrong token: asked again, saying it was refused');

  await page.fill('#token-input', token);
  await page.keyboard.press('Enter');
  await page.locator('#faults-table tbody tr').filter({ hasText: 'No faults' }).waitFor();
  t.notOk(await dialog.isVisible(), 'the right token: the prompt closes and the panel reads');
  t.match(await page.locator('#status').textContent(), /fixtures/, 'the status line too');

  await page.fill('#fault-name', 'tokened.default.svc.cluster.local');
  await page.press('#fault-name', 'Enter');
  await page.locator('#faults-table tbody tr[data-fault-id]').waitFor();
  const faults = (await server.api('GET', '/api/v1/faults', undefined, token)).json.faults;
  t.match(faults, [{ name: 'tokened.default.svc.cluster.local' }], 'a write from the page carries the token');

  await page.reload();
  await page.locator('#faults-table tbody tr[data-fault-id]').waitFor();
  t.notOk(await dialog.isVisible(), 'after a reload the tab still has the token');
  t.equal(await page.evaluate(() => sessionStorage.getItem('clusterdns.adminToken')), token, 'kept in sessionStorage');
  t.equal(page.url().includes(token), false, 'never in the URL');
  t.same(problems(), [], 'no script error, failed request or CSP violation');
});
