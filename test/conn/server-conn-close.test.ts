import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrPersistEOF, ParseError, Response } from '../../src/index.js';
import { closeAll, serverConnPair } from './server-conn-harness.js';

afterEach(closeAll);

const GET = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: h\r\n${extra}\r\n`;
const ok = (body: string) => new Response(200, { body });
const okBytes = (body: string) =>
  `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

describe('ServerConn end of the connection (persist.go)', () => {
  it('returns a Connection: close request with close set, then throws ErrPersistEOF without waiting for its answer', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(GET('/last', 'Connection: close\r\n') + GET('/ignored'));
    const req = await conn.read();
    expect(req.url.path).toBe('/last');
    expect(req.close).toBe(true);
    await expect(conn.read()).rejects.toBe(ErrPersistEOF); // r1 is still unanswered
    await expect(conn.read()).rejects.toBe(ErrPersistEOF);
    await conn.write(req, ok('bye')); // answering it is still allowed
    await client.waitFor(okBytes('bye'));
  });

  it('treats an HTTP/1.0 request without keep-alive as the last one', async () => {
    const { conn, client } = await serverConnPair();
    await client.write('GET /old HTTP/1.0\r\nHost: h\r\n\r\n' + GET('/ignored'));
    const req = await conn.read();
    expect(req.protoMajor).toBe(1);
    expect(req.protoMinor).toBe(0);
    expect(req.close).toBe(true);
    await expect(conn.read()).rejects.toBe(ErrPersistEOF);
  });

  it('keeps an HTTP/1.0 connection with Connection: keep-alive open', async () => {
    const { conn, client } = await serverConnPair();
    const req10 = (path: string) => `GET ${path} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n`;
    await client.write(req10('/1') + req10('/2'));
    const r1 = await conn.read();
    expect(r1.close).toBe(false);
    const r2 = await conn.read();
    expect(r2.url.path).toBe('/2');
    await conn.write(r1, ok('1'));
    await conn.write(r2, ok('2'));
    await client.waitFor(okBytes('1') + okBytes('2'));
  });

  it('throws ErrPersistEOF when the peer closes cleanly before any request', async () => {
    const { conn, client } = await serverConnPair();
    await client.end();
    await expect(conn.read()).rejects.toBe(ErrPersistEOF);
  });

  it('throws ErrPersistEOF when the peer closes cleanly between requests (Go: io.EOF)', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(GET('/only'));
    const req = await conn.read();
    await conn.write(req, ok('x'));
    await client.end();
    await expect(conn.read()).rejects.toBe(ErrPersistEOF);
  });

  it('throws ErrPersistEOF when the peer closes cleanly after a body was read', async () => {
    const { conn, client } = await serverConnPair();
    await client.end('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc');
    const req = await conn.read();
    expect(await req.body!.text()).toBe('abc');
    await expect(conn.read()).rejects.toBe(ErrPersistEOF);
  });

  it('throws ParseError HPE_INVALID_EOF_STATE when the peer closes in the middle of a head', async () => {
    const { conn, client } = await serverConnPair();
    await client.end('GET /half HTTP/1.1\r\nHost: h\r\n');
    const err = await conn.read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
    expect(err).toMatchObject({ code: 'HPE_INVALID_EOF_STATE' });
    await expect(conn.read()).rejects.toBe(err); // sticky
  });

  it('fails a body cut short by the peer with HPE_INVALID_EOF_STATE, never ending it cleanly', async () => {
    const { conn, client } = await serverConnPair();
    await client.write('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n01234');
    const req = await conn.read();
    const chunks: string[] = [];
    const reading = (async () => {
      for await (const chunk of req.body!) chunks.push(Buffer.from(chunk).toString());
    })();
    await client.end();
    const err = await reading.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
    expect(err).toMatchObject({ code: 'HPE_INVALID_EOF_STATE' });
    expect(chunks.join('')).toBe('01234');
    await expect(conn.read()).rejects.toBe(err);
  });

  it('fails a read with the socket error when the peer resets mid-head, and the error sticks', async () => {
    const { conn, client } = await serverConnPair();
    await client.write('GET /reset HTTP/1.1\r\nHo');
    const reading = conn.read();
    await new Promise((resolve) => setTimeout(resolve, 10));
    client.reset();
    const err = await reading.catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ECONNRESET' });
    await expect(conn.read()).rejects.toBe(err);
  });

  it('fails a chunked body cut short by the peer with HPE_INVALID_EOF_STATE', async () => {
    const { conn, client } = await serverConnPair();
    await client.end('POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabc');
    const req = await conn.read();
    await expect(req.body!.text()).rejects.toMatchObject({ code: 'HPE_INVALID_EOF_STATE' });
  });

  it.each([
    ['an invalid method', 'G@T / HTTP/1.1\r\n\r\n', 'HPE_INVALID_METHOD'],
    [
      'a header name with a space',
      'GET / HTTP/1.1\r\nBad Header: x\r\n\r\n',
      'HPE_INVALID_HEADER_TOKEN',
    ],
    ['an unknown major version', 'GET / HTTP/5.1\r\n\r\n', 'HPE_INVALID_VERSION'],
    [
      'Content-Length with Transfer-Encoding',
      'POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n',
      'HPE_INVALID_TRANSFER_ENCODING',
    ],
    [
      'two different Content-Lengths',
      'POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
      'HPE_UNEXPECTED_CONTENT_LENGTH',
    ],
  ])('throws a ParseError with llhttp’s code for %s', async (_name, input, code) => {
    const { conn, client } = await serverConnPair();
    await client.write(input);
    const err = await conn.read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
    expect(err).toMatchObject({ code });
    await expect(conn.read()).rejects.toBe(err);
  });

  it('fails the body with HPE_INVALID_CHUNK_SIZE for a bad chunk size', async () => {
    const { conn, client } = await serverConnPair();
    await client.write('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
    const req = await conn.read();
    const err = await req.body!.text().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'HPE_INVALID_CHUNK_SIZE' });
    await expect(conn.read()).rejects.toBe(err);
  });

  it('throws HPE_HEADER_OVERFLOW for a head larger than maxHeaderBytes', async () => {
    const { conn, client } = await serverConnPair({ maxHeaderBytes: 1024 });
    await client.write(GET('/', `X-Big: ${'a'.repeat(2048)}\r\n`));
    await expect(conn.read()).rejects.toMatchObject({ code: 'HPE_HEADER_OVERFLOW' });
  });

  it('still answers requests read before a malformed one (errors are per side)', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(GET('/good') + 'BAD\x01 / HTTP/1.1\r\n\r\n');
    const good = await conn.read();
    await expect(conn.read()).rejects.toMatchObject({ code: 'HPE_INVALID_METHOD' });
    await conn.write(good, ok('good'));
    await client.waitFor(okBytes('good'));
  });

  it('makes reads throw ErrPersistEOF after writing a response with close set', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(GET('/1') + GET('/2'));
    const r1 = await conn.read();
    await conn.write(r1, new Response(200, { body: 'last', close: true }));
    await expect(conn.read()).rejects.toBe(ErrPersistEOF);
    const wire = (await client.waitFor('last')).toString('latin1');
    expect(wire).toBe('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 4\r\n\r\nlast');
  });

  it('ends the socket after a close-delimited body to an HTTP/1.0 client (RFC 9112 §6.3)', async () => {
    const { conn, client } = await serverConnPair();
    await client.write('GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const req = await conn.read();
    expect(req.close).toBe(false);
    await conn.write(
      req,
      new Response(200, { body: Readable.from([Buffer.from('ab'), Buffer.from('cd')]) }),
    );
    await client.clientEnded();
    expect(client.received().toString('latin1')).toBe(
      'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabcd',
    );
    await expect(conn.read()).rejects.toBe(ErrPersistEOF);
  });

  it('sends a chunked body of unknown length to an HTTP/1.1 client and stays open', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(GET('/stream') + GET('/next'));
    const req = await conn.read();
    await conn.write(req, new Response(200, { body: Readable.from([Buffer.from('abcd')]) }));
    await client.waitFor('0\r\n\r\n');
    expect(client.received().toString('latin1')).toBe(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n',
    );
    expect((await conn.read()).url.path).toBe('/next');
  });
});

