/**
 * Request smuggling through the proxy after requests that change what
 * follows them on the connection: Upgrade and CONNECT requests the backend
 * refuses (the bytes after them must never become a request), Expect:
 * 100-continue with a body sent at once, and plain pipelines. The rows use
 * `smuggles` (see smuggling-harness.ts); the tests after them script the
 * backend's answer: an accepted CONNECT, an accepted upgrade, and a
 * framing error that arrives after the head went on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessages } from '../../src/parser/index.js';
import {
  cleanup,
  closedWithin,
  deferred,
  rawClientOf,
  startProxy,
  startRawBackend,
  within,
} from '../e2e/e2e-harness.js';
import { type Attack, smuggles } from './smuggling-harness.js';

afterEach(cleanup);

const SMUGGLED = 'GET /admin HTTP/1.1\r\nHost: a\r\n\r\n';
const WEBSOCKET = 'Upgrade: websocket\r\nConnection: Upgrade\r\n';

const UPGRADES: Attack[] = [
  {
    name: 'a request pipelined after a refused WebSocket upgrade',
    send: `GET /ws HTTP/1.1\r\nHost: a\r\n${WEBSOCKET}\r\n${SMUGGLED}`,
  },
  {
    name: 'a request pipelined after a refused upgrade with a body',
    send: `POST /ws HTTP/1.1\r\nHost: a\r\n${WEBSOCKET}Content-Length: 5\r\n\r\nhello${SMUGGLED}`,
  },
  {
    name: 'a request pipelined after a refused upgrade listed with keep-alive',
    send: `GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n\r\n${SMUGGLED}`,
  },
  {
    name: 'a request pipelined after an h2c upgrade, which goes on as a plain request',
    send:
      `GET / HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\n` +
      `HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n${SMUGGLED}`,
  },
  {
    name: 'a request pipelined after a refused CONNECT',
    send: `CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\n\r\n${SMUGGLED}`,
  },
  {
    name: 'a CONNECT with a Content-Length: the "body" is tunnel bytes, never sent on',
    send: `CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
  },
  {
    name: 'Upgrade without Connection: upgrade is no upgrade, and the next request is read',
    send: `GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n${SMUGGLED}`,
    forwards: 2,
  },
  {
    name: 'Connection: upgrade without Upgrade is no upgrade, and the next request is read',
    send: `GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\n\r\n${SMUGGLED}`,
    forwards: 2,
  },
];

const EXPECT_CONTINUE: Attack[] = [
  {
    name: 'Expect: 100-continue with the body sent at once, then a pipelined request',
    send: `POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello${SMUGGLED}`,
    forwards: 2,
  },
  {
    name: 'Expect: 100-continue whose unwaited-for body is a request',
    send: `POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
  },
  {
    name: 'Expect: 100-continue with a chunked body sent at once',
    send:
      `POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n` +
      `5\r\nhello\r\n0\r\n\r\n${SMUGGLED}`,
    forwards: 2,
  },
  {
    name: 'Expect: 100-continue followed by NBSP is an unknown expectation, not 100-continue',
    send: `POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\xa0\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
    rejects: 417,
  },
  {
    name: 'an unknown expectation whose body is a request',
    send: `POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
    rejects: 417,
  },
];

const PIPELINES: Attack[] = [
  { name: 'three pipelined requests', send: SMUGGLED.repeat(3), forwards: 3 },
  {
    name: 'a malformed request between two good ones',
    send: `${SMUGGLED}GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 2\r\n\r\n${SMUGGLED}`,
    forwards: 1,
    rejects: 400,
  },
];

describe('Upgrade and CONNECT smuggles through the proxy', () => {
  for (const attack of UPGRADES) it(attack.name, () => smuggles(attack));
});

describe('Expect: 100-continue smuggles through the proxy', () => {
  for (const attack of EXPECT_CONTINUE) it(attack.name, () => smuggles(attack));
});

describe('Pipelines through the proxy', () => {
  for (const attack of PIPELINES) it(attack.name, () => smuggles(attack));
});

describe('Tunnels and late framing errors, with a scripted backend', () => {
  it('closes the tunnel of a backend that accepts CONNECT and answers 502: nothing after CONNECT reaches it', async () => {
    const backendClosed = deferred<Buffer>();
    const backend = await startRawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write('HTTP/1.1 200 Connection established\r\n\r\n');
      await peer.clientEnded();
      backendClosed.resolve(peer.received());
    });
    const proxy = await startProxy(backend.origin);
    const client = await rawClientOf(proxy);
    await client.write(`CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\n\r\n${SMUGGLED}`);
    await within(client.clientEnded(), 2000, 'the proxy closing the client connection');
    const answers = parseMessages('response', client.received()).messages;
    expect(answers.map((m) => m.status)).toEqual([502]);
    const received = await within(backendClosed.promise, 2000, 'the backend tunnel closing');
    expect(received.toString('latin1')).toBe(
      'CONNECT / HTTP/1.1\r\nHost: a.test:443\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n',
    );
    expect(proxy.logs).toEqual([
      'httputil: ReverseProxy proxy error: ReverseProxy does not tunnel CONNECT',
    ]);
  });

  it('hands the bytes after an accepted upgrade to the backend as tunnel bytes, after the 101, never as a request', async () => {
    const tunnelled = deferred<Buffer>();
    const backend = await startRawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write(
        'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
      );
      tunnelled.resolve(await peer.waitFor(SMUGGLED));
      await peer.clientEnded();
    });
    const forwarded: string[] = [];
    const proxy = await startProxy(backend.origin, {
      proxy: (_rw, out, _req, roundTrip) => {
        forwarded.push(out.requestURI());
        return roundTrip(out);
      },
    });
    const client = await rawClientOf(proxy);
    await client.write(`GET /ws HTTP/1.1\r\nHost: a\r\n${WEBSOCKET}\r\n${SMUGGLED}`);
    const received = (await within(tunnelled.promise, 2000, 'the tunnel bytes')).toString('latin1');
    expect(received.slice(received.indexOf('\r\n\r\n') + 4)).toBe(SMUGGLED);
    expect(forwarded).toEqual(['/ws']);
    const switched = await client.waitFor('\r\n\r\n');
    expect(switched.toString('latin1')).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    client.destroy();
  });

  it('never lets the backend see a request complete when its chunked body turns malformed after the head went on', async () => {
    const firstChunk = deferred<void>();
    const backendClosed = deferred<Buffer>();
    const backend = await startRawBackend(async (peer) => {
      await peer.waitFor('hello\r\n');
      firstChunk.resolve();
      await peer.clientEnded();
      backendClosed.resolve(peer.received());
    });
    const proxy = await startProxy(backend.origin);
    const client = await rawClientOf(proxy);
    await client.write(
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n',
    );
    await within(firstChunk.promise, 2000, 'the first chunk at the backend');
    await client.write(`0x5\r\nhello\r\n0\r\n\r\n${SMUGGLED}`);
    await within(client.clientEnded(), 2000, 'the proxy closing the client connection');
    const answers = parseMessages('response', client.received()).messages;
    expect(answers.map((m) => [m.status, m.shouldKeepAlive])).toEqual([[502, false]]);
    const received = await within(backendClosed.promise, 2000, 'the backend connection closing');
    const reading = parseMessages('request', received);
    expect(reading.messages).toEqual([]);
    expect(reading.error?.code).toBe('HPE_INVALID_EOF_STATE');
    expect(received.toString('latin1')).not.toContain('/admin');
    expect(await closedWithin(proxy.inbound[0]!, 1000)).toBe(true);
  });
});
