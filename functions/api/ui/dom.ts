/**
 * The inspector's views are HTML templates: `html` escapes every interpolated value (text and attribute values
 * alike) unless it is itself an `html` template; arrays are joined, and null, undefined and false leave nothing.
 * A template's line breaks (and the indentation after them) are dropped: its layout adds no text to the page.
 */
export class Html {
  constructor(readonly text: string) {}
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function render(v: unknown): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  return v === null || v === undefined || v === false ? '' : String(v).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  return new Html(strings.reduce((out, s, i) => out + s.replace(/\n\s*/g, '') + (i < values.length ? render(values[i]) : ''), ''));
}

/** Replaces what `el` shows with `content`. */
export function show(el: Element, content: Html | Html[]) {
  el.innerHTML = render(content);
}

/** The page's element for `selector`: the page is static, so a missing one is a bug. */
export function $<E extends HTMLElement = HTMLElement>(selector: string): E {
  const el = document.querySelector<E>(selector);
  if (!el) throw new Error(`the page has no ${selector}`);
  return el;
}

/** Writes a line of text into the page's element for `selector` (a status line). */
export const say = (selector: string) => (text: string) => {
  $(selector).textContent = text;
};

/** Calls `act` with the element matching `selector` that a click inside `container` landed on. */
export function onClick(container: Element, selector: string, act: (el: HTMLElement) => void) {
  container.addEventListener('click', (e) => {
    const el = e.target instanceof Element ? e.target.closest<HTMLElement>(selector) : null;
    if (el && container.contains(el)) act(el);
  });
}

export const pct = (x: number) => `${(Math.round(x * 1000) / 10).toFixed(1)}%`;
export const ms = (x: number) => `${x < 10 ? x.toFixed(2) : x.toFixed(0)} ms`;

/** A table with a header row of `cols` and one row per entry of `rows`, a cell per value. */
export const table = (cols: string[], rows: unknown[][], cls = '') => html`<table${cls ? html` class="${cls}"` : ''}>
  <thead><tr>${cols.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
  <tbody>${rows.map((r) => html`<tr>${r.map((v) => html`<td>${v}</td>`)}</tr>`)}</tbody></table>`;