describe('ServerConn response framing (persist.go, Go Response.Write)', () => {
  it('says Content-Length: 0 for a response with no body and no length', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(GET('/'));
    const req = await conn.read();
    await conn.write(req, new Response(200));
    const wire = await client.waitFor('\r\n\r\n');
    expect(wire.toString('latin1')).toBe('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  });

  it('sends no framing line for 204 and 304 responses', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(GET('/a') + GET('/b') + GET('/c'));
    const [a, b, c] = [await conn.read(), await conn.read(), await conn.read()];
    await conn.write(a, new Response(204));
    await conn.write(b, new Response(304));
    await conn.write(c, new Response(200));
    const expected =
      'HTTP/1.1 204 No Content\r\n\r\n' +
      'HTTP/1.1 304 Not Modified\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';
    expect((await client.waitFor(expected)).toString('latin1')).toBe(expected);
  });

  it('sends no body bytes in a response to HEAD, only its length', async () => {
    const { conn, client } = await serverConnPair();
    await client.write('HEAD /doc HTTP/1.1\r\nHost: h\r\n\r\n' + GET('/after'));
    const head = await conn.read();
    const after = await conn.read();
    await conn.write(head, new Response(200, { body: 'hello' }));
    await conn.write(after, ok('after'));
    const expected = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n' + okBytes('after');
    expect((await client.waitFor(expected)).toString('latin1')).toBe(expected);
  });

  it('sends no body bytes in a response to HEAD with a streamed body', async () => {
    const { conn, client } = await serverConnPair();
    await client.write('HEAD /doc HTTP/1.1\r\nHost: h\r\n\r\n' + GET('/after'));
    const head = await conn.read();
    const after = await conn.read();
    await conn.write(head, new Response(200, { body: Readable.from([Buffer.from('never')]) }));
    await conn.write(after, ok('after'));
    const expected = 'HTTP/1.1 200 OK\r\n\r\n' + okBytes('after');
    expect((await client.waitFor(expected)).toString('latin1')).toBe(expected);
  });
});
