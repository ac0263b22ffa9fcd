/**
 * ReverseProxy: what goes to the backend and what comes back — hop-by-hop
 * removal, Connection-listed fields, TE, X-Forwarded-For, User-Agent,
 * query merging, bodies, and the case and order of header lines. Ported
 * from Go's reverseproxy_test.go; the Go origin is named in each test.
 */
import { describe, expect, it } from 'vitest';
import { Request } from '../../src/index.js';
import { parseMessages } from '../../src/parser/index.js';
import { newSingleHostReverseProxy } from '../../src/proxy/reverse-proxy.js';
import type { RoundTripper } from '../../src/transport/round-tripper.js';
import { firstHead, ok, useProxyHarness } from './harness.js';

const h = useProxyHarness();

/** A single-host proxy to `url` logging to its `logs`, with its `director` wrappable. */
function singleHost(url: string, wrap?: (out: Request, director: (out: Request) => void) => void) {
  const logged = h.proxy({ director: () => undefined });
  const { director } = newSingleHostReverseProxy(url);
  logged.proxy.director = wrap === undefined ? director : (out) => wrap(out, director!);
  return logged;
}

/** parseResponse parses one response off `bytes` (as the client received them). */
function parseResponse(bytes: Uint8Array, method = 'GET') {
  const { messages, error } = parseMessages('response', bytes, { requestMethod: method });
  expect(error).toBeNull();
  expect(messages).toHaveLength(1);
  return messages[0]!;
}

/** names returns the lower-cased header names of parsed pairs. */
function names(pairs: readonly (readonly [string, string])[]): string[] {
  return pairs.map(([name]) => name.toLowerCase());
}

/** ownNames: `names` without the fields our server adds to every response. */
function ownNames(pairs: readonly (readonly [string, string])[]): string[] {
  return names(pairs).filter((name) => name !== 'date' && name !== 'content-length');
}

