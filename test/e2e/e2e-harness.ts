/**
 * Shared set-up for the end-to-end tests: a ReverseProxy served by our own
 * Server in front of a real backend, with real clients on 127.0.0.1.
 *
 * `startProxy(target)` runs `newSingleHostReverseProxy(target)` behind
 * `createServer`; `rawClientOf(proxy)` is a scripted raw client of it.
 * Backends are `startNodeBackend(listener)` (node:http) or
 * `startRawBackend(script)` (literal bytes, test/helpers/raw-peer.ts). Every
 * socket on either side of the proxy is tracked: `cleanup()` (each file's
 * afterEach) closes everything made here and fails the test if the proxy
 * left a client or backend connection open.
 */
import { once } from 'node:events';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import { expect } from 'vitest';
import {
  newSingleHostReverseProxy,
  type ReverseProxy,
  type ReverseProxyOptions,
} from '../../src/proxy/reverse-proxy.js';
import { createServer, type Server } from '../../src/server/server.js';
import { type RawPeer, type RawServer, startRawServer } from '../helpers/raw-peer.js';
import { deferred, type Deferred, within } from '../helpers/waiting.js';

/** ProxyUnderTest: the proxy, the server in front of it and what they logged. */
export interface ProxyUnderTest {
  proxy: ReverseProxy;
  server: Server;
  port: number;
  /** `http://127.0.0.1:PORT` without a trailing slash. */
  origin: string;
  /** Messages from the proxy's and the server's errorLog, in order. */
  logs: string[];
  /** Client connections the proxy accepted, in accept order (closed ones stay listed). */
  inbound: Socket[];
}

/** NodeBackend: a node:http server and every socket it accepted. */
export interface NodeBackend {
  server: HttpServer;
  port: number;
  origin: string;
  /** Accepted sockets, in accept order (closed ones stay listed). */
  sockets: Socket[];
}

const proxies: ProxyUnderTest[] = [];
const backends: NodeBackend[] = [];
const rawServers: RawServer[] = [];
const rawBackendSockets: Socket[] = [];
const listeners: ReturnType<typeof createNetServer>[] = [];
const closers: (() => unknown)[] = [];

/**
 * startProxy serves `newSingleHostReverseProxy(target, options)` on
 * 127.0.0.1:0: a node:net listener hands each accepted socket to the
 * Server's `serveConn`, so the test sees the proxy's inbound sockets
 * (hijacked ones too) and `cleanup()` can expect them closed.
 */
export async function startProxy(
  target: string,
  options: ReverseProxyOptions = {},
): Promise<ProxyUnderTest> {
  const logs: string[] = [];
  const errorLog = (message: string) => logs.push(message);
  const proxy = newSingleHostReverseProxy(target, { errorLog, ...options });
  const server = createServer(proxy, { errorLog });
  const inbound: Socket[] = [];
  const listener = createNetServer((socket) => {
    inbound.push(socket);
    void server.serveConn(socket);
  });
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const { port } = listener.address() as { port: number };
  const served = { proxy, server, port, origin: `http://127.0.0.1:${port}`, logs, inbound };
  proxies.push(served);
  listeners.push(listener);
  return served;
}

/**
 * rawClientOf connects a scripted raw client to `proxy`: the proxy's Server
 * serves one end of a fresh TCP connection (with `serveConn`, like its
 * listener would) and the returned RawPeer, at the other end, plays the
 * HTTP client byte by byte.
 */
export async function rawClientOf(proxy: ProxyUnderTest): Promise<RawPeer> {
  const raw = await startRawServer();
  rawServers.push(raw);
  const socket = await raw.connect();
  proxy.inbound.push(socket);
  void proxy.server.serveConn(socket);
  return raw.nextPeer();
}

/**
 * startRawBackend runs a scripted raw server (test/helpers/raw-peer.ts) as
 * the backend; its accepted sockets count as backend sockets in `cleanup()`.
 */
export async function startRawBackend(
  script: (peer: RawPeer) => void | Promise<void>,
): Promise<RawServer & { origin: string }> {
  const raw = await startRawServer((peer) => {
    rawBackendSockets.push(peer.socket);
    return script(peer);
  });
  rawServers.push(raw);
  return Object.assign(raw, { origin: `http://127.0.0.1:${raw.port}` });
}

/** startNodeBackend runs `listener` on a node:http server on 127.0.0.1:0. */
export async function startNodeBackend(
  listener: (req: IncomingMessage, res: ServerResponse) => void = () => undefined,
): Promise<NodeBackend> {
  const server = createHttpServer(listener);
  const sockets: Socket[] = [];
  server.on('connection', (socket: Socket) => sockets.push(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const backend = { server, port, origin: `http://127.0.0.1:${port}`, sockets };
  backends.push(backend);
  return backend;
}

/** onCleanup runs `close` in the next `cleanup()`, before the proxies and backends close. */
export function onCleanup(close: () => unknown): void {
  closers.push(close);
}

/**
 * cleanup runs the registered closers (last first), closes every proxy
 * (listener, server and transport), then expects the servers to have
 * closed within two seconds and every proxy-inbound and backend socket to
 * close within one more (the proxy's pooled connections go with its
 * transport). Whatever is still open is then destroyed, so a failing test
 * never leaves anything behind or hangs the next one.
 */
export async function cleanup(): Promise<void> {
  const closerErrors: unknown[] = [];
  for (const close of closers.splice(0).reverse()) {
    await Promise.resolve()
      .then(close)
      .catch((err: unknown) => closerErrors.push(err));
  }
  for (const listener of listeners.splice(0)) listener.close();
  const closed = proxies.map(({ server }) => server.close());
  const serversClosed = await settlesWithin(Promise.all(closed), 2000);
  const inbound = proxies.flatMap((p) => p.inbound);
  for (const { proxy } of proxies.splice(0)) proxy.close();
  const backendSockets = [...backends.flatMap((b) => b.sockets), ...rawBackendSockets.splice(0)];
  const [inboundOpen, backendOpen] = await Promise.all([
    countOpenAfter(inbound, 1000),
    countOpenAfter(backendSockets, 1000),
  ]);
  for (const socket of [...inbound, ...backendSockets]) socket.destroy();
  const raws = rawServers.splice(0);
  await Promise.all(raws.map((raw) => raw.close()));
  const scriptErrors = raws.flatMap((raw) => raw.errors.map((err) => err.message));
  for (const backend of backends.splice(0)) {
    backend.server.closeAllConnections();
    await new Promise((resolve) => backend.server.close(resolve));
  }
  await settlesWithin(Promise.all(closed), 2000);
  expect(closerErrors, 'onCleanup errors').toEqual([]);
  expect(scriptErrors, 'raw backend script errors').toEqual([]);
  expect({ serversClosed, inboundOpen, backendOpen }, 'left open after the test').toEqual({
    serversClosed: true,
    inboundOpen: 0,
    backendOpen: 0,
  });
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return within(promise, ms, '').then(
    () => true,
    () => false,
  );
}

async function countOpenAfter(sockets: Socket[], ms: number): Promise<number> {
  const closed = await Promise.all(sockets.map((socket) => closedWithin(socket, ms)));
  return closed.filter((ok) => !ok).length;
}

/** closedWithin resolves true once `socket` has closed, or false after `ms`. */
export function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  if (socket.closed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off('close', onClose);
      resolve(false);
    }, ms);
    const onClose = () => {
      clearTimeout(timer);
      resolve(true);
    };
    socket.once('close', onClose);
  });
}

export { deferred, type Deferred, within };
