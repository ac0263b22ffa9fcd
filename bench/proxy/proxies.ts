/**
 * The reverse proxies under test, each forwarding 127.0.0.1:<listen> to the
 * backend at 127.0.0.1:`backendPort`. All keep backend connections alive
 * and pool up to POOL_SIZE of them.
 */
import http from 'node:http';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import net from 'node:net';
import { pipeline } from 'node:stream';
import httpProxy from 'http-proxy';
import { Pool } from 'undici';
import { newSingleHostReverseProxy } from '../../dist/proxy/reverse-proxy.js';
import { createServer } from '../../dist/server/server.js';
import { Transport } from '../../dist/transport/transport.js';
import { listen, POOL_SIZE, withoutHopByHop } from './node-proxy-kit.js';
import { startUndiciDispatchProxy } from './undici-dispatch.js';

export type ProxyKind =
  | 'httpwire'
  | 'httpwire-default'
  | 'httpwire-general'
  | 'httpwire-before'
  | 'http-proxy'
  | 'undici'
  | 'undici7-dispatch'
  | 'pipe'
  | 'pipe-onread';

export const PROXY_KINDS: readonly ProxyKind[] = [
  'httpwire',
  'httpwire-default',
  'httpwire-general',
  'httpwire-before',
  'http-proxy',
  'undici',
  'undici7-dispatch',
  'pipe',
  'pipe-onread',
];

/** startProxy listens on an ephemeral port of 127.0.0.1 and resolves with it. */
export function startProxy(kind: ProxyKind, backendPort: number): Promise<number> {
  return STARTERS[kind](`http://127.0.0.1:${backendPort}`, backendPort);
}

const STARTERS: Record<ProxyKind, (origin: string, backendPort: number) => Promise<number>> = {
  httpwire: (origin) => startHttpwire(origin, new Transport({ maxIdleConnsPerHost: POOL_SIZE })),
  'httpwire-default': (origin) => startHttpwire(origin, null),
  'httpwire-general': (origin) =>
    startHttpwire(origin, new Transport({ maxIdleConnsPerHost: POOL_SIZE }), true),
  'httpwire-before': startHttpwireBefore,
  'http-proxy': startHttpProxy,
  undici: startUndiciProxy,
  'undici7-dispatch': startUndiciDispatchProxy,
  pipe: (_origin, backendPort) => startPipe(backendPort),
  'pipe-onread': (_origin, backendPort) => startOnreadPipe(backendPort),
};

/**
 * startHttpwire: our Server with Go's NewSingleHostReverseProxy. A null
 * transport leaves the proxy to make its own, which keeps 128 idle
 * connections per host. With `general`, the server gets a function calling
 * the proxy, which has no fast path: every request takes the server's
 * general path (the Transport still reads plain answers on kept-alive
 * connections by its raw exchange).
 */
async function startHttpwire(
  origin: string,
  transport: Transport | null,
  general = false,
): Promise<number> {
  const proxy = newSingleHostReverseProxy(origin, { transport, errorLog: quietLog });
  const server = createServer(general ? (rw, req) => proxy.serveHTTP(rw, req) : proxy);
  return (await server.listen(0, '127.0.0.1')).port;
}

/** quietLog: the proxies' log, without the requests wrk abandons when a run ends. */
function quietLog(message: string): void {
  if (!message.endsWith('request aborted')) process.stderr.write(`${message}\n`);
}

/**
 * startHttpwireBefore: the `httpwire` contender built from another
 * checkout, whose dist/ directory HTTPWIRE_BEFORE_DIST names (a before/after
 * comparison in one run); a build without it cannot start.
 */
async function startHttpwireBefore(origin: string): Promise<number> {
  const dist = process.env.HTTPWIRE_BEFORE_DIST;
  if (dist === undefined) throw new Error('httpwire-before wants HTTPWIRE_BEFORE_DIST=<dist dir>');
  const before = (await import(
    pathToFileURL(join(resolve(dist), 'index.js')).href
  )) as typeof import('../../dist/index.js');
  const transport = new before.Transport({ maxIdleConnsPerHost: POOL_SIZE });
  const proxy = before.newSingleHostReverseProxy(origin, { transport, errorLog: quietLog });
  return (await before.createServer(proxy).listen(0, '127.0.0.1')).port;
}

/** startHttpProxy: node-http-proxy on a node:http server, with a keep-alive agent. */
function startHttpProxy(origin: string): Promise<number> {
  const proxy = httpProxy.createProxyServer({
    target: origin,
    agent: new http.Agent({ keepAlive: true, maxSockets: POOL_SIZE }),
  });
  proxy.on('error', (_err, _req, res) => {
    if (res instanceof http.ServerResponse && !res.headersSent) res.writeHead(502).end();
    else res.destroy();
  });
  return listen(http.createServer((req, res) => proxy.web(req, res)));
}

/**
 * startUndiciProxy: what @fastify/reply-from does with undici, on a
 * node:http server: `pool.request()` with the inbound method, path, headers
 * minus hop-by-hop ones and the request stream as the body (none when the
 * request has none), then the status, headers and a piped body back.
 */
function startUndiciProxy(origin: string): Promise<number> {
  const pool = new Pool(origin, { connections: POOL_SIZE });
  return listen(
    http.createServer((req, res) => {
      const hasBody =
        req.headers['content-length'] !== undefined || 'transfer-encoding' in req.headers;
      pool
        .request({
          method: req.method as 'GET',
          path: req.url!,
          headers: withoutHopByHop(req.headers),
          body: hasBody ? req : undefined,
        })
        .then(
          ({ statusCode, headers, body }) => {
            res.writeHead(statusCode, withoutHopByHop(headers));
            pipeline(body, res, () => undefined);
          },
          () => res.writeHead(502).end(),
        );
    }),
  );
}

/** startPipe: the ceiling, no HTTP at all — each client socket piped both ways to its own backend socket. */
function startPipe(backendPort: number): Promise<number> {
  return listen(
    net.createServer({ noDelay: true }, (client) => {
      const backend = net.connect({ port: backendPort, host: '127.0.0.1', noDelay: true });
      pipeline(client, backend, client, () => undefined);
    }),
  );
}

/**
 * startOnreadPipe: the pipe with the backend read into one fixed 64 KiB
 * buffer (net's `onread`) instead of a new buffer per read, as Go and a
 * C proxy read; reading pauses until each write is done with the buffer,
 * since the next read reuses the memory. Not in the bench's table: compare-bytes.ts
 * uses it to show what the per-read allocation of Node sockets costs.
 */
function startOnreadPipe(backendPort: number): Promise<number> {
  return listen(
    net.createServer({ noDelay: true }, (client) => {
      const backend: net.Socket = net.connect({
        port: backendPort,
        host: '127.0.0.1',
        noDelay: true,
        onread: {
          buffer: Buffer.allocUnsafe(64 * 1024),
          callback: (n: number, buf: Uint8Array): boolean => {
            client.write(buf.subarray(0, n), () => backend.resume());
            return false; // until the write is done with the buffer
          },
        },
      });
      client.on('data', (chunk: Buffer) => backend.write(chunk));
      client.on('close', () => backend.destroy());
      backend.on('close', () => client.destroy());
      client.on('error', () => undefined);
      backend.on('error', () => undefined);
    }),
  );
}
