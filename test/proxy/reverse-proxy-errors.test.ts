/**
 * ReverseProxy failures: the default 502, errorHandler, modifyResponse
 * (sync, async, failing), the proxy hook answering itself, a backend body
 * failing mid-stream, bad inbound requests, and clients that leave.
 * Ported from Go's reverseproxy_test.go; the Go origin is named in each test.
 */
import { once } from 'node:events';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ErrAbortHandler, ErrHandled } from '../../src/errors.js';
import { Response } from '../../src/message/response.js';
import { newSingleHostReverseProxy, type ReverseProxy } from '../../src/proxy/reverse-proxy.js';
import type { RoundTripper } from '../../src/transport/round-tripper.js';
import { Transport } from '../../src/transport/transport.js';
import { deferred, settles, useProxyHarness, within } from './harness.js';

const h = useProxyHarness();

/** A single-host proxy to `url` logging to its `logs`. */
function singleHost(url: string) {
  const logged = h.proxy({ director: () => undefined });
  logged.proxy.director = newSingleHostReverseProxy(url).director;
  return logged;
}

const failing: RoundTripper = { roundTrip: () => Promise.reject(new Error('some error')) };

/** staticResponse is a RoundTripper answering every request with what `make` returns. */
function staticResponse(make: () => Response): RoundTripper {
  return { roundTrip: () => Promise.resolve(make()) };
}

