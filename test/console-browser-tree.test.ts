// The console's cluster tree in headless Chromium, on the bundled fixtures: every namespace the manifests name is
// listed with the counts the API gives; by keyboard alone ("/" to the filter, Down into the tree, Enter/Right to
// open) a Service opens onto its DNS names and its ClusterIP record; typing in the filter asks the server and shows
// the namespaces it returns, opened onto the matching Services; a DNS name in the tree opens Explain on it.
import t from 'tap';
import { bundledCluster, chromiumMissing, eventually, launchBrowser, openConsole, startConsoleServer } from './helpers/browser.js';

t.setTimeout(120_000);
t.test('the cluster tree in Chromium', { skip: chromiumMissing }, async (t) => {
  const { services, namespaces } = bundledCluster();
  const svc = services.find((s) => s.namespace === 'default' && !s.headless && s.clusterIP)!;
  const server = await startConsoleServer(t);
  const browser = await launchBrowser(t);
  const { page, problems } = await openConsole(browser, server.url, 'tree');
  const nsRows = page.locator('#tree-list .vrow[data-kind="ns"]');
  await nsRows.first().waitFor();

  const api = (await server.api('GET', '/api/v1/tree')).json;
  const shown = await nsRows.evaluateAll((els) => els.map((e) => e.querySelector('strong')!.textContent));
  t.same(shown, api.namespaces.map((n: any) => n.name), 'the namespaces the API lists, in its order');
  for (const ns of namespaces) t.ok(shown.includes(ns), `the fixtures' namespace ${ns} is there`);
  const def = api.namespaces.find((n: any) => n.name === 'default');
  t.match(await nsRows.filter({ hasText: /^.default/ }).first().textContent(), `${def.services} Service`, 'with its Service count');

  await page.locator('body').press('/');
  t.equal(await page.evaluate(() => document.activeElement?.id), 'tree-filter', '"/" focuses the filter');
  await page.keyboard.press('ArrowDown');
  t.equal(await page.evaluate(() => document.activeElement?.id), 'tree-list', 'Down moves into the tree');
  const index = shown.indexOf('default');
  for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  const svcRow = page.locator(`#tree-list .vrow[data-kind="svc"][data-name="${svc.name}"]`);
  await svcRow.waitFor();
  t.equal(await page.locator('#tree-list .vrow[data-kind="ns"][aria-expanded="true"]').count(), 1, 'Enter opens the namespace');
  const svcIndex = Number((await svcRow.getAttribute('id'))!.replace('tree-row-', ''));
  const focused = () => page.evaluate(() => Number(document.getElementById('tree-list')!.getAttribute('aria-activedescendant')!.replace('tree-row-', '')));
  while (await focused() < svcIndex) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowRight');
  const fqdn = `${svc.name}.default.svc.cluster.local`;
  const nameRow = page.locator(`#tree-list .vrow[data-kind="name"][data-name="${fqdn}"]`);
  await nameRow.waitFor();
  t.pass(`Right opens ${svc.name} onto its name ${fqdn}`);
  t.equal(await page.locator(`#tree-list .vrow[data-kind="record"][data-name^="${fqdn} "][data-name$=" A ${svc.clusterIP}"]`).count(), 1, `and its A record ${svc.clusterIP}`);
  t.equal(await svcRow.getAttribute('aria-expanded'), 'true', 'aria-expanded says so');
  await page.keyboard.press('ArrowLeft');
  await eventually(async () => (await nameRow.count()) === 0, 3_000, 'Left to close the Service');
  t.pass('Left closes it');

  const target = services.find((s) => s.namespace !== 'default')!;
  await page.locator('body').press('/');
  await page.keyboard.type(target.name);
  const filtered = (await server.api('GET', `/api/v1/tree?filter=${encodeURIComponent(target.name)}`)).json;
  await page.locator('#tree-info').filter({ hasText: `match "${target.name}"` }).waitFor();
  await eventually(async () => (await nsRows.count()) === filtered.namespaces.length, 5_000, 'the filtered namespaces');
  t.same(await nsRows.evaluateAll((els) => els.map((e) => e.querySelector('strong')!.textContent)), filtered.namespaces.map((n: any) => n.name), 'the filter shows the namespaces the server returns for it');
  await page.locator(`#tree-list .vrow[data-kind="svc"][data-name="${target.name}"]`).first().waitFor();
  t.pass(`and opens them onto ${target.name}`);

  const tName = `${target.name}.${target.namespace}.svc.cluster.local`;
  await page.locator(`#tree-list .vrow[data-kind="svc"][data-name="${target.name}"]`).first().click();
  await page.locator(`#tree-list .vrow[data-kind="name"][data-name="${tName}"]`).click();
  await page.locator('#explain-result .answer-head').filter({ hasText: tName }).waitFor();
  t.equal(await page.locator('#explain-result .answer-head .badge').textContent(), 'NOERROR', 'a name in the tree opens Explain on it');
  t.match(page.url(), /#explain\?name=/, 'through a link that can be shared');
  t.equal(await page.getAttribute('#tab-explain', 'aria-selected'), 'true');
  t.same(problems(), [], 'no script error, failed request or CSP violation');
});
