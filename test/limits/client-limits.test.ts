import { describe, expect, it } from 'vitest';
import { ParseError, ProtocolError } from '../../src/index.js';
import { rejection, request, requests, useHarness } from '../conn/client-conn-harness.js';
import { fieldLines } from '../helpers/oversized.js';

const h = useHarness();

const CHUNKED = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';

/** answered dials a raw server, sends one GET and writes `response` as the answer; it returns the conn and the request. */
async function answered(response: string, options: Parameters<typeof h.dial>[1] = {}) {
  const { conn, peer } = await h.dial(await h.serve(), options);
  const req = request('GET', '/');
  await conn.write(req);
  await peer.waitFor(requests(1));
  await peer.write(response);
  return { conn, peer, req };
}

describe('ClientConn response limits', () => {
  it('reads 256 header fields and fails 257 with HPE_HEADER_OVERFLOW by default', async () => {
    const fits = await answered(`HTTP/1.1 200 OK\r\n${fieldLines(255)}Content-Length: 0\r\n\r\n`);
    const res = await fits.conn.read(fits.req);
    expect([...res.header].length).toBe(256);
    const over = await answered(`HTTP/1.1 200 OK\r\n${fieldLines(257)}\r\n`);
    const err = await rejection(over.conn.read(over.req));
    expect(err).toBeInstanceOf(ParseError);
    expect(err).toMatchObject({ code: 'HPE_HEADER_OVERFLOW', reason: 'Too many header fields' });
  });

  it('reads more header fields with a raised maxHeaderCount', async () => {
    const { conn, req } = await answered(
      `HTTP/1.1 200 OK\r\n${fieldLines(1000)}Content-Length: 1\r\n\r\nx`,
      { maxHeaderCount: 2000 },
    );
    expect(await (await conn.read(req)).body!.text()).toBe('x');
  });

  it('does not limit the status line to maxRequestLineBytes (requests only)', async () => {
    const { conn, req } = await answered(
      `HTTP/1.1 200 ${'R'.repeat(10_000)}\r\nContent-Length: 0\r\n\r\n`,
    );
    expect((await conn.read(req)).status).toBe(200);
  });

  it('fails a body with more than 16 KiB of chunk extensions with HPE_CHUNK_EXTENSIONS_OVERFLOW', async () => {
    const { conn, req, peer } = await answered(`${CHUNKED}2;${'e'.repeat(10_000)}\r\nhi\r\n`);
    const res = await conn.read(req);
    const body = res.body!.text();
    // Never a line end: only the limit can end the read.
    for (let i = 0; i < 8; i++) await peer.write(`2;${'e'.repeat(4000)}`);
    const err = await rejection(body);
    expect(err).toBeInstanceOf(ParseError);
    expect(err).toMatchObject({ code: 'HPE_CHUNK_EXTENSIONS_OVERFLOW' });
  });

  it('fails a body whose trailer section is over maxHeaderBytes, typed', async () => {
    const { conn, req } = await answered(`${CHUNKED}2\r\nhi\r\n0\r\nX-T: ${'t'.repeat(2000)}`, {
      maxHeaderBytes: 1024,
    });
    const res = await conn.read(req);
    expect(await rejection(res.body!.text())).toMatchObject({ code: 'HPE_HEADER_OVERFLOW' });
  });

  it('fails a body with more trailer fields than maxHeaderCount', async () => {
    const { conn, req } = await answered(`${CHUNKED}2\r\nhi\r\n0\r\n${fieldLines(5)}\r\n`, {
      maxHeaderCount: 4,
    });
    const res = await conn.read(req);
    expect(await rejection(res.body!.text())).toMatchObject({
      code: 'HPE_HEADER_OVERFLOW',
      reason: 'Too many trailer fields',
    });
  });
});

describe('ClientConn maxBodyBytes (undici maxResponseSize)', () => {
  it('fails a body growing past maxBodyBytes with ERR_BODY_TOO_LARGE, and the conn with it', async () => {
    const { conn, req, peer } = await answered('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n', {
      maxBodyBytes: 10,
    });
    const res = await conn.read(req); // a response's length does not always frame a body (HEAD): the bytes count
    const body = res.body!.text();
    await peer.write('x'.repeat(11));
    const err = await rejection(body);
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err).toMatchObject({ code: 'ERR_BODY_TOO_LARGE' });
    const next = request('GET', '/next');
    await conn.write(next);
    expect(await rejection(conn.read(next))).toBe(err); // sticky: the rest of the stream is unread
  });

  it('counts de-chunked bytes and reads a body of exactly maxBodyBytes', async () => {
    const { conn, req } = await answered(`${CHUNKED}5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n`, {
      maxBodyBytes: 10,
    });
    expect(await (await conn.read(req)).body!.text()).toBe('helloworld');
  });

  it('reads the head of a HEAD response whatever length it states', async () => {
    const { conn, peer } = await h.dial(await h.serve(), { maxBodyBytes: 10 });
    const req = request('HEAD', '/');
    await conn.write(req);
    await peer.waitFor(requests(1));
    await peer.write('HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n');
    const res = await conn.read(req);
    expect(res.contentLength).toBe(1000000);
    expect(await res.body!.text()).toBe('');
  });
});
