import { randomBytes } from 'node:crypto';
import { Client } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessages } from '../../src/parser/index.js';
import {
  cleanup,
  closedWithin,
  onCleanup,
  rawClientOf,
  startNodeBackend,
  startProxy,
  startRawBackend,
} from './e2e-harness.js';

afterEach(cleanup);

const MiB = 1 << 20;

describe('ReverseProxy failures end to end', () => {
  it('closes the backend connection when the client goes away in the middle of a large download', async () => {
    const big = randomBytes(32 * MiB);
    const backend = await startNodeBackend((_req, res) => {
      res.writeHead(200, { 'Content-Length': String(big.length) });
      res.end(big);
    });
    const proxy = await startProxy(backend.origin);
    const client = new Client(proxy.origin);
    onCleanup(() => client.destroy());
    const res = await client.request({ method: 'GET', path: '/big' });
    for await (const chunk of res.body) {
      expect(chunk.length).toBeGreaterThan(0);
      break; // one chunk, then leave: undici destroys the socket
    }
    await client.destroy();
    expect(await closedWithin(backend.sockets[0]!, 2000)).toBe(true);
    expect(await closedWithin(proxy.inbound[0]!, 2000)).toBe(true);
  });

  it('cuts the client connection when the backend dies part way through a Content-Length body (go#23643)', async () => {
    const backend = await startRawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789');
      peer.destroy();
    });
    const proxy = await startProxy(backend.origin);
    const client = await rawClientOf(proxy);
    await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await client.clientEnded();
    // The head may or may not have gone out before the abort (Go holds it back too);
    // what must never arrive is a complete response.
    const { messages, error } = parseMessages('response', client.received());
    expect(messages).toEqual([]);
    if (client.received().length > 0) expect(error?.code).toBe('HPE_INVALID_EOF_STATE');
    expect(proxy.logs.join('\n')).toContain('ReverseProxy read error during body copy');
  });

  it('cuts the client connection, with no last chunk, when a chunked backend body breaks off', async () => {
    const backend = await startRawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n');
      peer.destroy();
    });
    const proxy = await startProxy(backend.origin);
    const client = await rawClientOf(proxy);
    await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await client.clientEnded();
    const received = client.received().toString('latin1');
    expect(received).toContain('0123456789');
    expect(received).not.toContain('\r\n0\r\n\r\n');
    expect(parseMessages('response', client.received()).error?.code).toBe('HPE_INVALID_EOF_STATE');
  });

  it('answers 502 with an empty body when the backend closes without answering, and stays usable', async () => {
    let connections = 0;
    const backend = await startRawBackend(async (peer) => {
      connections++;
      const head = await peer.waitFor('\r\n\r\n');
      if (head.includes('POST /drop ')) return peer.destroy();
      await peer.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    const proxy = await startProxy(backend.origin);
    const client = await rawClientOf(proxy);
    await client.write('POST /drop HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx');
    await client.waitFor('\r\n\r\n');
    await client.write('GET /next HTTP/1.1\r\nHost: a\r\n\r\n');
    const received = await client.waitFor('ok');
    const { messages } = parseMessages('response', received);
    expect(messages.map((m) => [m.status, Buffer.from(m.body).toString()])).toEqual([
      [502, ''],
      [200, 'ok'],
    ]);
    expect(connections).toBe(2);
    expect(proxy.logs.join('\n')).toContain('ReverseProxy proxy error');
  });

  it('sends HEAD through without a body and keeps the connection in step', async () => {
    const backend = await startNodeBackend((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '11' });
      res.end(req.method === 'HEAD' ? undefined : 'hello world');
    });
    const proxy = await startProxy(backend.origin);
    const client = await rawClientOf(proxy);
    await client.write('HEAD /h HTTP/1.1\r\nHost: a\r\n\r\nGET /g HTTP/1.1\r\nHost: a\r\n\r\n');
    const received = await client.waitFor('hello world');
    const { messages, error } = parseMessages('response', received, {
      requestMethod: ['HEAD', 'GET'],
    });
    expect(error).toBeNull();
    expect(
      messages.map((m) => [
        m.status,
        new Map(m.headers).get('Content-Length'),
        Buffer.from(m.body).toString(),
      ]),
    ).toEqual([
      [200, '11', ''],
      [200, '11', 'hello world'],
    ]);
  });

  it('relays 103 Early Hints before the final response', async () => {
    const backend = await startNodeBackend((_req, res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' }, () => res.end('page'));
    });
    const proxy = await startProxy(backend.origin);
    const client = await rawClientOf(proxy);
    await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    const received = (await client.waitFor('page')).toString('latin1');
    expect(received).toMatch(
      /^HTTP\/1\.1 103 Early Hints\r\nLink: <\/style\.css>; rel=preload; as=style\r\n\r\nHTTP\/1\.1 200 OK\r\n/,
    );
  });
});
