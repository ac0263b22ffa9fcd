import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { dumpRequest, dumpRequestOut, dumpResponse } from '../../src/wire/index.js';
import { parseMessages } from '../../src/parser/index.js';
import { Body } from '../../src/message/body.js';
import { Request } from '../../src/message/request.js';
import { Response } from '../../src/message/response.js';
import { Transport } from '../../src/transport/transport.js';
import { type RawServer, startRawServer } from '../helpers/raw-peer.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

/** incoming parses `wire` as a server does and builds the Request from it. */
function incoming(wire: string): Request {
  const [message] = parseMessages('request', Buffer.from(wire, 'latin1')).messages;
  const body = new Body();
  body.push(message!.body);
  body.end(message!.trailers);
  const head = { ...message!, contentLength: -1, chunked: /chunked/i.test(wire) };
  const cl = message!.headers.find(([n]) => n.toLowerCase() === 'content-length');
  if (cl !== undefined) head.contentLength = Number(cl[1]);
  return Request.fromHead(head, { body });
}

describe('dumpRequest', () => {
  it('re-chunks a chunked body after Host and Transfer-Encoding (dump_test.go)', async () => {
    const req = incoming(
      'GET /foo HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n0\r\n\r\n',
    );
    expect(text(await dumpRequest(req, { body: true }))).toBe(
      'GET /foo HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n0\r\n\r\n',
    );
  });

  it('keeps the version and adds neither Host nor User-Agent (dump_test.go)', async () => {
    const req = incoming('GET /foo HTTP/1.0\r\n\r\n');
    expect(text(await dumpRequest(req, { body: true }))).toBe('GET /foo HTTP/1.0\r\n\r\n');
  });

  it('keeps header order and case as they arrived', async () => {
    const req = incoming(
      'POST /a?b=%20 HTTP/1.1\r\nhost: h\r\nX-b: 1\r\ncontent-length: 2\r\nx-A: 2\r\nX-b: 3\r\n\r\nhi',
    );
    expect(text(await dumpRequest(req))).toBe(
      'POST /a?b=%20 HTTP/1.1\r\nHost: h\r\nX-b: 1\r\ncontent-length: 2\r\nx-A: 2\r\nX-b: 3\r\n\r\n',
    );
    expect(text(await dumpRequest(req, { body: true }))).toMatch(/\r\n\r\nhi$/);
  });

  it('writes the trailer fields after a chunked body', async () => {
    const req = incoming(
      'POST / HTTP/1.1\r\nHost: h\r\nTrailer: X-Sum\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX-Sum: 9\r\n\r\n',
    );
    expect(text(await dumpRequest(req, { body: true }))).toBe(
      'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX-Sum: 9\r\n\r\n',
    );
  });

  it('leaves the body readable afterwards (dump_test.go)', async () => {
    const req = incoming('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello');
    await dumpRequest(req, { body: true });
    expect(await req.body!.text()).toBe('hello');
  });
});

