import type { ListedClass } from '../../core/class-list.ts';
import { api, attempt, className, type ItemRecord, loadedClasses, numberedName } from './api.ts';
import { $, html, onClick, pct, say, show } from './dom.ts';
import { whenShown } from './tabs.ts';

/**
 * The review tab, driven from the keyboard: j/k move, a number picks a class (digits typed within 0.7 s add
 * up), Enter labels the item (the picked class, else the guess), x marks it for the bulk accept. Every class
 * can be picked, "Non-Food (no subcategory)" too: a Level-1-only label.
 */
let reviewItems: ItemRecord[] = [];
let classes: ListedClass[] = [];
let cursor = 0;
const marked = new Set<string>();
const picked = new Map<string, string>();
let digits = '';
let digitTimer: number | undefined;
const list = $('#review-list');
const status = say('#review-status');

function reviewOption({ decision: d, input }: ItemRecord, i: number) {
  const pick = picked.get(d.key);
  return html`<div id="rv-${d.key}" role="option" aria-selected="${String(i === cursor)}" class="review-item${i === cursor && ' current'}${marked.has(d.key) && ' marked'}" data-key="${d.key}">
    <strong>${input.name}</strong> <span class="guess">guess: ${className(d.classId, d.label)} (${pct(d.confidence)})</span>
    ${pick && html`<span class="pick"> → ${numberedName(pick)}</span>`}${marked.has(d.key) && html`<span class="mark"> ✓ marked</span>`}</div>`;
}

function renderReview() {
  if (!reviewItems.length) {
    show(list, html`<p>Nothing waits for review.</p>`);
    list.removeAttribute('aria-activedescendant');
    return;
  }
  cursor = Math.min(cursor, reviewItems.length - 1);
  show(list, reviewItems.map(reviewOption));
  const current = `rv-${reviewItems[cursor].decision.key}`;
  list.setAttribute('aria-activedescendant', current);
  document.getElementById(current)?.scrollIntoView({ block: 'nearest' });
}

const refreshReview = () =>
  attempt(async () => {
    classes = await loadedClasses();
    show($('#classes'), html`${classes.map((c) => html`<li>${numberedName(c.id)}</li>`)}`);
    reviewItems = (await api<{ items: ItemRecord[] }>('GET', '/v1/review?limit=100')).data.items;
    renderReview();
  }, status);

async function acceptCurrent() {
  const r = reviewItems[cursor];
  if (!r) return;
  const key = r.decision.key;
  const pick = picked.get(key);
  await attempt(async () => {
    await api('POST', `/v1/review/${key}/accept`, pick ? { classId: pick } : undefined);
    status(`Labelled "${r.input.name}" as ${className(pick || r.decision.classId, r.decision.label)}.`);
    reviewItems.splice(cursor, 1);
    picked.delete(key);
    marked.delete(key);
    renderReview();
  }, status);
}

function pickByDigit(digit: string, key: string) {
  digits += digit;
  clearTimeout(digitTimer);
  digitTimer = setTimeout(() => (digits = ''), 700);
  const cls = classes[Number(digits) - 1];
  if (cls) {
    picked.set(key, cls.id);
    status(`Picked ${cls.name}.`);
    renderReview();
  }
}

const STEPS: Record<string, number> = { j: 1, ArrowDown: 1, k: -1, ArrowUp: -1 };
list.addEventListener('keydown', (e) => {
  if (e.target instanceof Element && e.target.closest('input, textarea')) return;
  const key = reviewItems[cursor]?.decision.key;
  const step = STEPS[e.key];
  if (step) {
    cursor = Math.max(0, Math.min(cursor + step, reviewItems.length - 1));
    renderReview();
    e.preventDefault();
  } else if (e.key === 'x' && key) {
    if (!marked.delete(key)) marked.add(key);
    renderReview();
  } else if (e.key === 'Enter') {
    e.preventDefault();
    acceptCurrent();
  } else if (/^[0-9]$/.test(e.key) && key) pickByDigit(e.key, key);
});
onClick(list, '[role=option]', (option) => {
  cursor = reviewItems.findIndex((r) => r.decision.key === option.dataset.key);
  renderReview();
});

$('#review-refresh').addEventListener('click', refreshReview);
$('#review-bulk').addEventListener('click', async () => {
  const keys = [...marked];
  if (!keys.length) {
    status('Nothing is marked: press x on an item to mark it.');
    return;
  }
  await attempt(async () => {
    const { data } = await api<{ accepted: string[]; failed: unknown[] }>('POST', '/v1/review/accept', { keys });
    status(`Accepted ${data.accepted.length} guesses${data.failed.length ? `, ${data.failed.length} failed` : ''}.`);
    marked.clear();
    refreshReview();
  }, status);
});
whenShown('review', refreshReview);
