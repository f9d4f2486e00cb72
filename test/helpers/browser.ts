// Driving the web console in real headless Chromium (Debian's `chromium`, through playwright-core): the server is
// the real executable on free ports; tests that need the browser skip, saying why, where /usr/bin/chromium is absent.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { parseAllDocuments } from 'yaml';
import { ROOT, startCli, stopCli } from './cli.js';

export const CHROMIUM = process.env.CLUSTERDNS_CHROMIUM ?? '/usr/bin/chromium';
export const chromiumMissing: string | false = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium)`;

interface Teardown { teardown(fn: () => unknown): void }

export async function launchBrowser(t: Teardown): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: 30_000 });
  t.teardown(() => browser.close());
  return browser;
}

export interface ConsoleServer {
  /** http://127.0.0.1:PORT/ of the admin listener (the console) */
  url: string;
  dns: { host: string; port: number };
  pid: number;
  /** a JSON call to the admin API */
  api(method: string, route: string, body?: unknown, token?: string): Promise<{ status: number; json: any }>;
}

/** The real CLI on free ports; `manifests` given: a fixture folder of that one file, else the bundled fixtures. */
export async function startConsoleServer(t: Teardown, { manifests, args = [] }: { manifests?: string; args?: string[] } = {}): Promise<ConsoleServer> {
  const extra = [...args];
  if (manifests !== undefined) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'console-browser-'));
    writeFileSync(path.join(dir, 'objects.yaml'), manifests);
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    extra.push('--fixtures', dir);
  }
  const cli = await startCli(['--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--log-level', 'warn', '--no-watch', ...extra]);
  t.teardown(() => stopCli(cli.proc));
  const admin = /admin (http:\/\/[^\s,]+)/.exec(cli.line)![1]!;
  const api = async (method: string, route: string, body?: unknown, token?: string) => {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${admin}${route}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(10_000) });
    return { status: res.status, json: await res.json().catch(() => null) };
  };
  return { url: `${admin}/`, dns: { host: cli.host, port: cli.port }, pid: cli.proc.pid!, api };
}

/**
 * A 1280×800 page on a console panel. Every script error, failed request (but the 401s the page answers with its
 * token prompt) and CSP violation is collected: `problems()` should stay empty.
 */
export async function openConsole(browser: Browser, url: string, panel: string): Promise<{ page: Page; problems: () => string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // Chromium logs every non-2xx fetch; a 401 is how the page learns it needs the token, a 4xx from a form is shown.
    if (/status of 4\d\d/.test(m.text())) return;
    problems.push(`console: ${m.text()}`);
  });
  page.setDefaultTimeout(10_000);
  await page.goto(`${url}#${panel}`);
  return { page, problems: () => problems };
}

/** The bundled fixtures' Services and namespaces, read from the manifests (tests derive names from them). */
export function bundledCluster(): { services: { name: string; namespace: string; clusterIP?: string; headless: boolean }[]; namespaces: string[] } {
  const services: { name: string; namespace: string; clusterIP?: string; headless: boolean }[] = [];
  const namespaces = new Set<string>();
  const dir = path.join(ROOT, 'fixtures');
  for (const f of readdirSync(dir).filter((x) => /\.ya?ml$/.test(x)).sort()) {
    for (const d of parseAllDocuments(readFileSync(path.join(dir, f), 'utf8')).map((x) => x.toJS() as Record<string, any> | null)) {
      if (!d?.kind) continue;
      const ns = d.metadata?.namespace ?? 'default';
      if (d.kind === 'Namespace') namespaces.add(d.metadata.name);
      else namespaces.add(ns);
      if (d.kind === 'Service') services.push({ name: d.metadata.name, namespace: ns, clusterIP: d.spec?.clusterIP, headless: d.spec?.clusterIP === 'None' });
    }
  }
  return { services, namespaces: [...namespaces].sort() };
}

/** A ClusterIP Service of the bundled fixtures and a namespace that has no Service of that name. */
export function serviceAndOtherNamespace(): { name: string; namespace: string; clusterIP: string; other: string } {
  const { services, namespaces } = bundledCluster();
  for (const s of services.filter((x) => typeof x.clusterIP === 'string' && !x.headless)) {
    const other = namespaces.find((ns) => !services.some((x) => x.name === s.name && x.namespace === ns));
    if (other) return { name: s.name, namespace: s.namespace, clusterIP: s.clusterIP!, other };
  }
  throw new Error('the bundled fixtures have no Service missing from some namespace');
}

/** Polls fn until it returns a truthy value (bounded: `ms`), for what the server or the page does in the background. */
export async function eventually<T>(fn: () => Promise<T> | T, ms = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
