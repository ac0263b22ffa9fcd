/**
 * Shared set-up for the ServerConn test files.
 *
 * `serverConnPair()` wires a ServerConn to a scripted raw client over a real
 * socket on 127.0.0.1. TCP is symmetric: the conn runs on the socket that
 * `RawServer.connect()` opens, and the accepted side (a `RawPeer`) plays the
 * HTTP client, writing literal request bytes and waiting for exact response
 * bytes. `serveConns()` runs a ServerConn on every connection of a real
 * server (plain or TLS) for real clients such as undici, node:http and curl.
 * `closeAll()` (the files' afterEach) closes every conn, expects each socket
 * to have exactly the listeners it had before its conn, and closes servers.
 */
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTLSServer, type TlsOptions } from 'node:tls';
import { expect } from 'vitest';
import {
  type ConnOptions,
  newServerConn,
  type Request,
  type Response,
  type ServerConn,
} from '../../src/index.js';
import {
  listenerCounts,
  type RawPeer,
  type RawServer,
  startRawServer,
} from '../helpers/raw-peer.js';

/** ServerConnPair: the conn under test, its socket and the raw client at the other end. */
export interface ServerConnPair {
  conn: ServerConn;
  /** The socket the conn reads and writes. */
  socket: Socket;
  /** The raw client: write requests, wait for responses. */
  client: RawPeer;
  /** The socket's listener counts before the conn was made, to compare after `hijack()`. */
  listenersBefore: Record<string, number>;
}

/** Served: a server running a ServerConn per connection. */
export interface Served {
  port: number;
  /** Connections accepted so far. */
  connections: number;
  /** Requests read so far, on all connections, in the order read. */
  requests: Request[];
}

/** Handler answers one request; it is called as soon as the request is read. */
export type Handler = (req: Request) => Response | Promise<Response>;

const pairs: { conn: ServerConn; socket: Socket; listenersBefore: Record<string, number> }[] = [];
const rawServers: RawServer[] = [];
const servers: Server[] = [];
const loops: Promise<void>[] = [];

/** serverConnPair makes a ServerConn with `options` (and `head`) and its raw client. */
export async function serverConnPair(
  options?: ConnOptions,
  head?: Uint8Array,
): Promise<ServerConnPair> {
  const raw = await startRawServer();
  rawServers.push(raw);
  const socket = await raw.connect();
  const client = await raw.nextPeer();
  const listenersBefore = listenerCounts(socket);
  const conn = newServerConn(socket, head, options);
  pairs.push({ conn, socket, listenersBefore });
  return { conn, socket, client, listenersBefore };
}

/**
 * serveConns listens on 127.0.0.1 (TLS when `tls` is given) and runs a
 * ServerConn on each connection: every request is handed to `handler` as
 * soon as it is read (so requests are read ahead of their responses) and
 * answered in order; the loop ends when a read throws (ErrPersistEOF
 * at the end of the connection).
 */
export async function serveConns(handler: Handler, tls?: TlsOptions): Promise<Served> {
  const served: Served = { port: 0, connections: 0, requests: [] };
  const onSocket = (socket: Socket) => {
    served.connections++;
    socket.on('error', () => undefined);
    const before = listenerCounts(socket);
    const conn = newServerConn(socket);
    pairs.push({ conn, socket, listenersBefore: before });
    loops.push(serveLoop(conn, handler, served));
  };
  const server = tls === undefined ? createServer(onSocket) : createTLSServer(tls, onSocket);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  served.port = (server.address() as { port: number }).port;
  return served;
}

async function serveLoop(conn: ServerConn, handler: Handler, served: Served): Promise<void> {
  const answers: Promise<void>[] = [];
  try {
    for (;;) {
      const req = await conn.read();
      served.requests.push(req);
      // called synchronously, so a body the handler reads is claimed before the next read
      const res = handler(req);
      answers.push(Promise.resolve(res).then((r) => conn.write(req, r)));
      if (req.close) break;
    }
  } catch {
    // ErrPersistEOF, or an error: either way this connection carries no more requests
  }
  await Promise.allSettled(answers);
  conn.close();
}

/** closeAll closes every conn and server made here and checks no conn left a listener behind. */
export async function closeAll(): Promise<void> {
  for (const { conn, socket, listenersBefore } of pairs.splice(0)) {
    conn.close();
    expect(listenerCounts(socket)).toEqual(listenersBefore);
    socket.destroy();
  }
  const closing = servers.splice(0).map((server) => new Promise((r) => server.close(r)));
  await Promise.all(rawServers.splice(0).map((raw) => raw.close()));
  await Promise.all([...closing, ...loops.splice(0)]);
}
