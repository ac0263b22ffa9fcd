import { describe, expect, it } from 'vitest';
import { ErrClosed, ErrPersistEOF } from '../../src/index.js';
import { ok, rejection, request, requests, useHarness } from './client-conn-harness.js';

const h = useHarness();

describe('ClientConn keep-alive', () => {
  it('reuses one socket for many requests in turn (persist.go ClientConn.Do)', async () => {
    const server = await h.serve();
    const { conn, peer } = await h.dial(server);
    for (let i = 1; i <= 5; i++) {
      const req = request('GET', `/n/${i}`);
      const replied = peer.waitFor(requests(i)).then(() => peer.write(ok(`reply ${i}`)));
      const res = await conn.do(req);
      await replied;
      expect(res.status).toBe(200);
      expect(res.close).toBe(false);
      expect(res.request).toBe(req);
      expect(await res.body!.text()).toBe(`reply ${i}`);
    }
    expect(conn.pending()).toBe(0);
    const sent = peer.received().toString('latin1');
    expect(sent.match(/^GET \/n\/\d HTTP\/1\.1\r\n/gm)).toHaveLength(5);
  });

  it('counts written requests not yet answered in pending()', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const a = request('GET', '/a');
    const b = request('GET', '/b');
    expect(conn.pending()).toBe(0);
    await conn.write(a);
    await conn.write(b);
    expect(conn.pending()).toBe(2);
    await peer.waitFor(requests(2));
    await peer.write(ok('a') + ok('b'));
    await (await conn.read(a)).body!.text();
    expect(conn.pending()).toBe(1);
    await conn.read(b);
    expect(conn.pending()).toBe(0);
  });

  it('returns a Connection: close response with close set, then throws ErrPersistEOF on reads and writes (persist.go)', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const a = request('GET', '/a');
    const b = request('GET', '/b');
    await conn.write(a);
    await conn.write(b);
    await peer.waitFor(requests(2));
    await peer.write(ok('last', 'Connection: close\r\n'));
    const res = await conn.read(a);
    expect(res.close).toBe(true);
    expect(await res.body!.text()).toBe('last');
    expect(await rejection(conn.read(b))).toBe(ErrPersistEOF);
    expect(await rejection(conn.write(request('GET', '/c')))).toBe(ErrPersistEOF);
  });

  it('sends Connection: close for a request with close and throws ErrPersistEOF from later writes (persist.go)', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const last = request('GET', '/last', { close: true });
    await conn.write(last);
    expect(await rejection(conn.write(request('GET', '/more')))).toBe(ErrPersistEOF);
    const sent = await peer.waitFor(requests(1));
    expect(sent.toString('latin1')).toBe(
      'GET /last HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    // The pipelined read of the closing request still works.
    await peer.end(ok('bye', 'Connection: close\r\n'));
    const res = await conn.read(last);
    expect(res.close).toBe(true);
    expect(await res.body!.text()).toBe('bye');
  });

  it('treats an HTTP/1.0 response without keep-alive as closing the connection', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const a = request('GET', '/a');
    await conn.write(a);
    await peer.waitFor(requests(1));
    await peer.write('HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nold');
    const res = await conn.read(a);
    expect([res.protoMajor, res.protoMinor, res.close]).toEqual([1, 0, true]);
    expect(await res.body!.text()).toBe('old');
    expect(await rejection(conn.write(request('GET', '/b')))).toBe(ErrPersistEOF);
  });

  it('keeps the connection after an HTTP/1.0 response with Connection: keep-alive', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const a = request('GET', '/a');
    const b = request('GET', '/b');
    await conn.write(a);
    await conn.write(b);
    await peer.waitFor(requests(2));
    await peer.write(
      'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nA' + ok('B'),
    );
    const first = await conn.read(a);
    expect(first.close).toBe(false);
    expect(await first.body!.text()).toBe('A');
    expect(await (await conn.read(b)).body!.text()).toBe('B');
  });

  for (const version of ['1.1', '1.0']) {
    it(`reads an HTTP/${version} body without length until the server closes`, async () => {
      const { conn, peer } = await h.dial(await h.serve());
      const a = request('GET', '/stream');
      await conn.write(a);
      await peer.waitFor(requests(1));
      await peer.write(`HTTP/${version} 200 OK\r\nContent-Type: text/plain\r\n\r\nfirst `);
      const res = await conn.read(a);
      expect(res.close).toBe(true);
      expect(res.contentLength).toBe(-1);
      const text = res.body!.text();
      await peer.write('second ');
      await peer.end('third');
      expect(await text).toBe('first second third');
      expect(await rejection(conn.write(request('GET', '/x')))).toBe(ErrPersistEOF);
    });
  }

  it('reads 204 and 304 responses as bodiless, even with a Content-Length (RFC 9110 §6.4.1)', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const reqs = ['/204', '/304', '/200'].map((p) => request('GET', p));
    for (const r of reqs) await conn.write(r);
    await peer.waitFor(requests(3));
    await peer.write(
      'HTTP/1.1 204 No Content\r\n\r\n' +
        'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\nETag: "x"\r\n\r\n' +
        ok('after'),
    );
    const noContent = await conn.read(reqs[0]!);
    expect([noContent.status, noContent.contentLength]).toEqual([204, 0]);
    expect((await noContent.body!.bytes()).length).toBe(0);
    const notModified = await conn.read(reqs[1]!);
    expect([notModified.status, notModified.contentLength]).toEqual([304, 0]);
    expect(notModified.header.get('ETag')).toBe('"x"');
    expect((await notModified.body!.bytes()).length).toBe(0);
    expect(await (await conn.read(reqs[2]!)).body!.text()).toBe('after');
  });

  it('matches pipelined HEAD and GET responses: a HEAD response has a Content-Length and no body', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const methods = ['HEAD', 'GET', 'HEAD', 'GET'];
    const reqs = methods.map((m, i) => request(m, `/${i}`));
    for (const r of reqs) await conn.write(r);
    await peer.waitFor(requests(4));
    await peer.write(
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n' +
        ok('hello') +
        'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n' +
        ok('world'),
    );
    const bodies: string[] = [];
    const lengths: number[] = [];
    for (const r of reqs) {
      const res = await conn.read(r);
      lengths.push(res.contentLength);
      bodies.push(await res.body!.text());
    }
    expect(lengths).toEqual([5, 5, 1000, 5]);
    expect(bodies).toEqual(['', 'hello', '', 'world']);
  });

  it('ends the socket on close(), does nothing on a second close() and then throws ErrClosed', async () => {
    const { conn, peer, socket } = await h.dial(await h.serve());
    conn.close();
    conn.close();
    await peer.clientEnded();
    expect(socket.writableEnded).toBe(true);
    expect(await rejection(conn.write(request('GET', '/a')))).toBe(ErrClosed);
    expect(() => conn.hijack()).toThrow(ErrClosed);
  });

  it('throws ErrPersistEOF when the server closes cleanly before answering', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const a = request('GET', '/a');
    await conn.write(a);
    await peer.waitFor(requests(1));
    await peer.end();
    expect(await rejection(conn.read(a))).toBe(ErrPersistEOF);
  });
});
