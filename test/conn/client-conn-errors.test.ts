import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/index.js';
import { ok, rejection, request, requests, useHarness, within } from './client-conn-harness.js';

const h = useHarness();

/** Malformed responses with the code, reason and offset Node's bundled llhttp 9 reports for them. */
const MALFORMED: readonly [what: string, wire: string, code: string, offset: number][] = [
  ['a status that is not a number', 'HTTP/1.1 2x0 OK\r\n\r\n', 'HPE_INVALID_STATUS', 10],
  ['a bad minor version', 'HTTP/1.x 200 OK\r\n\r\n', 'HPE_INVALID_VERSION', 7],
  ['a protocol that is not HTTP', 'HTTX/1.1 200 OK\r\n\r\n', 'HPE_INVALID_CONSTANT', 3],
  [
    'two Content-Length lines',
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
    'HPE_UNEXPECTED_CONTENT_LENGTH',
    52,
  ],
  [
    'a Content-Length that is not a number',
    'HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n',
    'HPE_INVALID_CONTENT_LENGTH',
    34,
  ],
  [
    'Content-Length with Transfer-Encoding (RFC 9112 §6.3, smuggling)',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n',
    'HPE_INVALID_CONTENT_LENGTH',
    60,
  ],
  [
    'a bad chunk size',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'HPE_INVALID_CHUNK_SIZE',
    47,
  ],
  [
    'chunk data longer than its size',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n',
    'HPE_STRICT',
    51,
  ],
  [
    'a header name with a space',
    'HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n',
    'HPE_INVALID_HEADER_TOKEN',
    20,
  ],
  [
    'a control char in a header value',
    'HTTP/1.1 200 OK\r\nX: a\x01b\r\n\r\n',
    'HPE_INVALID_HEADER_TOKEN',
    21,
  ],
  ['bare LF line ends', 'HTTP/1.1 200 OK\nContent-Length: 0\n\n', 'HPE_CR_EXPECTED', 16],
];

describe('ClientConn errors', () => {
  for (const [what, wire, code, offset] of MALFORMED) {
    it(`rejects a response with ${what} as llhttp does (${code})`, async () => {
      const { conn, peer } = await h.dial(await h.serve());
      const req = request('GET', '/bad');
      await conn.write(req);
      await peer.waitFor(requests(1));
      await peer.write(wire);
      // A head error rejects read; a body error fails the body.
      const err = await rejection(conn.read(req).then((res) => res.body!.bytes()));
      expect(err).toBeInstanceOf(ParseError);
      expect(err).toMatchObject({ code, offset });
    });
  }

  it('reports the stream offset of an error in a later pipelined response', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const a = request('GET', '/a');
    const b = request('GET', '/b');
    await conn.write(a);
    await conn.write(b);
    await peer.waitFor(requests(2));
    await peer.write(ok('ok') + 'HTTP/1.1 99 X\r\n\r\n');
    expect(await (await conn.read(a)).body!.text()).toBe('ok');
    expect(await rejection(conn.read(b))).toMatchObject({ code: 'HPE_INVALID_STATUS', offset: 51 });
  });

  it('makes errors sticky: after a parse error every later read and write throws the same error object (persist.go)', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const reqs = ['/a', '/b', '/c'].map((p) => request('GET', p));
    for (const r of reqs) await conn.write(r);
    await peer.waitFor(requests(3));
    await peer.write('garbage\r\n\r\n');
    const err = await rejection(conn.read(reqs[0]!));
    expect(err).toBeInstanceOf(ParseError);
    expect(await rejection(conn.read(reqs[1]!))).toBe(err);
    expect(await rejection(conn.read(reqs[2]!))).toBe(err);
    expect(await rejection(conn.write(request('GET', '/d')))).toBe(err);
  });

  it('fails a head larger than maxHeaderBytes with HPE_HEADER_OVERFLOW', async () => {
    const { conn, peer } = await h.dial(await h.serve(), { maxHeaderBytes: 1024 });
    const req = request('GET', '/big-head');
    await conn.write(req);
    await peer.waitFor(requests(1));
    await peer.write(`HTTP/1.1 200 OK\r\nX-Big: ${'b'.repeat(2000)}\r\n\r\n`);
    expect(await rejection(conn.read(req))).toMatchObject({ code: 'HPE_HEADER_OVERFLOW' });
  });

  it('fails a read with the socket error when the socket fails mid-head, and the error sticks', async () => {
    const { conn, peer, socket } = await h.dial(await h.serve());
    const a = request('GET', '/a');
    const b = request('GET', '/b');
    await conn.write(a);
    await conn.write(b);
    await peer.waitFor(requests(2));
    await peer.write('HTTP/1.1 200 OK\r\nContent-');
    const reading = conn.read(a);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const failure = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    socket.destroy(failure);
    expect(await rejection(reading)).toBe(failure);
    expect(await rejection(conn.read(b))).toBe(failure);
  });

  it('throws the error that failed a body from the next read, without waiting (sticky)', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const a = request('GET', '/a');
    const b = request('GET', '/b');
    await conn.write(a);
    await conn.write(b);
    await peer.waitFor(requests(2));
    await peer.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nonly');
    const res = await conn.read(a);
    await peer.end();
    const err = await rejection(res.body!.text());
    expect(err).toMatchObject({ code: 'HPE_INVALID_EOF_STATE' });
    expect(await rejection(within(conn.read(b)))).toBe(err);
  });
});
