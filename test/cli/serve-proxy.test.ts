/**
 * `httpwire proxy`'s server in process: plain requests take the proxy's
 * fast path under the access log and the metrics, and a request the fast
 * path does not take is logged and counted alike by the general path.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseProxyArgs } from '../../src/cli/proxy-args.js';
import { serveProxy, type ServingProxy } from '../../src/cli/serve-proxy.js';
import { ConnectionLoop } from '../../src/server/connection-loop.js';
import { startNodeBackend } from '../e2e/e2e-harness.js';

const loops = vi.spyOn(ConnectionLoop.prototype, 'serve');
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  loops.mockClear();
});

/** served starts the CLI's proxy to a node:http backend answering `hello`, logging JSON lines. */
async function served(): Promise<{
  serving: ServingProxy;
  url: string;
  lines: string[];
  port: number;
}> {
  const backend = await startNodeBackend((req, res) => {
    req.resume();
    req.on('end', () => res.end('hello'));
  });
  stops.push(() => new Promise((resolve) => backend.server.close(() => resolve())));
  const lines: string[] = [];
  const args = parseProxyArgs(['--listen', '127.0.0.1:0', '--log-format', 'json'], {});
  const serving = await serveProxy(args, [{ url: backend.origin, weight: 1 }], (line) =>
    lines.push(line),
  );
  stops.push(() => serving.stop());
  return { serving, url: `http://127.0.0.1:${serving.address.port}`, lines, port: backend.port };
}

/** logged drops the fields that differ between two requests (time, durations). */
function logged(line: string): Record<string, unknown> {
  const entry = JSON.parse(line) as Record<string, unknown>;
  for (const field of ['time', 'ms', 'upstreamMs']) delete entry[field];
  return entry;
}

describe('httpwire proxy server', () => {
  it('serves plain requests on the fast path, logged and counted as the general path does', async () => {
    const { serving, url, lines, port } = await served();
    for (const path of ['/a', '/b']) {
      const res = await fetch(`${url}${path}`);
      expect(await res.text()).toBe('hello');
    }
    expect(loops).not.toHaveBeenCalled(); // no request left the fast path
    // A body: the general path serves it (a ConnectionLoop), logging the same fields.
    const posted = await fetch(`${url}/a`, { method: 'POST', body: 'x' });
    expect(await posted.text()).toBe('hello');
    expect(loops).toHaveBeenCalled();
    const entries = lines.map(logged);
    const expected = {
      client: '127.0.0.1',
      uri: '/a',
      proto: 'HTTP/1.1',
      status: 200,
      bytes: 5,
      upstream: `127.0.0.1:${port}`,
      upstreamStatus: 200,
      referer: null,
    };
    expect(entries).toEqual([
      { ...expected, method: 'GET', userAgent: 'node' },
      { ...expected, method: 'GET', uri: '/b', userAgent: 'node' },
      { ...expected, method: 'POST', userAgent: 'node' },
    ]);
    const counts = serving.snapshot().upstreams[`http://127.0.0.1:${port}`];
    expect(counts).toMatchObject({ requests: 3, errors: 0 });
    expect(serving.inFlight()).toBe(0);
  });
});
