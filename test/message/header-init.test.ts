import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/errors.js';
import { Header, type HeaderInit } from '../../src/message/header.js';
import { Request } from '../../src/message/request.js';
import { Response } from '../../src/message/response.js';

/** typeErrorOf returns the TypeError `fn` throws, failing when it throws something else or nothing. */
function typeErrorOf(fn: () => unknown): TypeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TypeError);
    return err as TypeError;
  }
  throw new Error('expected a TypeError, nothing was thrown');
}

/** bad casts a deliberately mistyped init, as a JavaScript caller could pass it. */
function bad(init: unknown): HeaderInit {
  return init as HeaderInit;
}

describe('new Header(init)', () => {
  it('takes a plain object of strings and string arrays, as a Request header does', () => {
    const h = new Header({ 'X-A': '1', Vary: ['Accept', 'Origin'] });
    expect([...h]).toEqual([
      ['X-A', '1'],
      ['Vary', 'Accept'],
      ['Vary', 'Origin'],
    ]);
    const req = new Request('GET', 'http://x/', {
      header: { 'X-A': '1', Vary: ['Accept', 'Origin'] },
    });
    expect([...req.header]).toEqual([...h]);
  });

  it('takes [name, value] pairs, and a fetch Headers as such pairs', () => {
    expect([
      ...new Header([
        ['A', '1'],
        ['a', '2'],
      ]),
    ]).toEqual([
      ['A', '1'],
      ['a', '2'],
    ]);
    const fetched = new Header(new globalThis.Headers({ 'Content-Type': 'text/plain' }));
    expect(fetched.get('content-type')).toBe('text/plain');
  });

  it('copies a Header, null-valued names included, independent of the original', () => {
    const src = new Header().add('A', '1').set('X-Forwarded-For', null);
    const copy = new Header(src);
    src.add('B', '2');
    expect([...copy]).toEqual([['A', '1']]);
    expect(copy.has('X-Forwarded-For')).toBe(true);
    expect(copy.has('B')).toBe(false);
  });

  it('makes an empty Header from nothing, null or undefined', () => {
    for (const init of [undefined, null]) expect(new Header(init).size).toBe(0);
    expect(new Header().size).toBe(0);
  });

  it('rejects a non-string value with a TypeError naming the field, on every init path', () => {
    const cases: [string, () => unknown][] = [
      ['object', () => new Header(bad({ 'X-Num': 5 }))],
      ['array in an object', () => new Header(bad({ 'X-Num': ['1', 5] }))],
      ['pairs', () => new Header(bad([['X-Num', 5]]))],
      ['Header.from', () => Header.from(bad({ 'X-Num': true }))],
      ['Request header', () => new Request('GET', 'http://x/', { header: bad({ 'X-Num': 5 }) })],
      [
        'Request trailer',
        () => new Request('GET', 'http://x/', { trailer: bad({ 'X-Num': null }) }),
      ],
      ['Response header', () => new Response(200, { header: bad({ 'X-Num': 5 }) })],
      ['Response trailer', () => new Response(200, { trailer: bad([['X-Num', {}]]) })],
    ];
    for (const [path, fn] of cases) {
      const err = typeErrorOf(fn);
      expect(err.message, path).toMatch(/^header "X-Num": value must be a string, got /);
    }
  });

  it('rejects an init of the wrong kind and entries that are not pairs with a TypeError', () => {
    expect(typeErrorOf(() => new Header(bad('A: 1'))).message).toMatch(
      /header init must be .*, got string/,
    );
    expect(typeErrorOf(() => new Header(bad([['A']]))).message).toMatch(/pair, got an array of 1/);
    expect(typeErrorOf(() => new Header(bad(['A: 1']))).message).toMatch(/pair, got string/);
    expect(typeErrorOf(() => new Header(bad([['A', '1', '2']]))).message).toMatch(/array of 3/);
  });

  it('rejects a name that is no string with a TypeError, and a bad string as before', () => {
    expect(typeErrorOf(() => new Header(bad([[5, '1']]))).message).toBe(
      'header name must be a string, got number',
    );
    expect(() => new Header({ 'Bad Name': '1' })).toThrow(ProtocolError);
    expect(() => new Header({ A: 'x\r\ny' })).toThrow(ProtocolError);
  });
});

describe('Header set and add with a non-string value', () => {
  it('throw a TypeError naming the field, changing nothing', () => {
    const h = new Header({ A: '1' });
    const set = typeErrorOf(() => h.set('A', 5 as unknown as string));
    expect(set.message).toBe('header "A": value must be a string, got number');
    const add = typeErrorOf(() => h.add('B', undefined as unknown as string));
    expect(add.message).toBe('header "B": value must be a string, got undefined');
    expect([...h]).toEqual([['A', '1']]);
  });
});
