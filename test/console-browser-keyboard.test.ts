// The console by keyboard alone, in headless Chromium: Tab reaches the skip link, the token button and the selected
// tab, each with a visible focus ring; arrows move between tabs (and show their panel), Home/End go to the ends; "/"
// focuses the shown panel's filter and types no slash; Escape closes the token prompt.
import t from 'tap';
import { chromiumMissing, launchBrowser, openConsole, startConsoleServer } from './helpers/browser.js';

t.setTimeout(120_000);
t.test('the console by keyboard, in Chromium', { skip: chromiumMissing }, async (t) => {
  const server = await startConsoleServer(t);
  const browser = await launchBrowser(t);
  const { page, problems } = await openConsole(browser, server.url, 'tree');
  await page.locator('#tree-filter').waitFor();
  const focused = () => page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const style = getComputedStyle(el);
    return { id: el.id, text: el.textContent?.trim(), outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 };
  });

  await page.keyboard.press('Tab');
  t.match(await focused(), { text: 'Skip to the panel', outline: true }, 'Tab 1: the skip link, with a focus ring');
  await page.keyboard.press('Tab');
  t.match(await focused(), { id: 'token-button', outline: true }, 'Tab 2: the token button');
  await page.keyboard.press('Tab');
  t.match(await focused(), { id: 'tab-tree', outline: true }, 'Tab 3: the selected tab (one tab stop for the tab list)');
  await page.keyboard.press('ArrowRight');
  t.match(await focused(), { id: 'tab-queries' }, 'Right: the next tab');
  await page.locator('#panel-queries:not([hidden])').waitFor();
  t.equal(await page.getAttribute('#tab-queries', 'aria-selected'), 'true', 'selected, its panel shown');
  t.ok(await page.locator('#panel-tree').isHidden(), 'and the other hidden');
  await page.keyboard.press('End');
  t.match(await focused(), { id: 'tab-objects' }, 'End: the last tab');
  await page.keyboard.press('Home');
  t.match(await focused(), { id: 'tab-tree' }, 'Home: the first');
  await page.keyboard.press('ArrowLeft');
  t.match(await focused(), { id: 'tab-objects' }, 'Left from the first wraps to the last');
  await page.locator('#objects-yaml').waitFor();
  await page.keyboard.press('/');
  t.match(await focused(), { id: 'objects-yaml' }, '"/" on the Objects panel focuses its editor');
  t.notMatch(await page.inputValue('#objects-yaml'), /^\//, 'and types no slash');
  await page.keyboard.press('Shift+Tab');
  await page.locator('#tab-explain').click();
  await page.locator('#explain-name').waitFor();
  await page.locator('body').press('/');
  t.match(await focused(), { id: 'explain-name', outline: true }, '"/" on Explain: the name field, with a focus ring');

  await page.click('#token-button');
  await page.locator('#token-dialog').waitFor({ state: 'visible' });
  t.match(await focused(), { id: 'token-input' }, 'the token prompt takes the focus');
  await page.keyboard.press('Escape');
  await page.locator('#token-dialog').waitFor({ state: 'hidden' });
  t.pass('Escape closes it');
  t.same(problems(), [], 'no script error, failed request or CSP violation');
});
