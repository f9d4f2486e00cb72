// Explain: a name (and optionally the asking pod's namespace and ndots) → the answer DNS gives, the object and rule
// behind each record, and for NXDOMAIN/NODATA the near misses, each with the names that would answer.
import { api, query } from './api.js';
import { field, h, clear, rcodeBadge, select } from './dom.js';

const TYPES = ['A', 'AAAA', 'SRV', 'PTR', 'TXT', 'CNAME', 'SOA', 'NS', 'ANY'];

function records(title, rrs) {
  if (!rrs?.length) return null;
  return h('section', { class: 'block' },
    h('h3', {}, title),
    h('table', { class: 'data' },
      h('thead', {}, h('tr', {}, ['Name', 'TTL', 'Type', 'Data', 'From', 'Why'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rrs.map((r) => h('tr', {},
        h('td', { class: 'mono' }, r.name), h('td', {}, r.ttl), h('td', {}, r.type),
        h('td', { class: 'mono' }, r.text?.split('\t').slice(4).join(' ') || ''),
        h('td', { class: 'mono' }, r.source ?? ''), h('td', {}, r.rule))))));
}

export function mount(root) {
  const name = h('input', { id: 'explain-name', name: 'name', required: true, maxlength: 255, spellcheck: 'false', autocomplete: 'off', placeholder: 'myapp.default.svc.cluster.local' });
  const type = select('explain-type', TYPES);
  const namespace = h('input', { id: 'explain-namespace', name: 'namespace', maxlength: 63, spellcheck: 'false', autocomplete: 'off', placeholder: 'e.g. default' });
  const ndots = h('input', { id: 'explain-ndots', name: 'ndots', type: 'number', min: 0, max: 15, placeholder: '5' });
  const out = h('div', { id: 'explain-result', class: 'result', 'aria-live': 'polite' });
  let controller = null;

  const run = async () => {
    if (!name.value.trim()) { name.focus(); return; }
    controller?.abort();
    controller = new AbortController();
    clear(out).append(h('p', { class: 'hint' }, 'asking…'));
    try {
      const e = await api(`/api/v1/explain${query({ name: name.value.trim(), type: type.value, namespace: namespace.value.trim(), ndots: ndots.value })}`, { signal: controller.signal });
      render(e);
    } catch (err) {
      if (err.name === 'AbortError') return;
      clear(out).append(h('p', { class: 'error', role: 'alert' }, err.message));
    }
  };

  const explainName = (n) => { name.value = n; run(); };

  const render = (e) => {
    clear(out);
    out.append(h('h2', { class: 'answer-head' }, rcodeBadge(e.rcode), ' ', h('span', { class: 'mono' }, e.name), ` ${e.type}`,
      e.aa ? h('span', { class: 'tag', title: 'authoritative answer' }, 'aa') : null));
    if (e.note) out.append(h('p', { class: 'note' }, e.note));
    if (!e.answer.length && !e.nearMisses.length && e.rcode === 'NOERROR') out.append(h('p', {}, 'NOERROR with no answer (NODATA): the name exists, but has no record of this type.'));
    if (e.nearMisses.length) {
      out.append(h('section', { class: 'block near', 'aria-label': 'Near misses' },
        h('h3', {}, 'Why, and what is near'),
        h('ul', { class: 'near-misses' }, e.nearMisses.map((m) => h('li', { class: `near-miss ${m.kind}` },
          h('span', { class: 'tag' }, m.kind), ' ', m.message,
          m.names?.length ? h('div', { class: 'names' }, 'Would answer: ', m.names.map((n) => h('button', { type: 'button', class: 'link mono', onclick: () => explainName(n), 'aria-label': `Explain ${n}` }, n))) : null,
          m.objects?.length ? h('div', { class: 'hint' }, m.objects.join(', ')) : null))),
        e.nearMissesLeftOut ? h('p', { class: 'hint' }, `${e.nearMissesLeftOut} more left out`) : null));
    }
    for (const el of [records('Answer', e.answer), records('Authority', e.authority), records('Additional', e.additional)]) if (el) out.append(el);
    if (e.search) {
      const s = e.search;
      out.append(h('section', { class: 'block' },
        h('h3', {}, `Search-path walk of a pod in ${s.namespace} (ndots:${s.ndots})`),
        h('p', { class: 'hint' }, `search ${s.search.join(' ')}`),
        h('ol', { class: 'walk' }, s.walk.map((w) => h('li', {}, rcodeBadge(w.rcode), ' ', h('span', { class: 'mono' }, w.name),
          w.answers ? ` ${w.answers} answer${w.answers > 1 ? 's' : ''}` : '', w.stop ? h('span', { class: 'tag' }, 'stops here') : null))),
        s.resolvedAs ? h('p', {}, 'Resolves as ', h('span', { class: 'mono' }, s.resolvedAs)) : h('p', {}, 'No name of the walk answers.')));
    }
    if (e.faults?.length) {
      out.append(h('section', { class: 'block' }, h('h3', {}, 'Faults that match this question'),
        h('ul', {}, e.faults.map((f) => h('li', {}, `#${f.id} ${f.fault} on `, h('span', { class: 'mono' }, f.name), f.type ? ` (${f.type})` : '')))));
    }
  };

  const form = h('form', { class: 'row-form', 'aria-label': 'Explain a name', onsubmit: (ev) => { ev.preventDefault(); run(); } },
    field('Name', name), field('Type', type), field('Pod namespace', namespace, 'optional: adds the search-path walk'),
    field('ndots', ndots), h('button', { type: 'submit', class: 'primary' }, 'Explain'));
  root.append(h('h2', { class: 'panel-title' }, 'Explain a name'),
    h('p', { class: 'hint' }, 'The exact answer DNS gives (faults and cache included), the object and rule behind each record, and for a failure what is near.'),
    form, out);
  return {
    filter: name,
    show(params) {
      if (!params?.get('name')) return;
      name.value = params.get('name');
      if (params.get('type') && TYPES.includes(params.get('type'))) type.value = params.get('type');
      namespace.value = params.get('namespace') ?? '';
      run();
    },
    hide() {},
    explain: explainName,
  };
}
