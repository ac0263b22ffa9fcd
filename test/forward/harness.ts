/**
 * Shared set-up for the ForwardProxy tests: a proxy on our createServer, a
 * node:http (or node:https, with the test CA) origin, and raw CONNECT
 * clients. Everything returned has a `close()`; `useForwardHarness()`
 * closes what a test opened after it, in reverse order.
 */
import { once } from 'node:events';
import {
  createServer as createNodeServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach } from 'vitest';
import { ForwardProxy, type ForwardProxyOptions, type TunnelEnd } from '../../src/forward/index.js';
import { createServer, type Server, type ServerOptions } from '../../src/server/server.js';
import { cert, key } from '../fixtures/tls/index.js';
import { connectTo } from '../helpers/raw-peer.js';
import { within } from '../helpers/waiting.js';

/** ForwardServed: a listening ForwardProxy, what it logged and the tunnels it reported. */
export interface ForwardServed {
  proxy: ForwardProxy;
  server: Server;
  port: number;
  /** `http://127.0.0.1:PORT` */
  url: string;
  logs: string[];
  ends: TunnelEnd[];
  close(): Promise<void>;
}

/**
 * Which path the server serves the proxy's CONNECTs by: `fast` gives the
 * server the proxy itself (its `[FAST_CONNECT]`), `general` a function
 * calling `serveHTTP`, which has no fast path.
 */
export type ForwardPath = 'fast' | 'general';

/** FORWARD_PATHS: both, for tests that must hold on each. */
export const FORWARD_PATHS: readonly ForwardPath[] = ['fast', 'general'];

/** startForwardProxy serves a ForwardProxy on 127.0.0.1; errorLog and onTunnelClose are recorded unless given. */
export async function startForwardProxy(
  options: ForwardProxyOptions = {},
  serverOptions: ServerOptions = {},
  path: ForwardPath = 'fast',
): Promise<ForwardServed> {
  const logs: string[] = [];
  const ends: TunnelEnd[] = [];
  const proxy = new ForwardProxy({
    errorLog: (message) => logs.push(message),
    onTunnelClose: (end) => ends.push(end),
    ...options,
  });
  const handler = path === 'fast' ? proxy : proxy.serveHTTP.bind(proxy);
  const server = createServer(handler, {
    errorLog: (message) => logs.push(message),
    ...serverOptions,
  });
  const { port } = await server.listen(0);
  return {
    proxy,
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    logs,
    ends,
    async close() {
      await server.close();
      proxy.close();
    },
  };
}

/** Origin: a node:http(s) server on 127.0.0.1. */
export interface Origin {
  port: number;
  /** `http://127.0.0.1:PORT` (https for a TLS origin). */
  url: string;
  /** Connections the origin accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** startOrigin starts a node:http origin, or node:https with the test certificate when `tls`. */
export async function startOrigin(handler: NodeHandler, tls = false): Promise<Origin> {
  const server = tls ? createHttpsServer({ key, cert }, handler) : createNodeServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  let connections = 0;
  server.on('connection', () => connections++);
  return {
    port,
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Connected: a raw client socket after a CONNECT, its response head, and the bytes after it. */
export interface Connected {
  socket: Socket;
  /** The response head up to and including the blank line, latin1. */
  head: string;
  /** Bytes received after the head (a refusal's body, or tunnel bytes). */
  rest: Buffer;
}

/**
 * connectThrough opens a connection to the proxy and writes `request` (a
 * whole request head, and whatever follows it), resolving once the
 * response head arrived. The socket stays flowing into `rest`.
 */
export async function rawRequest(port: number, request: string | Buffer): Promise<Connected> {
  const socket = await connectTo(port);
  const got: Connected = { socket, head: '', rest: Buffer.alloc(0) };
  let buffered = Buffer.alloc(0);
  const headDone = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      if (got.head !== '') {
        got.rest = Buffer.concat([got.rest, chunk]);
        return;
      }
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      got.head = buffered.subarray(0, end + 4).toString('latin1');
      got.rest = buffered.subarray(end + 4);
      resolve();
    });
    socket.once('close', () =>
      reject(new Error(`closed before a response head: ${buffered.toString('latin1')}`)),
    );
  });
  socket.write(request);
  await within(headDone, 5000, 'the response head');
  return got;
}

/** connectLine is a CONNECT request head for `target`, with `extra` header lines (each ending CRLF). */
export function connectLine(target: string, extra = ''): string {
  return `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${extra}\r\n`;
}

/** restUntil waits until `got.rest` satisfies `check` (or the socket closed), up to 5 s. */
export async function restUntil(got: Connected, check: (rest: Buffer) => boolean): Promise<Buffer> {
  const deadline = Date.now() + 5000;
  while (!check(got.rest) && !got.socket.destroyed) {
    if (Date.now() > deadline) throw new Error(`timed out; got ${got.rest.toString('latin1')}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return got.rest;
}

/** closedBy resolves once `socket` is closed, up to `ms`. */
export function closedBy(socket: Socket, ms = 5000): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return within(
    once(socket, 'close').then(() => undefined),
    ms,
    'the socket to close',
  );
}

/** useForwardHarness returns `track(x)`, which closes `x` after the test (latest first). */
export function useForwardHarness(): <T extends { close(): unknown }>(item: T) => T {
  const items: { close(): unknown }[] = [];
  afterEach(async () => {
    for (const item of items.splice(0).reverse()) await item.close();
  });
  return (item) => {
    items.push(item);
    return item;
  };
}
