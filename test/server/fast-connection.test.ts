/**
 * The server's fast path at the connection level (src/server/fast-connection.ts),
 * with a ReverseProxy as its handler and raw clients: plain requests never
 * make a ConnectionLoop; the first other one hands the connection over with
 * every byte not yet answered; timeouts, half-closes, shutdown and a client
 * leaving behave as on the general path. The bytes of each answer are held
 * to the general path's by test/proxy/reverse-proxy-paths.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseMessages } from '../../src/parser/index.js';
import type { ParsedMessage } from '../../src/parser/types.js';
import { newSingleHostReverseProxy } from '../../src/proxy/reverse-proxy.js';
import { ConnectionLoop } from '../../src/server/connection-loop.js';
import type { ServerOptions } from '../../src/server/server.js';
import { type Served, settles, useProxyHarness, within } from '../proxy/harness.js';

const h = useProxyHarness();
const loops = vi.spyOn(ConnectionLoop.prototype, 'serve');
afterEach(() => loops.mockClear());

/** echoBackend (node:http, so that only the frontend makes ConnectionLoops) answers each request with its method, path and body. */
async function echoBackend(delayMs = 0): Promise<string> {
  const backend = await h.nodeBackend(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    res.end(`${req.method} ${req.url}${body === '' ? '' : ` ${body}`}`);
  });
  return backend.url;
}

/** fastProxy serves a plain single-host proxy to `backend` (one the fast path takes). */
async function fastProxy(backend: string, options: ServerOptions = {}): Promise<Served> {
  const { proxy } = h.proxy({ director: () => undefined });
  proxy.director = newSingleHostReverseProxy(backend).director;
  return h.frontend(proxy, options);
}

/** responsesOf parses `bytes` as the responses to requests with `methods`, in order. */
function responsesOf(bytes: Buffer, methods: string[]): ParsedMessage[] {
  return parseMessages('response', bytes, { requestMethod: methods }).messages;
}