async function get(url: string, path = '/test') {
  const res = await h.client(url).request({ path, method: 'GET' });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

/**
 * cancelWhileWaiting sends a GET through a single-host proxy (changed by
 * `configure`) to a node:http backend that never answers, cancels it once
 * the backend has it (after `whileInFlight`), and returns once the backend
 * saw its connection close.
 */
async function cancelWhileWaiting(
  configure: (proxy: ReverseProxy) => void = () => {},
  whileInFlight: () => void = () => {},
): Promise<void> {
  const inFlight = deferred();
  const closeNotified = deferred();
  const backend = await h.nodeBackend((_req, res) => {
    inFlight.resolve();
    res.on('close', () => closeNotified.resolve());
  });
  const { proxy } = singleHost(backend.url);
  configure(proxy);
  const frontend = await h.frontend(proxy);
  const controller = new AbortController();
  const request = h.client(frontend.url).request({
    path: '/',
    method: 'GET',
    signal: controller.signal,
  });
  await inFlight.promise;
  whileInFlight();
  controller.abort();
  await expect(request).rejects.toThrow();
  await within(closeNotified.promise);
}

describe('ReverseProxy errors', () => {
  it('answers 502 with an empty body and logs when the round trip fails (TestReverseProxyErrorHandler default)', async () => {
    const { proxy, logs } = singleHost('http://dummy.tld/');
    proxy.transport = failing;
    const frontend = await h.frontend(proxy);
    expect(await get(frontend.url)).toMatchObject({ status: 502, body: '' });
    expect(logs).toEqual(['httputil: ReverseProxy proxy error: some error']);
  });

  it('answers 502 when nothing listens on the backend port (TestReverseProxy: unreachable backend gives StatusBadGateway)', async () => {
    const listener = createNetServer().listen(0, '127.0.0.1');
    await once(listener, 'listening');
    const { port } = listener.address() as AddressInfo;
    await new Promise((resolve) => listener.close(resolve));
    const { proxy, logs } = singleHost(`http://127.0.0.1:${port}`);
    const frontend = await h.frontend(proxy);
    expect(await get(frontend.url)).toMatchObject({ status: 502, body: '' });
    expect(logs.join('\n')).toMatch(/ECONNREFUSED|ERR_DIAL|connect/);
  });

  it('lets errorHandler answer instead (TestReverseProxyErrorHandler errorhandler)', async () => {
    const { proxy, logs } = singleHost('http://dummy.tld/');
    proxy.transport = failing;
    const seen: unknown[] = [];
    proxy.errorHandler = (rw, req, err) => {
      seen.push([req.url.path, (err as Error).message]);
      rw.writeHeader(418);
    };
    const frontend = await h.frontend(proxy);
    expect(await get(frontend.url)).toMatchObject({ status: 418 });
    expect(seen).toEqual([['/test', 'some error']]);
    expect(logs).toEqual([]);
  });

  it('copies what modifyResponse changed and leaves errorHandler alone (TestReverseProxyErrorHandler modifyresponse_noerr)', async () => {
    const { proxy } = singleHost('http://dummy.tld/');
    proxy.transport = staticResponse(() => new Response(345, { body: '' }));
    proxy.modifyResponse = (res) => {
      res.status++;
    };
    proxy.errorHandler = (rw) => rw.writeHeader(418);
    const frontend = await h.frontend(proxy);
    expect(await get(frontend.url)).toMatchObject({ status: 346 });
  });

  it('sends a modifyResponse failure to errorHandler (TestReverseProxyErrorHandler modifyresponse_err)', async () => {
    const { proxy } = singleHost('http://dummy.tld/');
    proxy.transport = staticResponse(() => new Response(345, { body: '' }));
    const seen: string[] = [];
    proxy.modifyResponse = (res) => {
      res.status++;
      throw new Error('some error to trigger errorHandler');
    };
    proxy.errorHandler = (rw, _req, err) => {
      seen.push((err as Error).message);
      rw.writeHeader(418);
    };
    const frontend = await h.frontend(proxy);
    expect(await get(frontend.url)).toMatchObject({ status: 418 });
    expect(seen).toEqual(['some error to trigger errorHandler']);
  });

  it('answers 502 when modifyResponse rejects, and 200 when it passes (go#14237 / TestReverseProxyModifyResponse)', async () => {
    const backend = await h.nodeBackend((req, res) => {
      res.setHeader('X-Hit-Mod', String(req.url === '/mod'));
      res.end();
    });
    const { proxy, logs } = singleHost(backend.url);
    proxy.modifyResponse = async (res) => {
      await new Promise((resolve) => setImmediate(resolve));
      if (res.header.get('X-Hit-Mod') !== 'true') throw new Error('tried to by-pass proxy');
      res.header.set('X-Modified', 'async');
    };
    const frontend = await h.frontend(proxy);
    expect(await get(frontend.url, '/mod')).toMatchObject({
      status: 200,
      headers: { 'x-modified': 'async' },
    });
    expect(await get(frontend.url, '/schedule')).toMatchObject({ status: 502, body: '' });
    expect(logs).toEqual(['httputil: ReverseProxy proxy error: tried to by-pass proxy']);
  });

  it('closes the backend body without reading it when modifyResponse fails (TestModifyResponseClosesBody)', async () => {
    const streaming = deferred();
    const backend = await h.nodeBackend((_req, res) => {
      res.write('x'.repeat(1 << 16));
      streaming.resolve();
      const timer = setInterval(() => res.write('x'.repeat(1024)), 5);
      res.on('close', () => clearInterval(timer));
    });
    const { proxy, logs } = singleHost(backend.url);
    proxy.modifyResponse = () => {
      throw new Error('ModifyResponse error');
    };
    const frontend = await h.frontend(proxy);
    expect(await within(get(frontend.url))).toMatchObject({ status: 502, body: '' });
    await streaming.promise;
    expect(await settles(() => backend.open() === 0)).toBe(true);
    expect(logs.join('\n')).toContain('ModifyResponse error');
  });

  it('does not read an endless body from a custom transport when modifyResponse fails (TestModifyResponseClosesBody)', async () => {
    let reads = 0;
    async function* endless() {
      for (;;) {
        reads++;
        yield Buffer.alloc(1024);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const { proxy } = singleHost('http://foo.tld/');
    proxy.transport = staticResponse(() => new Response(200, { body: endless() }));
    proxy.modifyResponse = () => {
      throw new Error('ModifyResponse error');
    };
    const frontend = await h.frontend(proxy);
    expect(await within(get(frontend.url))).toMatchObject({ status: 502 });
    expect(reads).toBe(0);
  });

  it('aborts the client connection when the backend body ends early, with ErrAbortHandler (go#23643 / TestReverseProxy_PanicBodyError, go#16659 / TestReverseProxy_CopyBuffer)', async () => {
    const out = 'this call was relayed by the reverse proxy\n'.repeat(100);
    const backend = await h.rawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.end(`HTTP/1.1 200 OK\r\nContent-Length: ${out.length * 2}\r\n\r\n${out}`);
    });
    const { proxy, logs } = singleHost(`http://127.0.0.1:${backend.port}`);
    const thrown: unknown[] = [];
    const frontend = await h.frontend(async (rw, req) => {
      try {
        await proxy.serveHTTP(rw, req);
      } catch (err) {
        thrown.push(err);
        throw err;
      }
    });
    const client = await h.rawClient(frontend);
    await client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await within(client.clientEnded());
    const received = client.received().toString('latin1');
    expect(received).toContain(`\r\nContent-Length: ${out.length * 2}\r\n`);
    expect(received.slice(received.indexOf('\r\n\r\n') + 4)).toBe(out); // never the full length
    expect(thrown).toEqual([ErrAbortHandler]);
    expect(logs.join('\n')).toContain('read error during body copy');
    expect(frontend.logs).toEqual([]); // ErrAbortHandler is not logged as a handler error
  });

  it('sends nothing and resets the connection when a short backend body fails before the head went out (go#23643)', async () => {
    const backend = await h.rawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf');
    });
    const { proxy } = singleHost(`http://127.0.0.1:${backend.port}`);
    const frontend = await h.frontend(proxy);
    const res = h.client(frontend.url).request({ path: '/', method: 'GET' });
    await expect(res).rejects.toThrow();
  });

  it('never ends a chunked response cleanly when the backend fails mid-body (go#23643)', async () => {
    const backend = await h.rawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
      await peer.end('5\r\nwor'); // truncated chunk, then FIN
    });
    const { proxy } = singleHost(`http://127.0.0.1:${backend.port}`);
    const frontend = await h.frontend(proxy);
    const client = h.client(frontend.url);
    const res = await client.request({ path: '/', method: 'GET' });
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
  });

  it('lets the proxy hook answer by itself with ErrHandled, never reaching the backend (httpwire proxy hook; no Go counterpart)', async () => {
    const backend = await h.nodeBackend((_req, res) => res.end('backend'));
    const { proxy } = singleHost(backend.url);
    proxy.proxy = async (rw, out, req, roundTrip) => {
      if (req.url.path === '/cached') {
        rw.header().set('X-Cache', 'hit');
        await rw.write(`cached ${out.url.host === `127.0.0.1:${backend.port}`}`);
        return ErrHandled;
      }
      const res = await roundTrip(out);
      res.header.set('X-Cache', 'miss');
      return res;
    };
    const frontend = await h.frontend(proxy);
    expect(await get(frontend.url, '/cached')).toMatchObject({
      status: 200,
      headers: { 'x-cache': 'hit' },
      body: 'cached true',
    });
    expect(backend.sockets).toHaveLength(0);
    expect(await get(frontend.url, '/other')).toMatchObject({
      headers: { 'x-cache': 'miss' },
      body: 'backend',
    });
  });

  it('sends a proxy hook failure to errorHandler, and logs each exchange with debug (httpwire proxy hook; no Go counterpart)', async () => {
    const backend = await h.nodeBackend((_req, res) => res.end('backend'));
    const { proxy, logs } = singleHost(backend.url);
    proxy.debug = true;
    proxy.proxy = (_rw, out, req, roundTrip) => {
      if (req.url.path === '/broken') return Promise.reject(new Error('hook failed'));
      return roundTrip(out);
    };
    const frontend = await h.frontend(proxy);
    expect(await get(frontend.url, '/broken')).toMatchObject({ status: 502, body: '' });
    expect(await get(frontend.url, '/fine')).toMatchObject({ status: 200, body: 'backend' });
    expect(logs).toEqual([
      'httputil: ReverseProxy proxy error: hook failed',
      'proxy: GET /fine -> 200',
    ]);
  });

  it('answers 400 to a request with both Content-Length and Transfer-Encoding, and the backend gets nothing (RFC 9112 §6.3)', async () => {
    const backend = await h.nodeBackend((_req, res) => res.end('backend'));
    const { proxy } = singleHost(backend.url);
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write(
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    await within(client.clientEnded());
    expect(backend.sockets).toHaveLength(0);
    expect(client.received().toString('latin1').split('HTTP/1.1').length).toBe(2);
    expect(client.received().toString('latin1')).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('closes the backend connection when the client cancels while waiting (TestReverseProxyCancellation)', async () => {
    await cancelWhileWaiting();
  });

  it('gives another RoundTripper an AbortSignal that aborts when the client cancels', async () => {
    const inner = new Transport();
    let seen: AbortSignal | undefined;
    await cancelWhileWaiting(
      (proxy) => {
        proxy.transport = {
          // Only `signal` goes on: the Transport watches it as any caller's signal.
          roundTrip: (req, options) => {
            seen = options?.signal;
            return inner.roundTrip(req, { signal: options?.signal });
          },
        };
      },
      () => expect(seen?.aborted).toBe(false),
    );
    expect(seen?.aborted).toBe(true);
    expect((seen?.reason as { code?: string }).code).toBe('ERR_CLIENT_GONE');
    inner.close();
  });

  it('closes the backend connection when the client leaves in the middle of the body (go#35559)', async () => {
    const backend = await h.rawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n');
      await peer.clientEnded(); // the proxy closing its side is what this test waits for
    });
    const { proxy } = singleHost(`http://127.0.0.1:${backend.port}`);
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.waitFor('first');
    client.destroy();
    await within(backend.scripts());
  });
});
