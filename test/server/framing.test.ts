import { afterEach, describe, expect, it } from 'vitest';
import { TrailerPrefix } from '../../src/server/handler.js';
import { cleanup, head, rawClient } from './harness.js';

afterEach(cleanup);

const GET = 'GET / HTTP/1.1\r\nHost: a\r\n\r\n';
const x = (n: number) => 'x'.repeat(n);

describe('Server response framing (server.go chunkWriter.writeHeader)', () => {
  it('sends Content-Length when the handler finishes before 2048 bytes', async () => {
    const { client } = await rawClient(async (rw) => {
      rw.header().set('Content-Type', 'text/plain');
      await rw.write('hel');
      await rw.write('lo');
    });
    await client.write(GET);
    expect(head(await client.waitFor('hello'))).toBe(
      'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: <date>\r\nContent-Length: 5\r\n\r\nhello',
    );
  });

  it('still sends Content-Length for exactly 2048 bytes, and Content-Length: 0 for none', async () => {
    const { client } = await rawClient(async (rw, req) => {
      if (req.url.path === '/full') await rw.write(x(2048));
    });
    await client.write(
      'GET /full HTTP/1.1\r\nHost: a\r\n\r\nGET /none HTTP/1.1\r\nHost: a\r\n\r\n',
    );
    const got = head(
      await client.waitFor((b) => b.toString('latin1').endsWith('Length: 0\r\n\r\n')),
    );
    expect(got).toBe(
      `HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: 2048\r\n\r\n${x(2048)}` +
        'HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: 0\r\n\r\n',
    );
  });

  it('goes chunked once the held-back bytes overflow 2048', async () => {
    const { client } = await rawClient(async (rw) => {
      await rw.write(x(2000));
      await rw.write('y'.repeat(100));
    });
    await client.write(GET);
    expect(head(await client.waitFor('0\r\n\r\n'))).toBe(
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nTransfer-Encoding: chunked\r\n\r\n' +
        `7d0\r\n${x(2000)}\r\n64\r\n${'y'.repeat(100)}\r\n0\r\n\r\n`,
    );
  });

  it('sends the head at once on flush() and streams chunked after it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { client } = await rawClient(async (rw) => {
      rw.header().set('Content-Type', 'text/event-stream');
      await rw.flush();
      await gate;
      await rw.write('data: 1\n\n');
    });
    await client.write(GET);
    expect(head(await client.waitFor('\r\n\r\n'))).toBe(
      'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nDate: <date>\r\nTransfer-Encoding: chunked\r\n\r\n',
    );
    release();
    expect(head(await client.waitFor('0\r\n\r\n'))).toMatch(
      /\r\n\r\n9\r\ndata: 1\n\n\r\n0\r\n\r\n$/,
    );
  });

  it('delimits a long body by closing the connection for an HTTP/1.0 client', async () => {
    const { client } = await rawClient(async (rw) => {
      await rw.write(x(3000));
    });
    await client.write('GET / HTTP/1.0\r\n\r\n');
    await client.clientEnded();
    expect(head(client.received())).toBe(
      `HTTP/1.0 200 OK\r\nDate: <date>\r\nConnection: close\r\n\r\n${x(3000)}`,
    );
  });

  it('keeps an HTTP/1.0 keep-alive connection open when the length is known', async () => {
    const { client } = await rawClient(async (rw, req) => {
      await rw.write(req.url.path);
    });
    await client.write('GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    await client.waitFor('/1');
    await client.write('GET /2 HTTP/1.0\r\n\r\n');
    await client.clientEnded();
    expect(head(client.received())).toBe(
      'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nDate: <date>\r\nContent-Length: 2\r\n\r\n/1' +
        'HTTP/1.0 200 OK\r\nDate: <date>\r\nConnection: close\r\nContent-Length: 2\r\n\r\n/2',
    );
  });

  it('honours a Content-Length set by the handler, streaming past 2048 without chunking', async () => {
    const { client } = await rawClient(async (rw) => {
      rw.header().set('Content-Length', '5000');
      for (let i = 0; i < 5; i++) await rw.write(x(1000));
    });
    await client.write(GET);
    expect(head(await client.waitFor((b) => b.length >= 5000 && b.toString().endsWith('x')))).toBe(
      `HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: 5000\r\n\r\n${x(5000)}`,
    );
  });

  it('rejects a write past the declared Content-Length and still completes the response', async () => {
    let rejected: unknown = null;
    const { client } = await rawClient(async (rw) => {
      rw.header().set('Content-Length', '3');
      await rw.write('abc');
      rejected = await rw.write('d').catch((err: unknown) => err);
    });
    await client.write(GET + GET);
    const got = head(await client.waitFor((b) => b.toString().split('abc').length === 3));
    expect(got).toBe('HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: 3\r\n\r\nabc'.repeat(2));
    expect(rejected).toMatchObject({ code: 'ERR_CONTENT_LENGTH_MISMATCH' });
  });

  it('closes the connection when the handler writes less than its Content-Length', async () => {
    const { client, logs } = await rawClient(async (rw) => {
      rw.header().set('Content-Length', '10');
      await rw.write('abc');
    });
    await client.write(GET + GET); // the second request is never answered
    await client.clientEnded();
    expect(head(client.received())).toBe(
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: 10\r\n\r\nabc',
    );
    expect(logs.join('\n')).toContain('contentLength is 10');
  });

  it('answers HEAD with the length of what was written and no body bytes', async () => {
    const { client } = await rawClient(async (rw, req) => {
      await rw.write(req.url.path === '/big' ? x(3000) : 'hello');
    });
    await client.write(
      'HEAD / HTTP/1.1\r\nHost: a\r\n\r\nHEAD /big HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n',
    );
    expect(head(await client.waitFor('\r\n\r\nhello'))).toBe(
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: 5\r\n\r\n' +
        'HTTP/1.1 200 OK\r\nDate: <date>\r\n\r\n' +
        'HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: 5\r\n\r\nhello',
    );
  });

  it('sends no body and no length for 204 and 304, and rejects writes to them', async () => {
    const errors: unknown[] = [];
    const { client } = await rawClient(async (rw, req) => {
      rw.header().set('Content-Length', '7');
      rw.writeHeader(req.url.path === '/204' ? 204 : 304);
      errors.push(await rw.write('body').catch((err: unknown) => err));
    });
    await client.write('GET /204 HTTP/1.1\r\nHost: a\r\n\r\nGET /304 HTTP/1.1\r\nHost: a\r\n\r\n');
    const got = await client.waitFor((b) => b.toString().split('\r\n\r\n').length === 3);
    expect(head(got)).toBe(
      'HTTP/1.1 204 No Content\r\nDate: <date>\r\n\r\nHTTP/1.1 304 Not Modified\r\nDate: <date>\r\n\r\n',
    );
    expect(errors).toMatchObject([
      { code: 'ERR_BODY_NOT_ALLOWED' },
      { code: 'ERR_BODY_NOT_ALLOWED' },
    ]);
  });

  it('sends 103 Early Hints at once with the fields set so far, then the final response', async () => {
    const { client } = await rawClient(async (rw) => {
      rw.header().set('Link', '</style.css>; rel=preload');
      rw.writeHeader(103);
      rw.header().set('Content-Type', 'text/html');
      await rw.write('<html>');
    });
    await client.write(GET);
    expect(head(await client.waitFor('<html>'))).toBe(
      'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n' +
        'HTTP/1.1 200 OK\r\nLink: </style.css>; rel=preload\r\nContent-Type: text/html\r\n' +
        'Date: <date>\r\nContent-Length: 6\r\n\r\n<html>',
    );
  });

  it('keeps a Date set by the handler and ignores a second writeHeader', async () => {
    const { client, logs } = await rawClient(async (rw) => {
      rw.header().set('Date', 'Sun, 06 Nov 1994 08:49:37 GMT');
      rw.writeHeader(201);
      rw.writeHeader(500);
    });
    await client.write(GET);
    expect((await client.waitFor('\r\n\r\n')).toString()).toBe(
      'HTTP/1.1 201 Created\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 0\r\n\r\n',
    );
    expect(logs).toEqual(['superfluous response.writeHeader(500)']);
  });
});