function get(path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: example.com\r\n\r\n`;
}

describe('FastConnection', () => {
  it('serves pipelined plain requests in order without a ConnectionLoop', async () => {
    const frontend = await fastProxy(await echoBackend());
    const peer = await h.rawClient(frontend);
    const paths = ['/1', '/2', '/3', '/4', '/5'];
    await peer.write(paths.map(get).join(''));
    const methods = paths.map(() => 'GET');
    const all = await peer.waitFor((b) => responsesOf(b, methods).length === paths.length);
    const bodies = responsesOf(all, methods).map((m) => Buffer.from(m.body).toString());
    expect(bodies).toEqual(paths.map((p) => `GET ${p}`));
    expect(loops).not.toHaveBeenCalled();
  });

  it('hands the connection over at the first request it does not take, with those behind it', async () => {
    const frontend = await fastProxy(await echoBackend());
    const peer = await h.rawClient(frontend);
    const post = 'POST /2 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\nhello';
    await peer.write(get('/1') + post + get('/3'));
    const methods = ['GET', 'POST', 'GET'];
    const all = await peer.waitFor((b) => responsesOf(b, methods).length === 3);
    const bodies = responsesOf(all, methods).map((m) => Buffer.from(m.body).toString());
    expect(bodies).toEqual(['GET /1', 'POST /2 hello', 'GET /3']);
    expect(loops).toHaveBeenCalledTimes(1);
  });

  it('answers a malformed request after plain ones as the general path does (400, closed)', async () => {
    const frontend = await fastProxy(await echoBackend());
    const peer = await h.rawClient(frontend);
    await peer.write(`${get('/ok')}GET /bad path HTTP/1.1\r\nHost: x\r\n\r\n`);
    await within(peer.clientEnded());
    const answers = responsesOf(peer.received(), ['GET', 'GET']);
    expect(answers.map((m) => m.status)).toEqual([200, 400]);
    expect(loops).toHaveBeenCalledTimes(1);
  });

  it('refuses a request without Host through the general path (400)', async () => {
    const frontend = await fastProxy(await echoBackend());
    const peer = await h.rawClient(frontend);
    await peer.write('GET / HTTP/1.1\r\n\r\n');
    await within(peer.clientEnded());
    expect(responsesOf(peer.received(), ['GET']).map((m) => m.status)).toEqual([400]);
  });

  it('closes a connection idle past idleTimeout, and answers 408 to a head slower than headerTimeout', async () => {
    const backend = await echoBackend();
    const idle = await fastProxy(backend, { idleTimeout: 100 });
    const first = await h.rawClient(idle);
    await first.write(get('/once'));
    await first.waitFor((b) => responsesOf(b, ['GET']).length === 1);
    const answered = Date.now();
    await within(first.clientEnded());
    expect(Date.now() - answered).toBeGreaterThanOrEqual(80); // after the idle timeout, not at once
    expect(responsesOf(first.received(), ['GET']).map((m) => m.status)).toEqual([200]);

    const slow = await fastProxy(backend, { headerTimeout: 100 });
    const second = await h.rawClient(slow);
    await second.write(get('/a'));
    await second.waitFor((b) => responsesOf(b, ['GET']).length === 1);
    await second.write('GET /b HTTP/1.1\r\nHo');
    await within(second.clientEnded());
    expect(second.received().toString('latin1')).toContain('HTTP/1.1 408 Request Timeout');
    expect(loops).not.toHaveBeenCalled();
  });

  it('answers a half-close, mid-head or after a whole request, as the general path does', async () => {
    const backend = await echoBackend();
    for (const sent of ['GET /cut HTTP/1.1\r\nHost: exa', get('/whole')]) {
      const received: string[] = [];
      for (const hooked of [false, true]) {
        const { proxy } = h.proxy({ director: () => undefined });
        proxy.director = newSingleHostReverseProxy(backend).director;
        if (hooked) proxy.modifyResponse = () => undefined; // the general path
        const peer = await h.rawClient(await h.frontend(proxy));
        await peer.end(sent);
        await within(peer.clientEnded());
        received.push(peer.received().toString('latin1'));
      }
      expect(received[0], JSON.stringify(sent)).toBe(received[1]);
    }
  });

  it('says Connection: close on the answer in flight when the server shuts down, then closes', async () => {
    const frontend = await fastProxy(await echoBackend(100));
    const peer = await h.rawClient(frontend);
    await peer.write(get('/slow'));
    await new Promise((resolve) => setTimeout(resolve, 30)); // the request reached the backend
    const closing = frontend.server.close();
    await within(peer.clientEnded());
    await closing;
    const text = peer.received().toString('latin1');
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toContain('\r\nConnection: close\r\n');
    expect(text.endsWith('GET /slow')).toBe(true);
  });

  it('lets the server close with an upgraded connection open, as hijacked ones are not waited for', async () => {
    const backend = await h.rawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write(
        'HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n',
      );
      await peer.waitFor('ping');
      await peer.write('pong');
    });
    const frontend = await fastProxy(`http://127.0.0.1:${backend.port}`);
    const peer = await h.rawClient(frontend);
    await peer.write(
      'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    );
    await peer.waitFor('\r\n\r\n');
    expect(loops).toHaveBeenCalledTimes(1); // the upgrade was handed over
    await within(frontend.server.close(), 2000, 'the server to close');
    await peer.write('ping'); // the tunnel outlives the server
    await peer.waitFor('pong');
    peer.destroy();
  });

  it('closes the backend connection when the client leaves before the answer', async () => {
    let backendGone!: Promise<void>;
    const backend = await h.rawBackend(async (peer) => {
      backendGone = peer.clientEnded();
      await peer.waitFor('\r\n\r\n'); // and never answers
    });
    const { proxy } = h.proxy({ director: () => undefined });
    proxy.director = newSingleHostReverseProxy(`http://127.0.0.1:${backend.port}`).director;
    const frontend = await h.frontend(proxy);
    const peer = await h.rawClient(frontend);
    await peer.write(get('/wait'));
    await backend.scripts();
    peer.destroy();
    await within(backendGone);
    expect(loops).not.toHaveBeenCalled();
  });
  it('closes the backend connection when the client leaves after a hand-over mid-answer', async () => {
    let backendGone!: Promise<void>;
    const backend = await h.rawBackend(async (peer) => {
      backendGone = peer.clientEnded();
      await peer.waitFor('\r\n\r\n');
      await peer.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhe'); // and the rest never comes
    });
    const { proxy } = h.proxy({ director: () => undefined });
    proxy.director = newSingleHostReverseProxy(`http://127.0.0.1:${backend.port}`).director;
    const peer = await h.rawClient(await h.frontend(proxy));
    await peer.write(get('/partial'));
    await backend.scripts();
    expect(await settles(() => loops.mock.calls.length === 1)).toBe(true); // a streaming answer: handed over
    peer.destroy();
    await within(backendGone);
  });
});
