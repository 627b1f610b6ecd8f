import { $ } from './dom.ts';

/** The eight tabs (arrow keys move between them; the hash names the open one) and what each loads when shown. */
const tabs = [...document.querySelectorAll<HTMLButtonElement>('[role=tab]')];
const nameOf = (tab: HTMLElement) => tab.id.slice('tab-'.length);
const onShow = new Map<string, () => void>();

/** Registers what the tab `name` loads each time it is shown. */
export function whenShown(name: string, load: () => void) {
  onShow.set(name, load);
}

export function selectTab(tab: HTMLElement, focus = false) {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    $(`#${t.getAttribute('aria-controls')}`).hidden = !on;
  }
  if (focus) tab.focus();
  history.replaceState(null, '', `#${nameOf(tab)}`);
  refreshTab();
}

/** Loads what the selected tab shows (on selection, and again once a key is entered). */
export function refreshTab() {
  const tab = tabs.find((t) => t.getAttribute('aria-selected') === 'true');
  if (tab) onShow.get(nameOf(tab))?.();
}

tabs.forEach((t, i) => {
  t.addEventListener('click', () => selectTab(t));
  t.addEventListener('keydown', (e) => {
    const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (d) {
      e.preventDefault();
      selectTab(tabs[(i + d + tabs.length) % tabs.length], true);
    }
  });
});

/** Opens the tab the address names, else the first. */
export const openInitialTab = () => selectTab(tabs.find((t) => `#${nameOf(t)}` === location.hash) ?? tabs[0]);
