/**
 * ReverseProxy streaming: flush intervals (SSE and unknown lengths at
 * once, headers early), the buffer pool, trailers, 1xx relaying,
 * Expect: 100-continue and pipelined requests. Ordering is measured, not
 * time: a backend sends its next piece only once the client has the last.
 * Ported from Go's reverseproxy_test.go; the Go origin is named in each test.
 */
import { describe, expect, it } from 'vitest';
import { Response } from '../../src/message/response.js';
import { parseMessages } from '../../src/parser/index.js';
import { type BufferPool, newSingleHostReverseProxy } from '../../src/proxy/reverse-proxy.js';
import type { RoundTripper } from '../../src/transport/round-tripper.js';
import { Transport } from '../../src/transport/transport.js';
import type { RawPeer } from '../helpers/raw-peer.js';
import { useProxyHarness, within } from './harness.js';

const h = useProxyHarness();

/** A single-host proxy to `url` logging to its `logs`. */
function singleHost(url: string, flushInterval = 0, bufferPool: BufferPool | null = null) {
  const logged = h.proxy({ director: () => undefined, flushInterval, bufferPool });
  logged.proxy.director = newSingleHostReverseProxy(url).director;
  return logged;
}

/** A raw backend running `script` once the request head arrived, proxied, with a raw client that sent a GET. */
async function rawChain(
  script: (backend: RawPeer, client: () => RawPeer) => Promise<void>,
  flushInterval = 0,
  bufferPool: BufferPool | null = null,
): Promise<RawPeer> {
  let client: RawPeer | null = null;
  const backend = await h.rawBackend(async (peer) => {
    await peer.waitFor('\r\n\r\n');
    await script(peer, () => client!);
  });
  const { proxy } = singleHost(`http://127.0.0.1:${backend.port}`, flushInterval, bufferPool);
  const frontend = await h.frontend(proxy);
  client = await h.rawClient(frontend);
  await client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await within(backend.nextPeer()); // its script has started ...
  await within(backend.scripts()); // ... and now it is done
  expect(backend.errors).toEqual([]);
  return client;
}

/** parseAll parses every response in `bytes` (1xx included) as the client received them. */
function parseAll(bytes: Uint8Array) {
  const { messages, error } = parseMessages('response', bytes);
  expect(error).toBeNull();
  return messages;
}

/** A pool handing out one 32 KiB buffer, as Go's BufferPool would. */
function pool(): BufferPool {
  const buf = new Uint8Array(32 * 1024);
  return { get: () => buf, put: () => undefined };
}

