import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/errors.js';
import { Body } from '../../src/message/body.js';
import { Header } from '../../src/message/header.js';
import { Request } from '../../src/message/request.js';
import type { MessageHead } from '../../src/parser/types.js';

function head(over: Partial<MessageHead>): MessageHead {
  return {
    method: 'GET',
    url: '/',
    status: null,
    statusText: null,
    versionMajor: 1,
    versionMinor: 1,
    headers: [],
    upgrade: false,
    shouldKeepAlive: true,
    contentLength: -1,
    chunked: false,
    ...over,
  };
}

describe('Request', () => {
  it('keeps the raw path and query of a URL string exactly', () => {
    const req = new Request('GET', 'http://example.com:8080/a%2Fb/../c?x=%zz;y&z=%41#frag');
    expect(req.url).toEqual({
      scheme: 'http',
      host: 'example.com:8080',
      path: '/a%2Fb/../c',
      query: 'x=%zz;y&z=%41',
    });
    expect(req.requestURI()).toBe('/a%2Fb/../c?x=%zz;y&z=%41');
    expect(req.host).toBe('example.com:8080');
  });

  it('has Go defaults: HTTP/1.1, no body, length 0, keep-alive, empty header and trailer', () => {
    const req = new Request('', 'HTTP://Example.com');
    expect(req.method).toBe('GET');
    expect(req.url.scheme).toBe('http');
    expect(req.url.host).toBe('Example.com');
    expect(req.requestURI()).toBe('/');
    expect([req.protoMajor, req.protoMinor]).toEqual([1, 1]);
    expect(req.body).toBeNull();
    expect(req.contentLength).toBe(0);
    expect(req.close).toBe(false);
    expect(req.header.size).toBe(0);
    expect(req.trailer.size).toBe(0);
    expect(req.remoteAddr).toBe('');
  });

  it('keeps a bare ? and drops userinfo', () => {
    const req = new Request('GET', 'http://user:pw@h/p?');
    expect(req.url.host).toBe('h');
    expect(req.requestURI()).toBe('/p?');
  });

  it('percent-encodes only SP and non-ASCII in a URL string', () => {
    const req = new Request('GET', 'http://h/a b/café?q=ü %2F');
    expect(req.url.path).toBe('/a%20b/caf%C3%A9');
    expect(req.url.query).toBe('q=%C3%BC%20%2F');
  });

  it('takes a URL object through its href', () => {
    const req = new Request('GET', new URL('http://bücher.example/ä?b=%zz'));
    expect(req.url.host).toBe('xn--bcher-kva.example');
    expect(req.requestURI()).toBe('/%C3%A4?b=%zz');
  });

  it.each([
    ['a relative URL', '/path'],
    ['a control character', 'http://h/a\nb'],
    ['a URL without authority', 'mailto:x@y'],
    ['a non-ASCII host', 'http://bücher.example/'],
  ])('refuses %s', (_, url) => {
    expect(() => new Request('GET', url)).toThrowError(
      expect.objectContaining({ code: 'ERR_INVALID_URL' }),
    );
  });

  it('refuses a method that is not a token', () => {
    expect(() => new Request('GE T', 'http://h/')).toThrow(ProtocolError);
  });

  it('takes the length of a string or bytes body and leaves a stream unknown', () => {
    expect(new Request('POST', 'http://h/', { body: 'héllo' }).contentLength).toBe(6);
    expect(new Request('POST', 'http://h/', { body: new Uint8Array(3) }).contentLength).toBe(3);
    async function* gen() {
      yield new Uint8Array(1);
    }
    expect(new Request('POST', 'http://h/', { body: gen() }).contentLength).toBe(-1);
    expect(new Request('POST', 'http://h/', { body: 'abc', contentLength: -1 }).contentLength).toBe(
      -1,
    );
  });

  it('prefers init.host, then a Host header, then the URL host', () => {
    expect(new Request('GET', 'http://u/', { host: 'i' }).host).toBe('i');
    expect(new Request('GET', 'http://u/', { header: { Host: 'hdr' } }).host).toBe('hdr');
    expect(new Request('GET', 'http://u/').host).toBe('u');
  });

  it('copies the header it is given', () => {
    const header = new Header().add('A', '1');
    const req = new Request('GET', 'http://h/', { header });
    header.add('A', '2');
    expect(req.header.values('A')).toEqual(['1']);
  });

  it('gives CONNECT the authority form and OPTIONS * the asterisk', () => {
    expect(new Request('CONNECT', 'http://example.com:443').requestURI()).toBe('example.com:443');
    const opts = new Request('OPTIONS', { scheme: 'http', host: 'h', path: '*', query: '' });
    expect(opts.requestURI()).toBe('*');
  });

  describe('fromHead', () => {
    it('fills only path and query from an origin-form target and takes host from Host', () => {
      const body = Body.empty();
      const req = Request.fromHead(
        head({
          url: '/a%2Fb?x=%zz;y',
          headers: [
            ['host', 'example.com'],
            ['Accept', '*/*'],
          ],
          contentLength: -1,
        }),
        { body, remoteAddr: '127.0.0.1:5555' },
      );
      expect(req.url).toEqual({ scheme: '', host: '', path: '/a%2Fb', query: 'x=%zz;y' });
      expect(req.host).toBe('example.com');
      expect(req.header.has('Host')).toBe(false);
      expect([...req.header]).toEqual([['Accept', '*/*']]);
      expect(req.contentLength).toBe(0);
      expect(req.body).toBe(body);
      expect(req.remoteAddr).toBe('127.0.0.1:5555');
      expect(req.requestURI()).toBe('/a%2Fb?x=%zz;y');
    });

    it('lets an absolute-form target override the Host header (RFC 9112 §3.2.2)', () => {
      const req = Request.fromHead(
        head({ url: 'http://origin:81/p?q', headers: [['Host', 'other']] }),
      );
      expect(req.url).toEqual({ scheme: 'http', host: 'origin:81', path: '/p', query: 'q' });
      expect(req.host).toBe('origin:81');
    });

    it('reads authority-form CONNECT and asterisk targets', () => {
      const connect = Request.fromHead(head({ method: 'CONNECT', url: 'h:443' }));
      expect(connect.url).toEqual({ scheme: '', host: 'h:443', path: '', query: '' });
      expect(connect.requestURI()).toBe('h:443');
      const star = Request.fromHead(head({ method: 'OPTIONS', url: '*' }));
      expect(star.requestURI()).toBe('*');
    });

    it('keeps # and a bare ? in an origin-form target as data', () => {
      const req = Request.fromHead(head({ url: '/a#b?' }));
      expect(req.url.path).toBe('/a#b');
      expect(req.requestURI()).toBe('/a#b?');
    });

    it('moves framing out of the header and announces trailers with null values', async () => {
      const body = new Body();
      const req = Request.fromHead(
        head({
          method: 'POST',
          versionMinor: 0,
          chunked: true,
          shouldKeepAlive: false,
          headers: [
            ['Transfer-Encoding', 'chunked'],
            ['Trailer', 'X-Sum, content-length'],
            ['X-A', '1'],
          ],
        }),
        { body },
      );
      expect([...req.header]).toEqual([['X-A', '1']]);
      expect(req.contentLength).toBe(-1);
      expect(req.close).toBe(true);
      expect(req.protoMinor).toBe(0);
      expect(req.trailer).toBe(body.trailer);
      expect(req.trailer.names()).toEqual(['X-Sum']);
      body.end([['x-sum', '42']]);
      await body.dump(); // trailer values arrive when the consumer reaches the end
      expect(req.trailer.get('X-Sum')).toBe('42');
    });

    it('keeps Content-Length as contentLength', () => {
      const req = Request.fromHead(
        head({ method: 'PUT', contentLength: 5, headers: [['Content-Length', '5']] }),
      );
      expect(req.contentLength).toBe(5);
      expect(req.header.get('content-length')).toBe('5');
    });
  });
});
