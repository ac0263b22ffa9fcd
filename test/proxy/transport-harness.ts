/**
 * Shared set-up for the Transport test files: node:http and scripted raw
 * servers on 127.0.0.1 that count their connections, transports closed
 * after each test, and a check that no socket or timer outlives a test.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, beforeEach, expect } from 'vitest';
import { Transport, type TransportOptions } from '../../src/proxy/transport.js';
import { type RawServer, type Script, startRawServer } from '../helpers/raw-peer.js';

/** Served: a node:http (or https) server and the connections it accepted. */
export interface Served {
  port: number;
  url: string;
  /** Every accepted socket, open or closed, in accept order. */
  sockets: Socket[];
  /** open returns how many accepted sockets are not closed yet. */
  open(): number;
}

/** Harness: per-file helpers whose resources are released after each test. */
export interface Harness {
  /** transport makes a Transport that is closed after the test. */
  transport(options?: TransportOptions): Transport;
  /** http starts a node:http server with `handler`. */
  http(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Served>;
  /** track counts the connections of a server started elsewhere (https) and closes it after the test. */
  track(server: Server, scheme?: string): Promise<Served>;
  /** raw starts a scripted raw server. */
  raw(script?: Script): Promise<RawServer>;
}

const HANDLES = new Set(['TCPSocketWrap', 'TCPServerWrap', 'TLSWrap', 'Timeout']);

function handles(): number {
  return process.getActiveResourcesInfo().filter((type) => HANDLES.has(type)).length;
}

/** settles polls `check` every few ms until it holds or `ms` pass; it returns the last result. */
export async function settles(check: () => boolean, ms = 2000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

/**
 * useHarness registers hooks that close every transport and server after
 * each test and expect the sockets, servers and timers that keep the
 * event loop alive to be back to what they were before it.
 */
export function useHarness(): Harness {
  const transports: Transport[] = [];
  const servers: Server[] = [];
  const raws: RawServer[] = [];
  let baseline = 0;
  beforeEach(() => {
    baseline = handles();
  });
  afterEach(async () => {
    for (const t of transports.splice(0)) t.close();
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
    const all = raws.splice(0);
    await Promise.all(all.map((r) => r.close()));
    for (const r of all) expect(r.errors).toEqual([]);
    const clean = await settles(() => handles() <= baseline);
    expect(clean, `left open: ${process.getActiveResourcesInfo().join(', ')}`).toBe(true);
  });
  const track = async (server: Server, scheme = 'http'): Promise<Served> => {
    servers.push(server);
    const sockets: Socket[] = [];
    server.on('connection', (socket: Socket) => sockets.push(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    return {
      port,
      url: `${scheme}://127.0.0.1:${port}`,
      sockets,
      open: () => sockets.filter((s) => !s.destroyed).length,
    };
  };
  return {
    transport(options) {
      const t = new Transport(options);
      transports.push(t);
      return t;
    },
    http: (handler) => track(createServer({ keepAliveTimeout: 10_000 }, handler)),
    track,
    async raw(script) {
      const server = await startRawServer(script);
      raws.push(server);
      return server;
    },
  };
}

/** within rejects when `promise` does not settle in `ms`, so a hang fails fast. */
export async function within<T>(promise: Promise<T>, ms = 3000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** rejection resolves with the error `promise` rejects with, or null when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  return null;
}

/** ok is a 200 response with `body` and its Content-Length, as wire text. */
export function ok(body: string, extra = ''): string {
  return `HTTP/1.1 200 OK\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}
