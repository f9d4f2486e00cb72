// The console's live view in headless Chromium: a dig makes its row appear (name, rcode, answers as the DNS reply
// had them), a pod-style search-path walk (the ndots:5 forms, one after the other) is one row that unfolds into the
// names tried, the rcode filter narrows the stream on the server, and Pause holds new rows until Resume.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { dig, digMissing, digSection } from './helpers/dig.js';
import { bundledCluster, chromiumMissing, eventually, launchBrowser, openConsole, startConsoleServer } from './helpers/browser.js';

t.setTimeout(120_000);
t.test('the live queries panel in Chromium', { skip: chromiumMissing || digMissing }, async (t) => {
  const { services, namespaces } = bundledCluster();
  // A Service asked by its short "name.namespace" from a pod in another namespace: the first search form misses.
  const target = services.find((s) => !s.headless && s.namespace !== 'default')!;
  const from = namespaces.find((ns) => ns !== target.namespace && !services.some((s) => s.name === target.name && s.namespace === ns))!;
  const server = await startConsoleServer(t);
  const browser = await launchBrowser(t);
  const { page, problems } = await openConsole(browser, server.url, 'queries');
  await page.locator('#queries-state').filter({ hasText: 'live' }).waitFor();
  const rows = page.locator('#queries-list .qrow');

  await t.test('a dig appears as a row, as the reply had it', async (t) => {
    const name = `console-${randomBytes(4).toString('hex')}.${target.namespace}.svc.cluster.local`;
    await dig(server.dns, [name, 'A']);
    const row = rows.filter({ has: page.locator(`[role="cell"]`, { hasText: new RegExp(`^${name.replace(/\./g, '\\.')}$`) }) });
    await row.waitFor();
    t.equal(await row.getAttribute('data-rcode'), 'NXDOMAIN');
    t.match(await row.textContent(), /udp/, 'its transport');
    const svcName = `${target.name}.${target.namespace}.svc.cluster.local`;
    const answer = digSection(await dig(server.dns, [svcName, 'A']), 'ANSWER').map((l) => l.split(' ').pop()!);
    const hit = rows.filter({ hasText: svcName }).first();
    await hit.waitFor();
    for (const ip of answer) t.match(await hit.textContent(), ip, `the answer ${ip} is shown`);
  });

  await t.test('a search-path walk is one row, unfolded by Enter', async (t) => {
    const short = `${target.name}.${target.namespace}`;
    const forms = [`${short}.${from}.svc.cluster.local`, `${short}.svc.cluster.local`];
    for (const n of forms) await dig(server.dns, [n, 'A']);
    const walk = page.locator(`#queries-list .qrow.walk-row[data-name="${short}"]`);
    await walk.waitFor();
    t.match(await walk.textContent(), `${forms.length} names tried`, `one row for ${short}: ${forms.length} names tried`);
    t.equal(await walk.getAttribute('data-rcode'), 'NOERROR', 'its result is the form that answered');
    t.equal(await walk.getAttribute('aria-expanded'), 'false');
    await walk.focus();
    await page.keyboard.press('Enter');
    const steps = page.locator('#queries-list .qrow.step');
    await eventually(async () => (await steps.count()) === forms.length, 5_000, 'the steps to show');
    t.same((await steps.allTextContents()).map((s) => forms.find((f) => s.includes(f))), forms, 'each name tried, in order');
  });

  await t.test('the rcode filter narrows the stream', async (t) => {
    await page.selectOption('#queries-rcode', 'NXDOMAIN');
    await page.locator('#queries-state').filter({ hasText: 'live' }).waitFor();
    await eventually(async () => (await rows.count()) > 0, 5_000, 'the replayed NXDOMAIN rows');
    await dig(server.dns, [`${target.name}.${target.namespace}.svc.cluster.local`, 'A']);
    const probe = `console-${randomBytes(4).toString('hex')}.${target.namespace}.svc.cluster.local`;
    await dig(server.dns, [probe, 'A']);
    await rows.filter({ hasText: probe }).waitFor();
    const codes = await rows.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.rcode));
    t.ok(codes.length > 0 && codes.every((c) => c === 'NXDOMAIN'), `only NXDOMAIN rows (${codes.length})`);
    await page.selectOption('#queries-rcode', '');
  });

  await t.test('pause holds new rows, resume shows them', async (t) => {
    await page.locator('#queries-state').filter({ hasText: 'live' }).waitFor();
    await page.click('#queries-pause');
    const probe = `console-${randomBytes(4).toString('hex')}.${target.namespace}.svc.cluster.local`;
    await dig(server.dns, [probe, 'A']);
    // dig may ask again when an answer is slow on a loaded machine: one row or more are held
    await page.locator('#queries-pause').filter({ hasText: /Resume \(\d+ new\)/ }).waitFor();
    t.equal(await rows.filter({ hasText: probe }).count(), 0, 'paused: the row is held back');
    t.equal(await page.getAttribute('#queries-pause', 'aria-pressed'), 'true');
    await page.click('#queries-pause');
    await rows.filter({ hasText: probe }).waitFor();
    t.pass('resumed: the held row shows');
  });

  await t.test('a hidden tab closes the stream; shown again, it catches up without losing rows', async (t) => {
    const before = await rows.count();
    const setHidden = (hidden: boolean) => page.evaluate((h) => {
      Object.defineProperty(document, 'visibilityState', { value: h ? 'hidden' : 'visible', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);
    await setHidden(true);
    await page.locator('#queries-state').filter({ hasText: 'paused while the tab is hidden' }).waitFor();
    const probe = `console-${randomBytes(4).toString('hex')}.${target.namespace}.svc.cluster.local`;
    await dig(server.dns, [probe, 'A']);
    await setHidden(false);
    await rows.filter({ hasText: probe }).waitFor();
    t.pass('the query asked while hidden shows once visible (replayed from the last event seen)');
    t.ok(await rows.count() > before, 'the rows from before are kept');
  });

  t.same(problems(), [], 'no script error, failed request or CSP violation');
});

t.test('queries the server could not replay are said, not hidden', { skip: chromiumMissing || digMissing }, async (t) => {
  // A journal of 10: while the tab is hidden, 30 queries push the last one the page saw out of it.
  const server = await startConsoleServer(t, { args: ['--journal', '10'] });
  const browser = await launchBrowser(t);
  const { page, problems } = await openConsole(browser, server.url, 'queries');
  await page.locator('#queries-state').filter({ hasText: 'live' }).waitFor();
  await dig(server.dns, ['first.default.svc.cluster.local', 'A']);
  await page.locator('#queries-list .qrow').filter({ hasText: 'first.default' }).waitFor();
  const setHidden = (hidden: boolean) => page.evaluate((h) => {
    Object.defineProperty(document, 'visibilityState', { value: h ? 'hidden' : 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
  await setHidden(true);
  await page.locator('#queries-state').filter({ hasText: 'hidden' }).waitFor();
  for (let i = 0; i < 30; i++) await dig(server.dns, [`n${i}.default.svc.cluster.local`, 'A']);
  await setHidden(false);
  const gap = page.locator('#queries-gap');
  await gap.filter({ hasText: /\d/ }).waitFor();
  t.match(await gap.textContent(), /no longer in the journal/, `the page says what it missed: "${await gap.textContent()}"`);
  await page.locator('#queries-list .qrow').filter({ hasText: 'n29.default' }).waitFor();
  t.pass('and shows what the journal still has');
  t.same(problems(), [], 'no script error, failed request or CSP violation');
});
