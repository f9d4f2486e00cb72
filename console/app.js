// The console's shell: tabs (one panel each, chosen by the URL's #hash so a link opens a panel), the server's status
// line, the token button, and the keyboard: "/" focuses the shown panel's filter, arrows move between tabs.
import { api, getToken, setToken } from './api.js';
import { initTokenDialog } from './token.js';

const PANELS = {
  tree: () => import('./tree.js'),
  queries: () => import('./queries.js'),
  explain: () => import('./explain.js'),
  faults: () => import('./faults.js'),
  objects: () => import('./objects.js'),
};

/** What every panel module may read: the server's status (live or fixture mode...). */
const ctx = { status: null, statusReady: null };
const loaded = new Map();
let current = null;

function tabs() {
  return [...document.querySelectorAll('[role="tab"]')];
}

async function show(name, { focusTab = false, params = new URLSearchParams() } = {}) {
  if (!PANELS[name]) name = 'tree';
  const previous = current;
  if (previous !== name) {
    current = name;
    for (const tab of tabs()) {
      const on = tab.dataset.panel === name;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      if (on && focusTab) tab.focus();
      document.getElementById(tab.getAttribute('aria-controls')).hidden = !on;
    }
    if (previous && loaded.has(previous)) (await loaded.get(previous)).hide?.();
    if (!loaded.has(name)) {
      const root = document.getElementById(`panel-${name}`);
      loaded.set(name, PANELS[name]().then((m) => m.mount(root, ctx)));
    }
    document.title = `${document.getElementById(`tab-${name}`).textContent} · clusterdns`;
  }
  const panel = await loaded.get(name);
  // #explain?name=web.shop.svc.cluster.local: a panel may take parameters from the link that opened it.
  if (current === name) panel.show?.(params);
}

function fromHash() {
  const [name, q] = location.hash.replace(/^#/, '').split('?');
  return { name: name || 'tree', params: new URLSearchParams(q ?? '') };
}

async function refreshStatus() {
  const el = document.getElementById('status');
  try {
    const s = await api('/api/v1/status');
    ctx.status = s;
    const objects = Object.entries(s.objects ?? {}).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ');
    el.textContent = `${s.source === 'fixtures' ? 'fixtures' : `live (${s.source})`} · ${(s.zones ?? []).join(', ')} · DNS on ${s.dns} · ${objects}${s.ready ? '' : ' · not ready'}`;
  } catch (err) {
    el.textContent = `status: ${err.message}`;
  }
  return ctx.status;
}

function keyboard() {
  document.addEventListener('keydown', async (e) => {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (document.querySelector('dialog[open]') || !current || !loaded.has(current)) return;
    // Before any await: a default action let through would type the "/" into whatever has the focus next.
    e.preventDefault();
    const panel = await loaded.get(current);
    if (panel?.filter) {
      panel.filter.focus();
      panel.filter.select?.();
    }
  });
  document.getElementById('tabs').addEventListener('keydown', (e) => {
    const all = tabs();
    const i = all.indexOf(document.activeElement);
    if (i < 0) return;
    let j = null;
    if (e.key === 'ArrowRight') j = (i + 1) % all.length;
    else if (e.key === 'ArrowLeft') j = (i - 1 + all.length) % all.length;
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = all.length - 1;
    if (j === null) return;
    e.preventDefault();
    location.hash = all[j].dataset.panel;
    show(all[j].dataset.panel, { focusTab: true });
  });
}

initTokenDialog({ getToken, setToken });
for (const tab of tabs()) tab.addEventListener('click', () => { location.hash = tab.dataset.panel; });
window.addEventListener('hashchange', () => { const { name, params } = fromHash(); show(name, { params }); });
keyboard();
ctx.statusReady = refreshStatus();
setInterval(() => { if (document.visibilityState === 'visible') refreshStatus(); }, 10_000);
{ const { name, params } = fromHash(); show(name, { params }); }
