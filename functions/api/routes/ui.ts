import type { ApiApp } from '../app.ts';
import { PAGE_HTML } from '../ui/page.ts';
import { APP_JS } from '../ui/script.ts';
import { APP_CSS } from '../ui/style.ts';

/** The web inspector: one page and two assets, served from strings (no build step, no CDN, Lambda-bundle friendly). */
export function uiRoutes(app: ApiApp) {
  const noStore = { 'Cache-Control': 'no-cache' };
  app.get('/', (c) => c.html(PAGE_HTML, 200, noStore));
  app.get('/ui', (c) => c.redirect('/', 301));
  app.get('/ui/app.js', (c) => c.body(APP_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8', ...noStore }));
  app.get('/ui/app.css', (c) => c.body(APP_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8', ...noStore }));
}
