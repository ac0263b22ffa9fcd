import { describe, expect, it } from 'vitest';
import { Header } from '../../src/index.js';
import {
  appendXForwardedFor,
  FORWARDING_HEADERS,
  setXForwarded,
  splitHostPort,
  stripForwardingHeaders,
} from '../../src/proxy/x-forwarded.js';

describe('splitHostPort', () => {
  it.each([
    ['localhost:80', 'localhost', '80'],
    ['127.0.0.1:56789', '127.0.0.1', '56789'],
    ['[::1]:80', '::1', '80'],
    ['[::ffff:127.0.0.1]:8080', '::ffff:127.0.0.1', '8080'],
    ['[fe80::1%lo0]:80', 'fe80::1%lo0', '80'],
    [':80', '', '80'],
    ['host:', 'host', ''],
    ['[]:80', '', '80'],
  ])('splits %j into host %j and port %j (net.SplitHostPort)', (hostport, host, port) => {
    expect(splitHostPort(hostport)).toEqual({ host, port });
  });

  it.each([
    '',
    'golang.org',
    '127.0.0.1',
    '[::1]',
    '::1:80',
    '[::1]:80:',
    '[::1]80',
    '[foo:bar]baz:80',
    '[foo]bar:baz',
    '[foo]:[bar]baz',
    'foo[bar]:baz',
    'foo]bar:baz',
    '[foo:80',
  ])('refuses %j as net.SplitHostPort does', (hostport) => {
    expect(splitHostPort(hostport)).toBeNull();
  });
});

describe('appendXForwardedFor (director mode)', () => {
  it('sets the client IP when there is no earlier value', () => {
    const h = new Header();
    appendXForwardedFor(h, '1.2.3.4:56789');
    expect([...h]).toEqual([['X-Forwarded-For', '1.2.3.4']]);
  });

  it('appends the client IP to the value a previous proxy sent (TestXForwardedFor)', () => {
    const h = Header.from({ 'X-Forwarded-For': 'client ip' });
    appendXForwardedFor(h, '127.0.0.1:40000');
    expect(h.values('X-Forwarded-For')).toEqual(['client ip, 127.0.0.1']);
  });

  it('folds several lines into one joined by ", " with the client IP last', () => {
    const h = Header.from([
      ['X-Forwarded-For', '10.0.0.1'],
      ['Other', 'x'],
      ['x-forwarded-for', '10.0.0.2, 10.0.0.3'],
    ]);
    appendXForwardedFor(h, '[::1]:5000');
    expect([...h]).toEqual([
      ['X-Forwarded-For', '10.0.0.1, 10.0.0.2, 10.0.0.3, ::1'],
      ['Other', 'x'],
    ]);
  });

  it('leaves a name set to null alone: no X-Forwarded-For goes out (go#38079, TestXForwardedFor_Omit)', () => {
    const h = new Header();
    h.set('X-Forwarded-For', null);
    appendXForwardedFor(h, '1.2.3.4:56789');
    expect(h.has('X-Forwarded-For')).toBe(true);
    expect(h.values('X-Forwarded-For')).toEqual([]);
    expect(h.wireLines()).toBe('');
  });

  it('changes nothing when the remote address has no port', () => {
    const h = Header.from({ 'X-Forwarded-For': 'a' });
    appendXForwardedFor(h, '');
    appendXForwardedFor(h, '1.2.3.4');
    expect(h.values('X-Forwarded-For')).toEqual(['a']);
  });
});

describe('setXForwarded (ProxyRequest.SetXForwarded)', () => {
  const inbound = { remoteAddr: '1.2.3.4:56789', host: 'example.test:8443' };

  it('sets X-Forwarded-For, X-Forwarded-Host and X-Forwarded-Proto: http', () => {
    const out = new Header();
    setXForwarded(inbound, out, false);
    expect([...out]).toEqual([
      ['X-Forwarded-For', '1.2.3.4'],
      ['X-Forwarded-Host', 'example.test:8443'],
      ['X-Forwarded-Proto', 'http'],
    ]);
  });

  it('says https when the inbound connection is TLS and replaces earlier Host and Proto values', () => {
    const out = Header.from({ 'X-Forwarded-Host': 'spoofed', 'X-Forwarded-Proto': 'gopher' });
    setXForwarded(inbound, out, true);
    expect(out.values('X-Forwarded-Host')).toEqual(['example.test:8443']);
    expect(out.values('X-Forwarded-Proto')).toEqual(['https']);
  });

  it('appends the client IP to the values already in the outbound header, folded', () => {
    const out = Header.from({ 'X-Forwarded-For': ['10.0.0.1', '10.0.0.2'] });
    setXForwarded(inbound, out, false);
    expect(out.values('X-Forwarded-For')).toEqual(['10.0.0.1, 10.0.0.2, 1.2.3.4']);
  });

  it('sets the client IP over a null X-Forwarded-For (a nil slice in Go)', () => {
    const out = new Header().set('X-Forwarded-For', null);
    setXForwarded(inbound, out, false);
    expect(out.values('X-Forwarded-For')).toEqual(['1.2.3.4']);
  });

  it('deletes X-Forwarded-For when the remote address has no port', () => {
    const out = Header.from({ 'X-Forwarded-For': 'spoofed' });
    setXForwarded({ remoteAddr: 'pipe', host: 'h' }, out, false);
    expect(out.has('X-Forwarded-For')).toBe(false);
    expect(out.get('X-Forwarded-Host')).toBe('h');
  });
});

describe('stripForwardingHeaders', () => {
  it('removes Forwarded and X-Forwarded-For/Host/Proto in any case and keeps the rest (TestReverseProxyRewriteStripsForwarded)', () => {
    const h = Header.from([
      ['forwarded', 'for=1.2.3.4'],
      ['X-Forwarded-For', 'x'],
      ['x-forwarded-host', 'x'],
      ['X-FORWARDED-PROTO', 'x'],
      ['X-Forwarded-Port', '443'],
      ['X-Real-IP', '1.2.3.4'],
    ]);
    stripForwardingHeaders(h);
    expect([...h]).toEqual([
      ['X-Forwarded-Port', '443'],
      ['X-Real-IP', '1.2.3.4'],
    ]);
    expect(FORWARDING_HEADERS).toEqual([
      'Forwarded',
      'X-Forwarded-For',
      'X-Forwarded-Host',
      'X-Forwarded-Proto',
    ]);
  });
});