describe('ReverseProxy flushing', () => {
  it('copies a body with a tiny flushInterval (TestReverseProxyFlushInterval)', async () => {
    const backend = await h.nodeBackend((_req, res) => res.end('hi'));
    const { proxy } = singleHost(backend.url, 0.001);
    const frontend = await h.frontend(proxy);
    const res = await h.client(frontend.url).request({ path: '/', method: 'GET' });
    expect(await res.body.text()).toBe('hi');
  });

  it('sends the head at once when flushInterval is set, before any body byte (TestReverseProxyFlushIntervalHeaders)', async () => {
    const client = await rawChain(async (backend, client) => {
      await backend.write('HTTP/1.1 200 OK\r\nMyHeader: hi\r\nContent-Length: 2\r\n\r\n');
      await client().waitFor('MyHeader: hi\r\n');
      await backend.write('hi');
    }, 1000);
    await client.waitFor('\r\n\r\nhi');
  });

  it.each([
    ['', null],
    [' with a bufferPool', pool()],
  ] as const)(
    'flushes a known-length body written slowly within a positive flushInterval%s (maxLatencyWriter)',
    async (_, bufferPool) => {
      const client = await rawChain(
        async (backend, client) => {
          await backend.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello');
          await client().waitFor('hello');
          await backend.write('world');
        },
        5,
        bufferPool,
      );
      await client.waitFor('helloworld');
    },
  );

  it('holds back a known-length response when flushInterval is 0 (TestSelectFlushInterval default)', async () => {
    const client = await rawChain(async (backend, client) => {
      await backend.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(client().received().length).toBe(0);
      await backend.write('cd');
    });
    await client.waitFor('abcd');
  });

  it.each([
    ['', null],
    [' with a bufferPool', pool()],
  ] as const)(
    'flushes each server-sent event at once, whatever flushInterval says%s (TestSelectFlushInterval server-sent events)',
    async (_, bufferPool) => {
      const events = ['data: one\n\n', 'data: two\n\n', 'data: three\n\n'];
      const length = events.join('').length;
      const client = await rawChain(
        async (backend, client) => {
          await backend.write(
            `HTTP/1.1 200 OK\r\nContent-Type: Text/Event-Stream; charset=utf-8\r\nContent-Length: ${length}\r\n\r\n`,
          );
          for (const event of events) {
            await backend.write(event);
            await client().waitFor(event); // the next event only once the client has this one
          }
        },
        60_000,
        bufferPool,
      );
      expect(client.received().toString('latin1')).toContain(events.join(''));
    },
  );

  it.each([
    ['', null],
    [' with a bufferPool', pool()],
  ] as const)(
    'flushes each chunk of a response of unknown length at once%s (TestSelectFlushInterval Content-Length: -1)',
    async (_, bufferPool) => {
      const client = await rawChain(
        async (backend, client) => {
          await backend.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
          for (const piece of ['first', 'second', 'third']) {
            await backend.write(`${piece.length.toString(16)}\r\n${piece}\r\n`);
            await client().waitFor(piece);
          }
          await backend.write('0\r\n\r\n');
        },
        60_000,
        bufferPool,
      );
      await client.waitFor('0\r\n\r\n');
      const [res] = parseAll(client.received());
      expect(Buffer.from(res!.body).toString()).toBe('firstsecondthird');
    },
  );

  it('flushes a body delimited by the backend closing, and relays it chunked (TestSelectFlushInterval Content-Length: -1)', async () => {
    const client = await rawChain(async (backend, client) => {
      await backend.write('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\npart one,');
      await client().waitFor('part one,');
      await backend.end(' part two');
    });
    await client.waitFor('0\r\n\r\n');
    const [res] = parseAll(client.received());
    expect(res!.headers).toContainEqual(['Transfer-Encoding', 'chunked']);
    expect(Buffer.from(res!.body).toString()).toBe('part one, part two');
  });

  it('gets one buffer from the pool and puts it back (TestReverseProxyGetPutBuffer)', async () => {
    const backend = await h.nodeBackend((_req, res) => res.end('hi'));
    const { proxy } = singleHost(backend.url);
    const log: string[] = [];
    proxy.bufferPool = {
      get() {
        log.push('getBuf');
        return new Uint8Array(1234);
      },
      put(buf) {
        log.push(`putBuf-${buf.length}`);
      },
    };
    const frontend = await h.frontend(proxy);
    const res = await h.client(frontend.url).request({ path: '/', method: 'GET' });
    expect(await res.body.text()).toBe('hi');
    expect(log).toEqual(['getBuf', 'putBuf-1234']);
  });
});

describe('ReverseProxy trailers', () => {
  it('forwards a trailer the backend did not announce (TestUnannouncedTrailer)', async () => {
    const backend = await h.backend(async (rw) => {
      rw.writeHeader(200);
      await rw.flush();
      rw.header().set('Trailer:X-Unannounced-Trailer', 'unannounced_trailer_value');
    });
    const { proxy } = singleHost(backend.url);
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.waitFor('unannounced_trailer_value\r\n\r\n');
    const [res] = parseAll(client.received());
    expect(res!.trailers).toEqual([['X-Unannounced-Trailer', 'unannounced_trailer_value']]);
  });

  it('announces exactly the trailers the backend announced, even when the whole response arrived at once (TestReverseProxy Trailer)', async () => {
    const client = await rawChain(async (backend) => {
      await backend.write(
        'HTTP/1.1 200 OK\r\nTrailer: X-A\r\nTransfer-Encoding: chunked\r\n\r\n' +
          '2\r\nhi\r\n0\r\nX-A: 1\r\nX-B: 2\r\n\r\n',
      );
    });
    await client.waitFor('X-B: 2\r\n\r\n');
    const [res] = parseAll(client.received());
    expect(Buffer.from(res!.body).toString()).toBe('hi');
    expect(res!.trailers).toEqual([
      ['X-A', '1'],
      ['X-B', '2'],
    ]);
    // Fails today: the announced names are read off res.trailer after the body filled it (see report).
    expect(res!.headers.filter(([name]) => name === 'Trailer')).toEqual([['Trailer', 'X-A']]);
  });
});

