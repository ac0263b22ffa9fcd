/**
 * A scripted backend for fault injection: a node:net server on 127.0.0.1
 * that reads requests with our parser (one at a time per connection, as a
 * Transport sends them) and answers each `/r/<id>` as the plan says, from
 * a complete response to a reset in the middle of the body (fault-plan.ts).
 */
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { Parser } from '../../src/parser/index.js';
import { bodyOf, type Fault, idOf } from './fault-plan.js';

/** FaultBackend: the running backend, what it saw, and `close()`. */
export interface FaultBackend {
  readonly port: number;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** How many requests for each fault arrived (a retried request counts twice). */
  readonly seen: Map<Fault, number>;
  /** Requests it could not make sense of (a bug in the proxy): path or parser error. */
  readonly errors: string[];
  /** connections returns how many of its connections are open. */
  connections(): number;
  /** close destroys every connection and closes the listener. */
  close(): Promise<void>;
}

/** A response to nobody: the body names no request that was sent. */
const STALE = 'HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nid:stale;';
const TIMEOUT_408 =
  'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/** startFaultBackend listens on 127.0.0.1:0 and answers request `id` as `faultOf(id)` says. */
export async function startFaultBackend(faultOf: (id: number) => Fault): Promise<FaultBackend> {
  const sockets = new Set<Socket>();
  const seen = new Map<Fault, number>();
  const errors: string[] = [];
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined); // resets are the point
    socket.on('end', () => socket.destroy());
    const parser = new Parser('request', {
      onHeadersComplete(head) {
        const id = idOf(head.url ?? '');
        if (!Number.isInteger(id)) {
          errors.push(`unexpected request ${head.method} ${head.url}`);
          socket.destroy();
          return;
        }
        const fault = faultOf(id);
        seen.set(fault, (seen.get(fault) ?? 0) + 1);
        answer(socket, id, fault);
      },
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        parser.execute(chunk);
      } catch (err) {
        errors.push(`unparsable request bytes: ${(err as Error).message}`);
        socket.destroy();
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    seen,
    errors,
    connections: () => sockets.size,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** answer writes what `fault` says for request `id` (GET, no body: its head is the whole request). */
function answer(socket: Socket, id: number, fault: Fault): void {
  const body = bodyOf(id);
  const half = body.subarray(0, body.length >> 1);
  const lengthHead = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`;
  const chunkedHead = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
  switch (fault) {
    case 'ok':
    case 'refused': // only reached if the director failed to divert it
      socket.write(Buffer.concat([latin1(lengthHead), body]));
      return;
    case 'okChunked':
      socket.write(chunkedHead, 'latin1');
      for (const piece of thirds(body)) socket.write(chunk(piece));
      socket.write('0\r\n\r\n', 'latin1');
      return;
    case 'resetBeforeHead':
      socket.resetAndDestroy();
      return;
    case 'resetMidHead':
      writeThenReset(socket, latin1(lengthHead.slice(0, 20)));
      return;
    case 'resetMidBody':
      writeThenReset(socket, Buffer.concat([latin1(lengthHead), half]));
      return;
    case 'resetMidChunkedBody':
      writeThenReset(socket, Buffer.concat([latin1(chunkedHead), chunk(half), latin1('ff\r\nid')]));
      return;
    case 'stall':
      return; // the proxy gives up and closes the connection
    case 'badStatusLine':
      socket.write(`HTTP/1.1 2x0 OK\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1');
      socket.write(body);
      return;
    case 'badChunkSize':
      socket.write(Buffer.concat([latin1(chunkedHead), chunk(half), latin1('zz\r\n')]));
      return;
    case 'lengthAndChunked':
      socket.write(
        `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n\r\n`,
        'latin1',
      );
      socket.write(Buffer.concat([chunk(body), latin1('0\r\n\r\n')]));
      return;
    case 'unsolicited': {
      // One write with Nagle off: the extra response reaches the proxy with
      // the end of the real one, so a correct pool always sees it. (Sent a
      // moment later, after the proxy reused the connection for another
      // request, it would be that request's response as far as HTTP/1.1
      // can tell: no client can catch that.)
      const extra = id % 2 === 0 ? TIMEOUT_408 : STALE;
      socket.write(Buffer.concat([latin1(lengthHead), body, latin1(extra)]));
      if (id % 2 === 0) socket.end();
      return;
    }
  }
}

/** writeThenReset sends `bytes`, waits for them to reach the kernel, then resets the connection. */
function writeThenReset(socket: Socket, bytes: Buffer): void {
  socket.write(bytes, () => socket.resetAndDestroy());
}

function chunk(data: Uint8Array): Buffer {
  return Buffer.concat([latin1(`${data.length.toString(16)}\r\n`), data, latin1('\r\n')]);
}

function thirds(body: Buffer): Buffer[] {
  const third = Math.ceil(body.length / 3);
  return [
    body.subarray(0, third),
    body.subarray(third, 2 * third),
    body.subarray(2 * third),
  ].filter((piece) => piece.length > 0);
}

function latin1(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}
