import { describe, expect, it } from 'vitest';
import { Request } from '../../src/index.js';
import { encodeRequestHead } from '../../src/message/write-message.js';
import { newProxyRequest, ProxyRequest } from '../../src/proxy/proxy-request.js';

/** An inbound request as a server connection would build it: origin-form target, Host, peer address. */
function inbound(target: string, header: Record<string, string | string[]> = {}): Request {
  const [path = '', query = ''] = target.split('?');
  const req = new Request(
    'GET',
    { scheme: '', host: '', path, query },
    { header, host: 'frontend.test' },
  );
  req.remoteAddr = '1.2.3.4:56789';
  return req;
}

/** The outbound copy a proxy makes before calling rewrite. */
function outbound(req: Request): Request {
  return new Request(req.method, req.url, { header: req.header, host: req.host });
}

const headOf = (req: Request) => encodeRequestHead(req).head;

describe('ProxyRequest', () => {
  it("routes to the target and takes Host from the target's URL (TestSetURL)", () => {
    const req = inbound('/dir?us=er');
    const pr = new ProxyRequest(req, outbound(req));
    pr.setURL('http://backend.test:8080/base?sta=tic');
    expect(pr.out.host).toBe('');
    expect(pr.out.url).toEqual({
      scheme: 'http',
      host: 'backend.test:8080',
      path: '/base/dir',
      query: 'sta=tic&us=er',
    });
    expect(headOf(pr.out)).toBe(
      'GET /base/dir?sta=tic&us=er HTTP/1.1\r\nHost: backend.test:8080\r\n\r\n',
    );
  });

  it('keeps the inbound Host when the rewrite sets it back after setURL', () => {
    const req = inbound('/');
    const pr = new ProxyRequest(req, outbound(req));
    pr.setURL(new URL('http://backend.test/'));
    pr.out.host = pr.in.host;
    expect(headOf(pr.out)).toBe('GET / HTTP/1.1\r\nHost: frontend.test\r\n\r\n');
  });

  it('leaves the inbound request untouched by setURL', () => {
    const req = inbound('/dir?x=1');
    const pr = new ProxyRequest(req, outbound(req));
    pr.setURL('http://backend.test/base');
    expect(req.url).toEqual({ scheme: '', host: '', path: '/dir', query: 'x=1' });
    expect(req.host).toBe('frontend.test');
  });

  it('sets the X-Forwarded fields from the inbound request, with https over TLS', () => {
    const req = inbound('/');
    const plain = new ProxyRequest(req, outbound(req));
    plain.setXForwarded();
    expect([...plain.out.header]).toEqual([
      ['X-Forwarded-For', '1.2.3.4'],
      ['X-Forwarded-Host', 'frontend.test'],
      ['X-Forwarded-Proto', 'http'],
    ]);
    const secure = new ProxyRequest(req, outbound(req), { tls: true });
    secure.setXForwarded();
    expect(secure.out.header.get('X-Forwarded-Proto')).toBe('https');
    expect(req.header.size).toBe(0);
  });

  it('applies setXForwarded to a replaced out request (TestReverseProxyRewriteReplacesOut)', () => {
    const req = inbound('/');
    const pr = new ProxyRequest(req, outbound(req));
    pr.out = new Request('GET', 'http://elsewhere.test/x');
    pr.setXForwarded();
    expect(pr.out.header.get('X-Forwarded-For')).toBe('1.2.3.4');
    expect(headOf(pr.out)).toContain('Host: elsewhere.test\r\n');
  });
});

describe('newProxyRequest', () => {
  it("strips the client's forwarding fields from out but not from in (TestReverseProxyRewriteStripsForwarded)", () => {
    const req = inbound('/', {
      Forwarded: 'for=6.6.6.6',
      'X-Forwarded-For': '6.6.6.6',
      'X-Forwarded-Host': 'spoofed',
      'X-Forwarded-Proto': 'https',
      'X-Kept': 'yes',
    });
    const pr = newProxyRequest(req, outbound(req));
    expect([...pr.out.header]).toEqual([['X-Kept', 'yes']]);
    expect(req.header.get('X-Forwarded-For')).toBe('6.6.6.6');
  });

  it('extends the client chain when the rewrite copies it before setXForwarded', () => {
    const req = inbound('/', { 'X-Forwarded-For': ['6.6.6.6', '7.7.7.7'] });
    const pr = newProxyRequest(req, outbound(req));
    pr.out.header.set('X-Forwarded-For', pr.in.header.values('X-Forwarded-For'));
    pr.setXForwarded();
    expect(pr.out.header.values('X-Forwarded-For')).toEqual(['6.6.6.6, 7.7.7.7, 1.2.3.4']);
  });

  it.each([
    ['a=1&a=2;b=3', 'a=1'],
    ['a=1&a=%zz&b=3', 'a=1&b=3'],
    ['a=%zz', ''],
    ['a=1&'.repeat(10000) + 'a=1', ''],
  ])(
    'cleans the outbound query %j before setURL merges it (TestReverseProxyQueryParameterSmugglingRewrite)',
    (raw, clean) => {
      const req = inbound('/?' + raw);
      const pr = newProxyRequest(req, outbound(req));
      pr.setURL('http://backend.test/');
      expect(pr.out.url.query).toBe(clean);
      expect(req.url.query).toBe(raw);
    },
  );

  it('lets the rewrite restore the raw query (TestReverseProxyQueryParameterSmugglingRewritePreservesRawQuery)', () => {
    const raw = 'a=1&a=2;b=3';
    const req = inbound('/?' + raw);
    const pr = newProxyRequest(req, outbound(req));
    pr.setURL('http://backend.test/');
    pr.out.url.query = pr.in.url.query;
    expect(headOf(pr.out)).toBe(`GET /?${raw} HTTP/1.1\r\nHost: backend.test\r\n\r\n`);
  });

  it('keeps a parsable query exactly as the client sent it', () => {
    const req = inbound('/?b=2&a=%41');
    const out = outbound(req);
    const url = out.url;
    const pr = newProxyRequest(req, out);
    expect(pr.out.url).toBe(url);
    expect(pr.out.url.query).toBe('b=2&a=%41');
  });
});
