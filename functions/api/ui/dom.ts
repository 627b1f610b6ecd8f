/**
 * The inspector's views are HTML templates: `html` escapes every interpolated value (text and attribute values
 * alike, bidirectional controls made visible) unless it is itself an `html` template; arrays are joined, and
 * null, undefined and false leave nothing.
 * A template's line breaks (and the indentation after them) are dropped: its layout adds no text to the page.
 */
export class Html {
  constructor(readonly text: string) {}
}

/**
 * Bidirectional controls (U+202A–U+202E, U+2066–U+2069, the marks U+200E, U+200F, U+061C): invisible, yet they
 * reorder the text after them, so a product name could show as another ("Milk\u202Eedoc" reads "Milkcode").
 */
const BIDI_CONTROLS_RE = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

/**
 * User text (product names, file names) as the inspector shows it: each bidirectional control written out as
 * a visible marker ("<U+202E>"), the rest as it is. Every value an `html` template or `say` puts on the page
 * goes through it.
 */
export const visibleText = (text: string) =>
  text.replace(BIDI_CONTROLS_RE, (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`);

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function render(v: unknown): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  return v === null || v === undefined || v === false ? '' : visibleText(String(v)).replace(/[&<>"']/g, (c) => ESCAPES[c]);
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

/** Writes a line of text into the page's element for `selector` (a status line; names in it shown by visibleText). */
export const say = (selector: string) => (text: string) => {
  $(selector).textContent = visibleText(text);
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
