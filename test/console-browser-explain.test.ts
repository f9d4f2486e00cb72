// The console's Explain panel in headless Chromium: a name asked in the wrong namespace shows the near miss the API
// reports (the Service lives in another namespace) with the name that would answer; following that name explains
// it, and the answer carries the fixture's ClusterIP and the object it came from. Keyboard only: "/" reaches the
// name, Enter submits. The page loads with no script error and no CSP violation.
import t from 'tap';
import { chromiumMissing, launchBrowser, openConsole, serviceAndOtherNamespace, startConsoleServer } from './helpers/browser.js';

t.setTimeout(120_000);
t.test('the Explain panel in Chromium', { skip: chromiumMissing }, async (t) => {
  const svc = serviceAndOtherNamespace();
  const wrong = `${svc.name}.${svc.other}.svc.cluster.local`;
  const right = `${svc.name}.${svc.namespace}.svc.cluster.local`;
  const server = await startConsoleServer(t);
  const browser = await launchBrowser(t);

  t.test('a wrong-namespace name shows the near miss the API reports, and its fix answers', async (t) => {
    const api = await server.api('GET', `/api/v1/explain?name=${wrong}`);
    t.equal(api.status, 200);
    const miss = api.json.nearMisses.find((m: any) => m.kind === 'other-namespace');
    t.ok(miss, `the API finds the ${svc.name} Service in ${svc.namespace} for ${wrong}`);

    const { page, problems } = await openConsole(browser, server.url, 'explain');
    await page.locator('#explain-name').waitFor();
    await page.locator('body').press('/');
    t.equal(await page.evaluate(() => document.activeElement?.id), 'explain-name', '"/" focuses the name field');
    await page.keyboard.type(wrong);
    await page.keyboard.press('Enter');
    const result = page.locator('#explain-result');
    await result.locator('.badge').first().waitFor();
    t.equal(await result.locator('.answer-head .badge').textContent(), api.json.rcode, 'the rcode DNS gives');
    const shown = result.locator('.near-miss.other-namespace');
    t.equal(await shown.count(), 1, 'the other-namespace near miss is listed');
    t.match(await shown.textContent(), miss.message, 'with the API\'s explanation');
    const fix = shown.getByRole('button', { name: `Explain ${miss.names[0]}` });
    t.equal((await fix.textContent())?.replace(/\.$/, ''), right, 'and the name that would answer');

    await fix.focus();
    await page.keyboard.press('Enter');
    await page.locator('#explain-result .answer-head').filter({ hasText: right }).waitFor();
    t.equal(await page.inputValue('#explain-name'), miss.names[0], 'the near miss\'s name is now the question');
    t.equal(await result.locator('.answer-head .badge').textContent(), 'NOERROR');
    const answer = await result.locator('table.data').first().locator('tbody tr').allTextContents();
    t.ok(answer.some((r) => r.includes(svc.clusterIP) && r.includes(`Service/${svc.namespace}/${svc.name}`)), `the answer is ${svc.clusterIP}, from Service/${svc.namespace}/${svc.name}`);
    t.same(problems(), [], 'no script error, failed request or CSP violation');
    await page.close();
  });

  t.test('a pod namespace adds the search-path walk', async (t) => {
    const api = await server.api('GET', `/api/v1/explain?name=${svc.name}&namespace=${svc.namespace}`);
    const { page, problems } = await openConsole(browser, server.url, 'explain');
    await page.fill('#explain-name', svc.name);
    await page.fill('#explain-namespace', svc.namespace);
    await page.press('#explain-namespace', 'Enter');
    const steps = page.locator('#explain-result ol.walk li');
    await steps.first().waitFor();
    t.equal(await steps.count(), api.json.search.walk.length, 'one line per name the pod tries, as the API walks it');
    t.match(await steps.first().textContent(), api.json.search.walk[0].name);
    t.match(await page.locator('#explain-result').textContent(), `Resolves as ${api.json.search.resolvedAs}`);
    t.same(problems(), []);
    await page.close();
  });
});
