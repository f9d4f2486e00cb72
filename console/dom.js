// Building DOM from data without innerHTML: every name, record and message from the server is text, never markup.

/**
 * h('button', { class: 'x', onclick: f, 'aria-label': 'y' }, 'text', child): keys starting with "on" are listeners,
 * "class" and "text" are shorthands, booleans set or remove an attribute, everything else is an attribute.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function debounce(fn, ms) {
  let t;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

/** A labelled form field: <label for=id>text</label><input id=id ...>. */
export function field(label, input, hint) {
  const wrap = h('div', { class: 'field' }, h('label', { for: input.id }, label), input);
  if (hint) {
    const hintEl = h('span', { class: 'hint', id: `${input.id}-hint` }, hint);
    input.setAttribute('aria-describedby', hintEl.id);
    wrap.append(hintEl);
  }
  return wrap;
}

/** A <select> of plain string options; the first is selected unless `selected` names another. */
export function select(id, options, selected) {
  return h('select', { id, name: id }, options.map((o) => {
    const [value, label] = Array.isArray(o) ? o : [o, o];
    return h('option', { value, selected: value === selected }, label);
  }));
}

/** An rcode as a coloured badge (the colour is decoration: the text says it). */
export function rcodeBadge(rcode) {
  const cls = rcode === 'NOERROR' ? 'ok' : rcode === 'NXDOMAIN' || rcode === 'NODATA' ? 'warn' : 'bad';
  return h('span', { class: `badge ${cls}` }, rcode);
}

/** "SRV 0 100 80 x." style text of a record's data, whatever shape the API gave it. */
export function recordData(data) {
  if (data === null || data === undefined) return '';
  if (typeof data !== 'object') return String(data);
  if (Array.isArray(data)) return data.map(recordData).join(' ');
  return Object.values(data).map(recordData).join(' ');
}

export function time(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso ?? '');
  return d.toLocaleTimeString([], { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
}
