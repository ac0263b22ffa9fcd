/**
 * The admin endpoint of `httpwire proxy --admin HOST:PORT`, served by
 * httpwire's own server on its own port:
 *   GET /status    the balancer's status() as JSON (one entry per target)
 *   GET /metrics   Prometheus text (metrics.ts)
 * Anything else is 404; a method other than GET or HEAD is 405.
 */
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from '../server/server.js';
import { type MetricsSnapshot, renderMetrics } from './metrics.js';

/** startAdmin serves the admin pages from `collect` (called per request) on `host:port`. */
export async function startAdmin(
  host: string,
  port: number,
  collect: () => Promise<MetricsSnapshot>,
): Promise<{ server: Server; address: AddressInfo }> {
  const server = createServer(async (rw, req) => {
    const path = req.url.path;
    if (path !== '/status' && path !== '/metrics') {
      rw.header().set('Content-Type', 'text/plain; charset=utf-8');
      rw.writeHeader(404);
      await rw.write('not found: try /status or /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      rw.header().set('Allow', 'GET, HEAD');
      rw.writeHeader(405);
      return;
    }
    const snap = await collect();
    rw.header().set('Cache-Control', 'no-store');
    if (path === '/status') {
      rw.header().set('Content-Type', 'application/json');
      await rw.write(`${JSON.stringify(snap.status ?? [], null, 2)}\n`);
    } else {
      rw.header().set('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
      await rw.write(renderMetrics(snap));
    }
  });
  const address = await server.listen(port, host);
  return { server, address };
}
