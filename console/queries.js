// Live queries: the journal as a stream (Server-Sent Events), newest first, a pod's search-path walk folded into
// one row (Enter or click unfolds it), filters the server applies (name pattern, rcode, client), pause and resume.
// Connected only while the panel is shown: a closed tab or another panel costs the server nothing.
import { openStream } from './sse.js';
import { QueryRows, summary } from './fold.js';
import { VirtualList } from './virtual-list.js';
import { debounce, field, h, rcodeBadge, select, time } from './dom.js';

const ROW = 26;
const RCODES = [['', 'any rcode'], 'NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED', 'FORMERR', 'NOTIMP', 'DROPPED'];
const COLUMNS = ['Time', 'Client', 'Proto', 'Name', 'Type', 'Rcode', 'Answers', 'Latency'];

const answersText = (a) => (Array.isArray(a) ? a.join(', ') : typeof a === 'number' && a > 0 ? `${a} record${a === 1 ? '' : 's'}` : '');
const ms = (v) => (v === undefined || v === null ? '' : `${Number(v).toFixed(Number(v) < 10 ? 2 : 0)} ms`);

export function mount(root) {
  const rows = new QueryRows();
  let pending = [];
  let paused = false;
  let stream = null;
  let shown = false;
  let dirty = false;

  const name = h('input', { id: 'queries-name', type: 'search', spellcheck: 'false', autocomplete: 'off', placeholder: '*.default.svc.cluster.local', maxlength: 255 });
  const rcode = select('queries-rcode', RCODES);
  const client = h('input', { id: 'queries-client', type: 'search', spellcheck: 'false', autocomplete: 'off', placeholder: '127.0.0.1', maxlength: 50 });
  const pause = h('button', { type: 'button', id: 'queries-pause', 'aria-pressed': 'false' }, 'Pause');
  const clearBtn = h('button', { type: 'button', id: 'queries-clear' }, 'Clear');
  const state = h('span', { class: 'live-state', id: 'queries-state', role: 'status' }, 'not connected');
  // What the server left out (over its rate cap, or gone from the journal before a reconnect): said, not hidden.
  const gap = h('span', { class: 'hint', id: 'queries-gap', role: 'status' });
  // One ARIA table: the header row above, the scrolling rows below (each a rowgroup).
  const viewport = h('div', { class: 'vlist', id: 'queries-list', role: 'rowgroup', tabindex: 0, 'aria-label': 'Queries, newest first' });
  const head = h('div', { role: 'rowgroup' }, h('div', { class: 'qhead', role: 'row' }, COLUMNS.map((c) => h('span', { role: 'columnheader' }, c))));
  const table = h('div', { class: 'qtable', role: 'table', 'aria-label': 'Live queries, newest first' }, head, viewport);

  const renderRow = (item) => {
    const s = item.step ? { ...item.step, tries: 0, answers: item.step.answers ?? [] } : summary(item.row);
    const walk = item.row?.steps?.length > 1 ? item.row.steps : null;
    const el = h('div', {
      class: `qrow${item.step ? ' step' : ''}${walk ? ' walk-row' : ''}`, role: 'row',
      'data-name': s.name, 'data-rcode': s.rcode, ...(walk ? { 'data-lookup': item.row.lookup } : {}),
      ...(walk ? { 'aria-expanded': String(item.row.expanded), tabindex: 0, title: 'a search-path walk: Enter shows each name tried' } : {}),
    },
    h('span', { role: 'cell' }, time(s.time)), h('span', { role: 'cell', class: 'mono' }, s.client ?? ''),
    h('span', { role: 'cell' }, s.transport ?? ''),
    h('span', { role: 'cell', class: 'mono' }, item.step ? `↳ ${s.name}` : s.name,
      walk ? h('span', { class: 'tag' }, `${walk.length} name${walk.length > 1 ? 's' : ''} tried`) : null),
    h('span', { role: 'cell' }, s.type ?? ''), h('span', { role: 'cell', title: s.plugin ? `answered by ${s.plugin}` : null }, rcodeBadge(s.rcode ?? '')),
    h('span', { role: 'cell', class: 'mono' }, answersText(s.answers)), h('span', { role: 'cell' }, ms(s.latency)));
    if (walk) {
      const toggle = () => { item.row.expanded = !item.row.expanded; dirty = true; flush(); };
      el.addEventListener('click', toggle);
      el.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(); } });
    }
    return el;
  };
  const list = new VirtualList(viewport, { rowHeight: ROW, render: renderRow });

  let frame = 0;
  const flush = () => {
    if (!dirty || frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      dirty = false;
      const before = list.items.length;
      const items = rows.flatten();
      // Keep what the reader is looking at in place when rows arrive above it.
      if (viewport.scrollTop > 0 && items.length > before) viewport.scrollTop += (items.length - before) * ROW;
      list.setItems(items);
    });
  };

  const onEvent = (type, raw) => {
    if (type === 'gap' && raw && typeof raw === 'object') { gap.textContent = raw.message ?? `${raw.skipped} queries left out`; return; }
    if (type !== 'query' || typeof raw !== 'object' || raw === null) return;
    const data = QueryRows.normalize(raw);
    if (typeof data.seq === 'number') lastSeq = data.seq;
    if (paused) {
      if (pending.length < rows.max) pending.push(data);
      pause.textContent = `Resume (${pending.length} new)`;
      return;
    }
    rows.add(data);
    dirty = true;
    flush();
  };

  const onState = (s, detail) => {
    state.className = `live-state${s === 'open' ? ' on' : ''}`;
    state.textContent = { connecting: 'connecting…', open: 'live', retrying: 'reconnecting…', closed: document.visibilityState === 'hidden' ? 'paused while the tab is hidden' : 'not connected', error: `stopped: ${detail}` }[s] ?? s;
  };

  let lastSeq;
  /** keep: go on from the last event seen (the rows stay); else start over with the filters as they are now. */
  const connect = (keep = false) => {
    stream?.close();
    if (!keep) {
      gap.textContent = '';
      rows.clear();
      pending = [];
      lastSeq = undefined;
      dirty = true;
      flush();
    }
    const params = { name: name.value.trim(), rcode: rcode.value, client: client.value.trim(), limit: 200 };
    if (keep && lastSeq !== undefined) params.since = lastSeq;
    stream = openStream('/api/v1/queries/stream', params, { onEvent, onState });
  };
  // A tab in the background costs the server nothing: the stream closes, and resumes where it was when shown.
  document.addEventListener('visibilitychange', () => {
    if (!shown) return;
    if (document.visibilityState === 'hidden') { stream?.close(); stream = null; onState('closed'); }
    else if (!stream) connect(true);
  });
  const reconnect = debounce(() => { if (shown) connect(); }, 300);
  for (const el of [name, client]) el.addEventListener('input', reconnect);
  rcode.addEventListener('change', () => { if (shown) connect(); });
  pause.addEventListener('click', () => {
    paused = !paused;
    pause.setAttribute('aria-pressed', String(paused));
    if (!paused) {
      for (const e of pending) rows.add(e);
      pending = [];
      dirty = true;
      flush();
    }
    pause.textContent = paused ? 'Resume (0 new)' : 'Pause';
  });
  clearBtn.addEventListener('click', () => { rows.clear(); pending = []; dirty = true; flush(); });

  root.append(h('h2', { class: 'panel-title' }, 'Live queries'),
    h('div', { class: 'toolbar', role: 'search', 'aria-label': 'Filter queries' },
      field('Name', name, '* matches any run'), field('Rcode', rcode), field('Client', client), pause, clearBtn, state, gap),
    table);

  return {
    filter: name,
    show() { shown = true; if (!stream) connect(); },
    hide() { shown = false; stream?.close(); stream = null; onState('closed'); },
  };
}
