/** The inspector's HTML shell: one page, six tabs; ui/script.ts fills the panels. No external assets. */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Aisle inspector</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ui/app.css">
<script type="module" src="/ui/app.js"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
  <h1>Aisle <span class="sub">inspector</span></h1>
  <form id="key-form" class="key" autocomplete="off">
    <label for="api-key">API key</label>
    <input id="api-key" name="key" type="password" placeholder="aisle_…" spellcheck="false">
    <button type="submit">Use key</button>
    <span id="key-status" role="status" aria-live="polite"></span>
  </form>
</header>
<nav role="tablist" aria-label="Sections">
  <button role="tab" id="tab-classify" aria-controls="panel-classify" aria-selected="true">Classify</button>
  <button role="tab" id="tab-history" aria-controls="panel-history" aria-selected="false" tabindex="-1">History</button>
  <button role="tab" id="tab-jobs" aria-controls="panel-jobs" aria-selected="false" tabindex="-1">Jobs</button>
  <button role="tab" id="tab-review" aria-controls="panel-review" aria-selected="false" tabindex="-1">Review</button>
  <button role="tab" id="tab-models" aria-controls="panel-models" aria-selected="false" tabindex="-1">Models</button>
  <button role="tab" id="tab-insights" aria-controls="panel-insights" aria-selected="false" tabindex="-1">Insights</button>
</nav>
<main id="main">
<section role="tabpanel" id="panel-classify" aria-labelledby="tab-classify">
  <form id="classify-form" class="grid">
    <label for="c-name">Product name</label><input id="c-name" name="name" required placeholder="Organic whole milk 1 gal">
    <label for="c-brand">Brand <span class="opt">(optional)</span></label><input id="c-brand" name="brand">
    <label for="c-search">Search term <span class="opt">(optional)</span></label><input id="c-search" name="search_term">
    <label for="c-desc">Description <span class="opt">(optional)</span></label><input id="c-desc" name="description">
    <span></span>
    <div class="row"><button type="submit" class="primary">Classify</button>
      <label class="inline"><input type="checkbox" id="c-debug"> Debug: show the trace and the calls made</label></div>
  </form>
  <div id="classify-result" aria-live="polite" aria-atomic="true"></div>
  <div id="classify-debug" hidden></div>
</section>
<section role="tabpanel" id="panel-history" aria-labelledby="tab-history" hidden>
  <form id="item-form" class="row">
    <label for="item-key">Item key</label><input id="item-key" name="key" pattern="[0-9a-f]{16}" placeholder="16 hex characters">
    <button type="submit">Show history</button>
  </form>
  <h2>Recent decisions <span class="opt">(this browser session)</span></h2>
  <table id="recent"><thead><tr><th scope="col">Product</th><th scope="col">Label</th><th scope="col">Tier</th><th scope="col">Status</th><th scope="col">Key</th></tr></thead><tbody></tbody></table>
  <div id="item-detail" aria-live="polite"></div>
</section>
<section role="tabpanel" id="panel-jobs" aria-labelledby="tab-jobs" hidden>
  <div id="drop" class="drop" tabindex="0" role="button" aria-describedby="drop-help">
    <p id="drop-help">Drop a CSV here, or press Enter to choose one. Columns: <code>name</code> (required), <code>search_term</code>, <code>brand</code>, <code>description</code>; other columns pass through.</p>
    <input id="job-file" type="file" accept=".csv,text/csv" aria-label="CSV file to classify">
  </div>
  <p id="job-status" role="status" aria-live="polite"></p>
  <table id="jobs"><thead><tr><th scope="col">Job</th><th scope="col">Status</th><th scope="col">Progress</th><th scope="col">Rows</th><th scope="col">Classified</th><th scope="col">Rejected</th><th scope="col">Review</th><th scope="col">Downloads</th></tr></thead><tbody></tbody></table>
</section>
<section role="tabpanel" id="panel-review" aria-labelledby="tab-review" hidden>
  <p class="help" id="review-help">Keys: <kbd>j</kbd>/<kbd>k</kbd> move · a number picks a class · <kbd>Enter</kbd> accepts (the picked class, else the guess) · <kbd>x</kbd> marks for bulk accept.</p>
  <div class="row"><button id="review-refresh" type="button">Refresh</button><button id="review-bulk" type="button">Accept marked guesses</button></div>
  <ol id="classes" class="classes" aria-label="Classes by number"></ol>
  <div id="review-list" role="listbox" tabindex="0" aria-label="Items to review" aria-describedby="review-help"></div>
  <p id="review-status" role="status" aria-live="polite"></p>
</section>
<section role="tabpanel" id="panel-models" aria-labelledby="tab-models" hidden>
  <div class="row"><button id="models-refresh" type="button">Refresh</button><button id="retrain" type="button">Retrain now</button></div>
  <p id="models-status" role="status" aria-live="polite"></p>
  <div id="models"></div>
</section>
<section role="tabpanel" id="panel-insights" aria-labelledby="tab-insights" hidden>
  <div class="row"><label for="insights-job">Job (optional)</label><input id="insights-job" name="job" placeholder="all jobs" autocomplete="off"></div>
  <div id="insights-list" class="row" role="group" aria-label="Named queries"></div>
  <div id="insights" aria-live="polite"></div>
</section>
</main>
</body>
</html>
`;
