import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { swaggerUI } from '@hono/swagger-ui';
import { errorBody } from '../errors.ts';
import type { ApiApp } from '../types.ts';

/**
 * Swagger UI at /docs, with its two assets served from the swagger-ui-dist package instead of a CDN, so the
 * docs work offline. A Lambda bundle must ship swagger-ui-dist's swagger-ui.css and swagger-ui-bundle.js
 * (esbuild `nodeModules: ['swagger-ui-dist']`); without them /docs answers but its assets 404.
 */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

export function docsRoutes(app: ApiApp) {
  const cache = new Map<string, Buffer>();
  app.get('/docs', swaggerUI({ url: '/openapi.json', baseUrl: '/docs/assets', title: 'Aisle API', persistAuthorization: true }));
  app.get('/docs/assets/swagger-ui-dist/:file', async (c) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (!type) return c.json(errorBody('not_found', `no asset ${file}`), 404);
    let body = cache.get(file);
    if (!body) {
      try {
        const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
        body = await readFile(join(dir, file));
      } catch {
        return c.json(errorBody('not_found', `swagger-ui-dist is not installed with this deployment: ${file} is missing`), 404);
      }
      cache.set(file, body);
    }
    return c.body(new Uint8Array(body), 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' });
  });
}
