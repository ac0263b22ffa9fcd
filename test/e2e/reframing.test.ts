import { afterEach, describe, expect, it } from 'vitest';
import { parseMessages } from '../../src/parser/index.js';
import type { RawPeer } from '../helpers/raw-peer.js';
import {
  cleanup,
  closedWithin,
  deferred,
  rawClientOf,
  startNodeBackend,
  startProxy,
  startRawBackend,
  within,
} from './e2e-harness.js';

afterEach(cleanup);

/** text returns received bytes as latin1 with the Date value masked. */
function text(received: Uint8Array): string {
  return Buffer.from(received)
    .toString('latin1')
    .replace(/\r\nDate: [^\r]*\r\n/g, '\r\nDate: <date>\r\n');
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

/**
 * behindProxy starts a raw backend running `script` on its first
 * connection, a proxy to it (at `base`, default none) and a raw client.
 */
async function behindProxy(script: (backend: RawPeer) => Promise<void>, base = '') {
  const backend = await startRawBackend(script);
  const proxy = await startProxy(backend.origin + base);
  const client = await rawClientOf(proxy);
  return { backend, proxy, client };
}

describe('Requests as a raw backend receives them through the ReverseProxy', () => {
  it('drops hop-by-hop and Connection-listed headers, keeps TE: trailers and appends X-Forwarded-For', async () => {
    const got = deferred<string>();
    const { client } = await behindProxy(async (backend) => {
      got.resolve(text(await backend.waitFor('\r\n\r\n')));
      await backend.write(OK);
    }, '/base?q=0');
    await client.write(
      'GET /path?x=1 HTTP/1.1\r\nHost: example.test\r\nConnection: keep-alive, X-Hop\r\n' +
        'X-Hop: 1\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\n' +
        'Proxy-Authorization: Basic eA==\r\nTE: trailers, gzip\r\nX-Forwarded-For: 10.0.0.1\r\n' +
        'User-Agent: raw\r\n\r\n',
    );
    expect(await got.promise).toBe(
      'GET /base/path?q=0&x=1 HTTP/1.1\r\nHost: example.test\r\n' +
        'X-Forwarded-For: 10.0.0.1, 127.0.0.1\r\nUser-Agent: raw\r\nTE: trailers\r\n\r\n',
    );
    expect(text(await client.waitFor('ok'))).toBe(
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: 2\r\n\r\nok',
    );
  });

  it('re-frames a chunked body chunk by chunk as each arrives, with its trailer', async () => {
    const firstChunk = deferred<string>();
    const whole = deferred<string>();
    const { client } = await behindProxy(async (backend) => {
      firstChunk.resolve(text(await backend.waitFor('abc\r\n')));
      whole.resolve(text(await backend.waitFor('X-Sum: 42\r\n\r\n')));
      await backend.write(OK);
    });
    await client.write(
      'POST /up HTTP/1.1\r\nHost: a\r\nTrailer: X-Sum\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '3\r\nabc\r\n',
    );
    const head =
      'POST /up HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 127.0.0.1\r\n' +
      'Transfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n';
    expect(await firstChunk.promise).toBe(`${head}3\r\nabc\r\n`);
    await client.write('2\r\nde\r\n0\r\nX-Sum: 42\r\n\r\n');
    expect(await whole.promise).toBe(`${head}3\r\nabc\r\n2\r\nde\r\n0\r\nX-Sum: 42\r\n\r\n`);
    await client.waitFor('ok');
  });

  it('sends a body with a Content-Length with that Content-Length, not chunked', async () => {
    const got = deferred<string>();
    const { client } = await behindProxy(async (backend) => {
      got.resolve(text(await backend.waitFor('hello')));
      await backend.write(OK);
    });
    await client.write('PUT /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello');
    expect(await got.promise).toBe(
      'PUT /p HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello',
    );
    await client.waitFor('ok');
  });

  it('forwards an HTTP/1.0 request as HTTP/1.1 and answers it in HTTP/1.0 with Connection: close', async () => {
    const got = deferred<string>();
    const { client } = await behindProxy(async (backend) => {
      got.resolve(text(await backend.waitFor('\r\n\r\n')));
      await backend.write(OK);
    });
    await client.write('GET /old HTTP/1.0\r\nHost: a\r\n\r\n');
    expect(await got.promise).toBe(
      'GET /old HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n',
    );
    await client.clientEnded();
    expect(text(client.received())).toBe(
      'HTTP/1.0 200 OK\r\nDate: <date>\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok',
    );
  });
});

describe('Responses from a raw backend as the client receives them', () => {
  it('drops the response hop-by-hop headers and keeps end-to-end ones in order', async () => {
    const { client } = await behindProxy(async (backend) => {
      await backend.waitFor('\r\n\r\n');
      await backend.write(
        'HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Back\r\nX-Back: 1\r\n' +
          'Keep-Alive: timeout=5\r\nX-One: 1\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n' +
          'Content-Length: 2\r\n\r\nok',
      );
    });
    await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(text(await client.waitFor('ok'))).toBe(
      'HTTP/1.1 200 OK\r\nX-One: 1\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n' +
        'Date: <date>\r\nContent-Length: 2\r\n\r\nok',
    );
  });

  it('re-frames a body read until the backend closes as chunked for an HTTP/1.1 client', async () => {
    const { client } = await behindProxy(async (backend) => {
      await backend.waitFor('\r\n\r\n');
      await backend.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nread until close');
    });
    await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(text(await client.waitFor('0\r\n\r\n'))).toBe(
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '10\r\nread until close\r\n0\r\n\r\n',
    );
  });

  it('passes backend trailers on to the client', async () => {
    const { client } = await behindProxy(async (backend) => {
      await backend.waitFor('\r\n\r\n');
      await backend.write(
        'HTTP/1.1 200 OK\r\nTrailer: X-Back\r\nTransfer-Encoding: chunked\r\n\r\n' +
          '2\r\nok\r\n0\r\nX-Back: 7\r\n\r\n',
      );
    });
    await client.write('GET / HTTP/1.1\r\nHost: a\r\nTE: trailers\r\n\r\n');
    expect(text(await client.waitFor('X-Back: 7\r\n\r\n'))).toBe(
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nTransfer-Encoding: chunked\r\nTrailer: X-Back\r\n\r\n' +
        '2\r\nok\r\n0\r\nX-Back: 7\r\n\r\n',
    );
  });
});

describe('Pipelined requests through the ReverseProxy', () => {
  it('answers 20 requests written in one write in order, over one backend connection', async () => {
    const backend = await startNodeBackend((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => res.end(`${req.method} ${req.url} ${Buffer.concat(chunks).length}`));
    });
    const proxy = await startProxy(backend.origin);
    const client = await rawClientOf(proxy);
    const requests = Array.from({ length: 20 }, (_, i) =>
      i % 5 === 4
        ? `POST /r${i} HTTP/1.1\r\nHost: a\r\nContent-Length: ${i}\r\n\r\n${'x'.repeat(i)}`
        : `GET /r${i} HTTP/1.1\r\nHost: a\r\n\r\n`,
    );
    await client.write(requests.join(''));
    const expected = requests.map((_, i) => (i % 5 === 4 ? `POST /r${i} ${i}` : `GET /r${i} 0`));
    const received = await client.waitFor(
      (bytes) => parseMessages('response', bytes).messages.length === 20,
      5000,
    );
    const { messages, error } = parseMessages('response', received);
    expect(error).toBeNull();
    expect(messages.map((m) => m.status)).toEqual(expected.map(() => 200));
    expect(messages.map((m) => Buffer.from(m.body).toString('latin1'))).toEqual(expected);
    expect(backend.sockets).toHaveLength(1);
  });

  it('holds later pipelined answers back until a slow first one is complete', async () => {
    const slowStarted = deferred();
    const finishSlow = deferred();
    const backend = await startNodeBackend((req, res) => {
      if (req.url !== '/slow') return res.end(`fast ${req.url}`);
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('slow part 1, ');
      slowStarted.resolve();
      void finishSlow.promise.then(() => res.end('slow part 2'));
    });
    const proxy = await startProxy(backend.origin);
    const client = await rawClientOf(proxy);
    await client.write(
      'GET /slow HTTP/1.1\r\nHost: a\r\n\r\nGET /a HTTP/1.1\r\nHost: a\r\n\r\n' +
        'GET /b HTTP/1.1\r\nHost: a\r\n\r\n',
    );
    await within(slowStarted.promise, 2000, 'the slow answer to start');
    await client.waitFor('slow part 1, ');
    expect(text(client.received())).not.toContain('fast');
    finishSlow.resolve();
    const received = await client.waitFor('fast /b');
    const bodies = parseMessages('response', received).messages.map((m) =>
      Buffer.from(m.body).toString('latin1'),
    );
    expect(bodies).toEqual(['slow part 1, slow part 2', 'fast /a', 'fast /b']);
  });
});

describe('Protocol switches through the ReverseProxy, byte for byte', () => {
  it('carries bytes sent right behind the upgrade request and right behind the 101, then both ways', async () => {
    const head = deferred<string>();
    const { client, proxy } = await behindProxy(async (backend) => {
      head.resolve(text(await backend.waitFor('\r\n\r\n')));
      await backend.write(
        'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nbackend-early',
      );
      await backend.waitFor('client-early ping');
      await backend.write(' pong');
      await backend.clientEnded();
    });
    await client.write(
      'GET /chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nclient-early',
    );
    expect(await within(head.promise, 2000, 'the upgrade request')).toBe(
      'GET /chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: echo\r\n' +
        'X-Forwarded-For: 127.0.0.1\r\n\r\n',
    );
    expect(text(await client.waitFor('backend-early'))).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nbackend-early',
    );
    await client.write(' ping');
    await client.waitFor('backend-early pong');
    client.destroy();
    expect(await closedWithin(proxy.inbound[0]!, 1000)).toBe(true);
  });
});
