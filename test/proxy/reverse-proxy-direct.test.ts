/**
 * ReverseProxy's direct body path (sendDirect / ServerResponseWriter
 * [SEND_BODY]): a known-length body with no modifyResponse moves by
 * callbacks. It must put the same bytes on the wire as the chunk-by-chunk
 * copy (which a modifyResponse hook forces), keep back-pressure, and fail
 * the way the copy fails.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SEND_BODY, ServerResponseWriter } from '../../src/server/response-writer.js';
import type { ReverseProxyOptions } from '../../src/proxy/reverse-proxy.js';
import type { RawPeer } from '../helpers/raw-peer.js';
import { deferred, text, useProxyHarness, within } from './harness.js';

const h = useProxyHarness();

afterEach(() => {
  vi.restoreAllMocks();
});

/** A backend answer written in pieces, a few ms apart. */
interface Answer {
  name: string;
  pieces: string[];
  flushInterval?: number;
}

const BIG = 'x'.repeat(256 * 1024);

const ANSWERS: Answer[] = [
  {
    name: 'a body that came with the head',
    pieces: ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'],
  },
  {
    name: 'a small body in three pieces',
    pieces: ['HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX-A: 1\r\n\r\nhel', 'lo w', 'orld'],
  },
  {
    name: 'a small body in pieces with flushInterval -1',
    pieces: ['HTTP/1.1 201 Created\r\nContent-Length: 6\r\n\r\nab', 'cd', 'ef'],
    flushInterval: -1,
  },
  {
    name: 'server-sent events with a length',
    pieces: [
      'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: 22\r\n\r\n',
      'data: one\n\n',
      'data: two\n\n',
    ],
  },
  {
    name: '256 KiB written in 3 pieces',
    pieces: [
      `HTTP/1.1 200 OK\r\nContent-Length: ${BIG.length}\r\nConnection: keep-alive\r\n\r\n`,
      BIG.slice(0, 1000),
      BIG.slice(1000),
    ],
  },
];

/** proxied sends GET / through a proxy with `options` to a backend writing `answer`, and returns what the client got. */
async function proxied(answer: Answer, options: Partial<ReverseProxyOptions>): Promise<string> {
  let client: RawPeer | null = null;
  const body = answer.pieces[0]!.split('\r\n\r\n')[1]! + answer.pieces.slice(1).join('');
  const backend = await h.rawBackend(async (peer) => {
    await peer.waitFor('\r\n\r\n');
    for (const piece of answer.pieces) {
      await peer.write(piece);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  });
  const { proxy, logs } = h.proxy({
    director: () => undefined,
    flushInterval: answer.flushInterval ?? 0,
    ...options,
  });
  proxy.director = (req) => {
    req.url.scheme = 'http';
    req.url.host = `127.0.0.1:${backend.port}`;
  };
  const frontend = await h.frontend(proxy);
  client = await h.rawClient(frontend);
  await client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  const got = await within(client.waitFor((r) => r.length > 0 && text(r).endsWith(body), 5000));
  expect(logs).toEqual([]);
  return text(got);
}

describe('ReverseProxy direct body path', () => {
  it.each(ANSWERS.map((a) => [a.name, a] as const))(
    'writes the same bytes as the chunk-by-chunk copy: %s',
    async (_, answer) => {
      const send = vi.spyOn(ServerResponseWriter.prototype, SEND_BODY);
      const direct = await proxied(answer, {});
      const used = send.mock.results.some((r) => r.value !== null);
      const copied = await proxied(answer, { modifyResponse: () => undefined });
      expect(direct).toBe(copied);
      // Bodies that came whole with the head take the one-write path instead.
      expect(used).toBe(answer.pieces.length > 1);
    },
  );

  it('holds a short first piece back as write does when flushInterval is 0 (TestSelectFlushInterval default)', async () => {
    let client: RawPeer | null = null;
    const sent = deferred<void>();
    const backend = await h.rawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(client!.received().length).toBe(0);
      await peer.write('cd');
      sent.resolve();
    });
    const { proxy } = h.proxy({ director: () => undefined });
    proxy.director = (req) => {
      req.url.scheme = 'http';
      req.url.host = `127.0.0.1:${backend.port}`;
    };
    const send = vi.spyOn(ServerResponseWriter.prototype, SEND_BODY);
    client = await h.rawClient(await h.frontend(proxy));
    await client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await within(sent.promise);
    await within(client.waitFor('\r\n\r\nabcd'));
    expect(send.mock.results.map((r) => r.value !== null)).toEqual([true]);
  });

  it('keeps back-pressure: a client that stops reading stops the backend, then gets every byte', async () => {
    const size = 64 * 2 ** 20;
    const chunk = Buffer.alloc(64 * 1024, 'y');
    let accepted = 0;
    const backend = await h.nodeBackend((_req, res) => {
      res.writeHead(200, { 'Content-Length': size });
      let left = size;
      const pump = () => {
        while (left > 0) {
          left -= chunk.length;
          accepted += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const { proxy } = h.proxy({ director: () => undefined });
    proxy.director = (req) => {
      req.url.scheme = 'http';
      req.url.host = `127.0.0.1:${backend.port}`;
    };
    const client = await h.rawClient(await h.frontend(proxy));
    client.socket.pause();
    await client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Kernel buffers on both hops take a few MiB; the proxy itself holds a few 64 KiB.
    expect(accepted).toBeLessThan(size / 2);
    let received = 0;
    const done = deferred<void>();
    client.socket.on('data', (data: Buffer) => {
      received += data.length;
      if (received >= size) done.resolve();
    });
    client.socket.resume();
    await within(done.promise, 20_000);
    expect(accepted).toBe(size);
  });

  it('closes the backend connection when the client leaves mid-body', async () => {
    const backendGone = deferred<void>();
    const backend = await h.rawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write('HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n');
      await peer.write('z'.repeat(10_000));
      await peer.clientEnded();
      backendGone.resolve();
    });
    const { proxy, logs } = h.proxy({ director: () => undefined });
    proxy.director = (req) => {
      req.url.scheme = 'http';
      req.url.host = `127.0.0.1:${backend.port}`;
    };
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await within(client.waitFor('z'.repeat(10_000)));
    client.destroy();
    await within(backendGone.promise);
    // The inbound request's abort fails the backend body, as on the copy path.
    for (const line of logs) expect(line).toMatch(/request aborted$/);
    expect(frontend.logs).toEqual([]);
  });

  it('counts the body in bytesWritten', async () => {
    const backend = await h.nodeBackend((_req, res) => {
      res.writeHead(200, { 'Content-Length': 200_000 });
      res.write('a'.repeat(100_000));
      setTimeout(() => res.end('b'.repeat(100_000)), 5);
    });
    const { proxy } = h.proxy({ director: () => undefined });
    proxy.director = (req) => {
      req.url.scheme = 'http';
      req.url.host = `127.0.0.1:${backend.port}`;
    };
    let written = -1;
    const frontend = await h.frontend(async (rw, req) => {
      await proxy.serveHTTP(rw, req);
      written = rw.bytesWritten;
    });
    const res = await h.client(frontend.url).request({ path: '/', method: 'GET' });
    expect((await res.body.text()).length).toBe(200_000);
    expect(written).toBe(200_000);
  });
});