describe('dumpRequestOut', () => {
  it('writes Host first, then Content-Length and the body (dump_test.go)', async () => {
    const req = new Request('POST', 'http://post.tumblr.com/v2/api/?login', { body: 'key=value' });
    expect(text(await dumpRequestOut(req, { body: true }))).toBe(
      'POST /v2/api/?login HTTP/1.1\r\nHost: post.tumblr.com\r\nContent-Length: 9\r\n\r\nkey=value',
    );
  });

  it('writes only the head without body, framing lines included (dump_test.go)', async () => {
    const req = new Request('POST', 'http://example.com/', { body: 'abc' });
    expect(text(await dumpRequestOut(req))).toBe(
      'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n\r\n',
    );
    expect(await req.body!.text()).toBe('abc');
  });

  it('dumps a body larger than a buffer (dump_test.go: 8196 bytes)', async () => {
    const big = 'x'.repeat(20_000);
    const req = new Request('PUT', 'http://example.com/big', { body: big });
    const dump = text(await dumpRequestOut(req, { body: true }));
    expect(dump.endsWith(`\r\n\r\n${big}`)).toBe(true);
    expect(await req.body!.text()).toBe(big);
  });

  it('writes a GET without body for a URL with a host only (dump_test.go)', async () => {
    const req = new Request('GET', 'https://example.com');
    expect(text(await dumpRequestOut(req, { body: true }))).toBe(
      'GET / HTTP/1.1\r\nHost: example.com\r\n\r\n',
    );
  });

  it('uses the Host header over the URL host (dump_test.go)', async () => {
    const req = new Request('GET', 'http://example.com/', { header: { Host: 'other.example' } });
    expect(text(await dumpRequestOut(req))).toBe('GET / HTTP/1.1\r\nHost: other.example\r\n\r\n');
  });

  it('chunks a streamed body and replays it (go#18506 shape)', async () => {
    const req = new Request('POST', 'http://h/', {
      body: Readable.from([Buffer.from('ab'), Buffer.from('cd')]),
    });
    const dump = text(await dumpRequestOut(req, { body: true }));
    expect(dump).toBe(
      'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n',
    );
    expect(await req.body!.text()).toBe('abcd');
  });

  it('throws the writer’s error for a request it would refuse', async () => {
    const req = new Request('GET', 'http://h/');
    req.method = 'BAD METHOD';
    await expect(dumpRequestOut(req)).rejects.toMatchObject({ code: 'ERR_INVALID_METHOD' });
  });

  describe('compared with Transport.roundTrip on a raw server', () => {
    let server: RawServer | undefined;
    let transport: Transport | undefined;
    afterEach(async () => {
      transport?.close();
      await server?.close();
    });

    for (const [name, make] of [
      [
        'a body of known length',
        () =>
          new Request('POST', 'http://h/x?y', {
            body: 'hello',
            header: [
              ['x-A', '1'],
              ['X-b', '2'],
            ],
          }),
      ],
      [
        'a streamed body',
        () =>
          new Request('PUT', 'http://h/s', {
            body: Readable.from([Buffer.from('abc'), Buffer.from('de')]),
            trailer: { 'X-T': 'v' },
          }),
      ],
      [
        'no body',
        () => new Request('GET', 'http://h/', { close: true, header: { Accept: '*/*' } }),
      ],
    ] as const) {
      it(`sends exactly the dumped bytes for ${name}`, async () => {
        server = await startRawServer();
        const req = make();
        const addr = `127.0.0.1:${server.port}`;
        req.url = { ...req.url, host: addr };
        req.host = addr;
        const dump = await dumpRequestOut(req, { body: true });
        transport = new Transport();
        const peerP = server.nextPeer();
        const res = transport.roundTrip(req);
        const peer = await peerP;
        const received = await peer.waitFor((got) => got.length >= dump.length);
        await peer.write('HTTP/1.1 204 No Content\r\n\r\n');
        await res;
        expect(text(received)).toBe(text(dump));
      });
    }
  });
});

describe('dumpResponse', () => {
  const make = (init: ConstructorParameters<typeof Response>[1]) =>
    new Response(200, { header: { Foo: 'Bar' }, ...init });

  it('writes the head and the body (dump_test.go)', async () => {
    const res = make({ body: 'foo' });
    expect(text(await dumpResponse(res, { body: true }))).toBe(
      'HTTP/1.1 200 OK\r\nFoo: Bar\r\nContent-Length: 3\r\n\r\nfoo',
    );
    expect(await res.body!.text()).toBe('foo');
  });

  it('writes the head alone without body (dump_test.go)', async () => {
    const res = make({ body: 'foo' });
    expect(text(await dumpResponse(res))).toBe(
      'HTTP/1.1 200 OK\r\nFoo: Bar\r\nContent-Length: 3\r\n\r\n',
    );
  });

  it('chunks a body of unknown length (dump_test.go)', async () => {
    const res = make({ body: Readable.from([Buffer.from('foo')]), contentLength: -1 });
    expect(text(await dumpResponse(res, { body: true }))).toBe(
      'HTTP/1.1 200 OK\r\nFoo: Bar\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nfoo\r\n0\r\n\r\n',
    );
  });

  it('writes no body for a 304 and keeps its Content-Length (dump_test.go)', async () => {
    const res = new Response(304, { contentLength: 10 });
    expect(text(await dumpResponse(res, { body: true }))).toBe(
      'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n',
    );
  });

  it('dumps an incoming response as received, body replayed', async () => {
    const wire = 'HTTP/1.1 200 OK\r\nx-one: 1\r\nServer: s\r\nContent-Length: 2\r\n\r\nok';
    const [m] = parseMessages('response', Buffer.from(wire, 'latin1')).messages;
    const body = new Body();
    body.push(m!.body);
    body.end();
    const res = Response.fromHead({ ...m!, contentLength: 2, chunked: false }, { body });
    expect(text(await dumpResponse(res, { body: true }))).toBe(
      'HTTP/1.1 200 OK\r\nx-one: 1\r\nServer: s\r\nContent-Length: 2\r\n\r\nok',
    );
    expect(await res.body!.text()).toBe('ok');
  });
});
