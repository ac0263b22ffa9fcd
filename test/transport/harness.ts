/**
 * Shared set-up for the Transport test files: node:http and scripted raw
 * servers on 127.0.0.1 that count their connections, transports closed
 * after each test, and a check that no socket or timer outlives a test.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, beforeEach, expect } from 'vitest';
import { Transport, type TransportOptions } from '../../src/transport/transport.js';
import { type RawServer, type Script, startRawServer } from '../helpers/raw-peer.js';
export { rejection, settles, within } from '../helpers/waiting.js';
import { activeHandles, settles } from '../helpers/waiting.js';

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
    baseline = activeHandles(HANDLES);
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
    const clean = await settles(() => activeHandles(HANDLES) <= baseline);
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

/** ok is a 200 response with `body` and its Content-Length, as wire text. */
export function ok(body: string, extra = ''): string {
  return `HTTP/1.1 200 OK\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}
