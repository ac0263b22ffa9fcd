import { describe, expect, it } from 'vitest';
import type { MessageURL } from '../../src/message/url.js';
import {
  joinQuery,
  joinURLPath,
  parseTarget,
  rewriteRequestURL,
  singleJoiningSlash,
} from '../../src/proxy/proxy-url.js';

describe('singleJoiningSlash', () => {
  it.each([
    ['https://www.google.com/', '/favicon.ico', 'https://www.google.com/favicon.ico'],
    ['https://www.google.com', '/favicon.ico', 'https://www.google.com/favicon.ico'],
    ['https://www.google.com', 'favicon.ico', 'https://www.google.com/favicon.ico'],
    ['https://www.google.com', '', 'https://www.google.com/'],
    ['', 'favicon.ico', '/favicon.ico'],
    ['', '', '/'],
    ['/base/', '/', '/base/'],
  ])('joins %j and %j into %j (TestSingleJoinSlash)', (a, b, want) => {
    expect(singleJoiningSlash(a, b)).toBe(want);
  });
});

describe('joinURLPath', () => {
  // Go's table gives (Path, RawPath) pairs; our paths are kept raw, so each
  // case uses the escaped path Go's EscapedPath() would return.
  it.each([
    ['/a/b', '/c', '/a/b/c'],
    // RawPath "badpath" is not a valid encoding of "/a/b": EscapedPath() is "/a/b"
    ['/a/b', 'c', '/a/b/c'],
    ['/a%2Fb', '/c', '/a%2Fb/c'],
    ['/a%2Fb%2F', 'c', '/a%2Fb%2F/c'],
    ['/a%2Fb/', '/c%2Fd', '/a%2Fb/c%2Fd'],
  ])('joins raw paths %j and %j into %j (TestJoinURLPath)', (a, b, want) => {
    expect(joinURLPath(a, b)).toBe(want);
  });

  it('never decodes or re-encodes either side', () => {
    expect(joinURLPath('/x%20y/', '/%7e%zz;p=1')).toBe('/x%20y/%7e%zz;p=1');
  });
});

describe('joinQuery', () => {
  it.each([
    ['', '', ''],
    ['sta=tic', 'us=er', 'sta=tic&us=er'],
    ['', 'us=er', 'us=er'],
    ['sta=tic', '', 'sta=tic'],
  ])(
    'merges target query %j and request query %j into %j (TestReverseProxyQuery)',
    (t, r, want) => {
      expect(joinQuery(t, r)).toBe(want);
    },
  );
});

describe('parseTarget', () => {
  it('splits a string or URL target keeping its raw path and query', () => {
    expect(parseTarget('http://backend.test:8080/base%2F?sta=tic')).toEqual({
      scheme: 'http',
      host: 'backend.test:8080',
      path: '/base%2F',
      query: 'sta=tic',
    });
    expect(parseTarget(new URL('https://backend.test/api'))).toMatchObject({
      scheme: 'https',
      host: 'backend.test',
      path: '/api',
      query: '',
    });
  });

  it('copies a MessageURL target', () => {
    const target: MessageURL = { scheme: 'http', host: 'h', path: '/p', query: '' };
    const parsed = parseTarget(target);
    expect(parsed).toEqual(target);
    expect(parsed).not.toBe(target);
  });

  it('throws ERR_INVALID_URL for a relative target', () => {
    expect(() => parseTarget('/just/a/path')).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_URL' }),
    );
  });
});

describe('rewriteRequestURL', () => {
  it("routes to the target's scheme, host and base path and merges the queries (NewSingleHostReverseProxy)", () => {
    const inboundURL: MessageURL = { scheme: '', host: '', path: '/dir', query: 'us=er' };
    const req = { url: inboundURL };
    rewriteRequestURL(req, parseTarget('http://backend.test:8080/base?sta=tic'));
    expect(req.url).toEqual({
      scheme: 'http',
      host: 'backend.test:8080',
      path: '/base/dir',
      query: 'sta=tic&us=er',
    });
  });

  it('replaces the URL object and leaves the old one as it was (TestServeHTTPDeepCopy)', () => {
    const inboundURL: MessageURL = { scheme: '', host: '', path: '/', query: '' };
    const req = { url: inboundURL };
    rewriteRequestURL(req, parseTarget('http://backend.test'));
    expect(req.url).not.toBe(inboundURL);
    expect(inboundURL).toEqual({ scheme: '', host: '', path: '/', query: '' });
    expect(req.url.path).toBe('/');
  });

  it('keeps the request forceQuery flag', () => {
    const req = { url: { scheme: '', host: '', path: '/a', query: '', forceQuery: true } };
    rewriteRequestURL(req, parseTarget('http://backend.test/'));
    expect(req.url).toEqual({
      scheme: 'http',
      host: 'backend.test',
      path: '/a',
      query: '',
      forceQuery: true,
    });
  });
});
