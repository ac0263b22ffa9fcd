import { describe, expect, it } from 'vitest';
import { Request } from '../../src/index.js';
import { originOf } from '../../src/transport/dial.js';

function origin(url: string) {
  return originOf(new Request('GET', url).url);
}

describe('originOf, the pool key of a request', () => {
  it('makes the default port explicit, so http://h and http://h:80 share a pool', () => {
    expect(origin('http://Example.COM/a')).toEqual({
      scheme: 'http',
      hostname: 'Example.COM',
      port: 80,
      key: 'http://example.com:80',
    });
    expect(origin('https://example.com:443/').key).toBe(origin('https://example.com').key);
  });

  it('keeps IPv6 literals bracketed in the key and bare for dialing', () => {
    expect(origin('http://[::1]:8080/')).toMatchObject({
      hostname: '::1',
      port: 8080,
      key: 'http://[::1]:8080',
    });
    expect(origin('https://[::1]/')).toMatchObject({ hostname: '::1', port: 443 });
  });

  it('refuses other schemes with ERR_UNSUPPORTED_SCHEME and bad ports with ERR_INVALID_URL', () => {
    expect(() => origin('ws://127.0.0.1/')).toThrow(
      expect.objectContaining({ code: 'ERR_UNSUPPORTED_SCHEME' }),
    );
    expect(() => origin('http://127.0.0.1:0/')).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_URL' }),
    );
    expect(() => origin('http://127.0.0.1:99999/')).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_URL' }),
    );
    expect(() => origin('http://127.0.0.1:0x50/')).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_URL' }),
    );
    expect(() => origin('http://127.0.0.1:x/')).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_URL' }),
    );
  });
});
