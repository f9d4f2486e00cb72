// A textarea with line numbers and error marks: the gutter and a band behind the text follow the textarea's scroll,
// so "line 8" from the server is shown at line 8. Plain textarea underneath: undo, selection, screen readers and
// the browser's own editing keys all keep working.
import { h } from './dom.js';

export class LineEditor {
  constructor({ id, label, value = '' }) {
    this.textarea = h('textarea', { id, spellcheck: 'false', autocomplete: 'off', wrap: 'off', 'aria-label': label, 'aria-multiline': 'true' });
    this.textarea.value = value;
    this.gutter = h('div', { class: 'gutter', 'aria-hidden': 'true' });
    this.bands = h('div', { class: 'bands', 'aria-hidden': 'true' });
    this.el = h('div', { class: 'editor' }, this.gutter, h('div', { class: 'text' }, this.bands, this.textarea));
    this.errors = new Set();
    this.lines = 0;
    this.textarea.addEventListener('input', () => this.renderGutter());
    this.textarea.addEventListener('scroll', () => this.follow());
    this.textarea.addEventListener('keydown', (e) => {
      // Tab inserts two spaces (YAML indents with spaces); Escape then Tab leaves the editor, as in most code editors.
      if (e.key === 'Tab' && !e.shiftKey && !this.escaped) {
        e.preventDefault();
        document.execCommand?.('insertText', false, '  ') || this.insert('  ');
      }
      this.escaped = e.key === 'Escape';
    });
    this.renderGutter();
  }

  insert(text) {
    const t = this.textarea;
    const { selectionStart: s, selectionEnd: e } = t;
    t.value = t.value.slice(0, s) + text + t.value.slice(e);
    t.selectionStart = t.selectionEnd = s + text.length;
    this.renderGutter();
  }

  get value() { return this.textarea.value; }

  lineHeight() {
    return parseFloat(getComputedStyle(this.textarea).lineHeight) || 18;
  }

  renderGutter() {
    const n = this.textarea.value.split('\n').length;
    if (n !== this.lines) {
      this.lines = n;
      const frag = document.createDocumentFragment();
      for (let i = 1; i <= n; i++) frag.append(h('div', { class: this.errors.has(i) ? 'ln error' : 'ln', 'data-line': i }, i));
      this.gutter.replaceChildren(frag);
    }
    this.follow();
  }

  follow() {
    this.gutter.scrollTop = this.textarea.scrollTop;
    this.bands.style.transform = `translateY(${-this.textarea.scrollTop}px)`;
  }

  /** Marks these 1-based lines as wrong (the gutter number and a band behind the text); [] clears. */
  markErrors(lines) {
    this.errors = new Set(lines);
    this.lines = 0;
    this.renderGutter();
    const lh = this.lineHeight();
    const pad = parseFloat(getComputedStyle(this.textarea).paddingTop) || 0;
    this.bands.replaceChildren(...[...this.errors].map((l) => {
      const band = h('div', { class: 'band', 'data-line': l });
      band.style.top = `${pad + (l - 1) * lh}px`;
      band.style.height = `${lh}px`;
      return band;
    }));
    this.textarea.setAttribute('aria-invalid', String(this.errors.size > 0));
  }

  /** Scrolls so that a line shows, a few lines from the top, without moving the caret or the focus. */
  reveal(line) {
    const lh = this.lineHeight();
    const top = (line - 1) * lh;
    const t = this.textarea;
    if (top < t.scrollTop || top + lh > t.scrollTop + t.clientHeight) t.scrollTop = Math.max(0, top - 2 * lh);
    this.follow();
  }

  /** Puts the caret at the start of a line and scrolls it into view. */
  goToLine(line) {
    const lines = this.textarea.value.split('\n');
    let pos = 0;
    for (let i = 0; i < Math.min(line - 1, lines.length); i++) pos += lines[i].length + 1;
    this.textarea.focus();
    this.textarea.setSelectionRange(pos, pos + (lines[line - 1]?.length ?? 0));
    const lh = this.lineHeight();
    this.textarea.scrollTop = Math.max(0, (line - 3) * lh);
    this.follow();
  }
}
