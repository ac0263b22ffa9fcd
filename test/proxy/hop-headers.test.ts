import { describe, expect, it } from 'vitest';
import { Header, ProtocolError } from '../../src/index.js';
import {
  acceptsTrailers,
  connectionOptions,
  HOP_HEADERS,
  removeHopByHopHeaders,
  requestUpgradeType,
} from '../../src/proxy/hop-headers.js';

const pairs = (h: Header) => [...h];

describe('HOP_HEADERS', () => {
  it("lists Go's hop-by-hop fields, HTTP2-Settings included", () => {
    expect(HOP_HEADERS).toEqual([
      'Connection',
      'Proxy-Connection',
      'Keep-Alive',
      'Proxy-Authenticate',
      'Proxy-Authorization',
      'TE',
      'Trailer',
      'Transfer-Encoding',
      'Upgrade',
      'HTTP2-Settings',
    ]);
  });
});

describe('removeHopByHopHeaders', () => {
  it('strips Connection, TE, Proxy-Connection and Upgrade from a request but keeps TE: trailers when asked (TestReverseProxy)', () => {
    const inbound = Header.from([
      ['Connection', 'close, TE'],
      ['Te', 'foo'],
      ['Te', 'bar, trailers'],
      ['Proxy-Connection', 'should be deleted'],
      ['Upgrade', 'foo'],
      ['X-Kept', 'yes'],
    ]);
    const out = inbound.clone();
    removeHopByHopHeaders(out, { keepTeTrailers: acceptsTrailers(inbound) });
    expect(pairs(out)).toEqual([
      ['X-Kept', 'yes'],
      ['TE', 'trailers'],
    ]);
    expect(inbound.values('Te')).toEqual(['foo', 'bar, trailers']);
  });

  it('strips hop-by-hop fields from a response and keeps look-alikes such as Trailers (TestReverseProxy)', () => {
    const res = Header.from([
      ['Trailers', 'not a special header field name'],
      ['Trailer', 'X-Trailer'],
      ['X-Foo', 'bar'],
      ['Upgrade', 'foo'],
      ['Keep-Alive', 'timeout=5'],
      ['Transfer-Encoding', 'chunked'],
      ['Proxy-Authenticate', 'Basic'],
      ['Proxy-Authorization', 'Basic Zm9vOmJhcg=='],
      ['HTTP2-Settings', 'AAMAAABkAAQAAP__'],
      ['X-Multi-Value', 'foo'],
      ['X-Multi-Value', 'bar'],
      ['Set-Cookie', 'flavor=chocolateChip'],
    ]);
    removeHopByHopHeaders(res);
    expect(pairs(res)).toEqual([
      ['Trailers', 'not a special header field name'],
      ['X-Foo', 'bar'],
      ['X-Multi-Value', 'foo'],
      ['X-Multi-Value', 'bar'],
      ['Set-Cookie', 'flavor=chocolateChip'],
    ]);
  });

  it('strips headers listed in every Connection line, in any case (go#16875, TestReverseProxyStripHeadersPresentInConnection)', () => {
    const inbound = Header.from([
      ['Connection', 'Upgrade, X-Fake-Connection-Token'],
      ['Connection', 'X-Some-Conn-Header'],
      ['x-some-conn-header', 'should be deleted'],
      ['X-FAKE-CONNECTION-TOKEN', 'should be deleted'],
      ['X-Other', 'kept'],
    ]);
    const out = inbound.clone();
    removeHopByHopHeaders(out);
    expect(pairs(out)).toEqual([['X-Other', 'kept']]);
    // the inbound request is left as the client sent it
    expect(inbound.get('X-Some-Conn-Header')).toBe('should be deleted');
    expect(connectionOptions(inbound).sort()).toEqual(
      ['Upgrade', 'X-Fake-Connection-Token', 'X-Some-Conn-Header'].sort(),
    );
  });

  it('strips a name listed next to close (Connection: close, x-foo)', () => {
    const h = Header.from([
      ['Connection', 'close, x-foo'],
      ['X-Foo', 'secret'],
      ['X-Bar', 'kept'],
    ]);
    removeHopByHopHeaders(h);
    expect(pairs(h)).toEqual([['X-Bar', 'kept']]);
  });

  it('skips empty Connection lines and empty elements (go#46313, TestReverseProxyStripEmptyConnection)', () => {
    const h = Header.from([
      ['Connection', ''],
      ['Connection', 'X-Some-Conn-Header'],
      ['Connection', ' ,, \t x-a \t,'],
      ['X-Some-Conn-Header', 'should be deleted'],
      ['X-A', 'should be deleted'],
      ['X-B', 'kept'],
    ]);
    expect(connectionOptions(h)).toEqual(['X-Some-Conn-Header', 'x-a']);
    removeHopByHopHeaders(h);
    expect(h.has('Connection')).toBe(false);
    expect(pairs(h)).toEqual([['X-B', 'kept']]);
  });

  it('drops TE: trailers unless asked to keep it', () => {
    const h = Header.from({ TE: 'trailers' });
    removeHopByHopHeaders(h);
    expect(h.has('TE')).toBe(false);
  });
});

