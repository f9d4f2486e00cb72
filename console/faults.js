// Faults: the table of injected faults with their hit counts, refreshed every second while the panel is shown; a
// form to add one (name pattern, type, fault, times/probability/every...) and a button per row to remove it.
import { api } from './api.js';
import { clear, field, h, select } from './dom.js';

const KINDS = ['nxdomain', 'servfail', 'refused', 'delay', 'drop', 'truncate', 'answer', 'empty'];
const TYPES = [['', 'any type'], 'A', 'AAAA', 'SRV', 'PTR', 'TXT', 'CNAME', 'SOA', 'NS'];
const POLL_MS = 1000;

function describe(f) {
  const parts = [];
  if (f.times !== undefined) parts.push(`${f.times} time${f.times === 1 ? '' : 's'}`);
  if (f.every !== undefined) parts.push(`every ${f.every}`);
  if (f.probability !== undefined) parts.push(`p=${f.probability}${f.seed !== undefined ? ` seed ${f.seed}` : ''}`);
  if (f.client) parts.push(`client ${f.client}`);
  if (f.transport) parts.push(f.transport);
  if (f.delayMs !== undefined) parts.push(`${f.delayMs} ms`);
  if (f.addresses) parts.push(`→ ${f.cname ? `${f.cname} ` : ''}${f.addresses.join(' ')}`);
  return parts.join(', ');
}

export function mount(root) {
  const msg = h('p', { class: 'message', role: 'status', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const table = h('table', { class: 'data', id: 'faults-table', 'aria-label': 'Injected faults' },
    h('thead', {}, h('tr', {}, ['#', 'Name pattern', 'Type', 'Fault', 'Only', 'Hits', 'Seen', ''].map((c) => h('th', { scope: 'col' }, c)))),
    tbody);
  let timer = null;
  let last = '';

  const refresh = async () => {
    try {
      const { faults } = await api('/api/v1/faults');
      const key = JSON.stringify(faults);
      if (key === last) return;
      last = key;
      clear(tbody);
      if (!faults.length) tbody.append(h('tr', {}, h('td', { colspan: 8, class: 'hint' }, 'No faults: every query gets the real answer.')));
      for (const f of faults) {
        tbody.append(h('tr', { 'data-fault-id': f.id },
          h('td', {}, f.id), h('td', { class: 'mono' }, f.name), h('td', {}, f.type ?? 'any'), h('td', {}, f.fault),
          h('td', {}, describe(f)), h('td', { class: 'num hits' }, f.hits), h('td', { class: 'num' }, f.seen),
          h('td', {}, h('button', { type: 'button', class: 'danger', 'aria-label': `Remove fault ${f.id} (${f.fault} on ${f.name})`, onclick: () => remove(f.id) }, 'Remove'))));
      }
    } catch (err) {
      msg.textContent = err.message;
      msg.className = 'message error';
    }
  };

  const remove = async (id) => {
    try {
      await api(`/api/v1/faults/${id}`, { method: 'DELETE' });
      say(`Fault ${id} removed.`);
    } catch (err) { say(err.message, true); }
    await refresh();
  };

  const say = (text, bad = false) => { msg.textContent = text; msg.className = bad ? 'message error' : 'message'; };

  const name = h('input', { id: 'fault-name', name: 'name', required: true, maxlength: 256, spellcheck: 'false', autocomplete: 'off', placeholder: '*.default.svc.cluster.local' });
  const type = select('fault-type', TYPES);
  const kind = select('fault-kind', KINDS, 'servfail');
  const times = h('input', { id: 'fault-times', type: 'number', min: 1, placeholder: 'always' });
  const probability = h('input', { id: 'fault-probability', type: 'number', min: 0, max: 1, step: 'any', placeholder: '1' });
  const every = h('input', { id: 'fault-every', type: 'number', min: 1, placeholder: '1' });
  const delayMs = h('input', { id: 'fault-delay', type: 'number', min: 0, max: 60000, value: '500' });
  const addresses = h('input', { id: 'fault-addresses', spellcheck: 'false', placeholder: '192.0.2.1, 2001:db8::1' });
  const client = h('input', { id: 'fault-client', spellcheck: 'false', placeholder: 'any client' });
  const delayField = field('Delay (ms)', delayMs);
  const addressesField = field('Addresses', addresses, 'comma-separated');
  const sync = () => { delayField.hidden = kind.value !== 'delay'; addressesField.hidden = kind.value !== 'answer'; };
  kind.addEventListener('change', sync);
  sync();

  const add = async (ev) => {
    ev.preventDefault();
    const spec = { name: name.value.trim(), fault: kind.value };
    if (type.value) spec.type = type.value;
    for (const [k, el] of [['times', times], ['probability', probability], ['every', every]]) if (el.value !== '') spec[k] = Number(el.value);
    if (kind.value === 'delay') spec.delayMs = Number(delayMs.value || 0);
    if (kind.value === 'answer') spec.addresses = addresses.value.split(/[\s,]+/).filter(Boolean);
    if (client.value.trim()) spec.client = client.value.trim();
    try {
      const f = await api('/api/v1/faults', { method: 'POST', body: spec });
      say(`Fault ${f.id} added: ${f.fault} on ${f.name}.`);
    } catch (err) { say(err.message, true); }
    await refresh();
  };

  const form = h('form', { class: 'row-form', id: 'fault-form', 'aria-label': 'Add a fault', onsubmit: add },
    field('Name pattern', name, '* matches any run of characters'), field('Type', type), field('Fault', kind),
    delayField, addressesField, field('Times', times), field('Probability', probability), field('Every Nth', every),
    field('Client', client), h('button', { type: 'submit', class: 'primary' }, 'Add fault'));

  const removeAll = h('button', { type: 'button', class: 'danger', onclick: async () => {
    try { await api('/api/v1/faults', { method: 'DELETE' }); say('Every fault removed.'); } catch (err) { say(err.message, true); }
    await refresh();
  } }, 'Remove all');

  root.append(h('h2', { class: 'panel-title' }, 'Faults'),
    h('p', { class: 'hint' }, 'Make chosen names fail while your app runs. A query goes through the faults its name and type match in order; the first whose selectors accept it acts.'),
    form, msg, table, h('div', { class: 'buttons' }, removeAll));

  return {
    filter: name,
    show() { refresh(); timer ??= setInterval(() => { if (document.visibilityState === 'visible') refresh(); }, POLL_MS); },
    hide() { clearInterval(timer); timer = null; },
  };
}