describe('Server trailers', () => {
  it('sends trailers declared in a Trailer header before the head, chunking even a short body', async () => {
    const { client } = await rawClient(async (rw) => {
      rw.header().set('Trailer', 'X-Checksum');
      await rw.write('abc');
      rw.header().set('X-Checksum', '900150983cd24fb0');
    });
    await client.write(GET);
    expect(head(await client.waitFor('X-Checksum: 900150983cd24fb0\r\n\r\n'))).toBe(
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n' +
        '3\r\nabc\r\n0\r\nX-Checksum: 900150983cd24fb0\r\n\r\n',
    );
  });

  it('sends a field set with TrailerPrefix after the body as a trailer, forcing chunked (Go)', async () => {
    const { client } = await rawClient(async (rw) => {
      await rw.write('abc');
      rw.header().set(`${TrailerPrefix}X-Late`, 'yes');
    });
    await client.write(GET);
    expect(head(await client.waitFor('X-Late: yes\r\n\r\n'))).toBe(
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '3\r\nabc\r\n0\r\nX-Late: yes\r\n\r\n',
    );
  });

  it('sends TrailerPrefix fields after a head that already went out', async () => {
    const { client } = await rawClient(async (rw) => {
      await rw.flush();
      await rw.write('abc');
      rw.header().add('trailer:X-One', '1');
      rw.header().add('Trailer:X-One', '2');
    });
    await client.write(GET);
    expect(head(await client.waitFor('X-One: 2\r\n\r\n'))).toBe(
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '3\r\nabc\r\n0\r\nX-One: 1\r\nX-One: 2\r\n\r\n',
    );
  });

  it('gives the handler the trailers of a chunked request body once it has read it', async () => {
    const { client } = await rawClient(async (rw, req) => {
      const body = await req.body!.text();
      await rw.write(`${body} ${req.trailer.get('X-Sum')}`);
    });
    await client.write(
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n' +
        '3\r\nabc\r\n0\r\nX-Sum: 42\r\n\r\n',
    );
    expect(head(await client.waitFor('abc 42'))).toBe(
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: 6\r\n\r\nabc 42',
    );
  });
});
