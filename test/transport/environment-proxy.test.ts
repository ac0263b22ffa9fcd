import { describe, expect, it } from 'vitest';
import { proxyFromEnvironment, Request } from '../../src/index.js';
import { NoProxy } from '../../src/transport/no-proxy.js';

/** via returns the proxy chosen for `url` under `env`, as text, or null. */
function via(env: Record<string, string>, url: string): string | null {
  return proxyFromEnvironment(env)(new Request('GET', url))?.href ?? null;
}

describe('proxyFromEnvironment', () => {
  it('takes HTTP_PROXY for http: and HTTPS_PROXY for https:, the lower-case form first', () => {
    const env = {
      HTTP_PROXY: 'http://upper-http:1',
      http_proxy: 'http://lower-http:2',
      HTTPS_PROXY: 'http://upper-https:3',
    };
    expect(via(env, 'http://a.test/')).toBe('http://lower-http:2/');
    expect(via(env, 'https://a.test/')).toBe('http://upper-https:3/');
    expect(
      via({ https_proxy: 'http://lower:4', HTTPS_PROXY: 'http://upper:5' }, 'https://a/'),
    ).toBe('http://lower:4/');
    expect(via({ HTTPS_PROXY: 'http://p:1' }, 'http://a.test/')).toBeNull();
    expect(via({}, 'https://a.test/')).toBeNull();
  });

  it('takes a value without a scheme as http:// and an empty one as none', () => {
    expect(via({ http_proxy: 'proxy.test:3128' }, 'http://a/')).toBe('http://proxy.test:3128/');
    expect(via({ http_proxy: '', HTTP_PROXY: 'http://upper:1' }, 'http://a/')).toBe(
      'http://upper:1/',
    );
  });

  it('ignores upper-case HTTP_PROXY in a CGI environment (httpoxy)', () => {
    const env = { HTTP_PROXY: 'http://evil:1', REQUEST_METHOD: 'GET' };
    expect(via(env, 'http://a/')).toBeNull();
    expect(via({ ...env, http_proxy: 'http://ok:2' }, 'http://a/')).toBe('http://ok:2/');
  });

  it('keeps userinfo for Proxy-Authorization', () => {
    expect(via({ https_proxy: 'http://u%40x:p%3Aw@p:8' }, 'https://a/')).toBe(
      'http://u%40x:p%3Aw@p:8/',
    );
  });

  it('goes direct for hosts in NO_PROXY', () => {
    const env = { http_proxy: 'http://p:1', NO_PROXY: 'internal.test, 10.0.0.0/8' };
    expect(via(env, 'http://api.internal.test/')).toBeNull();
    expect(via(env, 'http://10.1.2.3:8080/')).toBeNull();
    expect(via(env, 'http://example.test/')).toBe('http://p:1/');
    expect(via({ ...env, no_proxy: 'other.test' }, 'http://api.internal.test/')).toBe(
      'http://p:1/',
    );
  });

  it('refuses a proxy variable that is not a URL with a TypeError naming it', () => {
    expect(() => proxyFromEnvironment({ http_proxy: 'http://[bad' })).toThrow(/http:\/\/\[bad/);
  });
});

describe('NoProxy (curl rules)', () => {
  const table: [list: string, host: string, port: number, direct: boolean][] = [
    ['*', 'anything.test', 80, true],
    ['*, other', 'anything.test', 80, false], // curl: `*` only alone
    ['example.com', 'example.com', 80, true],
    ['example.com', 'www.example.com', 443, true],
    ['example.com', 'a.b.example.com', 443, true],
    ['example.com', 'badexample.com', 80, false],
    ['example.com', 'example.com.evil.test', 80, false],
    ['.example.com', 'example.com', 80, true],
    ['.example.com', 'www.example.com', 80, true],
    ['EXAMPLE.com', 'www.Example.COM', 80, true],
    ['example.com.', 'example.com', 80, true],
    ['example.com', 'example.com.', 80, true],
    ['example.com:8080', 'example.com', 8080, true],
    ['example.com:8080', 'example.com', 80, false],
    ['example.com:8080', 'api.example.com', 8080, true],
    ['a.test,b.test', 'b.test', 80, true],
    [' a.test ,\tb.test ', 'b.test', 80, true],
    ['a.test b.test', 'a.test', 80, true],
    ['a.test b.test', 'b.test', 80, false], // curl: a blank not followed by a comma ends the list
    ['', 'example.com', 80, false],
    [',,', 'example.com', 80, false],
    ['127.0.0.1', '127.0.0.1', 80, true],
    ['127.0.0.1', '127.0.0.2', 80, false],
    ['127.0.0.1', '1.127.0.0.1', 80, false],
    ['10.0.0.0/8', '10.255.0.1', 80, true],
    ['10.0.0.0/8', '11.0.0.1', 80, false],
    ['10.0.0.0/8', '10.example', 80, false],
    ['192.168.1.0/24', '192.168.1.77', 443, true],
    ['192.168.1.0/24', '192.168.2.1', 443, false],
    ['::1', '::1', 80, true],
    ['[::1]', '::1', 80, true],
    ['[::1]:8080', '::1', 8080, true],
    ['[::1]:8080', '::1', 80, false],
    ['fd00::/8', 'fd12:3456::1', 80, true],
    ['fd00::/8', 'fe80::1', 80, false],
    ['10.0.0.0/99', '10.0.0.1', 80, false], // unreadable entries are ignored
    ['localhost', 'localhost', 3000, true],
    ['localhost', '127.0.0.1', 3000, false], // never resolved
  ];
  for (const [list, host, port, direct] of table) {
    it(`${JSON.stringify(list)} ${direct ? 'matches' : 'does not match'} ${host}:${port}`, () => {
      expect(new NoProxy(list).matches(host, port)).toBe(direct);
    });
  }
});
