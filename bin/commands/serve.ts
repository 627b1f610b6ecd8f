import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';

/** Starts the app on host:port (port 0: any free one); resolves once it listens. */
export function listen(app: Pick<Hono, 'fetch'>, opts: { host: string; port: number }): Promise<{ url: string; server: ServerType; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: opts.host, port: opts.port }, (info) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        server,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
    server.once('error', reject);
  });
}

export async function run(_argv: string[]): Promise<number> {
  console.error('aisle serve: waiting for the local runtime');
  return 1;
}
