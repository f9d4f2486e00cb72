// The console's Faults panel in headless Chromium: a fault added through the page's form makes the next dig of that
// name fail as the fault says, its hit count rises in the page (refreshed by itself, no reload), and the page's
// Remove button gives the name its real answer back. A spec the server refuses shows the server's reason.
import t from 'tap';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { chromiumMissing, eventually, launchBrowser, openConsole, serviceAndOtherNamespace, startConsoleServer } from './helpers/browser.js';

t.setTimeout(120_000);
t.test('the Faults panel in Chromium', { skip: chromiumMissing || digMissing }, async (t) => {
  const svc = serviceAndOtherNamespace();
  const name = `${svc.name}.${svc.namespace}.svc.cluster.local`;
  const server = await startConsoleServer(t);
  const browser = await launchBrowser(t);
  const { page, problems } = await openConsole(browser, server.url, 'faults');
  await page.locator('#faults-table tbody tr').first().waitFor();

  t.equal(digStatus(await dig(server.dns, [name, 'A'])), 'NOERROR', `${name} answers before any fault`);

  await page.locator('body').press('/');
  t.equal(await page.evaluate(() => document.activeElement?.id), 'fault-name', '"/" focuses the name pattern');
  await page.keyboard.type(name);
  await page.selectOption('#fault-type', 'A');
  await page.selectOption('#fault-kind', 'servfail');
  await page.fill('#fault-times', '5');
  await page.press('#fault-times', 'Enter');
  const row = page.locator('#faults-table tbody tr[data-fault-id]');
  await row.waitFor();
  const listed = (await server.api('GET', '/api/v1/faults')).json.faults;
  t.equal(listed.length, 1, 'the form added one fault');
  t.match(listed[0], { name, type: 'A', fault: 'servfail', times: 5, hits: 0 }, 'with what the form said');
  t.equal(await row.locator('td.hits').textContent(), '0', 'no hit yet');
  t.match(await page.locator('#panel-faults p.message').textContent(), `Fault ${listed[0].id} added`);

  t.equal(digStatus(await dig(server.dns, [name, 'A'])), 'SERVFAIL', 'the next dig fails as the fault says');
  t.equal(digStatus(await dig(server.dns, [name, 'A'])), 'SERVFAIL', 'and the one after');
  const hits = await eventually(async () => ((await row.locator('td.hits').textContent()) === '2' ? '2' : null), 5_000, 'the hit count to reach 2 in the page');
  t.equal(hits, '2', 'the page shows both hits without a reload');

  await row.getByRole('button', { name: new RegExp(`^Remove fault ${listed[0].id} `) }).click();
  await eventually(async () => (await page.locator('#faults-table tbody tr[data-fault-id]').count()) === 0, 5_000, 'the row to go');
  t.same((await server.api('GET', '/api/v1/faults')).json.faults, [], 'the server has no fault left');
  const after = await dig(server.dns, [name, 'A']);
  t.equal(digStatus(after), 'NOERROR', 'the real answer is back');
  t.ok(digSection(after, 'ANSWER').some((l) => l.endsWith(` A ${svc.clusterIP}`)), `with ${svc.clusterIP}`);

  await page.fill('#fault-name', name);
  await page.fill('#fault-probability', '0');
  await page.click('#fault-form button[type="submit"]');
  const msg = page.locator('#panel-faults .message.error');
  await msg.waitFor();
  const refused = await server.api('POST', '/api/v1/faults', { name, fault: 'servfail', probability: 0 });
  t.equal(refused.status, 400, 'the server refuses a probability of 0 (the browser lets it through: min=0)');
  t.equal(await msg.textContent(), refused.json.message, 'and the page shows its reason');
  t.same(problems(), [], 'no script error, failed request or CSP violation');
});
