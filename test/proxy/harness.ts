/**
 * Shared set-up for the ReverseProxy test files, in the shape of Go's
 * reverseproxy_test.go: a backend (our `createServer`, `node:http` as
 * httptest.NewServer, or a scripted raw server where exact bytes matter),
 * a frontend `createServer(proxy)` (the proxy itself, so a plain one takes
 * the server's fast path; a function wrapping one does not), and a
 * client (undici, node:http, or a raw socket). `useProxyHarness()` closes
 * everything after each test, in an order that lets handlers finish
 * (clients, then backends, then proxies and frontends), and expects the
 * sockets, servers and timers to be back to what they were before it.
 */
import { once } from 'node:events';
import {
  createServer as createNodeServer,
  type IncomingMessage,
  type Server as NodeServer,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Client } from 'undici';
import { afterEach, beforeEach, expect } from 'vitest';
import type { Handler, HandlerFunc } from '../../src/server/handler.js';
import { ReverseProxy, type ReverseProxyOptions } from '../../src/proxy/reverse-proxy.js';
import { createServer, type Server, type ServerOptions } from '../../src/server/server.js';
import { type RawPeer, type RawServer, type Script, startRawServer } from '../helpers/raw-peer.js';
export { settles, within } from '../helpers/waiting.js';
import { activeHandles, settles } from '../helpers/waiting.js';

/** Served: one of our servers, listening, with what it logged. */
export interface Served {
  server: Server;
  port: number;
  /** `http://127.0.0.1:PORT` */
  url: string;
  logs: string[];
}

/** NodeServed: a node:http server and every socket it accepted. */
export interface NodeServed {
  server: NodeServer;
  port: number;
  url: string;
  sockets: Socket[];
  /** open returns how many accepted sockets are not closed yet. */
  open(): number;
}

/** LoggedProxy: a ReverseProxy whose errorLog goes to `logs`. */
export interface LoggedProxy {
  proxy: ReverseProxy;
  logs: string[];
}

/** ProxyHarness: per-file helpers whose resources are released after each test. */
export interface ProxyHarness {
  /** backend starts one of our servers as the origin. */
  backend(handler: HandlerFunc | Handler, options?: ServerOptions): Promise<Served>;
  /** nodeBackend starts a node:http origin (Go's httptest.NewServer). */
  nodeBackend(handler: (req: IncomingMessage, res: ServerResponse) => unknown): Promise<NodeServed>;
  /** rawBackend starts a scripted raw origin. */
  rawBackend(script?: Script): Promise<RawServer>;
  /** proxy makes a ReverseProxy logging to its `logs`; its own Transport is closed after the test. */
  proxy(options: ReverseProxyOptions): LoggedProxy;
  /** frontend serves `handler` (a ReverseProxy, or a function wrapping one) on one of our servers. */
  frontend(handler: HandlerFunc | Handler, options?: ServerOptions): Promise<Served>;
  /** client returns an undici Client for `url`, destroyed after the test. */
  client(url: string): Client;
  /** rawClient opens a connection to `served` and returns a scripted raw client at its end. */
  rawClient(served: Served): Promise<RawPeer>;
}

const HANDLES = new Set(['TCPSocketWrap', 'TCPServerWrap', 'Timeout']);

/** useProxyHarness registers the per-test clean-up and returns the helpers. */
export function useProxyHarness(): ProxyHarness {
  const clients: Client[] = [];
  const rawClients: RawServer[] = [];
  const nodeServers: NodeServer[] = [];
  const rawBackends: RawServer[] = [];
  const backends: Server[] = [];
  const proxies: ReverseProxy[] = [];
  const frontends: Server[] = [];
  let baseline = 0;
  beforeEach(() => {
    baseline = activeHandles(HANDLES);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.destroy()));
    await Promise.all(rawClients.splice(0).map((r) => r.close()));
    for (const s of nodeServers.splice(0)) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
    const raws = rawBackends.splice(0);
    await Promise.all(raws.map((r) => r.close()));
    for (const p of proxies.splice(0)) p.close();
    await Promise.all([...backends.splice(0), ...frontends.splice(0)].map((s) => s.close()));
    for (const r of raws) expect(r.errors).toEqual([]);
    const clean = await settles(() => activeHandles(HANDLES) <= baseline);
    expect(clean, `left open: ${process.getActiveResourcesInfo().join(', ')}`).toBe(true);
  });

  const serve = async (
    list: Server[],
    handler: HandlerFunc | Handler,
    options: ServerOptions = {},
  ): Promise<Served> => {
    const logs: string[] = [];
    const server = createServer(handler, { errorLog: (m) => logs.push(m), ...options });
    list.push(server);
    const { port } = await server.listen();
    return { server, port, url: `http://127.0.0.1:${port}`, logs };
  };

  return {
    backend: (handler, options) => serve(backends, handler, options),
    async nodeBackend(handler) {
      const server = createNodeServer({ keepAliveTimeout: 10_000 }, (req, res) => {
        void handler(req, res);
      });
      nodeServers.push(server);
      const sockets: Socket[] = [];
      server.on('connection', (socket: Socket) => sockets.push(socket));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      return {
        server,
        port,
        url: `http://127.0.0.1:${port}`,
        sockets,
        open: () => sockets.filter((s) => !s.destroyed).length,
      };
    },
    async rawBackend(script) {
      const raw = await startRawServer(script);
      rawBackends.push(raw);
      return raw;
    },
    proxy(options) {
      const logs: string[] = [];
      const proxy = new ReverseProxy({ errorLog: (m) => logs.push(m), ...options });
      proxies.push(proxy);
      return { proxy, logs };
    },
    frontend: (handler, options) => serve(frontends, handler, options),
    client(url) {
      const client = new Client(url);
      clients.push(client);
      return client;
    },
    async rawClient(served) {
      // TCP is symmetric: the accepted end of a raw server plays the HTTP client.
      const raw = await startRawServer();
      rawClients.push(raw);
      const socket = await raw.connect();
      const peer = await raw.nextPeer();
      void served.server.serveConn(socket);
      return peer;
    },
  };
}

/** text returns received bytes as latin1 text with every Date value masked as `<date>`. */
export function text(received: Uint8Array): string {
  return Buffer.from(received)
    .toString('latin1')
    .replace(/\r\nDate: [^\r]*\r\n/g, '\r\nDate: <date>\r\n');
}

/** firstHead returns the head of the first request in `received` (up to the blank line), latin1. */
export function firstHead(received: Uint8Array): string {
  const all = Buffer.from(received).toString('latin1');
  const end = all.indexOf('\r\n\r\n');
  return end === -1 ? all : all.slice(0, end + 4);
}

export { deferred } from '../helpers/waiting.js';

/** ok is a 200 response with `body` and its Content-Length, as wire text. */
export function ok(body: string, extra = ''): string {
  return `HTTP/1.1 200 OK\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}
