import { afterEach, describe, expect, it } from 'vitest';
import { ErrPipeline, Request, Response } from '../../src/index.js';
import { closeAll, serverConnPair } from './server-conn-harness.js';

afterEach(closeAll);

const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: example.test\r\n\r\n`;
const ok = (body: string) => new Response(200, { body });
const okBytes = (body: string) =>
  `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

/** Lets pending socket and promise work run (a few macrotasks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('ServerConn keep-alive and pipelining (persist.go)', () => {
  it('reads and answers several requests one after another on one socket', async () => {
    const { conn, client } = await serverConnPair();
    let expected = '';
    for (const path of ['/one', '/two', '/three']) {
      await client.write(GET(path));
      const req = await conn.read();
      expect(req.method).toBe('GET');
      expect(req.url.path).toBe(path);
      expect(req.host).toBe('example.test');
      expect(req.close).toBe(false);
      await conn.write(req, ok(path));
      expected += okBytes(path);
      expect((await client.waitFor(expected)).toString('latin1')).toBe(expected);
    }
    expect(conn.pending()).toBe(0);
  });

  it('reads requests ahead of their responses and answers them in order', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(GET('/a') + GET('/b') + GET('/c'));
    const r1 = await conn.read();
    const r2 = await conn.read();
    const r3 = await conn.read();
    expect([r1.url.path, r2.url.path, r3.url.path]).toEqual(['/a', '/b', '/c']);
    expect(conn.pending()).toBe(3);
    await conn.write(r1, ok('a'));
    expect(conn.pending()).toBe(2);
    await conn.write(r2, ok('b'));
    await conn.write(r3, ok('c'));
    expect(conn.pending()).toBe(0);
    const expected = okBytes('a') + okBytes('b') + okBytes('c');
    expect((await client.waitFor(expected)).toString('latin1')).toBe(expected);
  });

  it('makes write(r2) called before write(r1) wait for r1 (persist.go pipeline)', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(GET('/1') + GET('/2'));
    const r1 = await conn.read();
    const r2 = await conn.read();
    let secondDone = false;
    const second = conn.write(r2, ok('second')).then(() => (secondDone = true));
    await settle();
    expect(secondDone).toBe(false);
    expect(client.received().length).toBe(0);
    await conn.write(r1, ok('first'));
    await second;
    const expected = okBytes('first') + okBytes('second');
    expect((await client.waitFor(expected)).toString('latin1')).toBe(expected);
  });

  it('throws ErrPipeline from write for a request this conn did not read', async () => {
    const { conn, client } = await serverConnPair();
    const other = await serverConnPair();
    await client.write(GET('/mine'));
    await other.client.write(GET('/theirs'));
    const mine = await conn.read();
    const theirs = await other.conn.read();
    await expect(conn.write(new Request('GET', 'http://x/'), ok('x'))).rejects.toBe(ErrPipeline);
    await expect(conn.write(theirs, ok('x'))).rejects.toBe(ErrPipeline);
    await conn.write(mine, ok('mine'));
    await expect(conn.write(mine, ok('again'))).rejects.toBe(ErrPipeline);
    expect((await client.waitFor(okBytes('mine'))).toString('latin1')).toBe(okBytes('mine'));
  });

  it('serves concurrent read calls in the order they were made', async () => {
    const { conn, client } = await serverConnPair();
    const reads = [conn.read(), conn.read(), conn.read()];
    await client.write(GET('/1') + GET('/2'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    await client.write(GET('/3'));
    const paths = (await Promise.all(reads)).map((r) => r.url.path);
    expect(paths).toEqual(['/1', '/2', '/3']);
  });

  it('counts requests read and not yet answered in pending()', async () => {
    const { conn, client } = await serverConnPair();
    expect(conn.pending()).toBe(0);
    await client.write(GET('/1') + GET('/2'));
    const r1 = await conn.read();
    expect(conn.pending()).toBe(1);
    const r2 = await conn.read();
    expect(conn.pending()).toBe(2);
    await conn.write(r1, ok(''));
    await conn.write(r2, ok(''));
    expect(conn.pending()).toBe(0);
  });

  it('sets remoteAddr to the peer ip:port', async () => {
    const { conn, client, socket } = await serverConnPair();
    await client.write(GET('/'));
    const req = await conn.read();
    expect(req.remoteAddr).toBe(`127.0.0.1:${socket.remotePort}`);
    expect(req.remoteAddr).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('reads a request body with Content-Length', async () => {
    const { conn, client } = await serverConnPair();
    await client.write('PUT /up HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world');
    const req = await conn.read();
    expect(req.method).toBe('PUT');
    expect(req.contentLength).toBe(11);
    expect(await req.body!.text()).toBe('hello world');
  });

  it('reads a chunked request body with chunk extensions, then its trailers', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(
      'POST /c HTTP/1.1\r\nHost: h\r\nTrailer: X-Sum\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '5;name=value;flag\r\nhello\r\n6;q="quoted ext"\r\n world\r\n0;last\r\n',
    );
    const req = await conn.read();
    expect(req.contentLength).toBe(-1);
    expect(req.header.has('Transfer-Encoding')).toBe(false);
    expect(req.trailer.has('X-Sum')).toBe(true);
    expect(req.trailer.get('X-Sum')).toBeNull(); // announced, not yet received
    const text = req.body!.text();
    await client.write('X-Sum: 11\r\nX-Other: yes\r\n\r\n');
    expect(await text).toBe('hello world');
    expect(req.trailer.get('x-sum')).toBe('11');
    expect(req.trailer.get('X-Other')).toBe('yes');
  });

  it('discards an unread body that arrived whole when the next request is read (API.md: the old body then errors)', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(
      'POST /skip HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789' + GET('/next'),
    );
    const r1 = await conn.read();
    const r2 = await conn.read();
    expect(r2.url.path).toBe('/next');
    await expect(r1.body!.text()).rejects.toMatchObject({ code: 'ERR_BODY_DISCARDED' });
  });

  it('drains an unread chunked body that arrives after the next read started', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(
      'POST /skip HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n',
    );
    const r1 = await conn.read();
    const next = conn.read();
    await settle();
    await client.write('4\r\ndefg\r\n0\r\n\r\n' + GET('/after'));
    expect((await next).url.path).toBe('/after');
    await expect(r1.body!.bytes()).rejects.toMatchObject({ code: 'ERR_BODY_DISCARDED' });
  });

  it('waits for a body being consumed before reading the next request', async () => {
    const { conn, client } = await serverConnPair();
    await client.write('POST /slow HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n01234');
    const r1 = await conn.read();
    const text = r1.body!.text();
    let nextRead = false;
    const next = conn.read().then((req) => {
      nextRead = true;
      return req;
    });
    await settle();
    expect(nextRead).toBe(false);
    await client.write('56789' + GET('/next'));
    expect(await text).toBe('0123456789');
    expect((await next).url.path).toBe('/next');
  });

  it('answers a pipelined request while the body of the next one is still arriving', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(
      GET('/first') + 'POST /second HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nabc',
    );
    const r1 = await conn.read();
    const r2 = await conn.read();
    await conn.write(r1, ok('first'));
    await client.waitFor(okBytes('first'));
    const text = r2.body!.text();
    await client.write('def');
    expect(await text).toBe('abcdef');
    await conn.write(r2, ok('second'));
    await client.waitFor(okBytes('first') + okBytes('second'));
  });

  it('lets read run while an earlier write is still in flight', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(GET('/1'));
    const r1 = await conn.read();
    async function* slowBody() {
      yield Buffer.from('part1-');
      await new Promise((resolve) => setTimeout(resolve, 20));
      yield Buffer.from('part2');
    }
    const writing = conn.write(r1, new Response(200, { body: slowBody() }));
    const reading = conn.read();
    await client.write(GET('/2'));
    const r2 = await reading;
    expect(r2.url.path).toBe('/2');
    await writing;
    await conn.write(r2, ok('2'));
    const expected =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\npart1-\r\n5\r\npart2\r\n0\r\n\r\n' +
      okBytes('2');
    expect((await client.waitFor(expected)).toString('latin1')).toBe(expected);
  });
});
