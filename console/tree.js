// The cluster as a tree: namespaces → Services and pods → their DNS names, records and endpoints. Paged from the
// server (a namespace's Services arrive 200 at a time as the list scrolls) and drawn by a virtual list, so 10,000
// Services cost neither a multi-MB response nor 10,000 DOM rows. The filter is applied by the server, as you type.
// Keyboard: the tree is one tab stop; arrows move, Right/Left open/close, Enter toggles or loads more.
import { api, query } from './api.js';
import { debounce, field, h, recordData } from './dom.js';
import { VirtualList } from './virtual-list.js';

const ROW = 26;
const NS_PAGE = 500;
const SVC_PAGE = 200;
const AUTO_OPEN = 5;

export function mount(root) {
  let namespaces = [];
  let nsContinue;
  let total = 0;
  let generation = 0;
  let focus = 0;
  let items = [];
  let loadingMore = false;
  const open = new Set();

  const filter = h('input', { id: 'tree-filter', type: 'search', spellcheck: 'false', autocomplete: 'off', placeholder: 'name, DNS name or IP', maxlength: 253, 'aria-controls': 'tree-list' });
  const info = h('span', { class: 'hint', id: 'tree-info', role: 'status', 'aria-live': 'polite' });
  const viewport = h('div', { class: 'vlist', id: 'tree-list', role: 'tree', 'aria-label': 'Namespaces, Services and pods', tabindex: 0 });

  const rowsOf = () => {
    const out = [];
    for (const ns of namespaces) {
      out.push({ kind: 'ns', level: 1, ns, key: `n/${ns.name}`, expandable: true });
      if (!ns.expanded) continue;
      const d = ns.detail;
      if (!d || (d.loading && !d.services.length && !d.pods.length)) { out.push({ kind: 'note', level: 2, text: d?.error ?? 'loading…' }); continue; }
      for (const svc of d.services) {
        const key = `s/${ns.name}/${svc.name}`;
        out.push({ kind: 'svc', level: 2, ns, svc, key, expandable: true });
        if (open.has(key)) out.push(...serviceChildren(svc));
      }
      for (const pod of d.pods) {
        const key = `p/${ns.name}/${pod.name}`;
        out.push({ kind: 'pod', level: 2, ns, pod, key, expandable: (pod.names ?? []).length > 0 });
        if (open.has(key)) for (const n of pod.names ?? []) out.push({ kind: 'name', level: 3, text: n });
      }
      if (d.continue) out.push({ kind: 'more', level: 2, ns, text: d.loading ? 'loading more…' : 'more Services and pods…' });
      if (d.error) out.push({ kind: 'note', level: 2, text: d.error });
      if (!d.services.length && !d.pods.length && !d.loading) out.push({ kind: 'note', level: 2, text: 'no Services or pods' + (filter.value ? ' match' : '') });
    }
    if (nsContinue) out.push({ kind: 'more', level: 1, text: 'more namespaces…' });
    return out;
  };

  const serviceChildren = (svc) => {
    const out = [];
    const group = (text, n) => out.push({ kind: 'group', level: 3, text: `${text} (${n})` });
    if (svc.names?.length) group('DNS names', svc.names.length);
    for (const n of svc.names ?? []) out.push({ kind: 'name', level: 4, text: n });
    if (svc.records?.length) group('Records', svc.records.length + (svc.recordsLeftOut ?? 0));
    for (const r of svc.records ?? []) out.push({ kind: 'record', level: 4, r, text: `${r.name} ${r.ttl} ${r.type} ${recordData(r.data)}` });
    if (svc.recordsLeftOut) out.push({ kind: 'note', level: 4, text: `${svc.recordsLeftOut} more records (GET /api/v1/records?name=… lists them all)` });
    if (svc.endpoints?.length) group('Endpoints', svc.endpoints.length + (svc.endpointsLeftOut ?? 0));
    for (const ep of svc.endpoints ?? []) {
      out.push({ kind: 'endpoint', level: 4, ep });
      for (const n of ep.names ?? []) out.push({ kind: 'name', level: 5, text: n });
    }
    if (svc.endpointsLeftOut) out.push({ kind: 'note', level: 4, text: `${svc.endpointsLeftOut} more endpoints` });
    if (svc.externalNames?.length) group('External names', svc.externalNames.length);
    for (const n of svc.externalNames ?? []) out.push({ kind: 'name', level: 4, text: n });
    if (out.length === 0) out.push({ kind: 'note', level: 3, text: 'no names: nothing is served for this Service' });
    return out;
  };

  const isOpen = (it) => (it.kind === 'ns' ? it.ns.expanded : open.has(it.key));

  const label = (it) => {
    const twisty = h('span', { class: 'twisty', 'aria-hidden': 'true' }, it.expandable ? (isOpen(it) ? '▾' : '▸') : '');
    switch (it.kind) {
      case 'ns': return [twisty, h('strong', {}, it.ns.name), h('span', { class: 'count' }, `${it.ns.services} Service${it.ns.services === 1 ? '' : 's'}, ${it.ns.pods} pod${it.ns.pods === 1 ? '' : 's'}`)];
      case 'svc': {
        const s = it.svc;
        const kind = String(s.kind ?? 'ClusterIP');
        return [twisty, h('span', { class: 'mono' }, s.name), h('span', { class: `kind ${kind.toLowerCase()}` }, kind),
          h('span', { class: 'mono count' }, s.externalName ? `→ ${s.externalName}` : (s.clusterIPs ?? []).join(' ')),
          s.names?.[0] ? h('span', { class: 'mono count' }, s.names[0]) : null,
          s.endpoints?.length ? h('span', { class: 'count' }, `${s.endpoints.length} endpoint${s.endpoints.length === 1 ? '' : 's'}`) : null];
      }
      case 'pod': return [twisty, h('span', { class: 'kind pod' }, 'Pod'), h('span', { class: 'mono' }, it.pod.name), h('span', { class: 'mono count' }, it.pod.ip ?? ''), it.pod.names?.[0] ? h('span', { class: 'mono count' }, it.pod.names[0]) : null];
      case 'endpoint': {
        const e = it.ep;
        return [h('span', { class: 'mono' }, e.ip), h('span', { class: e.ready === false ? 'kind notready' : 'kind' }, e.ready === false ? 'not ready' : 'ready'),
          e.hostname ? h('span', { class: 'mono count' }, `hostname ${e.hostname}`) : null, e.pod ? h('span', { class: 'count' }, `pod ${e.pod}`) : null];
      }
      case 'name': return [h('span', { class: 'mono' }, it.text)];
      case 'record': return [h('span', { class: 'rtype' }, it.r.type), h('span', { class: 'mono' }, it.r.name), h('span', { class: 'count' }, `${it.r.ttl}s`), h('span', { class: 'mono' }, recordData(it.r.data))];
      case 'group': return [h('span', { class: 'group' }, it.text)];
      default: return [h('span', {}, it.text)];
    }
  };

  const renderRow = (it, i) => {
    const el = h('div', {
      class: `vrow level-${it.level}${it.kind === 'more' ? ' more' : ''}`, role: 'treeitem', id: `tree-row-${i}`,
      'aria-level': it.level, 'aria-selected': String(i === focus), 'data-kind': it.kind,
      'data-name': it.svc?.name ?? it.pod?.name ?? (it.kind === 'ns' ? it.ns.name : it.text),
      ...(it.expandable ? { 'aria-expanded': String(isOpen(it)) } : {}),
      ...(it.kind === 'name' || it.kind === 'record' ? { title: 'Enter or click: explain this name' } : {}),
    }, label(it));
    el.addEventListener('click', () => { focus = i; activate(it); });
    return el;
  };

  const list = new VirtualList(viewport, {
    rowHeight: ROW, render: renderRow,
    onRange: (first, last) => {
      for (let i = first; i < last; i++) if (items[i]?.kind === 'more') loadMore(items[i]);
      viewport.setAttribute('aria-activedescendant', `tree-row-${focus}`);
    },
  });

  const redraw = () => {
    items = rowsOf();
    focus = Math.min(focus, Math.max(0, items.length - 1));
    list.setItems(items);
    info.textContent = `${total} namespace${total === 1 ? '' : 's'}${filter.value ? ` match "${filter.value}"` : ''}`;
  };

  const loadNamespace = async (ns, more = false) => {
    const gen = generation;
    ns.detail ??= { services: [], pods: [], loading: false };
    const d = ns.detail;
    if (d.loading) return;
    d.loading = true;
    redraw();
    try {
      const r = await api(`/api/v1/tree${query({ namespace: ns.name, filter: filter.value.trim(), limit: SVC_PAGE, continue: more ? d.continue : undefined })}`);
      if (gen !== generation) return;
      d.services.push(...(r.services ?? []));
      d.pods.push(...(r.pods ?? []));
      d.continue = r.continue;
      d.error = undefined;
    } catch (err) {
      d.error = err.message;
      d.continue = undefined;
    }
    d.loading = false;
    redraw();
  };

  const loadNamespaces = async (more = false) => {
    const gen = more ? generation : ++generation;
    if (!more) { namespaces = []; nsContinue = undefined; focus = 0; redraw(); info.textContent = 'loading…'; }
    try {
      const r = await api(`/api/v1/tree${query({ filter: filter.value.trim(), limit: NS_PAGE, continue: more ? nsContinue : undefined })}`);
      if (gen !== generation) return;
      namespaces.push(...r.namespaces.map((n) => ({ ...n, expanded: false })));
      nsContinue = r.continue;
      total = r.total ?? namespaces.length;
      // With a filter, show the matches without a click: the first namespaces open by themselves.
      const autoOpen = filter.value.trim() ? namespaces.slice(0, AUTO_OPEN) : namespaces.length === 1 ? namespaces : [];
      for (const ns of autoOpen) if (!ns.expanded) { ns.expanded = true; loadNamespace(ns); }
    } catch (err) {
      info.textContent = err.message;
      nsContinue = undefined;
    }
    loadingMore = false;
    redraw();
  };

  const loadMore = (it) => {
    if (it.ns) { if (!it.ns.detail.loading) loadNamespace(it.ns, true); return; }
    if (loadingMore) return;
    loadingMore = true;
    loadNamespaces(true);
  };

  const toggle = (it, want) => {
    if (!it.expandable) return;
    const now = isOpen(it);
    const next = want ?? !now;
    if (next === now) return;
    if (it.kind === 'ns') {
      it.ns.expanded = next;
      if (next && !it.ns.detail) loadNamespace(it.ns);
    } else if (next) open.add(it.key);
    else open.delete(it.key);
    redraw();
  };

  const activate = (it) => {
    // A DNS name or record: Enter (or a click) asks Explain why it answers what it does.
    const explain = it.kind === 'record' ? { name: it.r.name, type: it.r.type } : it.kind === 'name' && !it.text.startsWith('external: ') ? { name: it.text } : null;
    if (explain) { location.hash = `explain?${new URLSearchParams(explain)}`; return; }
    if (it.kind === 'more') loadMore(it);
    else toggle(it);
    viewport.focus({ preventScroll: true });
    list.draw();
  };

  const move = (i) => {
    focus = Math.max(0, Math.min(items.length - 1, i));
    list.reveal(focus);
    viewport.setAttribute('aria-activedescendant', `tree-row-${focus}`);
  };

  viewport.addEventListener('keydown', (e) => {
    const it = items[focus];
    const page = Math.max(1, Math.floor(viewport.clientHeight / ROW) - 1);
    const keys = {
      ArrowDown: () => move(focus + 1), ArrowUp: () => move(focus - 1), Home: () => move(0), End: () => move(items.length - 1),
      PageDown: () => move(focus + page), PageUp: () => move(focus - page),
      ArrowRight: () => (it?.expandable && !isOpen(it) ? toggle(it, true) : move(focus + 1)),
      ArrowLeft: () => {
        if (it?.expandable && isOpen(it)) return toggle(it, false);
        for (let j = focus - 1; j >= 0; j--) if (items[j].level < it.level) return move(j);
      },
      Enter: () => it && activate(it), ' ': () => it && activate(it),
    };
    if (!keys[e.key] || !items.length) return;
    e.preventDefault();
    keys[e.key]();
    list.draw();
  });

  filter.addEventListener('input', debounce(() => loadNamespaces(), 250));
  filter.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); loadNamespaces(); } if (e.key === 'ArrowDown') { e.preventDefault(); viewport.focus(); } });

  root.append(h('h2', { class: 'panel-title' }, 'Cluster'),
    h('div', { class: 'toolbar', role: 'search' }, field('Filter', filter, 'press / to come back here'), info),
    viewport);
  let started = false;
  return { filter, show() { if (!started) { started = true; loadNamespaces(); } }, hide() {} };
}
