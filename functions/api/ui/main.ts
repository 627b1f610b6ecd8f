/**
 * The inspector's browser entry (bundled by esbuild into /ui/app.js: routes/ui.ts). Each tab's module wires its
 * own panel of index.html when imported; this one wires the API key form and opens the first tab.
 */
import { apiKey, attempt, loadTaxonomy } from './api.ts';
import './ask.ts';
import './classify.ts';
import { $, say } from './dom.ts';
import './insights.ts';
import './jobs.ts';
import './models.ts';
import './review.ts';
import './shoppers.ts';
import { openInitialTab, refreshTab } from './tabs.ts';

const keyInput = $<HTMLInputElement>('#api-key');
keyInput.value = apiKey.get();
$('#key-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  apiKey.set(keyInput.value.trim());
  const status = say('#key-status');
  await attempt(async () => {
    await loadTaxonomy();
    status('Key accepted.');
    refreshTab();
  }, status);
});

openInitialTab();
loadTaxonomy().catch(() => {}); // a missing key is told in the key form's status
document.body.dataset.ready = 'true';
