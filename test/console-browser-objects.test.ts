// The console's Objects panel in headless Chromium: YAML the server refuses is marked at the line the server names
// (the gutter number and a band behind the text), a parse error too, and "Go to line" puts the caret there; YAML it
// accepts is applied and dig answers the new Service; the delete form removes it. Lines are found in the text and
// the server's own error, never written in by hand.
import t from 'tap';
import { dig, digMissing, digStatus } from './helpers/dig.js';
import { chromiumMissing, launchBrowser, openConsole, startConsoleServer } from './helpers/browser.js';

t.setTimeout(120_000);

const GOOD = (name: string) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: default
spec:
  clusterIP: 10.96.77.7
  ports:
    - name: http
      port: 80
`;

t.test('the Objects panel in Chromium', { skip: chromiumMissing || digMissing }, async (t) => {
  const server = await startConsoleServer(t);
  const browser = await launchBrowser(t);
  const { page, problems } = await openConsole(browser, server.url, 'objects');
  const editor = page.locator('#objects-yaml');
  await editor.waitFor();

  const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
  const linesIn = (message: string) => [...message.matchAll(/<request>:(\d+)/g)].map((m) => Number(m[1]));

  t.test('an object the server refuses is marked at the line the server names', async (t) => {
    const text = `${GOOD('console-ok')}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: console-bad\n  namespace: default\nspec:\n  type: Sideways\n  ports:\n    - port: 80\n`;
    const refused = await fetch(`${server.url}api/v1/objects`, { method: 'POST', body: text, headers: { 'content-type': 'application/yaml' } });
    const body = await refused.json() as { message: string; errors?: { line: number; document: number }[] };
    t.equal(refused.status, 422, 'the API refuses the second document');
    const lines = linesIn(body.message);
    t.same(body.errors?.map((e) => e.line), lines, 'its "errors" name the same lines');
    t.ok(lines.length > 0, `the server names a line: ${lines.join(', ')}`);
    t.ok(lines.every((l) => l > lineOf(text, '---')), 'in the second document');

    await editor.fill(text);
    await page.click('#apply-form button[type="submit"]');
    await page.locator('#objects-result.error').waitFor();
    const marked = await page.locator('.editor .gutter .ln.error').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.line)));
    t.same(marked, lines, 'the gutter marks exactly those lines');
    t.equal(await page.locator('.editor .band').count(), lines.length, 'with a band behind each');
    t.match(await page.locator('#objects-result').textContent(), 'Sideways', 'the server\'s message is shown');
    t.match(await page.locator('#objects-result li').first().textContent(), `Go to line ${lines[0]} (document 2)`, 'by line and document');
    t.equal(await editor.getAttribute('aria-invalid'), 'true', 'the editor says it is invalid');
    await page.getByRole('button', { name: `Go to line ${lines[0]}` }).click();
    const caretLine = await editor.evaluate((el) => (el as HTMLTextAreaElement).value.slice(0, (el as HTMLTextAreaElement).selectionStart).split('\n').length);
    t.equal(caretLine, lines[0], '"Go to line" puts the caret on it');
    t.equal((await server.api('GET', '/api/v1/records?name=console-ok.default.svc.cluster.local')).json.records?.length ?? 0, 0, 'nothing of the request was applied');
  });

  t.test('a parse error is marked at its line', async (t) => {
    const text = `${GOOD('console-ok')}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\n  namespace: default\n`;
    const r = await fetch(`${server.url}api/v1/objects`, { method: 'POST', body: text, headers: { 'content-type': 'application/yaml' } });
    const lines = linesIn(((await r.json()) as { message: string }).message);
    t.equal(r.status, 400);
    await editor.fill(text);
    await editor.press('Control+Enter');
    await page.waitForFunction((want) => [...document.querySelectorAll('.editor .gutter .ln.error')].map((e) => Number((e as HTMLElement).dataset.line)).join() === want, lines.join());
    t.pass(`line ${lines.join(', ')} marked, as the server says (Ctrl+Enter applies)`);
  });

  t.test('YAML the server accepts is applied and answers; delete removes it', async (t) => {
    await editor.fill(GOOD('console-new'));
    await page.click('#apply-form button[type="submit"]');
    await page.locator('#objects-result:not(.error)').filter({ hasText: 'Applied' }).waitFor();
    t.equal(await page.locator('.editor .gutter .ln.error').count(), 0, 'no line marked');
    const name = 'console-new.default.svc.cluster.local';
    t.match(await dig(server.dns, [name, 'A', '+short']), '10.96.77.7', 'dig answers the applied Service');

    await page.selectOption('#delete-kind', 'Service');
    await page.fill('#delete-namespace', 'default');
    await page.fill('#delete-name', 'console-new');
    await page.press('#delete-name', 'Enter');
    await page.locator('#delete-form + .message').filter({ hasText: 'Deleted' }).waitFor();
    t.equal(digStatus(await dig(server.dns, [name, 'A'])), 'NXDOMAIN', 'and after the delete, NXDOMAIN');
  });

  t.test('no script error, failed request or CSP violation', async (t) => {
    t.same(problems(), []);
  });
});
