import { describe, expect, it } from 'vitest';
import { Body } from '../../src/message/body.js';
import { chunkHeader, lastChunk } from '../../src/message/chunked.js';
import { Header } from '../../src/message/header.js';
import { Request } from '../../src/message/request.js';
import { Response } from '../../src/message/response.js';
import {
  encodeRequestHead,
  encodeResponseHead,
  type Sink,
  writeRequest,
  writeResponse,
} from '../../src/message/write-message.js';

/** A sink that records every write, to assert exact bytes and write counts. */
function memorySink(): Sink & { writes: Buffer[]; text(): string } {
  const writes: Buffer[] = [];
  return {
    writes,
    write(chunk: Uint8Array) {
      writes.push(Buffer.from(chunk));
      return true;
    },
    once: () => undefined,
    off: () => undefined,
    text: () => Buffer.concat(writes).toString('latin1'),
  };
}

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

async function requestBytes(req: Request, absoluteForm = false): Promise<string> {
  const sink = memorySink();
  await writeRequest(sink, req, { absoluteForm });
  return sink.text();
}

async function responseBytes(res: Response, request?: Request): Promise<string> {
  const sink = memorySink();
  await writeResponse(sink, res, request ? { request } : undefined);
  return sink.text();
}

describe('writeRequest', () => {
  it('writes a bodiless GET with Host from the URL and no invented User-Agent', async () => {
    const req = new Request('GET', 'http://example.com/a%2Fb?x=%zz;y', {
      header: [
        ['Accept', '*/*'],
        ['X-Trace', 'a'],
        ['x-trace', 'b'],
      ],
    });
    expect(await requestBytes(req)).toBe(
      'GET /a%2Fb?x=%zz;y HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nX-Trace: a\r\nx-trace: b\r\n\r\n',
    );
  });

  it('sends a known-length body with Content-Length, head and body in one write', async () => {
    const sink = memorySink();
    await writeRequest(sink, new Request('POST', 'http://h/p', { body: 'hello' }));
    expect(sink.writes).toHaveLength(1);
    expect(sink.text()).toBe('POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello');
  });

  it('says Content-Length: 0 for a bodiless POST, PUT or PATCH but not for GET', async () => {
    expect(await requestBytes(new Request('PUT', 'http://h/'))).toBe(
      'PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n',
    );
    expect(await requestBytes(new Request('DELETE', 'http://h/'))).toBe(
      'DELETE / HTTP/1.1\r\nHost: h\r\n\r\n',
    );
  });

  it('sends a body of unknown length chunked, announcing and then sending trailers', async () => {
    const trailer = new Header().set('X-Checksum', null).set('X-Late', null);
    const req = new Request('POST', 'http://h/up', { body: chunks('ab', '', 'cde'), trailer });
    const sink = memorySink();
    const writing = writeRequest(sink, req);
    req.trailer.set('X-Checksum', 'c0ffee');
    await writing;
    expect(sink.text()).toBe(
      'POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum, X-Late\r\n\r\n' +
        '2\r\nab\r\n3\r\ncde\r\n0\r\nX-Checksum: c0ffee\r\n\r\n',
    );
  });

  it('never copies framing fields or Host from the header', async () => {
    const req = new Request('POST', 'http://h/', {
      body: 'x',
      header: [
        ['Content-Length', '99'],
        ['Transfer-Encoding', 'chunked'],
        ['Trailer', 'A'],
        ['Host', 'evil'],
      ],
      host: 'good',
    });
    expect(await requestBytes(req)).toBe(
      'POST / HTTP/1.1\r\nHost: good\r\nContent-Length: 1\r\n\r\nx',
    );
  });

  it('falls back to a Host header, then the URL host, when host is empty', async () => {
    const req = new Request('GET', 'http://url/');
    req.host = '';
    expect(await requestBytes(req)).toBe('GET / HTTP/1.1\r\nHost: url\r\n\r\n');
  });

  it('adds Connection: close when close is set, unless a Connection line says so', async () => {
    expect(await requestBytes(new Request('GET', 'http://h/', { close: true }))).toBe(
      'GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
    );
    const said = new Request('GET', 'http://h/', { close: true, header: { Connection: 'Close' } });
    expect(await requestBytes(said)).toBe('GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n');
  });

  it('writes the absolute form for a proxy, the authority form for CONNECT, * for OPTIONS *', async () => {
    const get = new Request('GET', 'http://h:8080/p?q');
    expect(await requestBytes(get, true)).toBe(
      'GET http://h:8080/p?q HTTP/1.1\r\nHost: h:8080\r\n\r\n',
    );
    const connect = new Request('CONNECT', 'http://h:443');
    expect(await requestBytes(connect, true)).toBe('CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n');
    const star = new Request('OPTIONS', { scheme: 'http', host: 'h', path: '*', query: '' });
    expect(await requestBytes(star)).toBe('OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n');
    expect(await requestBytes(star, true)).toBe('OPTIONS http://h HTTP/1.1\r\nHost: h\r\n\r\n');
  });

  it('writes the request version it is given and reports HTTP/1.0 as closing', async () => {
    const req = new Request('GET', 'http://h/', { protoMinor: 0 });
    const encoded = encodeRequestHead(req);
    expect(encoded.head).toBe('GET / HTTP/1.0\r\nHost: h\r\n\r\n');
    expect(encoded.close).toBe(true);
    req.header.set('Connection', 'keep-alive');
    expect(encodeRequestHead(req).close).toBe(false);
    expect(encodeRequestHead(new Request('GET', 'http://h/')).close).toBe(false);
  });

  it.each([
    [
      'a body of unknown length on HTTP/1.0',
      () => new Request('POST', 'http://h/', { body: chunks('a'), protoMinor: 0 }),
      'ERR_UNKNOWN_LENGTH',
    ],
    [
      'a contentLength without a body',
      () => new Request('POST', 'http://h/', { contentLength: 3 }),
      'ERR_CONTENT_LENGTH_MISMATCH',
    ],
    [
      'a CR in a header value set behind our back',
      () => {
        const req = new Request('GET', 'http://h/');
        req.header = Header.fromWire([['X', 'a\r\nInjected: 1']]);
        return req;
      },
      'ERR_INVALID_HEADER',
    ],
    [
      'a LF in the host',
      () => new Request('GET', 'http://h/', { host: 'h\nX: y' }),
      'ERR_INVALID_HOST',
    ],
    [
      'a space in the path',
      () => {
        const req = new Request('GET', 'http://h/');
        req.url.path = '/a b';
        return req;
      },
      'ERR_INVALID_URL',
    ],
    [
      'a bad method',
      () => {
        const req = new Request('GET', 'http://h/');
        req.method = 'G\r\nET';
        return req;
      },
      'ERR_INVALID_METHOD',
    ],
    [
      'a forbidden trailer name',
      () =>
        new Request('POST', 'http://h/', { body: chunks('a'), trailer: { 'Content-Length': '1' } }),
      'ERR_INVALID_TRAILER',
    ],
  ])('throws before writing a byte for %s', async (_, make, code) => {
    const sink = memorySink();
    await expect(writeRequest(sink, make())).rejects.toMatchObject({ code });
    expect(sink.writes).toHaveLength(0);
  });

  it('refuses a body shorter or longer than its contentLength before writing it', async () => {
    for (const contentLength of [4, 6]) {
      const sink = memorySink();
      const req = new Request('POST', 'http://h/', { body: 'hello', contentLength });
      await expect(writeRequest(sink, req)).rejects.toMatchObject({
        code: 'ERR_CONTENT_LENGTH_MISMATCH',
      });
      expect(sink.writes).toHaveLength(0);
    }
  });

  it('never writes past the declared length of a streamed body', async () => {
    const sink = memorySink();
    const req = new Request('POST', 'http://h/', { body: chunks('abc', 'def'), contentLength: 4 });
    await expect(writeRequest(sink, req)).rejects.toMatchObject({
      code: 'ERR_CONTENT_LENGTH_MISMATCH',
      message: 'body has more than 4 bytes but contentLength is 4',
    });
    expect(sink.text()).toBe('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabc');
  });

  it('writes a streamed body that is ready at once in the same write as the head', async () => {
    const sink = memorySink();
    await writeRequest(
      sink,
      new Request('POST', 'http://h/', { body: chunks('abc'), contentLength: 3 }),
    );
    expect(sink.writes[0]!.toString()).toBe(
      'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc',
    );
  });

  it('does not hold the head back for a slow body', async () => {
    const sink = memorySink();
    const body = new Body();
    const writing = writeRequest(sink, new Request('POST', 'http://h/', { body }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sink.text()).toBe('POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n');
    body.push(Buffer.from('late'));
    body.end();
    await writing;
    expect(sink.text()).toMatch(/\r\n\r\n4\r\nlate\r\n0\r\n\r\n$/);
  });
});

describe('writeResponse', () => {
  it('writes a status line and a known-length body', async () => {
    const res = new Response(200, { body: 'hi', header: { 'Content-Type': 'text/plain' } });
    expect(await responseBytes(res)).toBe(
      'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi',
    );
  });

  it('says Content-Length: 0 for a response with no body and no length', async () => {
    const res = new Response(404, { contentLength: -1 });
    expect(await responseBytes(res)).toBe('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
  });

  it('writes neither framing nor body for 1xx and 204', async () => {
    const upgrade = new Response(101, { header: { Upgrade: 'websocket', Connection: 'Upgrade' } });
    expect(await responseBytes(upgrade)).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    );
    const body = Body.from('ignored');
    const noContent = new Response(204, { body, contentLength: 7 });
    expect(await responseBytes(noContent)).toBe('HTTP/1.1 204 No Content\r\n\r\n');
    expect(body.consumed).toBe(false);
  });

  it('keeps the length of a 304 but sends no body', async () => {
    const res = new Response(304, { contentLength: 10, body: 'x'.repeat(10) });
    expect(await responseBytes(res)).toBe(
      'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n',
    );
    expect(await responseBytes(new Response(304))).toBe('HTTP/1.1 304 Not Modified\r\n\r\n');
  });

  it('states the length of a response to HEAD without sending the body', async () => {
    const head = new Request('HEAD', 'http://h/');
    const res = new Response(200, { body: 'hello' });
    expect(await responseBytes(res, head)).toBe('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n');
    const unknown = new Response(200, { body: chunks('x') });
    expect(await responseBytes(unknown, head)).toBe('HTTP/1.1 200 OK\r\n\r\n');
  });

  it('uses res.request when no request is passed', async () => {
    const res = new Response(200, { body: 'abc', request: new Request('HEAD', 'http://h/') });
    expect(await responseBytes(res)).toBe('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n');
  });

  it('sends a body of unknown length chunked on HTTP/1.1, with trailers', async () => {
    const res = new Response(200, { body: chunks('hello', ' world'), trailer: { 'X-Sum': '11' } });
    expect(await responseBytes(res)).toBe(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n' +
        '5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 11\r\n\r\n',
    );
  });

  it('sends a body of unknown length until close on HTTP/1.0, or to an HTTP/1.0 request', async () => {
    const res10 = new Response(200, { body: chunks('abc'), protoMinor: 0, trailer: { A: '1' } });
    const sink = memorySink();
    const encoded = await writeResponse(sink, res10);
    expect(sink.text()).toBe('HTTP/1.0 200 OK\r\nConnection: close\r\n\r\nabc');
    expect(encoded.framing.kind).toBe('close');
    expect(encoded.close).toBe(true);
    const old = new Request('GET', 'http://h/', { protoMinor: 0 });
    expect(await responseBytes(new Response(200, { body: chunks('abc') }), old)).toBe(
      'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc',
    );
  });

  it('writes an unknown status with an empty reason and a custom reason as given', async () => {
    expect(await responseBytes(new Response(599))).toBe(
      'HTTP/1.1 599 \r\nContent-Length: 0\r\n\r\n',
    );
    const res = new Response(200, { statusText: 'Fine Thanks' });
    expect(encodeResponseHead(res).head).toBe(
      'HTTP/1.1 200 Fine Thanks\r\nContent-Length: 0\r\n\r\n',
    );
  });

  it('refuses a CR or LF in the reason phrase', () => {
    const res = new Response(200, { statusText: 'OK\r\nX: y' });
    expect(() => encodeResponseHead(res)).toThrowError(
      expect.objectContaining({ code: 'ERR_INVALID_STATUS' }),
    );
  });

  it('reports Connection: close from close, from a header line, and for HTTP/1.0', () => {
    expect(encodeResponseHead(new Response(200, { close: true })).close).toBe(true);
    expect(
      encodeResponseHead(new Response(200, { header: { Connection: 'x, close' } })).close,
    ).toBe(true);
    expect(encodeResponseHead(new Response(200, { protoMinor: 0 })).close).toBe(true);
    expect(encodeResponseHead(new Response(200)).close).toBe(false);
  });
});

describe('chunked coding', () => {
  it('writes chunk sizes in lower-case hex and ends with the last chunk and trailers', () => {
    expect(Buffer.from(chunkHeader(26)).toString()).toBe('1a\r\n');
    expect(Buffer.from(chunkHeader(4096)).toString()).toBe('1000\r\n');
    expect(Buffer.from(lastChunk(null)).toString()).toBe('0\r\n\r\n');
    const trailer = new Header().add('A', '1').set('B', null).add('a', '2');
    expect(Buffer.from(lastChunk(trailer)).toString()).toBe('0\r\nA: 1\r\na: 2\r\n\r\n');
  });
});
