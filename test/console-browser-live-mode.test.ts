// The console against a live cluster (the fake API server): the tree shows what the watch sees, and the Objects
// panel is shown disabled with the reason (the Kubernetes API is the source of truth), as the API's 409 says.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeApiServer, kubeconfigFor } from './fake-apiserver.js';
import { clusterIPService, ns } from './live-helpers.js';
import { chromiumMissing, launchBrowser, openConsole, startConsoleServer } from './helpers/browser.js';

t.setTimeout(120_000);
t.test('the console in live mode, in Chromium', { skip: chromiumMissing }, async (t) => {
  const api = await FakeApiServer.start();
  t.teardown(() => api.close());
  api.load([ns('shop'), clusterIPService('shop', 'cart', '10.96.7.7')] as any);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'console-live-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(api));
  const server = await startConsoleServer(t, { args: ['--kubeconfig', kubeconfig] });
  const browser = await launchBrowser(t);

  const { page, problems } = await openConsole(browser, server.url, 'tree');
  await page.locator('#tree-list .vrow[data-kind="ns"][data-name="shop"]').click();
  await page.locator('#tree-list .vrow[data-kind="svc"][data-name="cart"]').waitFor();
  t.pass('the tree shows the live cluster\'s Service');

  await page.click('#tab-objects');
  const notice = page.locator('#objects-live');
  await notice.waitFor();
  t.match(await notice.textContent(), /live cluster.*kubectl/, 'the Objects panel says why it is disabled');
  t.ok(await page.locator('#objects-yaml').isDisabled(), 'the editor is disabled');
  t.ok(await page.locator('#apply-form button[type="submit"]').isDisabled(), 'Apply too');
  t.ok(await page.locator('#delete-form button[type="submit"]').isDisabled(), 'and Delete');
  const refused = await fetch(`${server.url}api/v1/objects`, { method: 'POST', body: 'kind: Service', headers: { 'content-type': 'application/yaml' } });
  t.equal(refused.status, 409, 'as the API would refuse them');
  t.same(problems(), [], 'no script error, failed request or CSP violation');
});
