/**
 * Fault injection on the client side: clients that leave in the middle of
 * a request head, of a body upload, of a response download or of an
 * upgrade tunnel, each with a FIN and with a TCP RST, against our Server
 * with a handler and against the ReverseProxy in front of a node:http (or
 * raw) backend. The server must let go of the connection, a handler
 * reading or writing must see an error rather than a clean end, the
 * backend exchange must be cancelled, and afterwards every socket, timer
 * and listener is gone (test/helpers/leaks.ts).
 */
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import {
  cleanup,
  closedWithin,
  deferred,
  onCleanup,
  rawClientOf,
  startNodeBackend,
  startProxy,
  startRawBackend,
} from '../e2e/e2e-harness.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { connectTo } from '../helpers/raw-peer.js';
import { settles, within } from '../helpers/waiting.js';
import { serve } from './served.js';

afterEach(cleanup);

const MiB = 1 << 20;
const PIECE = Buffer.alloc(64 * 1024, 0x61);

/** How a client leaves: closing its socket (a FIN, or a RST if bytes it did not read are pending), or a TCP RST. */
const LEAVES = [
  { how: 'by closing its socket', leave: (socket: Socket) => socket.destroy() },
  { how: 'with a TCP RST', leave: (socket: Socket) => socket.resetAndDestroy() },
] as const;

function written(socket: Socket, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.write(data, (err) => (err ? reject(err) : resolve()));
  });
}

/** receivedAtLeast resolves once `bytes` bytes arrived on `socket` (which then keeps flowing). */
function receivedAtLeast(socket: Socket, bytes: number): Promise<void> {
  let got = 0;
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      got += chunk.length;
      if (got < bytes) return;
      socket.off('data', onData);
      resolve();
    };
    socket.on('data', onData);
  });
}

function codeOf(err: unknown): string {
  return String((err as { code?: unknown } | null)?.code ?? (err as Error).message);
}

