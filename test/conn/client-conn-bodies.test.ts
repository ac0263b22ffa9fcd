import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Header, ParseError, type RequestInit } from '../../src/index.js';
import { writeSplit } from '../helpers/raw-peer.js';
import { ok, rejection, request, requests, useHarness, within } from './client-conn-harness.js';

const h = useHarness();

/** sent writes one request with `init` and returns the exact bytes the server received. */
async function sent(method: string, init: RequestInit): Promise<string> {
  const { conn, peer } = await h.dial(await h.serve());
  await conn.write(request(method, '/up', init));
  return (await peer.waitFor(requests(1))).toString('latin1');
}

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield Buffer.from(part, 'latin1');
}

const CHUNKED_HEAD = 'POST /up HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n';

describe('ClientConn request bodies, byte for byte', () => {
  it('sends a string body as UTF-8 with its Content-Length', async () => {
    expect(await sent('POST', { body: 'héllo' })).toBe(
      'POST /up HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 6\r\n\r\nh\xc3\xa9llo',
    );
  });

  it('sends a Uint8Array body as is, every byte value included', async () => {
    const body = Uint8Array.from([0, 13, 10, 255, 128, 32]);
    expect(await sent('PUT', { body })).toBe(
      'PUT /up HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 6\r\n\r\n\x00\r\n\xff\x80 ',
    );
  });

  it('sends an async iterable body chunked, one chunk per piece, empty pieces skipped', async () => {
    expect(await sent('POST', { body: chunks('abc', '', 'defghijklmnopqrst') })).toBe(
      `${CHUNKED_HEAD}\r\n3\r\nabc\r\n11\r\ndefghijklmnopqrst\r\n0\r\n\r\n`,
    );
  });

  it('sends a Node Readable body chunked', async () => {
    const body = Readable.from([Buffer.from('from '), Buffer.from('a stream')]);
    expect(await sent('POST', { body })).toBe(
      `${CHUNKED_HEAD}\r\n5\r\nfrom \r\n8\r\na stream\r\n0\r\n\r\n`,
    );
  });

  it('sends an async iterable with a known contentLength unchunked', async () => {
    expect(await sent('POST', { body: chunks('12', '345'), contentLength: 5 })).toBe(
      'POST /up HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\n12345',
    );
  });

  it('announces trailers and sends them after the last chunk', async () => {
    const trailer = new Header();
    trailer.set('X-Sum', '42');
    expect(await sent('POST', { body: chunks('data'), trailer })).toBe(
      `${CHUNKED_HEAD}Trailer: X-Sum\r\n\r\n4\r\ndata\r\n0\r\nX-Sum: 42\r\n\r\n`,
    );
  });

  it('sends no framing for a GET with a null body and Content-Length: 0 for a POST (as Go)', async () => {
    expect(await sent('GET', { body: null })).toBe('GET /up HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await sent('POST', { body: null })).toBe(
      'POST /up HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n',
    );
  });
});

describe('ClientConn response bodies', () => {
  it('reads a chunked body with extensions, then puts its trailers on res.trailer', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const req = request('GET', '/chunked');
    await conn.write(req);
    await peer.waitFor(requests(1));
    await peer.write(
      'HTTP/1.1 200 OK\r\nTrailer: X-Checksum\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '5;name=value\r\nhello\r\n6;flag;q="quoted"\r\n world\r\n0;last=1\r\n',
    );
    const res = await conn.read(req);
    expect(res.contentLength).toBe(-1);
    expect(res.header.has('Transfer-Encoding')).toBe(false);
    expect(res.header.has('Trailer')).toBe(false);
    expect(res.trailer.has('X-Checksum')).toBe(true); // announced
    expect(res.trailer.get('X-Checksum')).toBeNull(); // not yet received
    const text = res.body!.text();
    await peer.write('X-Checksum: abc\r\n\r\n');
    expect(await text).toBe('hello world');
    expect(res.trailer.get('X-Checksum')).toBe('abc');
    expect(res.close).toBe(false);
  });

  for (const [kind, head, partial] of [
    ['content-length', 'Content-Length: 10\r\n', 'only'],
    ['chunked', 'Transfer-Encoding: chunked\r\n', 'a\r\nonly'],
  ] as const) {
    it(`fails a truncated ${kind} body with HPE_INVALID_EOF_STATE, never a clean end`, async () => {
      const { conn, peer } = await h.dial(await h.serve());
      const req = request('GET', '/short');
      await conn.write(req);
      await peer.waitFor(requests(1));
      await peer.write(`HTTP/1.1 200 OK\r\n${head}\r\n${partial}`);
      const res = await conn.read(req);
      const chunks: string[] = [];
      const reading = (async () => {
        for await (const chunk of res.body!) chunks.push(Buffer.from(chunk).toString('latin1'));
      })();
      await peer.end();
      const err = await rejection(reading);
      expect(err).toBeInstanceOf(ParseError);
      expect((err as ParseError).code).toBe('HPE_INVALID_EOF_STATE');
      expect(chunks.join('')).toBe('only'); // the bytes before the cut still arrive
    });

    it(`fails a ${kind} body with the socket's error when the socket fails mid-body`, async () => {
      const { conn, peer, socket } = await h.dial(await h.serve());
      const req = request('GET', '/short');
      await conn.write(req);
      await peer.waitFor(requests(1));
      await peer.write(`HTTP/1.1 200 OK\r\n${head}\r\n${partial}`);
      const res = await conn.read(req);
      const failure = new Error('socket failed');
      socket.destroy(failure);
      expect(await rejection(res.body!.bytes())).toBe(failure);
    });
  }

  it('reads a body of bodyHighWaterMark bytes or more that arrived whole in one packet', async () => {
    const { conn, peer } = await h.dial(await h.serve(), { bodyHighWaterMark: 1024 });
    const req = request('GET', '/exact');
    await conn.write(req);
    await peer.waitFor(requests(1));
    await peer.write(ok('z'.repeat(1024)));
    const res = await conn.read(req);
    expect(await within(res.body!.text())).toBe('z'.repeat(1024));
  });

  it('reads a chunked response with a trailer split in two at every byte position', async () => {
    const wire =
      'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTrailer: X-Checksum\r\n' +
      'Transfer-Encoding: chunked\r\n\r\n7;ext=1\r\nchunk-1\r\n10\r\nsixteen-bytes!!!\r\n' +
      '0\r\nX-Checksum: abc123\r\n\r\n';
    expect(wire.length).toBeGreaterThan(140);
    const { conn, peer, socket } = await h.dial(await h.serve());
    let packets = 0;
    const count = () => packets++;
    socket.on('data', count);
    try {
      for (let cut = 1; cut < wire.length; cut++) {
        const req = request('GET', `/cut/${cut}`);
        await conn.write(req);
        await peer.waitFor(requests(cut));
        const reading = conn.read(req);
        await writeSplit(peer.socket, wire, [cut]);
        const res = await reading;
        expect(res.header.get('Content-Type')).toBe('text/plain');
        expect(await res.body!.text()).toBe('chunk-1sixteen-bytes!!!');
        expect(res.trailer.get('X-Checksum')).toBe('abc123');
      }
    } finally {
      socket.off('data', count);
    }
    // The pieces really arrived apart (writeSplit waits out a poll phase).
    expect(packets).toBeGreaterThan(wire.length * 1.5);
  });
});