describe('ReverseProxy headers', () => {
  it('forwards a request and copies status, headers, body and trailers back (TestReverseProxy)', async () => {
    let seen: Request | null = null;
    const backend = await h.backend(async (rw, req) => {
      seen = req;
      const header = rw.header();
      header.set('Trailers', 'not a special header field name');
      header.set('Trailer', 'X-Trailer');
      header.set('X-Foo', 'bar');
      header.set('Upgrade', 'foo');
      header.set('Keep-Alive', 'timeout=5');
      header.add('X-Multi-Value', 'foo');
      header.add('X-Multi-Value', 'bar');
      header.add('Set-Cookie', 'flavor=chocolateChip');
      rw.writeHeader(404);
      await rw.write('I am the backend');
      header.set('X-Trailer', 'trailer_value');
      header.set('Trailer:X-Unannounced-Trailer', 'unannounced_trailer_value');
    });
    const { proxy } = singleHost(backend.url);
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write(
      'GET / HTTP/1.1\r\nHost: some-name\r\nConnection: close\r\nTe: trailers\r\n' +
        'Proxy-Connection: should be deleted\r\nUpgrade: foo\r\n\r\n',
    );
    await client.clientEnded();

    const got = seen as Request | null;
    expect(got).not.toBeNull();
    expect(got!.host).toBe('some-name');
    expect(got!.contentLength).toBe(0); // no Transfer-Encoding reached the backend
    expect(got!.header.get('X-Forwarded-For')).toBe('127.0.0.1');
    expect(got!.header.get('Connection')).toBeNull();
    expect(got!.header.get('Te')).toBe('trailers');
    expect(got!.header.get('Upgrade')).toBeNull();
    expect(got!.header.get('Proxy-Connection')).toBeNull();

    const res = parseResponse(client.received());
    expect(res.status).toBe(404);
    const header = new Map<string, string[]>();
    for (const [name, value] of res.headers) {
      const key = name.toLowerCase();
      header.set(key, [...(header.get(key) ?? []), value]);
    }
    expect(header.get('x-foo')).toEqual(['bar']);
    expect(header.get('keep-alive')).toBeUndefined();
    expect(header.get('upgrade')).toBeUndefined();
    expect(header.get('trailers')).toEqual(['not a special header field name']);
    expect(header.get('x-multi-value')).toEqual(['foo', 'bar']);
    expect(header.get('set-cookie')).toEqual(['flavor=chocolateChip']);
    // Go announces exactly X-Trailer; see the Trailer test in reverse-proxy-streaming.test.ts.
    expect(header.get('trailer')?.join(', ')).toMatch(/^X-Trailer\b/);
    expect(Buffer.from(res.body).toString()).toBe('I am the backend');
    expect(res.trailers).toEqual([
      ['X-Trailer', 'trailer_value'],
      ['X-Unannounced-Trailer', 'unannounced_trailer_value'],
    ]);
  });

  it('answers 502 with an empty body when the backend hangs up (TestReverseProxy mode=hangup)', async () => {
    const backend = await h.rawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      peer.destroy();
    });
    const { proxy, logs } = singleHost(`http://127.0.0.1:${backend.port}`);
    const frontend = await h.frontend(proxy);
    const res = await h.client(frontend.url).request({ path: '/?mode=hangup', method: 'GET' });
    expect(res.statusCode).toBe(502);
    expect(await res.body.text()).toBe('');
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('proxy error');
  });

  it('strips fields named in any Connection line in both directions and leaves the inbound request alone (go#16875 / TestReverseProxyStripHeadersPresentInConnection)', async () => {
    const backend = await h.rawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write(
        'HTTP/1.1 200 OK\r\nConnection: Upgrade, X-Fake-Connection-Token\r\n' +
          'Connection: X-Some-Conn-Header\r\nX-Some-Conn-Header: should be deleted\r\n' +
          'X-Fake-Connection-Token: should be deleted\r\nX-Kept: yes\r\n' +
          'Content-Length: 16\r\n\r\nI am the backend',
      );
    });
    const { proxy } = singleHost(`http://127.0.0.1:${backend.port}`);
    let inbound: string[][] = [];
    const frontend = await h.frontend(async (rw, req) => {
      await proxy.serveHTTP(rw, req);
      inbound = [...req.header].map(([name, value]) => [name, value]);
    });
    const client = await h.rawClient(frontend);
    await client.write(
      'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, X-Fake-Connection-Token\r\n' +
        'Connection: X-Some-Conn-Header\r\nX-Some-Conn-Header: should be deleted\r\n' +
        'X-Fake-Connection-Token: should be deleted\r\nX-Kept: yes\r\n\r\n',
    );
    await client.waitFor('I am the backend');

    const peer = await backend.nextPeer();
    const sent = firstHead(peer.received());
    expect(names(headerPairs(sent))).toEqual(['host', 'x-kept', 'x-forwarded-for']);
    const res = parseResponse(client.received());
    expect(ownNames(res.headers)).toEqual(['x-kept']);
    expect(inbound).toEqual([
      ['Connection', 'Upgrade, X-Fake-Connection-Token'],
      ['Connection', 'X-Some-Conn-Header'],
      ['X-Some-Conn-Header', 'should be deleted'],
      ['X-Fake-Connection-Token', 'should be deleted'],
      ['X-Kept', 'yes'],
    ]);
  });

  it('strips Connection-listed names next to close, with empty elements and any case (go#46313)', async () => {
    const backend = await h.rawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write(
        'HTTP/1.1 200 OK\r\nConnection: ,x-b,, close ,\r\nX-B: 1\r\nX-C: 2\r\nContent-Length: 2\r\n\r\nhi',
      );
      await peer.end();
    });
    const { proxy } = singleHost(`http://127.0.0.1:${backend.port}`);
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write(
      'GET / HTTP/1.1\r\nHost: x\r\nConnection: , x-a ,,close,\r\nX-A: 1\r\nx-A: 2\r\nX-C: 3\r\n\r\n',
    );
    await client.waitFor('hi');
    const peer = await backend.nextPeer();
    expect(names(headerPairs(firstHead(peer.received())))).toEqual([
      'host',
      'x-c',
      'x-forwarded-for',
    ]);
    const own = parseResponse(client.received()).headers.filter(
      ([name]) => name !== 'Date' && name !== 'Content-Length',
    );
    expect(own).toEqual([
      ['X-C', '2'],
      ['Connection', 'close'], // our server's own, answering the client's close
    ]);
  });

  it('removes every hop-by-hop field in both directions (TestReverseProxy / hopHeaders)', async () => {
    const hop =
      'Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nProxy-Authenticate: Basic\r\n' +
      'Proxy-Authorization: Basic Zm9v\r\nTE: gzip\r\nTrailer: X-T\r\nUpgrade: foo\r\n' +
      'HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n';
    const backend = await h.rawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write(`HTTP/1.1 200 OK\r\n${hop}X-End: 1\r\nContent-Length: 2\r\n\r\nhi`);
    });
    const { proxy } = singleHost(`http://127.0.0.1:${backend.port}`);
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write(`GET / HTTP/1.1\r\nHost: x\r\n${hop}X-End: 1\r\n\r\n`);
    await client.waitFor('hi');
    const peer = await backend.nextPeer();
    expect(names(headerPairs(firstHead(peer.received())))).toEqual([
      'host',
      'x-end',
      'x-forwarded-for',
    ]);
    expect(ownNames(parseResponse(client.received()).headers)).toEqual(['x-end']);
  });

  it('sends TE: trailers only when the client listed trailers (go#21096)', async () => {
    const tes: (string | null)[] = [];
    const backend = await h.backend((_rw, req) => {
      tes.push(req.header.values('TE').join('|') || null);
    });
    const { proxy } = singleHost(backend.url);
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write('GET /1 HTTP/1.1\r\nHost: x\r\nTE: gzip, Trailers\r\n\r\n');
    await client.write('GET /2 HTTP/1.1\r\nHost: x\r\nTE: gzip\r\n\r\n');
    await client.write('GET /3 HTTP/1.1\r\nHost: x\r\nTE: gzip\r\nTE: trailers\r\n\r\n');
    await client.waitFor((got) => got.toString('latin1').split('HTTP/1.1 200').length === 4);
    expect(tes).toEqual(['trailers', null, 'trailers']);
  });

  it('appends the client IP to X-Forwarded-For, folding earlier lines into one (TestXForwardedFor)', async () => {
    const backend = await h.rawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write(ok('I am the backend'));
    });
    const { proxy } = singleHost(`http://127.0.0.1:${backend.port}`);
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write(
      'GET / HTTP/1.1\r\nHost: some-name\r\nX-Forwarded-For: client ip\r\nX-Forwarded-For: 10.0.0.1, 10.0.0.2\r\n\r\n',
    );
    await client.waitFor('I am the backend');
    const sent = firstHead((await backend.nextPeer()).received());
    expect(headerPairs(sent).filter(([name]) => name === 'X-Forwarded-For')).toEqual([
      ['X-Forwarded-For', 'client ip, 10.0.0.1, 10.0.0.2, 127.0.0.1'],
    ]);
  });

  it('omits X-Forwarded-For when the director sets it to null (go#38079 / TestXForwardedFor_Omit)', async () => {
    const backend = await h.rawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write(ok('hi'));
    });
    const { proxy } = singleHost(`http://127.0.0.1:${backend.port}`, (out, director) => {
      out.header.set('X-Forwarded-For', null);
      director(out);
    });
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write('GET / HTTP/1.1\r\nHost: some-name\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n');
    await client.waitFor('hi');
    const sent = firstHead((await backend.nextPeer()).received());
    expect(sent.toLowerCase()).not.toContain('x-forwarded-for');
  });

  it("merges the target's query with the request's (TestReverseProxyQuery)", async () => {
    const backend = await h.nodeBackend((req, res) => {
      const query = req.url!.includes('?') ? req.url!.slice(req.url!.indexOf('?') + 1) : '';
      res.setHeader('X-Got-Query', query);
      res.end('hi');
    });
    const cases = [
      ['', '', ''],
      ['?sta=tic', '?us=er', 'sta=tic&us=er'],
      ['', '?us=er', 'us=er'],
      ['?sta=tic', '', 'sta=tic'],
    ];
    for (const [baseSuffix, reqSuffix, want] of cases) {
      const { proxy } = singleHost(backend.url + baseSuffix);
      const frontend = await h.frontend(proxy);
      const res = await h.client(frontend.url).request({ path: `/${reqSuffix}`, method: 'GET' });
      await res.body.text();
      expect(res.headers['x-got-query'], `${baseSuffix} + ${reqSuffix}`).toBe(want);
    }
  });

  it('forwards the User-Agent as sent and never invents one (go#15524 / TestUserAgentHeader)', async () => {
    const backend = await h.rawBackend(async (peer) => {
      for (let n = 1; n <= 3; n++) {
        await peer.waitFor((got) => got.toString('latin1').split('\r\n\r\n').length > n);
        await peer.write(ok('hi'));
      }
    });
    const { proxy } = singleHost(`http://127.0.0.1:${backend.port}`);
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write('GET /ua HTTP/1.1\r\nHost: x\r\nUser-Agent: explicit UA\r\n\r\n');
    await client.write('GET /noua HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.write('GET /emptyua HTTP/1.1\r\nHost: x\r\nUser-Agent:\r\n\r\n');
    await client.waitFor((got) => got.toString('latin1').split('HTTP/1.1 200').length === 4);
    const sent = (await backend.nextPeer()).received().toString('latin1').split('\r\n\r\n');
    const agents = sent
      .slice(0, 3)
      .map((head) => headerPairs(`${head}\r\n\r\n`).filter(([n]) => n === 'User-Agent'));
    expect(agents[0]).toEqual([['User-Agent', 'explicit UA']]);
    expect(agents[1]).toEqual([]);
    expect(agents[2]!.filter(([, value]) => value !== '')).toEqual([]);
  });

  it('sends no body and no Transfer-Encoding when the inbound Content-Length is 0 (go#16036 / TestReverseProxy_NilBody)', async () => {
    const backend = await h.rawBackend(async (peer) => {
      for (let n = 1; n <= 2; n++) {
        await peer.waitFor((got) => got.toString('latin1').split('\r\n\r\n').length > n);
        await peer.write(ok('hi'));
      }
    });
    const { proxy } = singleHost(`http://127.0.0.1:${backend.port}`);
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');
    await client.waitFor((got) => got.toString('latin1').split('HTTP/1.1 200').length === 3);
    const [get, post, rest] = (await backend.nextPeer())
      .received()
      .toString('latin1')
      .split('\r\n\r\n');
    expect(get).not.toMatch(/content-length|transfer-encoding/i);
    expect(post).toMatch(/^POST \/ HTTP\/1\.1\r\n/);
    expect(post).toContain('\r\nContent-Length: 0');
    expect(post).not.toMatch(/transfer-encoding/i);
    expect(rest).toBe('');
  });

  it('hands the transport a null body for an empty request (go#16036 / TestReverseProxy_NilBody)', async () => {
    const bodies: unknown[] = [];
    const transport: RoundTripper = {
      roundTrip(out) {
        bodies.push(out.body);
        return Promise.reject(new Error('done testing the interesting part; force a 502'));
      },
    };
    const { proxy } = singleHost('http://fake.tld/');
    proxy.transport = transport;
    const frontend = await h.frontend(proxy);
    const res = await h.client(frontend.url).request({ path: '/', method: 'GET' });
    await res.body.dump();
    expect(res.statusCode).toBe(502);
    expect(bodies).toEqual([null]);
  });

  it('streams a 1 MiB request body to the backend (TestReverseProxy_Post)', async () => {
    const body = Buffer.alloc(1 << 20, 'a');
    const backend = await h.nodeBackend(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const got = Buffer.concat(chunks);
      res.end(got.equals(body) ? 'I am the backend' : `wrong body of ${got.length} bytes`);
    });
    const { proxy } = singleHost(backend.url);
    const frontend = await h.frontend(proxy);
    const res = await h.client(frontend.url).request({ path: '/', method: 'POST', body });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('I am the backend');
  });

  it('keeps the case and order of header lines in both directions (copyHeader keeps value order; httpwire also keeps name case)', async () => {
    const backend = await h.rawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write(
        'HTTP/1.1 200 OK\r\nx-lower: 1\r\nX-UPPER: 2\r\nX-Mixed-Case: 3\r\nx-lower: 4\r\nContent-Length: 2\r\n\r\nhi',
      );
    });
    const { proxy } = singleHost(`http://127.0.0.1:${backend.port}`);
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write(
      'GET / HTTP/1.1\r\nhost: x\r\nzz-last: 1\r\nAA-FIRST: 2\r\nmIxEd: 3\r\nzz-last: 4\r\n\r\n',
    );
    await client.waitFor('hi');
    const sent = firstHead((await backend.nextPeer()).received());
    expect(headerPairs(sent)).toEqual([
      ['Host', 'x'],
      ['zz-last', '1'],
      ['AA-FIRST', '2'],
      ['mIxEd', '3'],
      ['zz-last', '4'],
      ['X-Forwarded-For', '127.0.0.1'],
    ]);
    expect(parseResponse(client.received()).headers.slice(0, 4)).toEqual([
      ['x-lower', '1'],
      ['X-UPPER', '2'],
      ['X-Mixed-Case', '3'],
      ['x-lower', '4'],
    ]);
  });

  it('serves a request built by hand with no body and an empty header (go#12344 / TestNilBody, go#33142 / TestReverseProxy_AllocatedHeader)', async () => {
    const backend = await h.nodeBackend((_req, res) => res.end('hi'));
    const { proxy } = singleHost(backend.url);
    const frontend = await h.frontend((rw) => {
      const req = new Request('GET', 'http://fake.tld/', { protoMinor: 0 });
      req.body = null;
      return proxy.serveHTTP(rw, req);
    });
    const res = await h.client(frontend.url).request({ path: '/', method: 'GET' });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('hi');
  });

  it("leaves the inbound request's header and URL unchanged (go#18327 / TestClonesRequestHeaders, TestServeHTTPDeepCopy)", async () => {
    const fromDirector: (string | null)[] = [];
    const transport: RoundTripper = {
      roundTrip(out) {
        fromDirector.push(out.header.get('From-Director'));
        return Promise.reject(new Error('EOF'));
      },
    };
    const logged = h.proxy({
      director: (out) => {
        out.header.set('From-Director', '1');
        out.url = { ...out.url, scheme: 'http', host: 'foo.tld', path: '/changed' };
      },
      transport,
    });
    const after: unknown[] = [];
    const frontend = await h.frontend(async (rw, req) => {
      const before = { url: { ...req.url }, host: req.host, header: [...req.header] };
      await logged.proxy.serveHTTP(rw, req);
      after.push(before, { url: { ...req.url }, host: req.host, header: [...req.header] });
    });
    const res = await h.client(frontend.url).request({ path: '/a?b=c', method: 'GET' });
    await res.body.dump();
    expect(res.statusCode).toBe(502);
    expect(fromDirector).toEqual(['1']);
    expect(after[1]).toEqual(after[0]);
    expect(JSON.stringify(after[1])).not.toMatch(/From-Director|X-Forwarded-For/i);
  });
});

/** headerPairs returns the header lines of a head (request or status line first), as sent. */
function headerPairs(head: string): [string, string][] {
  return head
    .split('\r\n')
    .slice(1)
    .filter((line) => line !== '')
    .map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon), line.slice(colon + 1).trim()];
    });
}
