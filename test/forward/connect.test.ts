/**
 * CONNECT through the ForwardProxy over raw sockets: the 200 and its
 * framing, bytes pipelined after the head, half-close, and every bad
 * input of issue 13, each followed by the leak check.
 */
import { createServer as createNetServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { refusingPort } from '../faults/refusing-port.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { connectTo } from '../helpers/raw-peer.js';
import { deferred, settles, within } from '../helpers/waiting.js';
import type { ForwardProxyOptions } from '../../src/forward/index.js';
import { ConnectionLoop } from '../../src/server/connection-loop.js';
import {
  closedBy,
  FORWARD_PATHS,
  connectLine,
  rawRequest,
  restUntil,
  startForwardProxy,
  startOrigin,
} from './harness.js';

const loops = vi.spyOn(ConnectionLoop.prototype, 'serve');

/** startEcho starts a TCP server that echoes, and half-closes after the client does. */
async function startEcho() {
  const sockets = new Set<Socket>();
  const server = createNetServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    port,
    sockets,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

for (const path of FORWARD_PATHS)
  describe(`ForwardProxy CONNECT (${path} path)`, () => {
    const start = (options: ForwardProxyOptions = {}) => startForwardProxy(options, {}, path);

    it('answers 200 Connection established without framing fields and keeps pipelined bytes', async () => {
      await expectNoLeaks(async () => {
        const echo = await startEcho();
        const fp = await start();
        loops.mockClear();
        const got = await rawRequest(
          fp.port,
          connectLine(`127.0.0.1:${echo.port}`) + 'early bytes|',
        );
        expect(got.head).toBe('HTTP/1.1 200 Connection established\r\n\r\n');
        // The fast path takes the tunnel without a ConnectionLoop; the general path has one.
        expect(loops).toHaveBeenCalledTimes(path === 'fast' ? 0 : 1);
        got.socket.write('late bytes');
        await restUntil(got, (rest) => rest.toString() === 'early bytes|late bytes');
        got.socket.end(); // half-close: the echo ends its side after echoing everything
        await closedBy(got.socket);
        expect(got.rest.toString()).toBe('early bytes|late bytes');
        await fp.close();
        await echo.close();
        expect(fp.ends).toEqual([
          expect.objectContaining({ bytesToTarget: 22, bytesFromTarget: 22, error: null }),
        ]);
      });
    });

    it('keeps the other direction running after one side half-closes', async () => {
      await expectNoLeaks(async () => {
        let serverSide: Socket | undefined;
        const server = createNetServer({ allowHalfOpen: true }, (socket) => {
          serverSide = socket;
          socket.on('error', () => undefined);
        });
        server.listen(0, '127.0.0.1');
        await once(server, 'listening');
        const { port } = server.address() as { port: number };
        const fp = await start();
        const got = await rawRequest(fp.port, connectLine(`127.0.0.1:${port}`));
        got.socket.end('request then FIN');
        while (serverSide === undefined) await new Promise((r) => setTimeout(r, 5));
        const received: Buffer[] = [];
        serverSide.on('data', (chunk: Buffer) => received.push(chunk));
        await once(serverSide, 'end');
        expect(Buffer.concat(received).toString()).toBe('request then FIN');
        serverSide.end('answer after the client FIN');
        await closedBy(got.socket);
        expect(got.rest.toString()).toBe('answer after the client FIN');
        await fp.close();
        server.close();
        await once(server, 'close');
      });
    });

    // The server's sockets are not half-open: a FIN before the 200 ends the proxy's side of the
    // client connection too, so the 200 cannot follow it; the bytes and the end still reach the
    // target, and nothing waits for the idle timeout.
    it('passes on the bytes and the end of a client that sent its FIN with the CONNECT', async () => {
      await expectNoLeaks(async () => {
        const received = deferred<string>();
        const server = createNetServer({ allowHalfOpen: true }, (socket) => {
          let got = '';
          socket.on('data', (chunk: Buffer) => (got += chunk.toString('latin1')));
          socket.on('end', () => {
            received.resolve(got);
            socket.end('answer after the FIN');
          });
          socket.on('error', () => undefined);
        });
        server.listen(0, '127.0.0.1');
        await once(server, 'listening');
        const { port } = server.address() as { port: number };
        const fp = await start();
        const client = await connectTo(fp.port);
        client.end(connectLine(`127.0.0.1:${port}`) + 'last bytes');
        expect(await within(received.promise)).toBe('last bytes');
        await closedBy(client);
        expect(await settles(() => fp.ends.length === 1)).toBe(true);
        await fp.close();
        server.close();
        await once(server, 'close');
      });
    });

    it('answers a CONNECT pipelined behind another request after that request', async () => {
      await expectNoLeaks(async () => {
        const echo = await startEcho();
        const origin = await startOrigin((_req, res) => res.end('first'));
        const fp = await start();
        const first = `GET ${origin.url}/ HTTP/1.1\r\nHost: 127.0.0.1:${origin.port}\r\n\r\n`;
        const got = await rawRequest(
          fp.port,
          first + connectLine(`127.0.0.1:${echo.port}`) + 'ping',
        );
        expect(got.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
        const rest = await restUntil(got, (r) => r.toString('latin1').endsWith('ping'));
        expect(rest.toString('latin1')).toBe(
          'first' + 'HTTP/1.1 200 Connection established\r\n\r\n' + 'ping',
        );
        got.socket.destroy();
        await fp.close();
        await origin.close();
        await echo.close();
      });
    });

    const refusals: [string, string, RegExp][] = [
      [
        'without a port',
        'CONNECT example.com HTTP/1.1\r\nHost: example.com\r\n\r\n',
        /^HTTP\/1\.1 400 /,
      ],
      ['with a port of 0', connectLine('example.com:0'), /^HTTP\/1\.1 400 /],
      [
        'with an absolute-form target',
        'CONNECT http://example.com:80/ HTTP/1.1\r\nHost: example.com\r\n\r\n',
        /^HTTP\/1\.1 400 /,
      ],
      [
        'with an origin-form target',
        'CONNECT /x HTTP/1.1\r\nHost: example.com\r\n\r\n',
        /^HTTP\/1\.1 400 /,
      ],
      ['with userinfo', connectLine('user@example.com:443'), /^HTTP\/1\.1 400 /],
      [
        'with a body',
        connectLine('example.com:443', 'Content-Length: 5\r\n') + 'hello',
        /^HTTP\/1\.1 400 /,
      ],
      [
        'with a chunked body',
        connectLine('example.com:443', 'Transfer-Encoding: chunked\r\n') + '0\r\n\r\n',
        /^HTTP\/1\.1 400 /,
      ],
    ];
    for (const [what, request, status] of refusals) {
      it(`refuses a CONNECT ${what} with 400 and closes, dialing nothing`, async () => {
        await expectNoLeaks(async () => {
          const dialed: string[] = [];
          const fp = await start({
            dial: (host, port) => {
              dialed.push(`${host}:${port}`);
              return Promise.reject(new Error('must not dial'));
            },
          });
          const got = await rawRequest(fp.port, request);
          expect(got.head).toMatch(status);
          expect(got.head).toMatch(/\r\nConnection: close\r\n/);
          await closedBy(got.socket);
          expect(dialed).toEqual([]);
          await fp.close();
        });
      });
    }

    it('answers 403 to a port outside allow and never dials it', async () => {
      await expectNoLeaks(async () => {
        const dialed: string[] = [];
        const asked: number[] = [];
        const fp = await start({
          allow: (target) => {
            asked.push(target.port);
            return target.port === 443;
          },
          dial: (host, port) => {
            dialed.push(`${host}:${port}`);
            return Promise.reject(new Error('must not dial'));
          },
        });
        const got = await rawRequest(fp.port, connectLine('example.com:25'));
        expect(got.head).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
        await closedBy(got.socket);
        expect(got.rest.toString()).toContain('example.com:25 is not allowed');
        expect(dialed).toEqual([]);
        expect(asked).toEqual([25]); // asked once, though the fast path hands the answer over
        await fp.close();
      });
    });

    it('answers 500 when authenticate throws, dialing nothing', async () => {
      await expectNoLeaks(async () => {
        const dialed: string[] = [];
        const fp = await start({
          authenticate: () => Promise.reject(new Error('credential store down')),
          dial: (host, port) => {
            dialed.push(`${host}:${port}`);
            return Promise.reject(new Error('must not dial'));
          },
        });
        const got = await rawRequest(fp.port, connectLine('example.com:443'));
        expect(got.head).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/);
        expect(fp.logs.join('\n')).toContain('credential store down');
        expect(dialed).toEqual([]);
        got.socket.destroy();
        await fp.close();
      });
    });

    it('answers 502 naming a refused connection', async () => {
      await expectNoLeaks(async () => {
        const refusing = await refusingPort();
        const fp = await start();
        const got = await rawRequest(fp.port, connectLine(`127.0.0.1:${refusing.port}`));
        expect(got.head).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
        await closedBy(got.socket);
        expect(got.rest.toString()).toContain('connection refused');
        expect(fp.logs.join('\n')).toContain('ECONNREFUSED');
        await fp.close();
        await refusing.close();
      });
    });

    it('answers 502 naming a name that does not resolve', async () => {
      await expectNoLeaks(async () => {
        const fp = await start();
        const got = await rawRequest(fp.port, connectLine('no-such-host.invalid:443'));
        expect(got.head).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
        await closedBy(got.socket);
        expect(got.rest.toString()).toContain('name does not resolve');
        await fp.close();
      });
    });

    it('answers 504 when the target does not answer within dialTimeout', async () => {
      await expectNoLeaks(async () => {
        // A dialer that never connects stands in for a black-holed address.
        const fp = await start({ dialTimeout: 100, dial: () => new Promise(() => {}) });
        const got = await rawRequest(fp.port, connectLine('10.255.255.1:443'));
        expect(got.head).toMatch(/^HTTP\/1\.1 504 Gateway Timeout\r\n/);
        await closedBy(got.socket);
        expect(got.rest.toString()).toContain('dial timeout');
        await fp.close();
      });
    });

    it('closes a tunnel in which nothing is sent within idleTimeout', async () => {
      await expectNoLeaks(async () => {
        const echo = await startEcho();
        const fp = await start({ idleTimeout: 150 });
        const got = await rawRequest(fp.port, connectLine(`127.0.0.1:${echo.port}`));
        const started = Date.now();
        await closedBy(got.socket, 3000);
        expect(Date.now() - started).toBeGreaterThanOrEqual(100);
        expect(await settles(() => fp.ends.length === 1)).toBe(true);
        expect(fp.ends[0]?.error).toBe('idle');
        await fp.close();
        await echo.close();
      });
    });

    it('closes the target side when the client hangs up mid-tunnel', async () => {
      await expectNoLeaks(async () => {
        const echo = await startEcho();
        const fp = await start();
        const got = await rawRequest(fp.port, connectLine(`127.0.0.1:${echo.port}`) + 'x');
        await restUntil(got, (rest) => rest.length === 1);
        expect(echo.sockets.size).toBe(1);
        got.socket.resetAndDestroy();
        const deadline = Date.now() + 3000;
        while (echo.sockets.size > 0 && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 5));
        expect(echo.sockets.size).toBe(0);
        await fp.close();
        await echo.close();
      });
    });

    it('stops dialing when the client leaves meanwhile', async () => {
      await expectNoLeaks(async () => {
        const dialing = deferred<AbortSignal>();
        const fp = await start({
          dial: (_host, _port, { signal }) => {
            dialing.resolve(signal);
            return new Promise((_resolve, reject) => {
              signal.addEventListener('abort', () => reject(new Error('aborted')));
            });
          },
        });
        const client = await connectTo(fp.port);
        client.write(connectLine('example.com:443'));
        const signal = await within(dialing.promise);
        client.destroy();
        expect(await settles(() => signal.aborted)).toBe(true);
        await fp.close();
      });
    });
  });
