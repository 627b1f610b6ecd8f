import { alertIn, api, attempt, className, type Item, type ItemRecord } from './api.ts';
import { $, html, pct, show, table } from './dom.ts';
import { selectTab } from './tabs.ts';

/** The history tab: one item's current decision and the ones before it. */
const COLUMNS = ['when', 'label', 'tier', 'status', 'confidence', 'why'];
const row = ({ at, decision: d }: ItemRecord) => [at, className(d.classId, d.label), d.tier, d.status, pct(d.confidence), d.reason];

export async function showItem(key: string) {
  const out = $('#item-detail');
  selectTab($('#tab-history'));
  $<HTMLInputElement>('#item-key').value = key;
  await attempt(async () => {
    const { current, history } = (await api<Item>('GET', `/v1/items/${encodeURIComponent(key)}`)).data;
    const heading = html`<h2>${current.input.name}</h2><p>Normalized text: <code>${current.text}</code></p>`;
    show(out, [heading, table(COLUMNS, [current, ...history].map(row))]);
  }, alertIn(out));
}

$('#item-form').addEventListener('submit', (e) => {
  e.preventDefault();
  showItem($<HTMLInputElement>('#item-key').value.trim());
});
