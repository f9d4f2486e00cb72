// A list that renders only the rows in view (fixed row height), so 10,000 Services or 5,000 queries cost the DOM
// ~40 elements. Rows are rebuilt on scroll, resize or new items, at most once per animation frame.

export class VirtualList {
  /**
   * @param {HTMLElement} viewport the scrolling element (class vlist)
   * @param {{ rowHeight: number, render: (item, index) => HTMLElement, onRange?: (first, last) => void }} opts
   */
  constructor(viewport, { rowHeight, render, onRange }) {
    this.viewport = viewport;
    this.rowHeight = rowHeight;
    this.render = render;
    this.onRange = onRange;
    this.items = [];
    this.spacer = document.createElement('div');
    this.spacer.className = 'spacer';
    viewport.append(this.spacer);
    this.frame = 0;
    viewport.addEventListener('scroll', () => this.schedule());
    new ResizeObserver(() => this.schedule()).observe(viewport);
  }

  setItems(items) {
    this.items = items;
    this.schedule();
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.draw(); });
  }

  /** Draws now (tests and keyboard moves want the row in the DOM before they focus it). */
  draw() {
    const n = this.items.length;
    this.spacer.style.height = `${n * this.rowHeight}px`;
    const top = this.viewport.scrollTop;
    const height = this.viewport.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / this.rowHeight) - 5);
    const last = Math.min(n, Math.ceil((top + height) / this.rowHeight) + 5);
    const rows = [];
    for (let i = first; i < last; i++) {
      const el = this.render(this.items[i], i);
      el.style.transform = `translateY(${i * this.rowHeight}px)`;
      el.style.top = '0';
      rows.push(el);
    }
    this.spacer.replaceChildren(...rows);
    this.onRange?.(first, last);
  }

  /** Scrolls just enough to show row i. */
  reveal(i) {
    const y = i * this.rowHeight;
    const v = this.viewport;
    if (y < v.scrollTop) v.scrollTop = y;
    else if (y + this.rowHeight > v.scrollTop + v.clientHeight) v.scrollTop = y + this.rowHeight - v.clientHeight;
    this.draw();
  }
}
