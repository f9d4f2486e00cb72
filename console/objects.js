// Apply and delete objects (fixture mode): a YAML editor whose errors from the server are marked at their line, and
// a delete form. In live mode the Kubernetes API is the source of truth: shown, disabled, with the reason.
import { api } from './api.js';
import { LineEditor } from './editor.js';
import { clear, field, h, select } from './dom.js';

const SAMPLE = `apiVersion: v1
kind: Service
metadata:
  name: hello
  namespace: default
spec:
  selector: { app: hello }
  ports:
    - name: http
      port: 80
`;
const KINDS = ['Service', 'EndpointSlice', 'Pod', 'Namespace', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Ingress'];

/** The lines an error names: a `line` field if the server gives one, else each "<request>:N" in its message. */
export function errorLines(err) {
  const lines = new Set();
  const body = err.body ?? {};
  for (const l of [body.line, ...(Array.isArray(body.errors) ? body.errors.map((e) => e.line) : [])]) if (Number.isInteger(l) && l > 0) lines.add(l);
  for (const m of String(err.message).matchAll(/<request>:(\d+)/g)) lines.add(Number(m[1]));
  return [...lines].sort((a, b) => a - b);
}

export function mount(root, ctx) {
  const editor = new LineEditor({ id: 'objects-yaml', label: 'Manifests (YAML or JSON)', value: SAMPLE });
  const result = h('div', { id: 'objects-result', class: 'message', role: 'status', 'aria-live': 'polite' });
  const apply = h('button', { type: 'submit', class: 'primary' }, 'Apply');
  const live = h('p', { class: 'notice', id: 'objects-live', hidden: true });

  const applyNow = async (ev) => {
    ev?.preventDefault();
    editor.markErrors([]);
    clear(result).className = 'message';
    try {
      const r = await api('/api/v1/objects', { method: 'POST', body: editor.value, type: 'application/yaml' });
      result.append(`Applied: ${(r.applied ?? []).map((a) => (typeof a === 'string' ? a : `${a.kind}/${a.namespace ? `${a.namespace}/` : ''}${a.name}`)).join(', ') || 'nothing changed'}.`);
    } catch (err) {
      const lines = errorLines(err);
      editor.markErrors(lines);
      if (lines.length) editor.reveal(lines[0]);
      result.className = 'message error';
      result.setAttribute('role', 'alert');
      const errors = Array.isArray(err.body?.errors) ? err.body.errors.filter((e) => Number.isInteger(e.line)) : [];
      if (errors.length) {
        // Each error by its line: "Go to line" takes the caret there.
        result.append(h('p', {}, String(err.message).split('\n')[0]));
        result.append(h('ul', { class: 'errors' }, errors.map((e) => h('li', {},
          h('button', { type: 'button', class: 'link', onclick: () => editor.goToLine(e.line) }, `Go to line ${e.line}`),
          ` (document ${e.document + 1}${e.column ? `, column ${e.column}` : ''}): `, h('span', { class: 'error-text' }, e.message)))));
      } else {
        result.append(h('pre', { class: 'error-text' }, err.message));
        for (const l of lines) result.append(h('button', { type: 'button', class: 'link', onclick: () => editor.goToLine(l) }, `Go to line ${l}`), ' ');
      }
    }
  };
  editor.textarea.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) applyNow(e); });

  const kind = select('delete-kind', KINDS);
  const ns = h('input', { id: 'delete-namespace', spellcheck: 'false', autocomplete: 'off', value: 'default' });
  const name = h('input', { id: 'delete-name', required: true, spellcheck: 'false', autocomplete: 'off', placeholder: 'hello' });
  const delMsg = h('p', { class: 'message', role: 'status', 'aria-live': 'polite' });
  const del = async (ev) => {
    ev.preventDefault();
    const path = kind.value === 'Namespace' ? `Namespace/${encodeURIComponent(name.value.trim())}`
      : `${kind.value}/${encodeURIComponent(ns.value.trim())}/${encodeURIComponent(name.value.trim())}`;
    try {
      const r = await api(`/api/v1/objects/${path}`, { method: 'DELETE' });
      delMsg.textContent = `Deleted ${r.deleted}.`;
      delMsg.className = 'message';
    } catch (err) {
      delMsg.textContent = err.message;
      delMsg.className = 'message error';
    }
  };

  const applySet = h('fieldset', { class: 'plain' },
    h('legend', {}, 'Apply manifests (like kubectl apply -f)'),
    h('form', { id: 'apply-form', onsubmit: applyNow }, editor.el,
      h('div', { class: 'buttons' }, apply, h('span', { class: 'hint' }, 'Ctrl+Enter applies. Nothing of a request that fails is applied.')),
      result));
  const deleteSet = h('fieldset', { class: 'plain' },
    h('legend', {}, 'Delete an object'),
    h('form', { id: 'delete-form', class: 'row-form', onsubmit: del },
      field('Kind', kind), field('Namespace', ns), field('Name', name), h('button', { type: 'submit', class: 'danger' }, 'Delete')),
    delMsg);
  root.append(h('h2', { class: 'panel-title' }, 'Objects'), live, applySet, deleteSet);

  const checkMode = async () => {
    const s = ctx.status ?? await ctx.statusReady;
    const isLive = s && s.source !== 'fixtures';
    applySet.disabled = deleteSet.disabled = Boolean(isLive);
    live.hidden = !isLive;
    live.textContent = isLive ? `Disabled: this server answers from a live cluster (${s.source}); the Kubernetes API is the source of truth, so change objects with kubectl.` : '';
  };
  checkMode();
  return { filter: editor.textarea, show: checkMode, hide() {} };
}
