/**
 * The servers under test: each answers every request with a fixed body.
 * They all disable Nagle's algorithm, as node:http does by default.
 */
import http from 'node:http';
import net from 'node:net';
import { ErrPersistEOF, newServerConn, Response } from '../../dist/index.js';

export type ServerKind = 'httpwire' | 'node-http' | 'raw';

export const SERVER_KINDS: readonly ServerKind[] = ['httpwire', 'node-http', 'raw'];

/** startServer listens on an ephemeral port of 127.0.0.1 and resolves with the server. */
export async function startServer(kind: ServerKind, body: string): Promise<net.Server> {
  const server = SERVERS[kind](body);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const SERVERS: Record<ServerKind, (body: string) => net.Server> = {
  httpwire: httpwireServer,
  'node-http': nodeHttpServer,
  raw: rawServer,
};

/**
 * httpwireServer is the accept loop a user of ServerConn writes: read a
 * request, write the response, until the conn reports the end.
 */
function httpwireServer(body: string): net.Server {
  return net.createServer({ noDelay: true }, (socket) => {
    socket.on('error', ignore); // after close() the conn no longer listens for errors
    void serve(socket, body);
  });
}

/** PEER_GONE: how a conn fails when wrk hangs up at the end of a run, maybe mid-request. */
const PEER_GONE = new Set(['ECONNRESET', 'EPIPE', 'HPE_INVALID_EOF_STATE']);

async function serve(socket: net.Socket, body: string): Promise<void> {
  const conn = newServerConn(socket);
  try {
    for (;;) {
      const req = await conn.read();
      await conn.write(req, new Response(200, { body }));
    }
  } catch (err) {
    if (err !== ErrPersistEOF && !PEER_GONE.has((err as { code?: string }).code ?? '')) {
      console.error('httpwire server:', err);
    }
  } finally {
    conn.close();
  }
}

/** nodeHttpServer is node:http's hello world; idle keep-alive connections are never timed out. */
function nodeHttpServer(body: string): net.Server {
  const server = http.createServer((_req, res) => {
    res.end(body);
  });
  server.keepAliveTimeout = 0;
  return server;
}

/**
 * rawServer is the anchor: it parses nothing and writes one fixed response
 * per CRLFCRLF seen (requests here have no body), one write per chunk.
 */
function rawServer(body: string): net.Server {
  const response = Buffer.from(
    `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    'latin1',
  );
  const batches: Buffer[] = [];
  const batch = (n: number) => (batches[n] ??= Buffer.concat(Array(n).fill(response)));
  return net.createServer({ noDelay: true }, (socket) => {
    socket.on('error', ignore);
    let carry = 0; // bytes of "\r\n\r\n" matched at the end of the previous chunk
    socket.on('data', (chunk: Buffer) => {
      let n = endsAcrossChunks(chunk, carry) ? 1 : 0;
      for (let at = chunk.indexOf(CRLFCRLF); at >= 0; at = chunk.indexOf(CRLFCRLF, at + 4)) n++;
      carry = trailingMatch(chunk);
      if (n > 0) socket.write(batch(n));
    });
  });
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** endsAcrossChunks: the previous chunk ended in `carry` bytes of CRLFCRLF that `chunk` completes. */
function endsAcrossChunks(chunk: Buffer, carry: number): boolean {
  if (carry === 0) return false;
  const rest = 4 - carry;
  return chunk.length >= rest && CRLFCRLF.compare(chunk, 0, rest, carry, 4) === 0;
}

/** trailingMatch counts the bytes at the end of `chunk` that start a CRLFCRLF (0 to 3). */
function trailingMatch(chunk: Buffer): number {
  for (let k = 3; k > 0; k--) {
    if (chunk.length >= k && CRLFCRLF.compare(chunk, chunk.length - k, chunk.length, 0, k) === 0) {
      return k;
    }
  }
  return 0;
}

function ignore(): void {}