describe('acceptsTrailers', () => {
  it('finds trailers among the elements of any TE line, ignoring case and OWS (go#21096)', () => {
    expect(acceptsTrailers(Header.from({ TE: 'trailers' }))).toBe(true);
    expect(acceptsTrailers(Header.from({ TE: ['deflate', 'gzip;q=0.5 ,\tTrailers'] }))).toBe(true);
    expect(acceptsTrailers(Header.from({ TE: 'trailersx, deflate' }))).toBe(false);
    expect(acceptsTrailers(Header.from({ 'X-TE': 'trailers' }))).toBe(false);
    expect(acceptsTrailers(new Header())).toBe(false);
  });
});

describe('requestUpgradeType', () => {
  it('refuses to forward an upgrade to h2c in any spelling (TestReverseProxyUpgradeH2C)', () => {
    for (const upgrade of [['h2c'], [' h2c '], ['H2C'], ['websocket, h2c'], ['WebSocket, h2C']]) {
      const h = Header.from({ Connection: 'Upgrade', Upgrade: upgrade });
      expect(requestUpgradeType(h, 1, 1)).toBe('');
    }
    const first = Header.from({ Connection: 'Upgrade', Upgrade: ['websocket', 'h2c'] });
    expect(requestUpgradeType(first, 1, 1)).toBe('websocket');
  });

  it('returns an ordinary upgrade and an empty one unchanged', () => {
    expect(requestUpgradeType(Header.from({ Connection: 'upgrade', Upgrade: 'u' }), 1, 1)).toBe(
      'u',
    );
    expect(requestUpgradeType(new Header(), 1, 0)).toBe('');
  });

  it('throws ERR_INVALID_UPGRADE for a protocol that is not printable ASCII', () => {
    const h = Header.from({ Connection: 'Upgrade', Upgrade: 'web\u00e9socket' });
    expect(() => requestUpgradeType(h, 1, 1)).toThrow(ProtocolError);
    expect(() => requestUpgradeType(h, 1, 1)).toThrow(/invalid protocol/);
    const tab = Header.from({ Connection: 'Upgrade', Upgrade: 'websocket,\th2c' });
    expect(() => requestUpgradeType(tab, 1, 1)).toThrow(/invalid protocol/);
  });

  it('throws ERR_INVALID_UPGRADE for an upgrade on a connection that is not HTTP/1.1', () => {
    const h = Header.from({ Connection: 'Upgrade', Upgrade: 'websocket' });
    let err: unknown;
    try {
      requestUpgradeType(h, 1, 0);
    } catch (e) {
      err = e;
    }
    expect((err as ProtocolError).code).toBe('ERR_INVALID_UPGRADE');
  });
});