describe.each(LEAVES)('A client leaving $how', ({ leave }) => {
  it('in the middle of a request head is dropped by the Server, and the handler never runs', () =>
    expectNoLeaks(async () => {
      let calls = 0;
      const { port, closed } = await serve(() => {
        calls++;
      });
      const client = await connectTo(port);
      await written(client, 'GET /half HTTP/1.1\r\nHost: faults\r\nX-Pad: aaaa');
      leave(client);
      await closed();
      expect(calls).toBe(0);
      await cleanup();
    }));

  it('in the middle of a request head never reaches the backend through the proxy', () =>
    expectNoLeaks(async () => {
      const backend = await startNodeBackend((_req, res) => res.end('never'));
      const proxy = await startProxy(backend.origin);
      const client = await rawClientOf(proxy);
      await client.write('GET /half HTTP/1.1\r\nHost: faults\r\nX-Pad: aaaa');
      leave(client.socket);
      expect(await closedWithin(proxy.inbound[0]!, 2000)).toBe(true);
      expect(backend.sockets).toEqual([]);
      await cleanup();
    }));

  it('in the middle of a body upload fails the body the handler reads, never ending it cleanly', () =>
    expectNoLeaks(async () => {
      const reading = deferred();
      const ended = deferred<string>();
      const { port, closed } = await serve(async (_rw, req) => {
        try {
          for await (const chunk of req.body!) {
            if (chunk.length > 0) reading.resolve();
          }
          ended.resolve('a clean end');
        } catch (err) {
          ended.resolve(`an error: ${codeOf(err)}`);
        }
      });
      const client = await connectTo(port);
      await written(client, `POST /up HTTP/1.1\r\nHost: faults\r\nContent-Length: ${MiB}\r\n\r\n`);
      await written(client, PIECE);
      await within(reading.promise, 2000);
      leave(client);
      expect(await within(ended.promise, 2000)).toMatch(/^an error/);
      await closed();
      await cleanup();
    }));

  it('in the middle of a body upload through the proxy aborts the backend request', () =>
    expectNoLeaks(async () => {
      const started = deferred();
      const ended = deferred<string>();
      const backend = await startNodeBackend((req) => {
        started.resolve();
        req.on('close', () => ended.resolve(req.complete ? 'complete' : 'aborted'));
        req.resume(); // reads the body, never answers
      });
      const proxy = await startProxy(backend.origin);
      const client = await rawClientOf(proxy);
      await client.write(`PUT /up HTTP/1.1\r\nHost: faults\r\nContent-Length: ${MiB}\r\n\r\n`);
      await client.write(PIECE);
      await within(started.promise, 2000);
      leave(client.socket);
      expect(await within(ended.promise, 2000)).toBe('aborted');
      expect(await closedWithin(backend.sockets[0]!, 2000)).toBe(true);
      await cleanup();
    }));

  it("in the middle of a response download makes the handler's write reject", () =>
    expectNoLeaks(async () => {
      const total = 1024 * MiB; // far more than the socket buffers hold: the client leaves first
      const stopped = deferred<{ sent: number; error: string }>();
      const { port, closed } = await serve(async (rw) => {
        rw.header().set('Content-Length', String(total));
        let sent = 0;
        try {
          while (sent < total) {
            await rw.write(PIECE);
            sent += PIECE.length;
          }
        } catch (err) {
          stopped.resolve({ sent, error: codeOf(err) });
          throw err;
        }
      });
      const client = await connectTo(port);
      const downloading = receivedAtLeast(client, MiB);
      await written(client, 'GET /big HTTP/1.1\r\nHost: faults\r\n\r\n');
      await within(downloading, 2000);
      leave(client);
      const { sent } = await within(stopped.promise, 2000);
      expect(sent).toBeLessThan(total);
      await closed();
      await cleanup();
    }));

  it('in the middle of a response download through the proxy cancels the backend response', () =>
    expectNoLeaks(async () => {
      const ended = deferred<string>();
      const backend = await startNodeBackend((_req, res) => {
        res.writeHead(200, { 'Content-Length': String(1024 * MiB) });
        res.on('close', () => ended.resolve(res.writableFinished ? 'finished' : 'cut short'));
        const pump = () => {
          while (!res.destroyed && res.write(PIECE));
        };
        res.on('drain', pump);
        pump();
      });
      const proxy = await startProxy(backend.origin);
      const client = await rawClientOf(proxy);
      await client.write('GET /big HTTP/1.1\r\nHost: faults\r\n\r\n');
      await client.waitFor((received) => received.length >= MiB);
      leave(client.socket);
      expect(await within(ended.promise, 2000)).toBe('cut short');
      expect(await closedWithin(backend.sockets[0]!, 2000)).toBe(true);
      await cleanup();
    }));

  it('during an upgrade tunnel through the proxy closes the backend side of the tunnel', () =>
    expectNoLeaks(async () => {
      const backendGone = deferred();
      const backend = await startRawBackend(async (peer) => {
        await peer.waitFor('\r\n\r\n');
        peer.socket.on('data', (chunk: Buffer) => peer.socket.write(chunk)); // echo what follows the head
        await peer.write(
          'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n',
        );
        await peer.clientEnded();
        backendGone.resolve();
      });
      const proxy = await startProxy(backend.origin);
      const client = await rawClientOf(proxy);
      await client.write(
        'GET /tunnel HTTP/1.1\r\nHost: faults\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n',
      );
      await client.waitFor('\r\n\r\n');
      await client.write('ping through the tunnel');
      await client.waitFor('ping through the tunnel');
      leave(client.socket);
      await within(backendGone.promise, 2000);
      expect(await closedWithin(proxy.inbound[0]!, 2000)).toBe(true);
      await cleanup();
    }));
});

describe('A WebSocket client through the proxy', () => {
  it('that vanishes without a close frame closes the backend WebSocket', () =>
    expectNoLeaks(async () => {
      const backend = await startNodeBackend((_req, res) => res.end('not a websocket\n'));
      const wss = new WebSocketServer({ server: backend.server });
      onCleanup(() => new Promise((resolve) => wss.close(resolve)));
      const accepted = deferred<WebSocket>();
      wss.on('connection', (ws) => accepted.resolve(ws));
      const proxy = await startProxy(backend.origin);
      const client = new WebSocket(`ws://127.0.0.1:${proxy.port}/chat`);
      onCleanup(() => client.terminate());
      await within(once(client, 'open'), 2000);
      const server = await within(accepted.promise, 2000);
      const closed = once(server, 'close');
      client.send('hello');
      const [message] = await within(once(server, 'message'), 2000);
      expect(String(message)).toBe('hello');
      client.terminate(); // destroys the socket: no close frame
      const [code] = await within(closed, 2000);
      expect(code).toBe(1006); // closed abnormally: the proxy closed the backend socket
      await settles(() => wss.clients.size === 0, 2000);
      await cleanup();
    }));
});