describe('ReverseProxy 1xx', () => {
  const style = '</style.css>; rel=preload; as=style';
  const script = '</script.js>; rel=preload; as=script';
  const foo = '</foo.js>; rel=preload; as=script';

  /** A backend sending 103 then 102 before its final response, as Go's Test1xxResponses. */
  async function earlyHintsBackend() {
    return h.backend(async (rw) => {
      const header = rw.header();
      header.add('Link', style);
      header.add('Link', script);
      rw.writeHeader(103);
      header.add('Link', foo);
      rw.writeHeader(102);
      await rw.write('Hello');
    });
  }

  it('relays each 1xx before the final response and keeps its fields out of it (Test1xxResponses)', async () => {
    const backend = await earlyHintsBackend();
    const { proxy } = singleHost(backend.url);
    const frontend = await h.frontend(async (rw, req) => {
      rw.header().set('Link', '</app.css>; rel=preload'); // set by a wrapping handler
      await proxy.serveHTTP(rw, req);
    });
    const client = await h.rawClient(frontend);
    await client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.waitFor('Hello');
    const links = (res: { headers: [string, string][] }) =>
      res.headers.filter(([name]) => name === 'Link').map(([, value]) => value);
    const [early, processing, final] = parseAll(client.received());
    expect(early!.status).toBe(103);
    expect(links(early!)).toEqual(['</app.css>; rel=preload', style, script]);
    expect(processing!.status).toBe(102);
    expect(links(processing!)).toEqual(['</app.css>; rel=preload', style, script, foo]);
    expect(final!.status).toBe(200);
    expect(links(final!)).toEqual(['</app.css>; rel=preload', style, script, foo]);
    expect(Buffer.from(final!.body).toString()).toBe('Hello');
  });

  it('ignores a 1xx reported after the round trip returned (go#65123 / Test1xxHeadersNotModifiedAfterRoundTrip)', async () => {
    const backend = await h.nodeBackend((_req, res) => res.end('final'));
    const inner = new Transport();
    const late: RoundTripper = {
      async roundTrip(req, options) {
        const res = await inner.roundTrip(req, options);
        setImmediate(() =>
          options?.onInformational?.(new Response(103, { header: { 'X-Late': 'yes' } })),
        );
        return res;
      },
    };
    const { proxy } = singleHost(backend.url);
    proxy.transport = late;
    proxy.modifyResponse = () => new Promise((resolve) => setTimeout(resolve, 20));
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.waitFor('final');
    inner.close();
    const messages = parseAll(client.received());
    expect(messages.map((m) => m.status)).toEqual([200]);
    expect(client.received().toString('latin1')).not.toContain('X-Late');
  });

  it('answers Expect: 100-continue with one 100 before the client sends its body (RFC 9110 §10.1.1)', async () => {
    const backend = await h.nodeBackend(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      res.end(`got ${Buffer.concat(chunks).toString()}`);
    });
    const { proxy } = singleHost(backend.url);
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write(
      'POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n',
    );
    await client.waitFor('HTTP/1.1 100 Continue\r\n\r\n');
    expect(client.received().toString('latin1')).not.toContain('HTTP/1.1 200');
    await client.write('hello');
    await client.waitFor('got hello');
    // One 100: the server's own; the backend's, which always comes after the body began, is not relayed.
    expect(parseAll(client.received()).map((m) => m.status)).toEqual([100, 200]);
  });
});

describe('ReverseProxy connections', () => {
  it('answers pipelined requests in order (persist.go ServerConn ordering, through ServeHTTP)', async () => {
    const backend = await h.backend(async (rw, req) => {
      const delay = { '/1': 40, '/2': 10, '/3': 0 }[req.url.path] ?? 0;
      await new Promise((resolve) => setTimeout(resolve, delay));
      await rw.write(`answer ${req.url.path}`);
    });
    const { proxy } = singleHost(backend.url);
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write(
      'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    await client.waitFor('answer /3');
    const bodies = parseAll(client.received()).map((m) => Buffer.from(m.body).toString());
    expect(bodies).toEqual(['answer /1', 'answer /2', 'answer /3']);
  });

  it('reuses one backend connection for sequential requests (http.Transport keep-alive)', async () => {
    const backend = await h.nodeBackend((_req, res) => res.end('hi'));
    const { proxy } = singleHost(backend.url);
    const frontend = await h.frontend(proxy);
    const client = h.client(frontend.url);
    for (let i = 0; i < 3; i++) {
      const res = await client.request({ path: '/', method: 'GET' });
      expect(await res.body.text()).toBe('hi');
    }
    expect(backend.sockets).toHaveLength(1);
  });
});
