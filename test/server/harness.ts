/**
 * Shared set-up for the Server test files.
 *
 * `listening(handler)` runs a Server on 127.0.0.1 for real clients (curl,
 * undici, node:http). `rawClient(handler)` serves one connection with
 * `serveConn` and hands back a scripted raw client at its other end (a
 * `RawPeer`: TCP is symmetric, so the accepted side plays the HTTP client).
 * `cleanup()` (each file's afterEach) closes every server and socket and
 * checks that no timer made by the library is left, and `head(received)`
 * masks the Date field so responses compare as exact bytes.
 */
import { createHook } from 'node:async_hooks';
import type { Socket } from 'node:net';
import { expect } from 'vitest';
import type { Handler, HandlerFunc } from '../../src/server/handler.js';
import { createServer, type Server, type ServerOptions } from '../../src/server/server.js';
import {
  listenerCounts,
  type RawPeer,
  type RawServer,
  startRawServer,
} from '../helpers/raw-peer.js';

/** Served: a listening server and what it logged. */
export interface Served {
  server: Server;
  port: number;
  /** Messages given to errorLog, in order. */
  logs: string[];
}

/** RawServed: one connection served by `serveConn`, driven by a raw client. */
export interface RawServed {
  server: Server;
  client: RawPeer;
  /** The server side of the connection. */
  socket: Socket;
  /** Resolves when `serveConn` is done with the socket. */
  served: Promise<void>;
  /** The socket's listener counts before `serveConn`, to compare after a hijack. */
  listenersBefore: Record<string, number>;
  logs: string[];
}

const servers: Server[] = [];
const rawServers: RawServer[] = [];
const sockets: Socket[] = [];

/** A stack frame in the layers a server or proxy runs on. */
const LIBRARY_FRAME = /\/src\/(io|server|transport|proxy)\//;

/** Live timers created from the library (io, server, transport, proxy), by async id, tracked with async_hooks (unref'd timers included). */
const proxyTimers = new Map<number, string>();
createHook({
  init(id, type) {
    if (type !== 'Timeout') return;
    const stack = new Error().stack ?? '';
    // The first frame outside node's internals and this file is where the timer was made.
    const caller = stack
      .split('\n')
      .slice(1)
      .find((line) => !line.includes('node:') && !line.includes('/test/server/harness'));
    if (caller !== undefined && LIBRARY_FRAME.test(caller)) proxyTimers.set(id, caller.trim());
  },
  destroy(id) {
    proxyTimers.delete(id);
  },
}).enable();

/** listening starts a Server on 127.0.0.1:0 with errors logged to `logs`. */
export async function listening(
  handler: HandlerFunc | Handler,
  options: ServerOptions = {},
): Promise<Served> {
  const logs: string[] = [];
  const server = createServer(handler, { errorLog: (m) => logs.push(m), ...options });
  servers.push(server);
  const { port } = await server.listen();
  return { server, port, logs };
}

/** rawClient serves one connection with `handler` and returns the raw client at its other end. */
export async function rawClient(
  handler: HandlerFunc | Handler,
  options: ServerOptions = {},
): Promise<RawServed> {
  const logs: string[] = [];
  const server = createServer(handler, { errorLog: (m) => logs.push(m), ...options });
  servers.push(server);
  const raw = await startRawServer();
  rawServers.push(raw);
  const socket = await raw.connect();
  sockets.push(socket);
  const client = await raw.nextPeer();
  const listenersBefore = listenerCounts(socket);
  const served = server.serveConn(socket);
  return { server, client, socket, served, logs, listenersBefore };
}

/** cleanup closes every server, raw peer and socket made here, then expects no library timer to be left. */
export async function cleanup(): Promise<void> {
  const closing = servers.splice(0).map((server) => server.close());
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(rawServers.splice(0).map((raw) => raw.close()));
  await Promise.all(closing);
  await new Promise((resolve) => setImmediate(resolve)); // let 'close' events clear linger timers
  await new Promise((resolve) => setImmediate(resolve));
  expect([...proxyTimers.values()]).toEqual([]);
}

/** head returns the received bytes as latin1 text with the Date value masked as `<date>`. */
export function head(received: Uint8Array): string {
  return Buffer.from(received)
    .toString('latin1')
    .replace(/\r\nDate: [^\r]*\r\n/g, '\r\nDate: <date>\r\n');
}

/** sleep resolves after `ms`. */
export { setTimeout as sleep } from 'node:timers/promises';
