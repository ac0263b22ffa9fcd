import { createServer as createHttpsServer } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { ProxyConnectError, Request } from '../../src/index.js';
import { cert, key } from '../fixtures/tls/index.js';
import { startTinyProxy, type TinyProxy } from '../helpers/tiny-proxy.js';
import { rejection, useHarness } from './harness.js';

const h = useHarness();
const proxies: TinyProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

async function tinyProxy(): Promise<TinyProxy> {
  const p = await startTinyProxy();
  proxies.push(p);
  return p;
}

/** httpsOrigin serves `GET` with the path it got, over TLS with the test certificate. */
async function httpsOrigin() {
  return h.track(
    createHttpsServer({ key, cert, keepAliveTimeout: 10_000 }, (req, res) =>
      res.end(`tls ${req.url}`),
    ),
    'https',
  );
}

describe('Transport with a proxy', () => {
  it('sends http: requests in absolute form over one pooled proxy connection, with Basic credentials', async () => {
    const proxy = await tinyProxy();
    const a = await h.http((req, res) =>
      res.end(`a ${req.url} ${req.headers['proxy-authorization']}`),
    );
    const b = await h.http((req, res) => res.end(`b ${req.url}`));
    const t = h.transport({ proxy: `http://us%20er:p%40ss@127.0.0.1:${proxy.port}` });
    const bodies = [];
    for (const url of [`${a.url}/one?x=1`, `${b.url}/two`, `${a.url}/three`]) {
      const res = await t.roundTrip(new Request('GET', url));
      bodies.push(await res.body!.text());
    }
    expect(bodies).toEqual(['a /one?x=1 undefined', 'b /two', 'a /three undefined']);
    const basic = `Basic ${Buffer.from('us er:p@ss').toString('base64')}`;
    expect(proxy.seen).toEqual([
      { method: 'GET', target: `${a.url}/one?x=1`, proxyAuthorization: basic, connection: 1 },
      { method: 'GET', target: `${b.url}/two`, proxyAuthorization: basic, connection: 1 },
      { method: 'GET', target: `${a.url}/three`, proxyAuthorization: basic, connection: 1 },
    ]);
  });

  it('tunnels https: requests with CONNECT, then TLS, and pools the tunnel per origin', async () => {
    const proxy = await tinyProxy();
    const origin = await httpsOrigin();
    const t = h.transport({
      proxy: new URL(`http://me:secret@127.0.0.1:${proxy.port}`),
      tls: { ca: cert },
    });
    for (const path of ['/1', '/2', '/3']) {
      const res = await t.roundTrip(new Request('GET', `${origin.url}${path}`));
      expect(await res.body!.text()).toBe(`tls ${path}`);
    }
    expect(proxy.seen).toEqual([
      {
        method: 'CONNECT',
        target: `127.0.0.1:${origin.port}`,
        proxyAuthorization: `Basic ${Buffer.from('me:secret').toString('base64')}`,
        connection: 1,
      },
    ]);
    expect(origin.sockets).toHaveLength(1);
  });

  it('verifies the origin certificate inside the tunnel', async () => {
    const proxy = await tinyProxy();
    const origin = await httpsOrigin();
    const t = h.transport({ proxy: proxy.url });
    const err = await rejection(t.roundTrip(new Request('GET', `${origin.url}/`)));
    expect(err).toMatchObject({ code: 'ERR_DIAL', cause: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' } });
  });

  it('rejects a 407 to CONNECT with ERR_PROXY_AUTH_REQUIRED and the status', async () => {
    const proxy = await tinyProxy();
    proxy.refuseWith = { status: 407 };
    const t = h.transport({ proxy: proxy.url });
    const err = await rejection(t.roundTrip(new Request('GET', 'https://example.test/')));
    expect(err).toBeInstanceOf(ProxyConnectError);
    expect(err).toMatchObject({
      code: 'ERR_PROXY_AUTH_REQUIRED',
      status: 407,
      message: 'proxy refused CONNECT example.test:443: 407 Refused',
    });
  });

  it('rejects another non-2xx to CONNECT with ERR_PROXY_CONNECT and the status', async () => {
    const proxy = await tinyProxy();
    proxy.refuseWith = { status: 403 };
    const t = h.transport({ proxy: proxy.url });
    const err = await rejection(t.roundTrip(new Request('GET', 'https://[::1]:8443/')));
    expect(err).toMatchObject({ code: 'ERR_PROXY_CONNECT', status: 403 });
    expect(proxy.seen[0]?.target).toBe('[::1]:8443');
  });

  it('passes a 407 to an http: request through as a response', async () => {
    const proxy = await tinyProxy();
    proxy.refuseWith = { status: 407, all: true };
    const t = h.transport({ proxy: proxy.url });
    const res = await t.roundTrip(new Request('GET', 'http://example.test/'));
    expect(res.status).toBe(407);
    expect(res.header.get('Proxy-Authenticate')).toBe('Basic realm="test"');
    await res.body!.dump();
  });

  it('fails with ERR_DIAL when the proxy hangs up on the CONNECT, and ERR_DIAL_TIMEOUT when it never answers', async () => {
    const hangUp = await h.raw(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      peer.destroy();
    });
    let t = h.transport({ proxy: `http://127.0.0.1:${hangUp.port}` });
    expect(await rejection(t.roundTrip(new Request('GET', 'https://example.test/')))).toMatchObject(
      {
        code: 'ERR_DIAL',
      },
    );
    const silent = await h.raw(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.clientEnded();
    });
    t = h.transport({ proxy: `127.0.0.1:${silent.port}`, dialTimeout: 200 });
    expect(await rejection(t.roundTrip(new Request('GET', 'https://example.test/')))).toMatchObject(
      {
        code: 'ERR_DIAL_TIMEOUT',
      },
    );
  });

  it('asks a proxy function per request: null goes direct', async () => {
    const proxy = await tinyProxy();
    const origin = await h.http((req, res) => res.end(req.url));
    const t = h.transport({
      proxy: (req) => (req.url.path === '/direct' ? null : proxy.url),
    });
    for (const path of ['/direct', '/proxied']) {
      const res = await t.roundTrip(new Request('GET', `${origin.url}${path}`));
      expect(await res.body!.text()).toBe(path);
    }
    expect(proxy.seen.map((s) => s.target)).toEqual([`${origin.url}/proxied`]);
  });

  it('refuses a proxy URL of another scheme with ERR_UNSUPPORTED_SCHEME', () => {
    expect(() => h.transport({ proxy: 'socks5://127.0.0.1:1080' })).toThrow(
      expect.objectContaining({ code: 'ERR_UNSUPPORTED_SCHEME' }),
    );
  });
});
