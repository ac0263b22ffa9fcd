import { describe, expect, it } from 'vitest';
import {
  appendHeaderLines,
  deleteHeaderNames,
  Header,
  headerPairs,
} from '../../src/message/header.js';
import { ResponseHeader } from '../../src/server/response-header.js';

describe('appendHeaderLines and headerPairs', () => {
  it('append the lines with a value in order, filling a null-valued name in place', () => {
    const src = new Header().add('X-A', '1').set('X-Null', null).add('x-b', '2').add('X-A', '3');
    const dst = new Header().set('X-B', null).add('Z', 'z');
    appendHeaderLines(dst, src);
    expect([...dst]).toEqual([
      ['X-B', '2'],
      ['Z', 'z'],
      ['X-A', '1'],
      ['X-A', '3'],
    ]);
    expect(dst.has('X-Null')).toBe(false);
    expect(headerPairs(src)).toEqual([
      ['X-A', '1'],
      ['x-b', '2'],
      ['X-A', '3'],
    ]);
    expect(headerPairs(new Header())).toEqual([]);
  });

  it('check every line: one added unchecked with a CR throws', () => {
    const src = new Header().add('X-A', '1');
    src.addWire([['X-Bad', 'a\r\nX-Injected: 1']]);
    const dst = new Header();
    expect(() => appendHeaderLines(dst, src)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_HEADER' }),
    );
    expect(dst.has('X-Bad')).toBe(false);
  });

  it('deleteHeaderNames removes every line of the names in one pass, null-valued ones too', () => {
    const h = new Header().add('A', '1').add('Keep', 'k').set('B', null).add('a', '2');
    deleteHeaderNames(h, new Set(['a', 'b']));
    expect([...h]).toEqual([['Keep', 'k']]);
    expect(h.has('B')).toBe(false);
    h.add('B', 'now a line'); // no null-valued B left to fill
    expect([...h]).toEqual([
      ['Keep', 'k'],
      ['B', 'now a line'],
    ]);
    const empty = new Header();
    deleteHeaderNames(empty, new Set(['a']));
    expect(headerPairs(empty)).toEqual([]);
  });
});

describe('ResponseHeader TrailerPrefix', () => {
  it('takes the prefix in any case, and only with its colon', () => {
    const h = new ResponseHeader();
    h.set('tRAILER:X-Sum', 'abc');
    h.set('Trailers-X', 'head field');
    h.set('Trailer', 'X-Declared');
    expect(h.prefixed.get('X-Sum')).toBe('abc');
    expect(h.get('TRAILER:x-sum')).toBe('abc');
    expect([...h]).toEqual([
      ['Trailers-X', 'head field'],
      ['Trailer', 'X-Declared'],
    ]);
  });
});
