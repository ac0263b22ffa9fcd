/**
 * ReverseProxy in rewrite mode (Go 1.20's Rewrite / ProxyRequest): the
 * client's forwarding fields are stripped, setURL and setXForwarded, a
 * replaced `out`, query sanitising, and the director-or-rewrite check.
 * Ported from Go's reverseproxy_test.go; the Go origin is named in each test.
 */
import { describe, expect, it } from 'vitest';
import { Request } from '../../src/index.js';
import { newSingleHostReverseProxy } from '../../src/proxy/reverse-proxy.js';
import { firstHead, ok, useProxyHarness } from './harness.js';

const h = useProxyHarness();

/** An origin answering with what it received: its target and a few fields, as JSON. */
async function echoBackend() {
  return h.nodeBackend((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(
      JSON.stringify({
        url: req.url,
        host: req.headers.host,
        xff: req.headers['x-forwarded-for'] ?? null,
        xfh: req.headers['x-forwarded-host'] ?? null,
        xfp: req.headers['x-forwarded-proto'] ?? null,
        forwarded: req.headers.forwarded ?? null,
      }),
    );
  });
}

interface Echo {
  url: string;
  host: string;
  xff: string | null;
  xfh: string | null;
  xfp: string | null;
  forwarded: string | null;
}

describe('ReverseProxy rewrite', () => {
  it("strips the client's Forwarded and X-Forwarded-* fields and adds none (TestReverseProxyRewriteStripsForwarded)", async () => {
    const backend = await h.rawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write(ok('hi'));
    });
    const { proxy } = h.proxy({
      rewrite: (pr) => pr.setURL(`http://127.0.0.1:${backend.port}`),
    });
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write(
      'GET / HTTP/1.1\r\nHost: some-name\r\nForwarded: x\r\nX-Forwarded-For: x\r\n' +
        'x-forwarded-host: x\r\nX-Forwarded-Proto: x\r\nX-Other: kept\r\n\r\n',
    );
    await client.waitFor('hi');
    const sent = firstHead((await backend.nextPeer()).received());
    expect(sent).not.toMatch(/forwarded/i);
    expect(sent).toContain('\r\nX-Other: kept\r\n');
  });

  it('setXForwarded sets X-Forwarded-For, -Host and -Proto from the inbound request (ProxyRequest.SetXForwarded)', async () => {
    const backend = await echoBackend();
    const { proxy } = h.proxy({
      rewrite: (pr) => {
        pr.setURL(backend.url);
        pr.setXForwarded();
      },
    });
    const frontend = await h.frontend(proxy);
    const res = await h.client(frontend.url).request({
      path: '/',
      method: 'GET',
      headers: { host: 'some-name', 'x-forwarded-for': 'client ip', forwarded: 'for=x' },
    });
    const echo = (await res.body.json()) as Echo;
    expect(echo).toMatchObject({
      xff: '127.0.0.1',
      xfh: 'some-name',
      xfp: 'http',
      forwarded: null,
    });
  });

  it("setXForwarded extends the client's chain when the rewrite copies it (ProxyRequest.SetXForwarded)", async () => {
    const backend = await echoBackend();
    const { proxy } = h.proxy({
      rewrite: (pr) => {
        pr.setURL(backend.url);
        pr.out.header.set('X-Forwarded-For', pr.in.header.values('X-Forwarded-For'));
        pr.setXForwarded();
      },
    });
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write(
      'GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: client ip\r\nX-Forwarded-For: 10.0.0.9\r\n\r\n',
    );
    await client.waitFor('}');
    const body = client.received().toString('latin1');
    const echo = JSON.parse(body.slice(body.indexOf('{'))) as Echo;
    expect(echo.xff).toBe('client ip, 10.0.0.9, 127.0.0.1');
  });

  it("setURL sends the target's host and joins its path and query (TestSetURL)", async () => {
    const backend = await echoBackend();
    const { proxy } = h.proxy({
      rewrite: (pr) => pr.setURL(`${backend.url}/base/?sta=tic`),
    });
    const frontend = await h.frontend(proxy);
    const res = await h.client(frontend.url).request({
      path: '/dir/file?us=er',
      method: 'GET',
      headers: { host: 'inbound.example' },
    });
    const echo = (await res.body.json()) as Echo;
    expect(echo.host).toBe(`127.0.0.1:${backend.port}`);
    expect(echo.url).toBe('/base/dir/file?sta=tic&us=er');
  });

  it('setURL then restoring out.host keeps the inbound Host (ProxyRequest.SetURL doc)', async () => {
    const backend = await echoBackend();
    const { proxy } = h.proxy({
      rewrite: (pr) => {
        pr.setURL(backend.url);
        pr.out.host = pr.in.host;
      },
    });
    const frontend = await h.frontend(proxy);
    const res = await h.client(frontend.url).request({
      path: '/',
      method: 'GET',
      headers: { host: 'inbound.example' },
    });
    expect(((await res.body.json()) as Echo).host).toBe('inbound.example');
  });

  it('sends the request a rewrite put in out instead (TestReverseProxyRewriteReplacesOut)', async () => {
    const backend = await h.nodeBackend((req, res) => res.end(`response_content ${req.url}`));
    const { proxy } = h.proxy({
      rewrite: async (pr) => {
        await new Promise((resolve) => setImmediate(resolve)); // an async rewrite is awaited
        pr.out = new Request('GET', `${backend.url}/replaced`);
      },
    });
    const frontend = await h.frontend(proxy);
    const res = await h.client(frontend.url).request({ path: '/original', method: 'GET' });
    expect(await res.body.text()).toBe('response_content /replaced');
  });

  describe('query parameter smuggling (go#54663)', () => {
    const cases = [
      { raw: 'a=1&a=2;b=3', clean: 'a=1' },
      { raw: 'a=1&a=%zz&b=3', clean: 'a=1&b=3' },
    ];

    async function queriesSeen(options: Parameters<typeof h.proxy>[0]): Promise<string[]> {
      const { proxy } = h.proxy(options);
      const frontend = await h.frontend(proxy);
      const client = h.client(frontend.url);
      const seen: string[] = [];
      for (const { raw } of cases) {
        const res = await client.request({ path: `/?${raw}`, method: 'GET' });
        seen.push(await res.body.text());
      }
      return seen;
    }

    async function queryBackend() {
      return h.nodeBackend((req, res) => res.end(req.url!.slice(req.url!.indexOf('?') + 1)));
    }

    it('keeps the raw query in director mode (TestReverseProxyQueryParameterSmugglingDirectorDoesNotParseForm)', async () => {
      const backend = await queryBackend();
      const { director } = newSingleHostReverseProxy(backend.url);
      const seen = await queriesSeen({ director: (out) => director!(out) });
      expect(seen).toEqual(cases.map((c) => c.raw));
    });

    it('drops unparsable parameters in rewrite mode (TestReverseProxyQueryParameterSmugglingRewrite)', async () => {
      const backend = await queryBackend();
      const seen = await queriesSeen({ rewrite: (pr) => pr.setURL(backend.url) });
      expect(seen).toEqual(cases.map((c) => c.clean));
    });

    it('sends the raw query when the rewrite copies it back (TestReverseProxyQueryParameterSmugglingRewritePreservesRawQuery)', async () => {
      const backend = await queryBackend();
      const seen = await queriesSeen({
        rewrite: (pr) => {
          pr.setURL(backend.url);
          pr.out.url = { ...pr.out.url, query: pr.in.url.query };
        },
      });
      expect(seen).toEqual(cases.map((c) => c.raw));
    });
  });

  it('answers 502 unless exactly one of director and rewrite is set (ReverseProxy.ServeHTTP)', async () => {
    let requests = 0;
    const backend = await h.nodeBackend((_req, res) => {
      requests++;
      res.end('hi');
    });
    const both = h.proxy({
      director: () => undefined,
      rewrite: (pr) => pr.setURL(backend.url),
    });
    const neither = h.proxy({});
    for (const { proxy, logs } of [both, neither]) {
      const frontend = await h.frontend(proxy);
      const res = await h.client(frontend.url).request({ path: '/', method: 'GET' });
      expect(res.statusCode).toBe(502);
      expect(await res.body.text()).toBe('');
      expect(logs.join('\n')).toContain('exactly one of director or rewrite');
    }
    expect(requests).toBe(0);
  });
});
