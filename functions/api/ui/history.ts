import { api, type Item, type ItemRecord, showError } from './api.ts';
import { $, h, pct } from './dom.ts';
import { selectTab } from './tabs.ts';

/** The history tab: one item's current decision and the ones before it. */
export async function showItem(key: string) {
  const out = $('#item-detail');
  selectTab($('#tab-history'));
  $<HTMLInputElement>('#item-key').value = key;
  try {
    const { data } = await api<Item>('GET', `/v1/items/${encodeURIComponent(key)}`);
    const row = (r: ItemRecord) => h('tr', {}, h('td', {}, r.at), h('td', {}, r.decision.label || 'Unknown'), h('td', {}, r.decision.tier),
      h('td', {}, r.decision.status), h('td', {}, pct(r.decision.confidence)), h('td', {}, r.decision.reason || ''));
    out.replaceChildren(
      h('h2', {}, data.current.input.name),
      h('p', {}, 'Normalized text: ', h('code', {}, data.current.text)),
      h('table', {}, h('thead', {}, h('tr', {}, ['when', 'label', 'tier', 'status', 'confidence', 'why'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, [data.current, ...data.history].map(row))),
    );
  } catch (err) {
    showError(out, err);
  }
}

$('#item-form').addEventListener('submit', (e) => {
  e.preventDefault();
  showItem($<HTMLInputElement>('#item-key').value.trim());
});
