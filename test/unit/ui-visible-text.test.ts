import { describe, expect, it } from 'vitest';
import { html, visibleText } from '../../functions/api/ui/dom.ts';

describe('the inspector shows bidirectional controls in user text', () => {
  it('writes each one out as a visible marker, and leaves right-to-left letters as they are', () => {
    expect(visibleText('Milk\u202eedoc\u202c 1 gal')).toBe('Milk<U+202E>edoc<U+202C> 1 gal');
    const controls = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c'];
    expect(controls.map(visibleText)).toEqual(
      ['202A', '202B', '202C', '202D', '202E', '2066', '2067', '2068', '2069', '200E', '200F', '061C'].map((c) => `<U+${c}>`),
    );
    for (const name of ['חלב 3%', 'حليب طازج', 'Whole Milk', '']) expect(visibleText(name)).toBe(name);
  });

  it('in every value an html template puts on the page, escaped as HTML', () => {
    const name = 'Gadget \u202eeno\u202c <b>';
    expect(html`<td title="${name}">${name}</td>`.text).toBe(
      '<td title="Gadget &lt;U+202E&gt;eno&lt;U+202C&gt; &lt;b&gt;">Gadget &lt;U+202E&gt;eno&lt;U+202C&gt; &lt;b&gt;</td>',
    );
  });
});
