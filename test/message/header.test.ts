import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/errors.js';
import { Header } from '../../src/message/header.js';

describe('Header', () => {
  it('looks names up case-insensitively and keeps the case they were given in', () => {
    const h = new Header().add('X-Request-ID', 'a').add('content-TYPE', 'text/plain');
    expect(h.get('x-request-id')).toBe('a');
    expect(h.get('Content-Type')).toBe('text/plain');
    expect([...h]).toEqual([
      ['X-Request-ID', 'a'],
      ['content-TYPE', 'text/plain'],
    ]);
  });

  it('returns null and an empty list for absent names', () => {
    const h = new Header();
    expect(h.get('Accept')).toBeNull();
    expect(h.values('Accept')).toEqual([]);
    expect(h.has('Accept')).toBe(false);
  });

  it('keeps repeated names as separate lines in wire order', () => {
    const h = Header.from([
      ['Set-Cookie', 'a=1'],
      ['Vary', 'Accept'],
      ['set-cookie', 'b=2'],
    ]);
    expect(h.get('SET-COOKIE')).toBe('a=1');
    expect(h.values('Set-Cookie')).toEqual(['a=1', 'b=2']);
    expect([...h].map(([name]) => name)).toEqual(['Set-Cookie', 'Vary', 'set-cookie']);
    expect(h.size).toBe(2);
  });

  it('replaces every value in place of the first line on set', () => {
    const h = Header.from([
      ['A', '1'],
      ['B', '2'],
      ['a', '3'],
      ['C', '4'],
    ]);
    h.set('a', ['x', 'y']);
    expect([...h]).toEqual([
      ['a', 'x'],
      ['a', 'y'],
      ['B', '2'],
      ['C', '4'],
    ]);
    h.set('D', '5');
    expect([...h].at(-1)).toEqual(['D', '5']);
  });

  it('removes a name that is set to an empty list', () => {
    const h = new Header().add('A', '1');
    h.set('A', []);
    expect(h.has('A')).toBe(false);
  });

  it('keeps a null-valued name present but without lines (Go nil slice)', () => {
    const h = new Header().add('X-Forwarded-For', '10.0.0.1').add('Via', 'x');
    h.set('X-Forwarded-For', null);
    expect(h.has('x-forwarded-for')).toBe(true);
    expect(h.get('X-Forwarded-For')).toBeNull();
    expect(h.values('X-Forwarded-For')).toEqual([]);
    expect([...h]).toEqual([['Via', 'x']]);
    expect(h.names()).toEqual(['X-Forwarded-For', 'Via']);
    expect(h.wireLines()).toBe('Via: x\r\n');
  });

  it('gives a null-valued name its first value in place on add', () => {
    const h = new Header().set('Expires', null).add('Date', 'd');
    h.add('expires', '0').add('Expires', '1');
    expect([...h]).toEqual([
      ['Expires', '0'],
      ['Date', 'd'],
      ['Expires', '1'],
    ]);
  });

  it('deletes every line of a name and says whether there was one', () => {
    const h = Header.from({ A: ['1', '2'], B: '3' });
    expect(h.delete('a')).toBe(true);
    expect(h.delete('a')).toBe(false);
    expect([...h]).toEqual([['B', '3']]);
    expect(h.get('A')).toBeNull();
  });

  it('clones into an independent copy, null-valued names included', () => {
    const h = new Header().add('A', '1').set('B', null);
    const c = h.clone();
    c.add('A', '2');
    c.delete('B');
    expect(h.values('A')).toEqual(['1']);
    expect(h.has('B')).toBe(true);
    expect(c.values('A')).toEqual(['1', '2']);
    expect(Header.from(h).has('B')).toBe(true);
  });

  it('builds from a plain object of strings and string arrays', () => {
    const h = Header.from({ Accept: 'text/html', 'Cache-Control': ['no-cache', 'no-store'] });
    expect([...h]).toEqual([
      ['Accept', 'text/html'],
      ['Cache-Control', 'no-cache'],
      ['Cache-Control', 'no-store'],
    ]);
  });

  it.each([
    ['CR', 'a\rb'],
    ['LF', 'a\nb'],
    ['NUL', 'a\0b'],
    ['a char latin1 would fold onto CR', 'a\u010db'],
  ])('refuses a value with %s', (_, value) => {
    const h = new Header().add('A', 'ok');
    expect(() => h.add('A', value)).toThrow(ProtocolError);
    expect(() => h.set('A', value)).toThrowError(
      expect.objectContaining({ code: 'ERR_INVALID_HEADER' }),
    );
    expect(() => Header.from({ B: value })).toThrow(ProtocolError);
    expect(h.values('A')).toEqual(['ok']);
  });

  it.each(['', 'Bad Name', 'X:Y', 'a\r\nb', 'Ä'])('refuses the non-token name %j', (name) => {
    expect(() => new Header().add(name, 'v')).toThrowError(
      expect.objectContaining({ code: 'ERR_INVALID_HEADER' }),
    );
    expect(() => new Header().set(name, null)).toThrow(ProtocolError);
  });

  it('allows HTAB and obs-text in values', () => {
    expect(new Header().add('A', 'x\ty\u00ff').get('a')).toBe('x\ty\u00ff');
  });

  it('keeps wire pairs unchecked but checks them again when serialized', () => {
    const h = Header.fromWire([['X', 'bad\rvalue']]);
    expect(h.get('x')).toBe('bad\rvalue');
    expect(() => h.wireLines()).toThrowError(
      expect.objectContaining({ code: 'ERR_INVALID_HEADER' }),
    );
  });

  it('serializes lines in wire order, leaving out excluded names', () => {
    const h = Header.from([
      ['Host', 'h'],
      ['Accept', '*/*'],
      ['content-length', '3'],
    ]);
    expect(h.wireLines(new Set(['host', 'content-length']))).toBe('Accept: */*\r\n');
  });

  it('does not confuse a value with a name that looks like it', () => {
    const h = Header.from([
      ['X', 'host'],
      ['Host', 'example.com'],
    ]);
    h.set('Host', 'other');
    expect([...h]).toEqual([
      ['X', 'host'],
      ['Host', 'other'],
    ]);
  });
});
